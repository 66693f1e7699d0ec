// Golden vector unit (docs/numerics.md "Vector unit"). Defined by integer
// soft-float; rtl/vector_unit implements the same steps in the same order, so
// any change here needs the same change there.
//
// Two forms of vector_run: vector_run_reference (vector_reference.cpp) is the
// element-by-element definition with integer soft-float only; vector_run
// (here) computes the same bits
// faster (beat-wise operand access, no work for results nobody reads, and
// the host FPU for FP32 add/multiply where that is provably the same result,
// host_fp.h). golden.vector_fast_paths checks the two against each other.
// Compiled with -ffp-contract=off (host_fp.h).
#include "kiln/golden/vector.h"

#include <cstring>
#include <type_traits>

#include "host_fp.h"
#include "vector_order.h"
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

inline uint32_t ex(uint32_t x) { return (x >> 23) & 0xFFu; }
inline bool is_nan(uint32_t x) { return ex(x) == 0xFFu && (x & kFrac) != 0; }
inline bool is_inf(uint32_t x) { return ex(x) == 0xFFu && (x & kFrac) == 0; }
inline bool is_zero(uint32_t x) { return ex(x) == 0; }

// fp32_canon / bf16_to_fp32 / fp32_to_bf16 / fp32_max, inline for the
// per-element loops (same definitions as the public ones).
inline uint32_t canon(uint32_t x) {
  if (is_zero(x)) return x & kSign;
  if (is_nan(x)) return kFp32CanonicalNaN;
  return x;
}
inline uint32_t bf16_canon(uint16_t h) { return canon(static_cast<uint32_t>(h) << 16); }
inline uint16_t to_bf16(uint32_t x) {
  if (is_nan(x)) return kBf16CanonicalNaN;
  if (is_zero(x)) return static_cast<uint16_t>((x & kSign) >> 16);
  uint32_t hi = x >> 16;
  const uint32_t lo = x & 0xFFFFu;
  if (lo > 0x8000u || (lo == 0x8000u && (hi & 1u))) ++hi;
  return static_cast<uint16_t>(hi);
}
inline uint32_t key(uint32_t x) { return (x & kSign) ? ~x : (x | kSign); }
inline uint32_t max_canon(uint32_t a, uint32_t b) { return key(b) > key(a) ? b : a; }

// Signed comparison a <= b of canonical non-NaN values via the order key.
bool le(uint32_t a, uint32_t b) { return key(a) <= key(b); }

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

// The definition of fp32_mul (integer only).
uint32_t mul_soft(uint32_t a, uint32_t b) {
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

// Arithmetic of the approximations: the integer definition, or the same bits
// through the host FPU where provably identical (host_fp.h).
struct Soft {
  static uint32_t add(uint32_t a, uint32_t b) { return fp32_add(a, b); }
  static uint32_t mul(uint32_t a, uint32_t b) { return mul_soft(a, b); }
};
struct Host {
  static uint32_t add(uint32_t a, uint32_t b) { return host::add(a, b); }
  static uint32_t mul(uint32_t a, uint32_t b) { return host::mul(a, b); }
};

template <class A>
inline uint32_t sub_(uint32_t a, uint32_t b) {
  return A::add(a, b ^ kSign);
}

template <class A>
uint32_t exp_(uint32_t x) {
  x = canon(x);
  if (is_nan(x)) return kFp32CanonicalNaN;
  if (le(x, kExpLo)) return 0;  // includes -Inf
  if (le(kExpHi, x)) return kInf;
  const uint32_t t = A::mul(x, kLog2e);
  const int32_t n = rint_small(t);
  const uint32_t nf = int_to_fp32(n);
  // Cody-Waite: x - n*ln2 in two parts; n*kLn2Hi is exact.
  const uint32_t r = sub_<A>(sub_<A>(x, A::mul(nf, kLn2Hi)), A::mul(nf, kLn2Lo));
  uint32_t p = kExpC[0];
  for (int k = 1; k < 6; ++k) p = A::add(A::mul(p, r), kExpC[k]);
  p = A::add(A::mul(p, r), kOne);
  return scale_exp(p, n);
}

template <class A>
uint32_t recip_(uint32_t x) {
  x = canon(x);
  if (is_nan(x)) return kFp32CanonicalNaN;
  if (is_zero(x)) return (x & kSign) | kInf;
  if (is_inf(x)) return x & kSign;
  // x = +-m * 2^(ex-127), m in [1,2): 1/x = 1/m * 2^(127-ex).
  const uint32_t m = (x & kFrac) | kOne;
  uint32_t y = kRecipMagic - m;
  // Newton in correction form y += y * (1 - m y): the small correction
  // keeps the last step from losing the final bit (recip(1) = 1 exactly).
  for (int i = 0; i < kNewtonSteps; ++i) {
    y = A::add(y, A::mul(y, sub_<A>(kOne, A::mul(m, y))));
  }
  return (x & kSign) | scale_exp(y, 127 - static_cast<int>(ex(x)));
}

template <class A>
uint32_t rsqrt_(uint32_t x) {
  x = canon(x);
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
    const uint32_t h = A::mul(A::mul(A::mul(m, y), y), kHalf);
    y = A::add(y, A::mul(y, sub_<A>(kHalf, h)));
  }
  return scale_exp(y, -k);
}

template <class A>
uint32_t silu_(uint32_t x) {
  x = canon(x);
  if (x == kNegInf) return kSign;  // the limit, not -Inf * 0
  const uint32_t d = A::add(exp_<A>(x ^ kSign), kOne);
  return A::mul(x, recip_<A>(d));
}

template <class A>
uint32_t elementwise_(const VectorOp& op, uint32_t row, uint32_t col, uint32_t a, uint32_t b,
                      uint32_t c, uint32_t pair_a, uint32_t pair_b) {
  switch (op.op) {
    case kVuAdd: return A::add(a, b);
    case kVuSub: return sub_<A>(a, b);
    case kVuMul: return A::mul(a, b);
    case kVuMax: return max_canon(canon(a), canon(b));
    case kVuExp: return exp_<A>(sub_<A>(a, b));
    case kVuRecip: return recip_<A>(a);
    case kVuRsqrt: return rsqrt_<A>(A::add(a, b));
    case kVuSiluMul: return A::mul(silu_<A>(a), b);
    case kVuCopy: return a;
    case kVuMaskCausal: {
      const int64_t lim = static_cast<int64_t>(row) + static_cast<int32_t>(op.aux);
      return static_cast<int64_t>(col) > lim ? kNegInf : a;
    }
    case kVuRope:
      // Even lane: x0 c - x1 s; odd lane: x0 s + x1 c (x0, c at the even column).
      if ((col & 1u) == 0) return sub_<A>(A::mul(a, b), A::mul(pair_a, pair_b));
      return A::add(A::mul(pair_a, b), A::mul(a, pair_b));
    case kVuAxpy: return A::add(A::mul(a, b), c);
    default: return a;  // reductions never get here
  }
}

}  // namespace

uint32_t fp32_canon(uint32_t x) { return canon(x); }

uint32_t fp32_mul(uint32_t a, uint32_t b) { return mul_soft(a, b); }

uint32_t fp32_sub(uint32_t a, uint32_t b) { return fp32_add(a, b ^ kSign); }

uint32_t fp32_order_key(uint32_t x) { return key(x); }

uint32_t fp32_max(uint32_t a, uint32_t b) { return max_canon(canon(a), canon(b)); }

uint32_t vu_exp(uint32_t x) { return exp_<Soft>(x); }
uint32_t vu_recip(uint32_t x) { return recip_<Soft>(x); }
uint32_t vu_rsqrt(uint32_t x) { return rsqrt_<Soft>(x); }
uint32_t vu_silu(uint32_t x) { return silu_<Soft>(x); }

bool vu_is_reduction(uint32_t op) {
  return op == kVuRowMax || op == kVuRowSum || op == kVuRowSumSq || op == kVuRowArgmax;
}

uint32_t vu_elementwise(const VectorOp& op, uint32_t row, uint32_t col, uint32_t a,
                        uint32_t b, uint32_t c, uint32_t pair_a, uint32_t pair_b) {
  return elementwise_<Soft>(op, row, col, a, b, c, pair_a, pair_b);
}

// ------------------------------------------------------- fast vector_run ----

namespace {

// Beat `bt` (elements 8bt .. 8bt+7) of the row starting at word `row`, as
// canonical FP32; elements n..7 (columns >= COLS) read as +0. Same words and
// lanes as Image::get: an FP32 beat is word row+bt, a BF16 beat is half of
// word row+bt/2 (32-bit lanes 4(bt%2) .. 4(bt%2)+3, two elements each).
inline void load_beat(const uint32_t* spad, size_t words, uint32_t row, uint32_t bt, bool fp32, uint32_t n,
                      uint32_t out[8]) {
  if (fp32) {
    const uint32_t* p = spad + 8 * (static_cast<uint32_t>(row + bt) % words);
    for (uint32_t i = 0; i < n; ++i) out[i] = canon(p[i]);
  } else {
    const uint32_t* p = spad + 8 * (static_cast<uint32_t>(row + bt / 2) % words) + 4 * (bt & 1u);
    for (uint32_t i = 0; i < n; ++i) out[i] = bf16_canon(static_cast<uint16_t>(p[i / 2] >> (16 * (i & 1u))));
  }
  for (uint32_t i = n; i < 8; ++i) out[i] = 0;
}

// Writes results 0..n-1 of beat `bt` like Image::put.
inline void store_beat(uint32_t* spad, size_t words, uint32_t row, uint32_t bt, bool fp32, uint32_t n,
                       const uint32_t v[8]) {
  if (fp32) {
    uint32_t* p = spad + 8 * (static_cast<uint32_t>(row + bt) % words);
    for (uint32_t i = 0; i < n; ++i) p[i] = v[i];
  } else {
    uint32_t* p = spad + 8 * (static_cast<uint32_t>(row + bt / 2) % words) + 4 * (bt & 1u);
    for (uint32_t i = 0; i < n; ++i) {
      const uint32_t sh = 16 * (i & 1u);
      p[i / 2] = (p[i / 2] & ~(0xFFFFu << sh)) | (static_cast<uint32_t>(to_bf16(v[i])) << sh);
    }
  }
}

// ---- 8-lane host forms of EXP and SILU_MUL (one beat). Each lane follows
// exp_<Host> / silu_<Host> operation for operation: host::add / host::mul
// become vector adds / multiplies with the same acceptance tests per lane
// (vadd / vmul), and the integer steps are the same integer steps. A lane
// that any test rejects, or that takes a special branch (NaN, the exp
// clamps, -Inf, zero, an exponent leaving the normal range), is recomputed
// with the scalar function, so every lane gets the scalar result's bits.
// Everything below is force-inlined into host_beat's clones: a vector
// argument crossing a call between an AVX2 clone and default-target code
// would not agree on the calling convention.
#define KILN_VI inline __attribute__((always_inline))
typedef float v8f __attribute__((vector_size(32)));
typedef uint32_t v8u __attribute__((vector_size(32)));
typedef int32_t v8i __attribute__((vector_size(32)));

KILN_VI v8u vbits(v8f x) { return (v8u)x; }
KILN_VI v8f vflt(v8u x) { return (v8f)x; }
KILN_VI v8u vnormal(v8u x) { return (v8u)(((x >> 23) & 0xFFu) - 1u < 254u); }
KILN_VI v8u vzero(v8u x) { return (v8u)((x << 1) == 0u); }
KILN_VI v8u vclean(v8u x) { return vnormal(x) | vzero(x); }
// host::add, lane by lane; lanes outside its fast path set `bad`.
KILN_VI v8u vadd(v8u a, v8u b, v8u& bad) {
  const v8u r = vbits(vflt(a) + vflt(b));
  const v8u zero_ok = vzero(r) & (vzero(a | b) | (v8u)((a ^ b) == 0x80000000u));
  bad |= ~(vclean(a) & vclean(b) & (vnormal(r) | zero_ok));
  return r;
}
KILN_VI v8u vsub(v8u a, v8u b, v8u& bad) { return vadd(a, b ^ 0x80000000u, bad); }
// host::mul, lane by lane.
KILN_VI v8u vmul(v8u a, v8u b, v8u& bad) {
  const v8u r = vbits(vflt(a) * vflt(b));
  const v8u ok_r = (vnormal(r) & (v8u)((r & 0x7FFFFFFFu) != 0x00800000u)) | vzero(a) | vzero(b);
  bad |= ~(vclean(a) & vclean(b) & ok_r);
  return r;
}
KILN_VI v8u vsplat(uint32_t x) { return v8u{x, x, x, x, x, x, x, x}; }
// key(): the total-order key of canonical values.
KILN_VI v8u vkey(v8u x) { return x ^ ((v8u)((v8i)x >> 31) | 0x80000000u); }
// scale_exp(p, d) for positive normal p: lanes whose exponent leaves 1..254
// (or p not positive normal) are bad.
KILN_VI v8u vscale(v8u p, v8i d, v8u& bad) {
  const v8i e = (v8i)((p >> 23) & 0xFFu) + d;
  bad |= ~vnormal(p) | (v8u)(p >> 31) | (v8u)(e < 1) | (v8u)(e > 254);
  return (p & 0x807FFFFFu) | ((v8u)e << 23);
}

// exp_<Host> on canonical x.
KILN_VI v8u vexp(v8u x, v8u& bad) {
  const v8u k = vkey(x);
  bad |= (v8u)(k <= key(kExpLo)) | (v8u)(k >= key(kExpHi));  // clamps, NaN (either sign)
  const v8u t = vmul(x, vsplat(kLog2e), bad);
  // rint_small(t) = round half even (|t| < 2^8 on lanes that matter): the
  // 1.5 * 2^23 shifter rounds to nearest even in the default environment.
  const v8f shifter = {12582912.f, 12582912.f, 12582912.f, 12582912.f,
                       12582912.f, 12582912.f, 12582912.f, 12582912.f};
  const v8i n = __builtin_convertvector((vflt(t) + shifter) - shifter, v8i);
  const v8u nf = vbits(__builtin_convertvector(n, v8f));  // int_to_fp32(n): exact, +0 for 0
  const v8u r = vsub(vsub(x, vmul(nf, vsplat(kLn2Hi), bad), bad), vmul(nf, vsplat(kLn2Lo), bad), bad);
  v8u p = vsplat(kExpC[0]);
  for (int i = 1; i < 6; ++i) p = vadd(vmul(p, r, bad), vsplat(kExpC[i]), bad);
  p = vadd(vmul(p, r, bad), vsplat(kOne), bad);
  return vscale(p, n, bad);
}

// recip_<Host> on canonical d.
KILN_VI v8u vrecip(v8u d, v8u& bad) {
  bad |= ~vnormal(d);  // NaN, Inf, zero: special branches
  const v8u m = (d & kFrac) | kOne;
  v8u y = vsplat(kRecipMagic) - m;
  for (int i = 0; i < kNewtonSteps; ++i) y = vadd(y, vmul(y, vsub(vsplat(kOne), vmul(m, y, bad), bad), bad), bad);
  return (d & kSign) | vscale(y, 127 - (v8i)((d >> 23) & 0xFFu), bad);
}

// silu_<Host> on canonical x.
KILN_VI v8u vsilu(v8u x, v8u& bad) {
  bad |= (v8u)(x == kNegInf);
  const v8u d = vadd(vexp(x ^ kSign, bad), vsplat(kOne), bad);
  return vmul(x, vrecip(d, bad), bad);
}

KILN_VI v8u vload(const uint32_t x[8]) {
  v8u v;
  std::memcpy(&v, x, sizeof v);
  return v;
}

// res[i] for i < n of EXP (exp(a - b)) or SILU_MUL (silu(a) * b), host arithmetic.
__attribute__((target_clones("avx2", "default"))) void host_beat(uint32_t op, const uint32_t a[8],
                                                                const uint32_t b[8], uint32_t n,
                                                                uint32_t res[8]) {
  v8u bad = {};
  const v8u av = vload(a), bv = vload(b);
  const v8u r = op == kVuExp ? vexp(vsub(av, bv, bad), bad) : vmul(vsilu(av, bad), bv, bad);
  std::memcpy(res, &r, sizeof r);
  for (uint32_t i = 0; i < n; ++i)
    if (bad[i]) res[i] = op == kVuExp ? exp_<Host>(sub_<Host>(a[i], b[i])) : Host::mul(silu_<Host>(a[i]), b[i]);
}

// The reference loop, restructured: operands of a beat are read, its results
// computed (only the ones that are written or summed), then written -- the
// same reads and writes in the same order as vector_run_reference, so even
// an in-place operation sees the same data.
template <class A>
void run_fast(const VectorOp& op, uint32_t* spad, size_t words) {
  if (op.rows == 0 || op.cols == 0 || op.op > kVuAxpy) return;
  const bool f0 = op.flags & kVuFlagSrc0Fp32, f1 = op.flags & kVuFlagSrc1Fp32;
  const bool fd = op.flags & kVuFlagDstFp32;
  const uint32_t mode = (op.flags >> kVuSrc1ModeShift) & 3u;
  const bool rowsum = op.op == kVuExp && (op.flags & kVuFlagRowSum);
  const bool reduction = vu_is_reduction(op.op);
  const bool sums = rowsum || op.op == kVuRowSum || op.op == kVuRowSumSq;
  const bool maxes = op.op == kVuRowMax || op.op == kVuRowArgmax;
  const bool uses_b = !reduction && op.op != kVuRecip && op.op != kVuCopy && op.op != kVuMaskCausal;
  const uint32_t beats = (op.cols + 7) / 8;
  auto lane = [&](uint32_t word, uint32_t l) { return &spad[8 * (word % words) + l]; };
  for (uint32_t r = 0; r < op.rows; ++r) {
    const uint32_t s0 = op.src0_addr + r * op.src0_stride;
    const uint32_t s1 = mode == 0 ? op.src1_addr + r * op.src1_stride : op.src1_addr;
    const uint32_t s2 = op.src2_addr + r * op.src0_stride;
    const uint32_t d = op.dst_addr + r * op.dst_stride;
    const uint32_t scalar = mode == 2   ? canon(*lane(op.src1_addr + r / 8, r % 8))
                            : mode == 3 ? canon(op.imm)
                                        : 0u;
    uint32_t acc = 0, best_key = 0, best_val = 0, best_idx = 0;
    for (uint32_t bt = 0; bt < beats; ++bt) {
      const uint32_t n = op.cols - 8 * bt < 8 ? op.cols - 8 * bt : 8;  // live lanes
      uint32_t a[8], b[8], c[8], e[8];
      load_beat(spad, words, s0, bt, f0, n, a);
      if (uses_b) {
        if (mode >= 2) {
          for (uint32_t i = 0; i < 8; ++i) b[i] = i < n ? scalar : 0u;
        } else {
          load_beat(spad, words, s1, bt, f1, n, b);
        }
      }
      if (op.op == kVuAxpy) load_beat(spad, words, s2, bt, f0, n, c);
      if (!reduction) {
        uint32_t res[8];
        switch (op.op) {
          case kVuAdd:
            for (uint32_t i = 0; i < n; ++i) res[i] = A::add(a[i], b[i]);
            break;
          case kVuSub:
            for (uint32_t i = 0; i < n; ++i) res[i] = sub_<A>(a[i], b[i]);
            break;
          case kVuMul:
            for (uint32_t i = 0; i < n; ++i) res[i] = A::mul(a[i], b[i]);
            break;
          case kVuCopy:
            for (uint32_t i = 0; i < n; ++i) res[i] = a[i];
            break;
          case kVuAxpy:
            for (uint32_t i = 0; i < n; ++i) res[i] = A::add(A::mul(a[i], b[i]), c[i]);
            break;
          case kVuExp:
          case kVuSiluMul:
            if constexpr (std::is_same_v<A, Host>) {
              host_beat(op.op, a, b, n, res);
              break;
            }
            for (uint32_t i = 0; i < n; ++i) res[i] = elementwise_<A>(op, r, 8 * bt + i, a[i], b[i], 0u, 0u, 0u);
            break;
          default:
            for (uint32_t i = 0; i < n; ++i)
              res[i] = elementwise_<A>(op, r, 8 * bt + i, a[i], b[i], 0u, a[i ^ 1u], b[i ^ 1u]);
            break;
        }
        store_beat(spad, words, d, bt, fd, n, res);
        if (rowsum) {
          for (uint32_t i = 0; i < 8; ++i) e[i] = i < n ? res[i] : 0u;
          acc = A::add(acc, group_sum<A>(e));
        }
      } else if (sums) {
        if (op.op == kVuRowSumSq)
          for (uint32_t i = 0; i < 8; ++i) e[i] = i < n ? A::mul(a[i], a[i]) : 0u;
        else
          for (uint32_t i = 0; i < 8; ++i) e[i] = a[i];  // +0 past COLS
        acc = A::add(acc, group_sum<A>(e));
      }
      if (maxes) {
        for (uint32_t i = 0; i < n; ++i) {
          const uint32_t k = key(a[i]);
          if ((bt == 0 && i == 0) || k > best_key) {
            best_key = k;
            best_val = a[i];
            best_idx = 8 * bt + i;
          }
        }
      }
    }
    uint32_t out;
    switch (op.op) {
      case kVuRowMax: out = best_val; break;
      case kVuRowArgmax: out = best_idx; break;
      default: out = acc; break;
    }
    if (reduction) *lane(op.dst_addr + r / 8, r % 8) = out;
    if (rowsum) *lane(op.aux + r / 8, r % 8) = out;
  }
}

}  // namespace

void vector_run(const VectorOp& op, uint32_t* spad, size_t spad_words) {
  if (host::env_ok())
    run_fast<Host>(op, spad, spad_words);
  else
    run_fast<Soft>(op, spad, spad_words);
}

}  // namespace kiln::golden
