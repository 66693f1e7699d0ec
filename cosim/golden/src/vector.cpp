// Golden vector unit (docs/numerics.md "Vector unit"). Integer soft-float
// only; rtl/vector_unit implements the same steps in the same order, so any
// change here needs the same change there.
#include "kiln/golden/vector.h"

#include "kiln/golden/numerics.h"

namespace kiln::golden {
namespace {

constexpr uint32_t kSign = 0x80000000u;
constexpr uint32_t kFrac = 0x007FFFFFu;
constexpr uint32_t kInf = 0x7F800000u;
constexpr uint32_t kNegInf = 0xFF800000u;
constexpr uint32_t kOne = 0x3F800000u;

// exp constants (FP32 bit patterns)
constexpr uint32_t kLog2e = 0x3FB8AA3Bu;   // 1.44269502
constexpr uint32_t kLn2Hi = 0x3F317200u;   // 0.693145751953125 (15 significant bits)
constexpr uint32_t kLn2Lo = 0x35BFBE8Eu;   // ln2 - kLn2Hi = 1.42860677e-6
constexpr uint32_t kExpLo = 0xC2AE999Au;   // -87.3: x <= this gives +0
constexpr uint32_t kExpHi = 0x42B170A4u;   // 88.72: x >= this gives +Inf
// Horner coefficients c6..c1 of 2^r's Taylor series in r = x - n ln2
// (1/720, 1/120, 1/24, 1/6, 1/2, 1), then + c0 = 1.
constexpr uint32_t kExpC[6] = {0x3AB60B61u, 0x3C088889u, 0x3D2AAAABu,
                               0x3E2AAAABu, 0x3F000000u, 0x3F800000u};
constexpr uint32_t kRecipMagic = 0x7EF311C3u;
constexpr uint32_t kRsqrtMagic = 0x5F3759DFu;
constexpr uint32_t kHalf = 0x3F000000u;
constexpr int kNewtonSteps = 3;

uint32_t ex(uint32_t x) { return (x >> 23) & 0xFFu; }
bool is_nan(uint32_t x) { return ex(x) == 0xFFu && (x & kFrac) != 0; }
bool is_inf(uint32_t x) { return ex(x) == 0xFFu && (x & kFrac) == 0; }
bool is_zero(uint32_t x) { return ex(x) == 0; }

// Signed comparison a <= b of canonical non-NaN values via the order key.
bool le(uint32_t a, uint32_t b) { return fp32_order_key(a) <= fp32_order_key(b); }

// Round-half-even to integer of |t| < 2^8 (t canonical, finite).
int32_t rint_small(uint32_t t) {
  if (is_zero(t)) return 0;
  const int e = static_cast<int>(ex(t)) - 127;
  if (e < -1) return 0;
  const uint32_t m = (t & kFrac) | 0x800000u;
  const int sh = 23 - e;  // 17..24 for |t| < 256
  const uint32_t ip = m >> sh;
  const uint32_t rem = m & ((1u << sh) - 1u);
  const uint32_t half = 1u << (sh - 1);
  const uint32_t r = ip + ((rem > half || (rem == half && (ip & 1u))) ? 1u : 0u);
  return (t & kSign) ? -static_cast<int32_t>(r) : static_cast<int32_t>(r);
}

// Exact FP32 of a small integer (|n| < 2^24).
uint32_t int_to_fp32(int32_t n) {
  if (n == 0) return 0;
  const uint32_t sign = n < 0 ? kSign : 0u;
  uint32_t m = static_cast<uint32_t>(n < 0 ? -n : n);
  int e = 23;
  while (!(m & 0x800000u)) {
    m <<= 1;
    --e;
  }
  return sign | (static_cast<uint32_t>(e + 127) << 23) | (m & kFrac);
}

// Adds `d` to the exponent field of a positive normal value, with FTZ and
// overflow to Inf.
uint32_t scale_exp(uint32_t p, int d) {
  const int e = static_cast<int>(ex(p)) + d;
  if (e >= 255) return (p & kSign) | kInf;
  if (e <= 0) return p & kSign;
  return (p & (kSign | kFrac)) | (static_cast<uint32_t>(e) << 23);
}

}  // namespace

uint32_t fp32_canon(uint32_t x) {
  if (is_nan(x)) return kFp32CanonicalNaN;
  if (is_zero(x)) return x & kSign;
  return x;
}

uint32_t fp32_mul(uint32_t a, uint32_t b) {
  const uint32_t sign = (a ^ b) & kSign;
  if (is_nan(a) || is_nan(b)) return kFp32CanonicalNaN;
  if (is_inf(a) || is_inf(b)) {
    if (is_zero(a) || is_zero(b)) return kFp32CanonicalNaN;
    return sign | kInf;
  }
  if (is_zero(a) || is_zero(b)) return sign;
  const uint64_t p = static_cast<uint64_t>((a & kFrac) | 0x800000u) *
                     static_cast<uint64_t>((b & kFrac) | 0x800000u);  // [2^46, 2^48)
  const uint32_t top = static_cast<uint32_t>(p >> 47) & 1u;
  int e = static_cast<int>(ex(a)) + static_cast<int>(ex(b)) - 127 + static_cast<int>(top);
  // 24 kept bits, guard, sticky.
  const uint64_t n = top ? p : (p << 1);  // leading one at bit 47
  uint32_t mant = static_cast<uint32_t>(n >> 24) & 0xFFFFFFu;
  const uint32_t g = static_cast<uint32_t>(n >> 23) & 1u;
  const bool st = (n & 0x7FFFFFull) != 0;
  if (g && (st || (mant & 1u))) ++mant;
  if (mant >> 24) {
    mant >>= 1;
    ++e;
  }
  // Rounded at unbounded exponent, then FTZ / overflow.
  if (e >= 255) return sign | kInf;
  if (e <= 0) return sign;
  return sign | (static_cast<uint32_t>(e) << 23) | (mant & kFrac);
}

uint32_t fp32_sub(uint32_t a, uint32_t b) { return fp32_add(a, b ^ kSign); }

uint32_t fp32_order_key(uint32_t x) { return (x & kSign) ? ~x : (x | kSign); }

uint32_t fp32_max(uint32_t a, uint32_t b) {
  a = fp32_canon(a);
  b = fp32_canon(b);
  return fp32_order_key(b) > fp32_order_key(a) ? b : a;
}

uint32_t vu_exp(uint32_t x) {
  x = fp32_canon(x);
  if (is_nan(x)) return kFp32CanonicalNaN;
  if (le(x, kExpLo)) return 0;  // includes -Inf
  if (le(kExpHi, x)) return kInf;
  const uint32_t t = fp32_mul(x, kLog2e);
  const int32_t n = rint_small(t);
  const uint32_t nf = int_to_fp32(n);
  // Cody-Waite: x - n*ln2 in two parts; n*kLn2Hi is exact.
  const uint32_t r = fp32_sub(fp32_sub(x, fp32_mul(nf, kLn2Hi)), fp32_mul(nf, kLn2Lo));
  uint32_t p = kExpC[0];
  for (int k = 1; k < 6; ++k) p = fp32_add(fp32_mul(p, r), kExpC[k]);
  p = fp32_add(fp32_mul(p, r), kOne);
  return scale_exp(p, n);
}

uint32_t vu_recip(uint32_t x) {
  x = fp32_canon(x);
  if (is_nan(x)) return kFp32CanonicalNaN;
  if (is_zero(x)) return (x & kSign) | kInf;
  if (is_inf(x)) return x & kSign;
  // x = +-m * 2^(ex-127), m in [1,2): 1/x = 1/m * 2^(127-ex).
  const uint32_t m = (x & kFrac) | kOne;
  uint32_t y = kRecipMagic - m;
  // Newton in correction form y += y * (1 - m y): the small correction
  // keeps the last step from losing the final bit (recip(1) = 1 exactly).
  for (int i = 0; i < kNewtonSteps; ++i) {
    y = fp32_add(y, fp32_mul(y, fp32_sub(kOne, fp32_mul(m, y))));
  }
  return (x & kSign) | scale_exp(y, 127 - static_cast<int>(ex(x)));
}

uint32_t vu_rsqrt(uint32_t x) {
  x = fp32_canon(x);
  if (is_nan(x)) return kFp32CanonicalNaN;
  if (is_zero(x)) return (x & kSign) | kInf;  // rsqrt(-0) = -Inf
  if (x & kSign) return kFp32CanonicalNaN;
  if (is_inf(x)) return 0;
  // x = m * 2^(2k), m in [1,4): rsqrt(x) = rsqrt(m) * 2^-k.
  const int eu = static_cast<int>(ex(x)) - 127;
  const int odd = eu & 1;
  const int k = (eu - odd) / 2;
  const uint32_t m = (x & kFrac) | (static_cast<uint32_t>(127 + odd) << 23);
  uint32_t y = kRsqrtMagic - (m >> 1);
  for (int i = 0; i < kNewtonSteps; ++i) {
    // y += y * (1/2 - (m y) y / 2), the correction form as for recip.
    const uint32_t h = fp32_mul(fp32_mul(fp32_mul(m, y), y), kHalf);
    y = fp32_add(y, fp32_mul(y, fp32_sub(kHalf, h)));
  }
  return scale_exp(y, -k);
}

uint32_t vu_silu(uint32_t x) {
  x = fp32_canon(x);
  if (x == kNegInf) return kSign;  // the limit, not -Inf * 0
  const uint32_t d = fp32_add(vu_exp(x ^ kSign), kOne);
  return fp32_mul(x, vu_recip(d));
}

bool vu_is_reduction(uint32_t op) {
  return op == kVuRowMax || op == kVuRowSum || op == kVuRowSumSq || op == kVuRowArgmax;
}

uint32_t vu_elementwise(const VectorOp& op, uint32_t row, uint32_t col, uint32_t a,
                        uint32_t b, uint32_t c, uint32_t pair_a, uint32_t pair_b) {
  switch (op.op) {
    case kVuAdd: return fp32_add(a, b);
    case kVuSub: return fp32_sub(a, b);
    case kVuMul: return fp32_mul(a, b);
    case kVuMax: return fp32_max(a, b);
    case kVuExp: return vu_exp(fp32_sub(a, b));
    case kVuRecip: return vu_recip(a);
    case kVuRsqrt: return vu_rsqrt(fp32_add(a, b));
    case kVuSiluMul: return fp32_mul(vu_silu(a), b);
    case kVuCopy: return a;
    case kVuMaskCausal: {
      const int64_t lim = static_cast<int64_t>(row) + static_cast<int32_t>(op.aux);
      return static_cast<int64_t>(col) > lim ? kNegInf : a;
    }
    case kVuRope:
      // Even lane: x0 c - x1 s; odd lane: x0 s + x1 c (x0, c at the even column).
      if ((col & 1u) == 0) return fp32_sub(fp32_mul(a, b), fp32_mul(pair_a, pair_b));
      return fp32_add(fp32_mul(pair_a, b), fp32_mul(a, pair_b));
    case kVuAxpy: return fp32_add(fp32_mul(a, b), c);
    default: return a;  // reductions never get here
  }
}

namespace {

struct Image {
  uint32_t* w;
  size_t words;
  uint32_t* lane(uint32_t word, uint32_t l) { return &w[8 * (word % words) + l]; }
  // Element `e` of a row starting at `word`, BF16 or FP32, as canonical FP32.
  uint32_t get(uint32_t word, uint32_t e, bool fp32) {
    if (fp32) return fp32_canon(*lane(word + e / 8, e % 8));
    const uint32_t v = *lane(word + e / 16, (e % 16) / 2);
    return bf16_to_fp32(static_cast<uint16_t>(v >> (16 * (e % 2))));
  }
  void put(uint32_t word, uint32_t e, bool fp32, uint32_t v) {
    if (fp32) {
      *lane(word + e / 8, e % 8) = v;
      return;
    }
    uint32_t* l = lane(word + e / 16, (e % 16) / 2);
    const uint32_t sh = 16 * (e % 2);
    *l = (*l & ~(0xFFFFu << sh)) | (static_cast<uint32_t>(fp32_to_bf16(v)) << sh);
  }
};

// ((e0+e1)+(e2+e3))+((e4+e5)+(e6+e7))
uint32_t group_sum(const uint32_t e[8]) {
  const uint32_t s01 = fp32_add(e[0], e[1]), s23 = fp32_add(e[2], e[3]);
  const uint32_t s45 = fp32_add(e[4], e[5]), s67 = fp32_add(e[6], e[7]);
  return fp32_add(fp32_add(s01, s23), fp32_add(s45, s67));
}

}  // namespace

void vector_run(const VectorOp& op, uint32_t* spad, size_t spad_words) {
  Image img{spad, spad_words};
  if (op.rows == 0 || op.cols == 0 || op.op > kVuAxpy) return;
  const bool f0 = op.flags & kVuFlagSrc0Fp32, f1 = op.flags & kVuFlagSrc1Fp32;
  const bool fd = op.flags & kVuFlagDstFp32;
  const uint32_t mode = (op.flags >> kVuSrc1ModeShift) & 3u;
  const bool rowsum = op.op == kVuExp && (op.flags & kVuFlagRowSum);
  const uint32_t beats = (op.cols + 7) / 8;
  for (uint32_t r = 0; r < op.rows; ++r) {
    const uint32_t s0 = op.src0_addr + r * op.src0_stride;
    const uint32_t s1 = mode == 0 ? op.src1_addr + r * op.src1_stride : op.src1_addr;
    const uint32_t s2 = op.src2_addr + r * op.src0_stride;
    const uint32_t d = op.dst_addr + r * op.dst_stride;
    const uint32_t scalar = mode == 2   ? fp32_canon(*img.lane(op.src1_addr + r / 8, r % 8))
                            : mode == 3 ? fp32_canon(op.imm)
                                        : 0u;
    uint32_t acc = 0, best_key = 0, best_val = 0, best_idx = 0;
    for (uint32_t bt = 0; bt < beats; ++bt) {
      uint32_t a[8], b[8], c[8], res[8], e[8];
      for (uint32_t i = 0; i < 8; ++i) {
        const uint32_t col = 8 * bt + i;
        const bool v = col < op.cols;
        a[i] = v ? img.get(s0, col, f0) : 0u;  // lanes past COLS read as +0
        b[i] = !v ? 0u : mode >= 2 ? scalar : img.get(s1, col, f1);
        c[i] = v && op.op == kVuAxpy ? img.get(s2, col, f0) : 0u;
      }
      for (uint32_t i = 0; i < 8; ++i) {
        const uint32_t col = 8 * bt + i;
        const bool v = col < op.cols;
        if (op.op == kVuRowSumSq) {
          e[i] = v ? fp32_mul(a[i], a[i]) : 0u;
        } else if (vu_is_reduction(op.op)) {
          e[i] = v ? a[i] : 0u;
        } else {
          res[i] = vu_elementwise(op, r, col, a[i], b[i], c[i], a[i ^ 1u], b[i ^ 1u]);
          e[i] = v ? res[i] : 0u;
          if (v) img.put(d, col, fd, res[i]);
        }
        if ((op.op == kVuRowMax || op.op == kVuRowArgmax) && v) {
          const uint32_t k = fp32_order_key(a[i]);
          if (col == 0 || k > best_key) {
            best_key = k;
            best_val = a[i];
            best_idx = col;
          }
        }
      }
      acc = fp32_add(acc, group_sum(e));
    }
    uint32_t out;
    switch (op.op) {
      case kVuRowMax: out = best_val; break;
      case kVuRowArgmax: out = best_idx; break;
      default: out = acc; break;
    }
    if (vu_is_reduction(op.op)) *img.lane(op.dst_addr + r / 8, r % 8) = out;
    if (rowsum) *img.lane(op.aux + r / 8, r % 8) = out;
  }
}

}  // namespace kiln::golden
