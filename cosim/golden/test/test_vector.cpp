// Golden vector unit: directed special cases (docs/numerics.md "Vector
// unit") and accuracy of the approximations against FP64 (the bounds below
// are the ones documented there).
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdio>
#include <random>
#include <vector>

#include "kiln/golden/gemm.h"
#include "kiln/golden/numerics.h"
#include "kiln/golden/vector.h"

using namespace kiln::golden;

namespace {

double f(uint32_t b) { return static_cast<double>(fp32_bits_to_float(b)); }
uint32_t bits(float x) { return float_to_fp32_bits(x); }
bool normal(uint32_t x) {
  const uint32_t e = (x >> 23) & 0xFF;
  return e != 0 && e != 0xFF;
}

struct ErrStat {
  double max_rel = 0;
  uint32_t worst = 0;
  long n = 0;
  void add(uint32_t x, uint32_t got, double ref) {
    if (std::fabs(ref) < 1.1754943508222875e-38 || std::fabs(ref) > 3.4e38) return;
    const double rel = std::fabs(f(got) - ref) / std::fabs(ref);
    ++n;
    if (rel > max_rel) {
      max_rel = rel;
      worst = x;
    }
  }
  void print(const char* name) const {
    std::printf("%-6s max rel err %.3e = 2^%.2f at x=0x%08x (%ld samples)\n", name, max_rel,
                std::log2(max_rel), worst, n);
  }
};

// Uniform random normal FP32 with exponent in [elo, ehi] (biased).
uint32_t rnd(std::mt19937_64& g, uint32_t elo, uint32_t ehi, bool neg_ok) {
  const uint32_t e = elo + static_cast<uint32_t>(g() % (ehi - elo + 1));
  uint32_t s = neg_ok ? static_cast<uint32_t>(g() & 1) << 31 : 0u;
  return s | (e << 23) | static_cast<uint32_t>(g() & 0x7FFFFF);
}

}  // namespace

TEST_CASE("fp32_mul equals host IEEE multiplication on normal results", "[vector]") {
  std::mt19937_64 g(5);
  int flushed = 0;
  for (int i = 0; i < 3000000; ++i) {
    const uint32_t a = rnd(g, 1, 254, true), b = rnd(g, 1, 254, true);
    volatile float fa = fp32_bits_to_float(a), fb = fp32_bits_to_float(b);
    const float r = fa * fb;
    const uint32_t hr = float_to_fp32_bits(r), gr = fp32_mul(a, b);
    if (std::fpclassify(r) == FP_SUBNORMAL || std::fpclassify(r) == FP_ZERO) {
      // Host denormal: ours is the signed zero (our 24-bit rounding can
      // only reach 2^-126 when the host's coarser one does too).
      REQUIRE(gr == (hr & 0x80000000u));
      ++flushed;
    } else if ((hr & 0x7FFFFFFFu) == 0x00800000u && gr == (hr & 0x80000000u)) {
      // The host's denormal-grid rounding reached 2^-126 from just below,
      // ours (24 bits at unbounded exponent) stays below and flushes.
      ++flushed;
    } else if (gr != hr) {
      FAIL("a=" << std::hex << a << " b=" << b << " host=" << hr << " golden=" << gr);
    }
  }
  CHECK(flushed > 0);
}

TEST_CASE("fp32_mul / max special cases", "[vector]") {
  const uint32_t nan = kFp32CanonicalNaN;
  CHECK(fp32_mul(0x7F800000u, 0x00000001u) == nan);  // Inf x denormal (DAZ) = NaN
  CHECK(fp32_mul(0xFF800000u, 0x3F800000u) == 0xFF800000u);
  CHECK(fp32_mul(0x80000000u, 0x3F800000u) == 0x80000000u);
  CHECK(fp32_mul(0x7FA00001u, 0x3F800000u) == nan);
  CHECK(fp32_mul(0x7F7FFFFFu, 0x40000000u) == 0x7F800000u);
  // 2^-126 (1 + 2^-24 - 2^-47) rounds to 2^-126 before the flush test;
  // 2^-126 (1 - 2^-24) is exact and below the normal range.
  CHECK(fp32_mul(0x00800001u, 0x3F7FFFFFu) == 0x00800000u);
  CHECK(fp32_mul(0x00800000u, 0x3F7FFFFFu) == 0);
  CHECK(fp32_max(0x80000000u, 0x00000000u) == 0);
  CHECK(fp32_max(0x00000000u, 0x80000000u) == 0);
  CHECK(fp32_max(0x80000001u, 0x80000000u) == 0x80000000u);  // DAZ: both -0
  CHECK(fp32_max(0xFF800000u, 0x7FC12345u) == nan);
  CHECK(fp32_max(bits(-3.f), bits(-2.f)) == bits(-2.f));
}

TEST_CASE("exp/recip/rsqrt/silu special values", "[vector]") {
  const uint32_t nan = kFp32CanonicalNaN, inf = 0x7F800000u, ninf = 0xFF800000u;
  CHECK(vu_exp(0) == 0x3F800000u);
  CHECK(vu_exp(0x80000000u) == 0x3F800000u);
  CHECK(vu_exp(0x00000005u) == 0x3F800000u);  // denormal = 0
  CHECK(vu_exp(ninf) == 0);
  CHECK(vu_exp(inf) == inf);
  CHECK(vu_exp(0xFFC00001u) == nan);
  CHECK(vu_exp(bits(-87.3f)) == 0);
  CHECK(vu_exp(bits(-87.29f)) != 0);
  CHECK(vu_exp(bits(88.72f)) == inf);
  CHECK(vu_exp(bits(88.71f)) != inf);
  CHECK(vu_recip(0) == inf);
  CHECK(vu_recip(0x80000001u) == ninf);
  CHECK(vu_recip(inf) == 0);
  CHECK(vu_recip(ninf) == 0x80000000u);
  CHECK(vu_recip(nan) == nan);
  CHECK(vu_recip(bits(1.f)) == bits(1.f));
  CHECK(vu_recip(bits(2.f)) == bits(0.5f));
  CHECK(vu_recip(bits(-4.f)) == bits(-0.25f));
  CHECK(vu_recip(0x7E800000u) == 0x00800000u);  // 1/2^126 = 2^-126
  CHECK(vu_recip(0x7F000000u) == 0);            // 2^-127 flushes
  CHECK(vu_rsqrt(0) == inf);
  CHECK(vu_rsqrt(0x80000000u) == ninf);
  CHECK(vu_rsqrt(inf) == 0);
  CHECK(vu_rsqrt(bits(-1.f)) == nan);
  CHECK(vu_rsqrt(ninf) == nan);
  CHECK(vu_rsqrt(bits(4.f)) == bits(0.5f));
  CHECK(vu_rsqrt(bits(1.f)) == bits(1.f));
  CHECK(vu_silu(ninf) == 0x80000000u);
  CHECK(vu_silu(inf) == inf);
  CHECK(vu_silu(0) == 0);
  CHECK(vu_silu(nan) == nan);
  CHECK(vu_silu(bits(-100.f)) == 0x80000000u);
  CHECK(vu_silu(bits(100.f)) == bits(100.f));
}

TEST_CASE("approximation accuracy against FP64", "[vector][accuracy]") {
  std::mt19937_64 g(99);
  ErrStat se, sr, sq, ss;
  for (int i = 0; i < 2000000; ++i) {
    // exp over its whole finite, non-clamped range
    uint32_t x = rnd(g, 100, 133, true);
    if (std::fabs(f(x)) < 87.3) se.add(x, vu_exp(x), std::exp(f(x)));
    x = rnd(g, 1, 254, true);
    sr.add(x, vu_recip(x), 1.0 / f(x));
    x = rnd(g, 1, 254, false);
    sq.add(x, vu_rsqrt(x), 1.0 / std::sqrt(f(x)));
    x = rnd(g, 90, 135, true);
    if (f(x) <= -87.3) continue;  // flushes: see docs/numerics.md
    const double xd = f(x);
    ss.add(x, vu_silu(x), xd / (1.0 + std::exp(-xd)));
  }
  // Exhaustive over one binade's mantissas for recip/rsqrt (the seed and
  // Newton steps only see the mantissa) -- both exponent parities for rsqrt.
  for (uint32_t m = 0; m < (1u << 23); m += 3) {
    sr.add(0x3F800000u | m, vu_recip(0x3F800000u | m), 1.0 / f(0x3F800000u | m));
    const uint32_t a = 0x3F800000u | m, b = 0x40000000u | m;
    sq.add(a, vu_rsqrt(a), 1.0 / std::sqrt(f(a)));
    sq.add(b, vu_rsqrt(b), 1.0 / std::sqrt(f(b)));
  }
  se.print("exp");
  sr.print("recip");
  sq.print("rsqrt");
  ss.print("silu");
  CHECK(se.max_rel <= std::ldexp(1.0, -20));
  CHECK(sr.max_rel <= std::ldexp(1.0, -20));
  CHECK(sq.max_rel <= std::ldexp(1.0, -20));
  CHECK(ss.max_rel <= std::ldexp(1.0, -20));
}
