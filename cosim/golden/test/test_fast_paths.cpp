// The golden model's speed paths against its definition:
//  - host_fp.h's FP32 add / multiply (host FPU where provably identical)
//    against the integer fp32_add / fp32_mul, on operands from every class
//    (zeros, denormals, normals at the range ends, Inf, NaN payloads,
//    cancellations, products around 2^-126 and overflow);
//  - vector_run (beat-wise, host fast paths) against vector_run_reference
//    (element by element, integer only) on random scratchpad images: every
//    op, operand type, SRC1 mode, ROWSUM, in-place and wrapping addresses.
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>

#include <cfenv>
#include <cmath>
#include <random>
#include <vector>

#include "host_fp.h"
#include "kiln/golden/numerics.h"
#include "kiln/golden/vector.h"

using namespace kiln::golden;

namespace {

// An FP32 operand of a random class; `near` biases normal exponents.
uint32_t any_class(std::mt19937_64& g, uint32_t near) {
  const uint32_t s = static_cast<uint32_t>(g() & 1) << 31;
  const uint32_t frac = static_cast<uint32_t>(g()) & 0x7FFFFFu;
  switch (g() % 16) {
    case 0: return s;                                          // +-0
    case 1: return s | (frac ? frac : 1u);                     // denormal
    case 2: return s | 0x7F800000u;                            // Inf
    case 3: return s | 0x7F800000u | (frac ? frac : 1u);       // NaN, any payload
    case 4: return s | ((1u + static_cast<uint32_t>(g() % 3)) << 23) | frac;    // smallest normals
    case 5: return s | ((252u + static_cast<uint32_t>(g() % 3)) << 23) | frac;  // largest normals
    case 6: return s | (1u << 23);                             // +-2^-126
    case 7: return s | 0x7F7FFFFFu;                            // +-max
    case 8: return s | ((1u + static_cast<uint32_t>(g() % 254)) << 23) | frac;  // any normal
    default: {                                                 // normal near `near`
      int e = static_cast<int>(near) + static_cast<int>(g() % 49) - 24;
      e = e < 1 ? 1 : (e > 254 ? 254 : e);
      return s | (static_cast<uint32_t>(e) << 23) | frac;
    }
  }
}

}  // namespace

TEST_CASE("host fast paths of fp32_add / fp32_mul equal the integer definitions", "[golden][fast]") {
  REQUIRE(host::env_ok() == (KILN_GOLDEN_HOST_FP != 0));
  std::mt19937_64 g(2024);
  long fast_add = 0, fast_mul = 0;
  for (long i = 0; i < 6000000; ++i) {
    const uint32_t a = any_class(g, static_cast<uint32_t>(g() % 256));
    uint32_t b = any_class(g, (a >> 23) & 0xFFu);
    switch (i % 8) {
      case 0: b = a ^ 0x80000000u; break;                                  // exact cancellation
      case 1: b = (a ^ 0x80000000u) + static_cast<uint32_t>(g() % 5) - 2u; break;  // near
      default: break;
    }
    const uint32_t ha = host::add(a, b), sa = fp32_add(a, b);
    if (ha != sa) FAIL("add a=" << std::hex << a << " b=" << b << " fast=" << ha << " golden=" << sa);
    // Products: b chosen so that a*b lands anywhere, often near 2^-126 or 2^128.
    uint32_t c = b;
    if (i % 4 == 1 && host::normal(a)) {
      // exponent so that ea + ec - 127 is within a few of 1 or of 254
      const int ea = static_cast<int>((a >> 23) & 0xFFu);
      const int target = (g() & 1) ? 1 + static_cast<int>(g() % 3) - 1 : 254 + static_cast<int>(g() % 3) - 1;
      int ec = target - ea + 127;
      ec = ec < 1 ? 1 : (ec > 254 ? 254 : ec);
      c = (static_cast<uint32_t>(g()) & 0x807FFFFFu) | (static_cast<uint32_t>(ec) << 23);
    }
    const uint32_t hm = host::mul(a, c), sm = fp32_mul(a, c);
    if (hm != sm) FAIL("mul a=" << std::hex << a << " b=" << c << " fast=" << hm << " golden=" << sm);
    fast_add += host::clean(a) && host::clean(b);
    fast_mul += host::clean(a) && host::clean(c);
  }
  // Products within a few ulps of +-2^-126, where IEEE (rounding on the
  // denormal grid) and the golden multiplier (24 bits, then FTZ) can
  // disagree: the fast path must leave all of these to the soft-float.
  long disagree = 0;
  for (int i = 0; i < 400000; ++i) {
    const uint32_t a = (static_cast<uint32_t>(g()) & 0x807FFFFFu) | ((100u + static_cast<uint32_t>(g() % 55)) << 23);
    const double want = std::ldexp(1.0, -126) / static_cast<double>(host::to_f(a & 0x7FFFFFFFu));
    const uint32_t b0 = host::to_u(static_cast<float>(want)) | (static_cast<uint32_t>(g() & 1) << 31);
    for (int d = -4; d <= 4; ++d) {
      const uint32_t b = b0 + static_cast<uint32_t>(d);
      const uint32_t hm = host::mul(a, b), sm = fp32_mul(a, b);
      if (hm != sm) FAIL("mul near 2^-126 a=" << std::hex << a << " b=" << b << " fast=" << hm << " golden=" << sm);
      volatile float fa = host::to_f(a), fb = host::to_f(b);
      const float ieee = fa * fb;
      disagree += (host::to_u(ieee) & 0x7FFFFFFFu) == 0x00800000u && (sm << 1) == 0;
    }
  }
  CHECK(disagree > 0);  // the window was hit
  // Directed: the IEEE-normal product that is ours to flush (docs/numerics.md).
  CHECK(host::mul(0x00800000u, 0x3F7FFFFFu) == 0);
  CHECK(host::mul(0x00800001u, 0x3F7FFFFFu) == 0x00800000u);
  CHECK(host::add(0x80000000u, 0x80000000u) == 0x80000000u);
  CHECK(host::add(0x80000000u, 0x00000000u) == 0);
  CHECK(host::add(0x3F800000u, 0xBF800000u) == 0);
  CHECK(host::add(0x00800000u, 0x80800001u) == 0x80000000u);  // exact denormal difference: FTZ
  CHECK(fast_add > 1000000);
  CHECK(fast_mul > 1000000);
}

#if KILN_GOLDEN_HOST_FP
TEST_CASE("the host fast paths switch off outside round-to-nearest", "[golden][fast]") {
  // vector_run then takes the integer path: still the reference's bits.
  std::vector<uint32_t> x(64 * 8), y;
  for (size_t i = 0; i < x.size(); ++i) x[i] = 0x3F800000u + static_cast<uint32_t>(i * 2654435761u % 0x01000000u);
  y = x;
  VectorOp op;
  op.op = kVuSiluMul;
  op.flags = kVuFlagSrc0Fp32 | kVuFlagSrc1Fp32 | kVuFlagDstFp32;
  op.rows = 4;
  op.cols = 64;
  op.src0_stride = op.src1_stride = op.dst_stride = 8;
  op.src1_addr = 32;
  op.dst_addr = 40;
  REQUIRE(std::fesetround(FE_UPWARD) == 0);
  const bool ok = host::env_ok();
  vector_run(op, x.data(), 64);
  std::fesetround(FE_TONEAREST);
  CHECK_FALSE(ok);
  CHECK(host::env_ok());
  vector_run_reference(op, y.data(), 64);
  CHECK(x == y);
}
#endif

namespace {

// A random FP32 element: mostly values in the range the VU sees in a model
// (|x| around 2^-10 .. 2^10, exp and silu arguments up to +-100), with every
// special class mixed in.
uint32_t element(std::mt19937_64& g, int special_pct) {
  if (static_cast<int>(g() % 100) < special_pct) return any_class(g, 127);
  const uint32_t s = static_cast<uint32_t>(g() & 1) << 31;
  const uint32_t e = 117u + static_cast<uint32_t>(g() % 17);  // 2^-10 .. 2^6
  return s | (e << 23) | (static_cast<uint32_t>(g()) & 0x7FFFFFu);
}

}  // namespace

TEST_CASE("vector_run equals vector_run_reference", "[golden][fast][vector]") {
  constexpr size_t kWords = 512;  // small image: operands overlap and wrap often
  std::mt19937_64 g(77);
  std::vector<uint32_t> base(kWords * 8), x(kWords * 8), y(kWords * 8);
  long cases = 0;
  for (int iter = 0; iter < 6000; ++iter) {
    const int pct = iter % 4 == 0 ? 0 : (iter % 4 == 1 ? 2 : (iter % 4 == 2 ? 20 : 80));
    for (auto& v : base) {
      // BF16 halves and FP32 words: build both kinds of content.
      v = (g() & 1) ? element(g, pct) : (element(g, pct) >> 16) | (element(g, pct) & 0xFFFF0000u);
    }
    VectorOp op;
    op.op = static_cast<uint32_t>(g() % 17);  // 16: an undefined code (no effect)
    op.flags = static_cast<uint32_t>(g() & 0x7u) | (static_cast<uint32_t>(g() % 4) << kVuSrc1ModeShift) |
               ((g() & 1) ? kVuFlagRowSum : 0u);
    op.rows = static_cast<uint32_t>(g() % 10);
    op.cols = static_cast<uint32_t>(1 + g() % 70);
    const uint32_t row_words = (op.cols + 7) / 8;
    auto addr = [&] { return static_cast<uint32_t>(g() % (kWords + 64)); };  // past the end: wraps
    op.src0_addr = addr();
    op.src0_stride = row_words + static_cast<uint32_t>(g() % 3);
    op.src1_addr = addr();
    op.src1_stride = (g() & 3) == 0 ? 0u : row_words + static_cast<uint32_t>(g() % 3);
    op.src2_addr = addr();
    op.dst_addr = addr();
    op.dst_stride = op.src0_stride;
    if (g() % 3 == 0) {  // in place: DST = SRC0, same type
      op.dst_addr = op.src0_addr;
      op.flags = (op.flags & ~kVuFlagDstFp32) | ((op.flags & kVuFlagSrc0Fp32) ? kVuFlagDstFp32 : 0u);
    }
    op.imm = element(g, pct);
    op.aux = (op.op == kVuMaskCausal) ? static_cast<uint32_t>(static_cast<int32_t>(g() % 20) - 10) : addr();
    if (g() % 50 == 0) op.cols = 0;
    x = base;
    y = base;
    vector_run(op, x.data(), kWords);
    vector_run_reference(op, y.data(), kWords);
    INFO("iter " << iter << " op " << op.op << " flags 0x" << std::hex << op.flags << std::dec << " rows "
                 << op.rows << " cols " << op.cols);
    REQUIRE(x == y);
    ++cases;
  }
  CHECK(cases == 6000);
}

// EXP and SILU_MUL take an 8-lane host path (whole beats) with per-lane
// fallbacks: many beats over their whole input range, clamps and special
// values included, against the reference.
TEST_CASE("EXP and SILU_MUL beats equal the reference", "[golden][fast][vector]") {
  constexpr size_t kWords = 64;
  std::mt19937_64 g(4242);
  const uint32_t edge[] = {0x00000000u, 0x80000000u, 0x3F800000u, 0xBF800000u, 0xC2AE999Au, 0xC2AE9999u,
                           0xC2AE999Bu, 0x42B170A4u, 0x42B170A3u, 0x42B170A5u, 0x7F800000u, 0xFF800000u,
                           0x7FC00000u, 0x00000001u, 0x80400000u, 0xC2BA0000u, 0x42C80000u, 0x34000000u};
  std::vector<uint32_t> x(kWords * 8), y;
  long lanes = 0;
  for (int iter = 0; iter < 40000; ++iter) {
    for (auto& v : x) {
      const uint32_t s = static_cast<uint32_t>(g() & 1) << 31;
      switch (g() % 8) {
        case 0: v = edge[g() % (sizeof edge / sizeof edge[0])]; break;
        case 1: v = any_class(g, 127); break;
        case 2: v = s | ((100u + static_cast<uint32_t>(g() % 34)) << 23) | (static_cast<uint32_t>(g()) & 0x7FFFFFu); break;
        default: v = s | ((115u + static_cast<uint32_t>(g() % 19)) << 23) | (static_cast<uint32_t>(g()) & 0x7FFFFFu); break;
      }
    }
    VectorOp op;
    op.op = (iter & 1) ? kVuSiluMul : kVuExp;
    op.flags = kVuFlagSrc0Fp32 | kVuFlagSrc1Fp32 | kVuFlagDstFp32 | ((iter & 2) ? kVuFlagRowSum : 0u);
    if (iter % 5 == 0) op.flags |= 1u << kVuSrc1ModeShift;  // broadcast src1
    op.rows = 4;
    op.cols = 8 + static_cast<uint32_t>(g() % 57);
    op.src0_addr = 0;
    op.src0_stride = 8;
    op.src1_addr = 32;
    op.src1_stride = 8;
    op.dst_addr = (iter % 3 == 0) ? 0u : 40u;  // sometimes in place
    op.dst_stride = 8;
    op.aux = 60;
    y = x;
    std::vector<uint32_t> z = x;
    vector_run(op, z.data(), kWords);
    vector_run_reference(op, y.data(), kWords);
    INFO("iter " << iter << " op " << op.op << " cols " << op.cols);
    REQUIRE(z == y);
    lanes += op.rows * op.cols;
  }
  CHECK(lanes > 1000000);
}
