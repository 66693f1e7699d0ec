// gemm_hello: the smallest complete program, one GEMM on the NPU checked on the host.
// Opens the virtual NPU, uploads two BF16 matrices, runs C = A x B on the device (FP32 out),
// downloads C and checks it two ways: bit for bit against the golden model
// (the NPU's exact accumulation order) and against an FP64 product of the
// same BF16 inputs, within FP32 accumulation error.
#include <cmath>
#include <cstdio>
#include <cstring>
#include <vector>

#include "kiln/golden/gemm.h"
#include "kiln/golden/numerics.h"
#include "kiln/kiln.hpp"
#include "kiln/sdk/gemm.h"
#include "sample_args.h"

namespace {

float bits_to_float(uint32_t b) {
  float f;
  std::memcpy(&f, &b, 4);
  return f;
}
uint16_t to_bf16(float f) {
  uint32_t b;
  std::memcpy(&b, &f, 4);
  return kiln::golden::fp32_to_bf16(b);
}

int run(const std::string& backend) {
  constexpr uint32_t M = 48, K = 80, N = 40;  // deliberately not multiples of 16
  std::vector<uint16_t> A(M * K), B(K * N);
  // Deterministic inputs in [-1, 1] (no RNG needed), rounded to BF16.
  for (uint32_t i = 0; i < M * K; ++i) A[i] = to_bf16(std::sin(0.731f * float(i)));
  for (uint32_t i = 0; i < K * N; ++i) B[i] = to_bf16(std::cos(0.377f * float(i)));

  kiln::Device dev(backend.c_str());
  std::printf("gemm_hello: C[%u][%u] = A[%u][%u] x B[%u][%u], BF16 in, FP32 out, backend %s\n", M, N, M, K, K, N,
              dev.backend_name());
  const auto a = kiln::sdk::upload_matrix(dev, A.data(), M, K, kiln::sdk::DType::BF16);
  const auto b = kiln::sdk::upload_matrix(dev, B.data(), K, N, kiln::sdk::DType::BF16);
  const auto c = kiln::sdk::alloc_matrix(dev, M, N, kiln::sdk::DType::FP32);

  const uint64_t t0 = dev.now_ns();
  kiln::sdk::gemm(dev, a, b, c);  // builds the command buffer, submits, waits
  const uint64_t t1 = dev.now_ns();

  std::vector<uint32_t> C(M * N);
  kiln::sdk::download_matrix(dev, c, C.data());

  std::vector<uint32_t> gold(M * N, 0);
  kiln::golden::gemm_bf16(A.data(), K, B.data(), N, gold.data(), N, int(M), int(N), int(K), false);
  size_t mismatches = 0;
  double max_err = 0, max_bound = 0;
  bool within = true;
  for (uint32_t i = 0; i < M; ++i)
    for (uint32_t j = 0; j < N; ++j) {
      const uint32_t got = C[i * N + j];
      if (got != gold[i * N + j]) ++mismatches;
      double ref = 0, mag = 0;
      for (uint32_t k = 0; k < K; ++k) {
        const double p = kiln::golden::bf16_to_double(A[i * K + k]) * kiln::golden::bf16_to_double(B[k * N + j]);
        ref += p;
        mag += std::fabs(p);
      }
      // FP32 accumulation: at most K roundings of 2^-24 relative to the running magnitude.
      const double bound = K * std::ldexp(1.0, -24) * mag + 1e-30;
      const double err = std::fabs(double(bits_to_float(got)) - ref);
      max_err = std::max(max_err, err);
      max_bound = std::max(max_bound, bound);
      if (err > bound) within = false;
    }

  std::printf("C[0][0..3] = %.6f %.6f %.6f %.6f\n", bits_to_float(C[0]), bits_to_float(C[1]), bits_to_float(C[2]),
              bits_to_float(C[3]));
  std::printf("device time %.2f us; bit-exact with golden: %s (%zu mismatches); max |C - FP64| = %.3g (bound %.3g)\n",
              (t1 - t0) / 1e3, mismatches ? "NO" : "yes", mismatches, max_err, max_bound);
  const bool ok = mismatches == 0 && within;
  std::printf("gemm_hello: %s\n", ok ? "PASS" : "FAIL");
  return ok ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  std::string backend;
  int code = 0;
  if (!kiln_samples::parse_args(argc, argv, "usage: gemm_hello [--backend NAME]", &backend, &code)) return code;
  try {
    return run(backend);
  } catch (const kiln::Error& e) {
    std::fprintf(stderr, "gemm_hello: %s (status %s)\n", e.what(), kiln_status_name(e.status()));
    return 1;
  }
}
