// Self-check of the golden soft-float: on normal operands it must agree with
// the host's IEEE arithmetic, and the policy cases (docs/numerics.md) must
// give exactly the documented bits.
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>

#include <cmath>
#include <cstring>
#include <random>
#include <vector>

#include "kiln/golden/gemm.h"
#include "kiln/golden/numerics.h"

using namespace kiln::golden;

namespace {

uint32_t exp_of(uint32_t x) { return (x >> 23) & 0xFFu; }
bool normal32(uint32_t x) { return exp_of(x) != 0 && exp_of(x) != 0xFF; }

// Random normal FP32 whose exponent is often close to `near` so additions
// cancel and round in interesting ways.
uint32_t rand_normal(std::mt19937_64& rng, uint32_t near) {
  uint32_t x = static_cast<uint32_t>(rng());
  uint32_t e;
  const uint32_t mode = static_cast<uint32_t>(rng() % 4);
  if (mode == 0) {
    e = 1 + static_cast<uint32_t>(rng() % 254);
  } else {
    int d = static_cast<int>(rng() % 61) - 30;
    if (mode == 3) d = static_cast<int>(rng() % 3) - 1;
    int ei = static_cast<int>(near) + d;
    e = static_cast<uint32_t>(ei < 1 ? 1 : (ei > 254 ? 254 : ei));
  }
  return (x & 0x807FFFFFu) | (e << 23);
}

}  // namespace

TEST_CASE("fp32_add equals host IEEE addition on normal operands", "[golden]") {
  std::mt19937_64 rng(12345);
  int checked = 0, flushed = 0;
  for (int i = 0; i < 4000000; ++i) {
    const uint32_t a = rand_normal(rng, 127 + static_cast<uint32_t>(rng() % 20));
    uint32_t b = rand_normal(rng, exp_of(a));
    if (i % 7 == 0) b = (a ^ 0x80000000u) ^ static_cast<uint32_t>(rng() % 4);  // near-cancel
    if (i % 11 == 0) b = a ^ 0x80000000u;                                 // exact cancel
    if (!normal32(b)) continue;
    volatile float fa = fp32_bits_to_float(a), fb = fp32_bits_to_float(b);
    const float r = fa + fb;
    const uint32_t hr = float_to_fp32_bits(r);
    const uint32_t g = fp32_add(a, b);
    if (std::fpclassify(r) == FP_SUBNORMAL) {
      ++flushed;
      REQUIRE(g == (hr & 0x80000000u));  // FTZ keeps the result's sign
    } else if (g != hr) {
      FAIL_CHECK("a=" << std::hex << a << " b=" << b << " host=" << hr << " golden=" << g);
      return;
    }
    ++checked;
  }
  REQUIRE(checked > 3000000);
  CHECK(flushed > 0);
}

TEST_CASE("bf16_mul is the exact product on normal operands", "[golden]") {
  std::mt19937_64 rng(777);
  int tiny = 0;
  for (int i = 0; i < 3000000; ++i) {
    const uint16_t a = static_cast<uint16_t>(rng());
    const uint16_t b = static_cast<uint16_t>(rng());
    const uint32_t wa = static_cast<uint32_t>(a) << 16, wb = static_cast<uint32_t>(b) << 16;
    if (!normal32(wa) || !normal32(wb)) continue;
    volatile float fa = fp32_bits_to_float(wa), fb = fp32_bits_to_float(wb);
    const float r = fa * fb;
    const uint32_t hr = float_to_fp32_bits(r);
    const uint32_t g = bf16_mul(a, b);
    if (std::fpclassify(r) == FP_SUBNORMAL || std::fpclassify(r) == FP_ZERO) {
      ++tiny;
      REQUIRE(g == ((wa ^ wb) & 0x80000000u));
    } else {
      REQUIRE(g == hr);
      // Exactness: the FP64 product of the inputs is the same value.
      if (!std::isinf(r)) REQUIRE(static_cast<double>(fa) * static_cast<double>(fb) == static_cast<double>(r));
    }
  }
  CHECK(tiny > 0);
}

TEST_CASE("fp32_to_bf16 rounds to nearest even", "[golden]") {
  std::mt19937_64 rng(99);
  for (int i = 0; i < 2000000; ++i) {
    uint32_t x = rand_normal(rng, 127);
    if (i % 5 == 0) x = (x & 0xFFFF0000u) | 0x8000u;  // exact tie
    const uint16_t h = fp32_to_bf16(x);
    const double v = fp32_bits_to_float(x);
    const uint16_t lo = static_cast<uint16_t>(x >> 16);
    const uint16_t hi = static_cast<uint16_t>(lo + 1);
    REQUIRE((h == lo || h == hi));
    const double dl = std::fabs(bf16_to_double(lo) - v);
    // Rounding past the largest finite value goes to Inf as if it were 2^128.
    const double hv = (hi & 0x7F80u) == 0x7F80u ? std::copysign(std::ldexp(1.0, 128), v) : bf16_to_double(hi);
    const double dh = std::fabs(hv - v);
    if (dl < dh) REQUIRE(h == lo);
    else if (dh < dl) REQUIRE(h == hi);
    else REQUIRE((h & 1u) == 0);
  }
}

TEST_CASE("policy edge cases", "[golden]") {
  const uint32_t pz = 0, nz = 0x80000000u, pinf = 0x7F800000u, ninf = 0xFF800000u;
  const uint32_t one = 0x3F800000u, none = 0xBF800000u, nan = 0x7FC00000u;
  const uint32_t denorm = 0x00000001u, ndenorm = 0x80400000u;
  CHECK(fp32_add(pz, nz) == pz);
  CHECK(fp32_add(nz, nz) == nz);
  CHECK(fp32_add(nz, pz) == pz);
  CHECK(fp32_add(one, none) == pz);
  CHECK(fp32_add(none, one) == pz);
  CHECK(fp32_add(pinf, ninf) == nan);
  CHECK(fp32_add(pinf, one) == pinf);
  CHECK(fp32_add(ninf, ninf) == ninf);
  CHECK(fp32_add(0xFFC12345u, one) == nan);  // any NaN -> canonical
  CHECK(fp32_add(0x7F800001u, pinf) == nan);
  CHECK(fp32_add(denorm, pz) == pz);       // DAZ
  CHECK(fp32_add(ndenorm, nz) == nz);      // DAZ keeps the sign
  CHECK(fp32_add(ndenorm, pz) == pz);
  CHECK(fp32_add(denorm, one) == one);
  CHECK(fp32_add(0x7F7FFFFFu, 0x7F7FFFFFu) == pinf);  // overflow
  CHECK(fp32_add(0x7F7FFFFFu, 0x73000000u) == pinf);  // rounds up to 2^128
  CHECK(fp32_add(0x7F7FFFFFu, 0x72FFFFFFu) == 0x7F7FFFFFu);
  CHECK(fp32_add(0x00800001u, 0x80800000u) == pz);    // 2^-149 result: FTZ, sign of x
  CHECK(fp32_add(0x80800001u, 0x00800000u) == nz);
  CHECK(fp32_add(one, 0x33800000u) == one);           // 1 + 2^-24: tie to even
  CHECK(fp32_add(0x3F800001u, 0x33800000u) == 0x3F800002u);  // tie rounds up to even
  CHECK(fp32_add(one, 0x33800001u) == 0x3F800001u);   // above tie

  CHECK(bf16_mul(0x7F80u, 0x0000u) == nan);           // Inf x 0
  CHECK(bf16_mul(0x0001u, 0xFF80u) == nan);           // Inf x denormal (DAZ)
  CHECK(bf16_mul(0x7F80u, 0xBF80u) == ninf);
  CHECK(bf16_mul(0x8000u, 0x3F80u) == nz);
  CHECK(bf16_mul(0x8001u, 0x3F80u) == nz);            // DAZ keeps the sign
  CHECK(bf16_mul(0x7F00u, 0x7F00u) == pinf);          // overflow
  CHECK(bf16_mul(0x0080u, 0x3F00u) == pz);            // 2^-127: FTZ
  CHECK(bf16_mul(0x8080u, 0x3F00u) == nz);
  CHECK(bf16_mul(0x7FC1u, 0x3F80u) == nan);
  CHECK(bf16_mul(0x3FC0u, 0x3FC0u) == 0x40100000u);   // 1.5*1.5 = 2.25

  CHECK(fp32_to_bf16(0x7F800001u) == 0x7FC0u);
  CHECK(fp32_to_bf16(0x7F7FFFFFu) == 0x7F80u);        // rounds to Inf
  CHECK(fp32_to_bf16(0x807FFFFFu) == 0x8000u);        // denormal -> -0
  CHECK(fp32_to_bf16(0x3F808000u) == 0x3F80u);        // tie, even stays
  CHECK(fp32_to_bf16(0x3F818000u) == 0x3F82u);        // tie, odd rounds up
  CHECK(bf16_to_fp32(0x0001u) == pz);
  CHECK(bf16_to_fp32(0x8001u) == nz);
  CHECK(bf16_to_fp32(0xFF81u) == nan);
  CHECK(bf16_to_fp32(0x3F80u) == one);

  CHECK(int8_mul(0x0080u, 0x0080u) == 16384);         // -128 * -128
  CHECK(int8_mul(0xFF7Fu, 0x0080u) == -16256);        // high byte ignored
  CHECK(pe_mac(0x7FFFFFFFu, 0x0001u, 0x0001u, true) == 0x80000000u);  // wraps
}

TEST_CASE("gemm_bf16 follows the chunked order and is accurate", "[golden]") {
  std::mt19937_64 rng(5);
  const int M = 5, N = 7, K = 37;
  std::vector<uint16_t> A(M * K), B(K * N);
  for (auto& v : A) v = fp32_to_bf16(float_to_fp32_bits(static_cast<float>(rng() % 2001) / 1000.0f - 1.0f));
  for (auto& v : B) v = fp32_to_bf16(float_to_fp32_bits(static_cast<float>(rng() % 2001) / 1000.0f - 1.0f));
  std::vector<uint32_t> C(M * N, 0xDEADBEEFu);
  gemm_bf16(A.data(), K, B.data(), N, C.data(), N, M, N, K, false);
  std::vector<double> R(M * N);
  gemm_ref_fp64(A.data(), K, B.data(), N, R.data(), N, M, N, K);
  for (int m = 0; m < M; ++m) {
    for (int n = 0; n < N; ++n) {
      // Explicit order: three chunks of 16 (the last one padded with +0).
      uint32_t acc = 0;
      for (int j = 0; j < 3; ++j) {
        uint32_t p = 0;
        for (int r = 0; r < 16; ++r) {
          const int k = 16 * j + r;
          p = fp32_add(p, k < K ? bf16_mul(A[m * K + k], B[k * N + n]) : 0u);
        }
        acc = j == 0 ? p : fp32_add(acc, p);
      }
      REQUIRE(C[m * N + n] == acc);
      CHECK(std::fabs(fp32_bits_to_float(acc) - R[m * N + n]) < 1e-4);
    }
  }
  // Accumulate adds a second product on top, chunk by chunk.
  std::vector<uint32_t> C2 = C;
  gemm_bf16(A.data(), K, B.data(), N, C2.data(), N, M, N, K, true);
  for (int i = 0; i < M * N; ++i)
    CHECK(std::fabs(fp32_bits_to_float(C2[i]) - 2.0 * R[i]) < 2e-4);
  // -0 products only: the chunk sum starts at +0, so the result is +0.
  uint16_t a1 = 0x8000u, b1 = 0x3F80u;
  uint32_t c1 = 0x12345678u;
  gemm_bf16(&a1, 1, &b1, 1, &c1, 1, 1, 1, 1, false);
  CHECK(c1 == 0u);
}

TEST_CASE("gemm_int8 wraps around", "[golden]") {
  std::vector<int8_t> A(40, -128), B(40, -128);
  int32_t C = 0x7FFFFFFF;
  gemm_int8(A.data(), 40, B.data(), 1, &C, 1, 1, 1, 40, true);
  CHECK(C == static_cast<int32_t>(0x7FFFFFFFu + 40u * 16384u));
}
