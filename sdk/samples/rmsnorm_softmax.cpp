// rmsnorm_softmax: two vector-unit kernels batched into one submission.
// p = softmax(rmsnorm(x) * w) row by row: the SDK appends both kernels to one
// command buffer (each starts and ends with a barrier, so the softmax reads
// the finished norm), the device runs them behind one fence, and the result
// is checked against an FP64 host reference.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <vector>

#include "kiln/golden/numerics.h"
#include "kiln/kiln.hpp"
#include "kiln/sdk/kernels.h"
#include "sample_args.h"

namespace {

using kiln::sdk::DType;

float bf16_value(float f) {  // f rounded to BF16 as the device rounds
  uint32_t b;
  std::memcpy(&b, &f, 4);
  b = uint32_t(kiln::golden::fp32_to_bf16(b)) << 16;
  std::memcpy(&f, &b, 4);
  return f;
}

int run(const std::string& backend) {
  constexpr uint32_t T = 24, H = 200;
  constexpr float kEps = 1e-5f;
  std::vector<float> x(T * H), w(H);
  for (uint32_t i = 0; i < T * H; ++i) x[i] = std::sin(0.37f * float(i)) * (1.0f + float(i % H) / H);
  for (uint32_t j = 0; j < H; ++j) w[j] = bf16_value(0.5f + float(j % 7) / 4.0f);

  kiln::Device dev(backend.c_str());
  std::printf("rmsnorm_softmax: x FP32 [%u][%u], w BF16 [1][%u], backend %s\n", T, H, H, dev.backend_name());
  std::vector<uint16_t> w_bits(H);
  for (uint32_t j = 0; j < H; ++j) {
    uint32_t b;
    std::memcpy(&b, &w[j], 4);
    w_bits[j] = uint16_t(b >> 16);  // exact: w is already a BF16 value
  }
  const auto xd = kiln::sdk::upload_matrix(dev, x.data(), T, H, DType::FP32);
  const auto wd = kiln::sdk::upload_matrix(dev, w_bits.data(), 1, H, DType::BF16);
  const auto nd = kiln::sdk::alloc_matrix(dev, T, H, DType::FP32);
  const auto pd = kiln::sdk::alloc_matrix(dev, T, H, DType::FP32);

  kiln::CommandBuffer cb;
  kiln::sdk::rmsnorm(cb, xd, wd, kEps, nd);
  kiln::sdk::softmax(cb, nd, pd);
  std::printf("one submission of %zu commands\n", cb.size());
  dev.run(cb);

  std::vector<float> p(T * H);
  kiln::sdk::download_matrix(dev, pd, p.data());

  double max_rel = 0, worst_sum = 0;
  for (uint32_t t = 0; t < T; ++t) {
    const float* xr = &x[t * H];
    double ss = 0;
    for (uint32_t j = 0; j < H; ++j) ss += double(xr[j]) * xr[j];
    const double r = 1.0 / std::sqrt(ss / H + kEps);
    std::vector<double> n(H);
    double mx = -INFINITY, sum = 0, dev_sum = 0;
    for (uint32_t j = 0; j < H; ++j) mx = std::max(mx, n[j] = xr[j] * r * w[j]);
    for (uint32_t j = 0; j < H; ++j) sum += std::exp(n[j] - mx);
    for (uint32_t j = 0; j < H; ++j) {
      const double ref = std::exp(n[j] - mx) / sum;
      max_rel = std::max(max_rel, std::fabs(p[t * H + j] - ref) / ref);
      dev_sum += p[t * H + j];
    }
    worst_sum = std::max(worst_sum, std::fabs(dev_sum - 1.0));
  }
  // A-priori bounds (docs/sdk.md) are ~1e-5 here; a clear margin over them.
  const bool ok = max_rel < 1e-4;
  std::printf("p[0][0..3] = %.6g %.6g %.6g %.6g\n", p[0], p[1], p[2], p[3]);
  std::printf("max relative error vs FP64 %.3g; worst |row sum - 1| %.3g\n", max_rel, worst_sum);
  std::printf("rmsnorm_softmax: %s\n", ok ? "PASS" : "FAIL");
  return ok ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  std::string backend;
  int code = 0;
  if (!kiln_samples::parse_args(argc, argv, "usage: rmsnorm_softmax [--backend NAME]", &backend, &code)) return code;
  try {
    return run(backend);
  } catch (const kiln::Error& e) {
    std::fprintf(stderr, "rmsnorm_softmax: %s (status %s)\n", e.what(), kiln_status_name(e.status()));
    return 1;
  }
}
