// Integer soft-float for the Kiln numerics policy (docs/numerics.md). The
// RTL in rtl/tensor_core implements the same steps; keep both in lock-step.
#include "kiln/golden/numerics.h"

namespace kiln::golden {
namespace {

constexpr uint32_t kSign = 0x80000000u;
constexpr uint32_t kFrac = 0x007FFFFFu;
constexpr uint32_t kInf = 0x7F800000u;

uint32_t exp32(uint32_t x) { return (x >> 23) & 0xFFu; }
bool is_nan32(uint32_t x) { return exp32(x) == 0xFFu && (x & kFrac) != 0; }
bool is_inf32(uint32_t x) { return exp32(x) == 0xFFu && (x & kFrac) == 0; }
// DAZ: a zero exponent field means zero, whatever the fraction.
bool is_zero32(uint32_t x) { return exp32(x) == 0; }

// Leading zeros of a 28-bit value (28 for zero).
int clz28(uint32_t s) { return s ? __builtin_clz(s) - 4 : 28; }

}  // namespace

uint32_t bf16_to_fp32(uint16_t x) {
  uint32_t w = static_cast<uint32_t>(x) << 16;
  if (is_nan32(w)) return kFp32CanonicalNaN;
  if (is_zero32(w)) return w & kSign;
  return w;
}

uint16_t fp32_to_bf16(uint32_t x) {
  if (is_nan32(x)) return kBf16CanonicalNaN;
  if (is_zero32(x)) return static_cast<uint16_t>((x & kSign) >> 16);
  uint32_t hi = x >> 16;
  uint32_t lo = x & 0xFFFFu;
  // RNE; a carry out of the fraction correctly bumps the exponent, up to Inf.
  if (lo > 0x8000u || (lo == 0x8000u && (hi & 1u))) ++hi;
  return static_cast<uint16_t>(hi);
}

uint32_t bf16_mul(uint16_t a, uint16_t b) {
  const uint32_t wa = static_cast<uint32_t>(a) << 16;
  const uint32_t wb = static_cast<uint32_t>(b) << 16;
  const uint32_t sign = (wa ^ wb) & kSign;
  if (is_nan32(wa) || is_nan32(wb)) return kFp32CanonicalNaN;
  if (is_inf32(wa) || is_inf32(wb)) {
    if (is_zero32(wa) || is_zero32(wb)) return kFp32CanonicalNaN;
    return sign | kInf;
  }
  if (is_zero32(wa) || is_zero32(wb)) return sign;
  const uint32_t ma = 0x80u | ((a >> 0) & 0x7Fu);
  const uint32_t mb = 0x80u | ((b >> 0) & 0x7Fu);
  const uint32_t p = ma * mb;  // in [2^14, 2^16): exact in 24 bits
  const uint32_t top = (p >> 15) & 1u;
  const int e = static_cast<int>(exp32(wa)) + static_cast<int>(exp32(wb)) - 127 +
                static_cast<int>(top);
  const uint32_t frac = top ? (p & 0x7FFFu) << 8 : (p & 0x3FFFu) << 9;
  if (e >= 255) return sign | kInf;
  if (e <= 0) return sign;  // FTZ: the exact product is below 2^-126
  return sign | (static_cast<uint32_t>(e) << 23) | frac;
}

uint32_t fp32_add(uint32_t a, uint32_t b) {
  if (is_nan32(a) || is_nan32(b)) return kFp32CanonicalNaN;
  if (is_inf32(a) && is_inf32(b)) return ((a ^ b) & kSign) ? kFp32CanonicalNaN : a;
  if (is_inf32(a)) return a;
  if (is_inf32(b)) return b;
  if (is_zero32(a) && is_zero32(b)) return a & b & kSign;
  if (is_zero32(a)) return b;
  if (is_zero32(b)) return a;

  // x is the operand of larger magnitude; the result takes its sign.
  const bool swap = (b & ~kSign) > (a & ~kSign);
  const uint32_t x = swap ? b : a;
  const uint32_t y = swap ? a : b;
  const uint32_t ex = exp32(x);
  const uint32_t d = ex - exp32(y);
  // 24-bit significands with guard, round and sticky bits below.
  const uint32_t mx = ((x & kFrac) | 0x800000u) << 3;
  const uint32_t my = ((y & kFrac) | 0x800000u) << 3;
  const uint32_t dc = d > 27 ? 27 : d;
  const uint64_t wide = (static_cast<uint64_t>(my) << 27) >> dc;
  const uint32_t my_al = static_cast<uint32_t>(wide >> 27) |
                         ((wide & 0x7FFFFFFull) != 0 ? 1u : 0u);
  const bool same = ((x ^ y) & kSign) == 0;
  const uint32_t s = same ? mx + my_al : mx - my_al;  // 28 bits
  if (s == 0) return 0;  // exact cancellation gives +0 under RNE

  const int lz = clz28(s);
  const int e = static_cast<int>(ex) + 1 - lz;
  // Normalise to 27 bits with the leading one at bit 26.
  const uint32_t n = lz == 0 ? ((s >> 1) | (s & 1u)) : ((s << (lz - 1)) & 0x7FFFFFFu);
  const uint32_t sign = x & kSign;
  // Both operands are multiples of 2^-149, so a result below 2^-126 is exact
  // and flushing before rounding equals flushing after it.
  if (e <= 0) return sign;
  uint32_t mant = n >> 3;
  const uint32_t g = (n >> 2) & 1u;
  const uint32_t st = (n & 3u) != 0 ? 1u : 0u;
  if (g && (st || (mant & 1u))) ++mant;
  int ef = e;
  if (mant >> 24) {
    mant >>= 1;
    ++ef;
  }
  if (ef >= 255) return sign | kInf;
  return sign | (static_cast<uint32_t>(ef) << 23) | (mant & kFrac);
}

int32_t int8_mul(uint16_t a, uint16_t b) {
  const int32_t x = static_cast<int8_t>(static_cast<uint8_t>(a & 0xFFu));
  const int32_t y = static_cast<int8_t>(static_cast<uint8_t>(b & 0xFFu));
  return x * y;
}

uint32_t pe_mac(uint32_t psum, uint16_t a, uint16_t w, bool int8) {
  if (int8) return psum + static_cast<uint32_t>(int8_mul(a, w));
  return fp32_add(psum, bf16_mul(a, w));
}

}  // namespace kiln::golden
