// Compiled with -ffp-contract=off: a fused multiply-add would skip the
// product's rounding point and change results.
#include "fast_math.h"

#include <cfloat>
#include <cmath>
#include <cstring>

#if defined(__x86_64__)
#include <immintrin.h>
#define KILN_FAST_AVX2 1
#else
#define KILN_FAST_AVX2 0
#endif

#include "kiln/golden/numerics.h"

namespace kiln::fast {

namespace {

inline float as_float(uint32_t b) {
  float f;
  std::memcpy(&f, &b, 4);
  return f;
}
inline uint32_t as_bits(float f) {
  uint32_t b;
  std::memcpy(&b, &f, 4);
  return b;
}
// Denormal (nonzero below FLT_MIN), Inf or NaN: outside the fast path.
inline bool special(float x) {
  const float m = std::fabs(x);
  return !(m <= FLT_MAX) || (m < FLT_MIN && m != 0.0f);
}

// Operands whose magnitude is 0 or in [2^-55, 2^61) (BF16 exponent field
// 72..187) cannot make a special value on the way: each product is 0 or in
// [2^-110, 2^122) with a 16-bit significand, so it is a multiple of 2^-125,
// and so is every partial sum, which is therefore 0 or at least 2^-125 >
// FLT_MIN; 16 products stay below 2^126 < FLT_MAX. Such tiles need no
// per-operation checks.
// GCC vector extensions: one 16-lane vector holds the 16 column chains, and
// each chain still adds its products in row order, as the PEs do.
// target_clones picks AVX-512 / AVX2 at run time, SSE2 elsewhere.
typedef float v16f __attribute__((vector_size(64)));
typedef uint32_t v16u __attribute__((vector_size(64)));
typedef uint16_t v16h __attribute__((vector_size(32)));

// n is a multiple of 16.
__attribute__((target_clones("avx512f", "avx2", "default")))
bool tame(const uint16_t* x, unsigned n) {
  v16h wild = {};
  for (unsigned i = 0; i < n; i += 16) {
    v16h v;
    std::memcpy(&v, x + i, sizeof v);
    const v16h m = v & 0x7FFF;
    wild |= (v16h)(m != 0) & (v16h)(((m >> 7) - 72) > 115);
  }
  uint16_t any = 0;
  for (unsigned c = 0; c < 16; ++c) any |= wild[c];
  return any == 0;
}

__attribute__((target_clones("avx512f", "avx2", "default")))
void tame_column_sums(const uint16_t a[16], const uint16_t w[16][16], uint32_t out[16]) {
  v16f p = {};
  for (unsigned r = 0; r < 16; ++r) {
    v16h wh;
    std::memcpy(&wh, w[r], sizeof wh);
    const v16f wv = (v16f)(__builtin_convertvector(wh, v16u) << 16);
    p = p + as_float(uint32_t(a[r]) << 16) * wv;
  }
  std::memcpy(out, &p, sizeof p);
}

__attribute__((target_clones("avx512f", "avx2", "default")))
bool add16_plain(uint32_t acc[16], const uint32_t p[16]) {
  v16u xb, yb;
  std::memcpy(&xb, acc, sizeof xb);
  std::memcpy(&yb, p, sizeof yb);
  const v16f sum = (v16f)xb + (v16f)yb;
  const v16u sb = (v16u)sum;
  // Lanes that are denormal (magnitude 1..0x7FFFFF), Inf or NaN.
  const v16u xm = xb & 0x7FFFFFFFu, ym = yb & 0x7FFFFFFFu, sm = sb & 0x7FFFFFFFu;
  const v16u bad = (v16u)((xm - 1u) < 0x007FFFFFu) | (v16u)(xm >= 0x7F800000u) |
                   (v16u)((ym - 1u) < 0x007FFFFFu) | (v16u)(ym >= 0x7F800000u) |
                   (v16u)((sm - 1u) < 0x007FFFFFu) | (v16u)(sm >= 0x7F800000u);
  uint32_t any = 0;
  for (unsigned c = 0; c < 16; ++c) any |= bad[c];
  if (any) return false;
  std::memcpy(acc, &sb, sizeof sb);
  return true;
}

}  // namespace

#if KILN_FAST_AVX2
// The tile kernels, compiled once per instruction set (fast_kernels.inc).
#pragma GCC push_options
#pragma GCC target("avx2")
namespace avx2 {
#define KILN_K512 0
#include "fast_kernels.inc"
#undef KILN_K512
}  // namespace avx2
#pragma GCC pop_options
#pragma GCC push_options
#pragma GCC target("avx2,avx512f,avx512bw,avx512vl")
// GCC 12's AVX-512 intrinsic headers trip -Wmaybe-uninitialized (their
// deliberately undefined pass-through operands).
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
namespace avx512 {
#define KILN_K512 1
#include "fast_kernels.inc"
#undef KILN_K512
}  // namespace avx512
#pragma GCC diagnostic pop
#pragma GCC pop_options

namespace {
// 2: AVX-512 F/BW/VL, 1: AVX2, 0: neither (no host kernels).
int isa_level() {
  static const int k = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
                               __builtin_cpu_supports("avx512vl")
                           ? 2
                           : __builtin_cpu_supports("avx2") ? 1 : 0;
  return k;
}
}  // namespace
#endif

void gather_tile(const uint16_t* const src[16], bool transposed, uint16_t w[16][16]) {
#if KILN_FAST_AVX2
  switch (isa_level()) {
    case 2: return avx512::gather(src, transposed, w);
    case 1: return avx2::gather(src, transposed, w);
    default: break;
  }
#endif
  if (transposed) {
    for (unsigned c = 0; c < 16; ++c)
      for (unsigned r = 0; r < 16; ++r) w[r][c] = src[c][r];
  } else {
    for (unsigned r = 0; r < 16; ++r) std::memcpy(w[r], src[r], 16 * sizeof(uint16_t));
  }
}

bool row_bf16(const uint16_t w[16][16], const uint16_t a[16], uint32_t acc[16], bool overwrite) {
#if KILN_FAST_AVX2
  switch (isa_level()) {
    case 2: return avx512::row(w, a, acc, overwrite);
    case 1: return avx2::row(w, a, acc, overwrite);
    default: break;
  }
#endif
  (void)w, (void)a, (void)acc, (void)overwrite;
  return false;
}

unsigned strip_bf16(const uint16_t* const src[16], size_t jstep, bool transposed, const uint16_t* a,
                    uint32_t acc[16], unsigned j0, unsigned j1, bool overwrite_first) {
#if KILN_FAST_AVX2
  switch (isa_level()) {
    case 2: return avx512::strip(src, jstep, transposed, a, acc, j0, j1, overwrite_first);
    case 1: return avx2::strip(src, jstep, transposed, a, acc, j0, j1, overwrite_first);
    default: break;
  }
#endif
  (void)src, (void)jstep, (void)transposed, (void)a, (void)acc, (void)j1, (void)overwrite_first;
  return j0;
}

void acc_add16(uint32_t acc[16], const uint32_t p[16], bool int8) {
  if (!int8 && add16_plain(acc, p)) return;
  for (unsigned c = 0; c < 16; ++c) acc[c] = acc_add(acc[c], p[c], int8);
}

bool tame_bf16(const uint16_t* x, unsigned n) { return tame(x, n); }

void pe_column_sums(const uint16_t a[16], const uint16_t w[16][16], bool int8, uint32_t out[16], int w_tame) {
  if (int8) {
    // INT8 lanes: low byte, sign-extended; int32 sums wrap (unsigned math).
    uint32_t p[16] = {};
    for (unsigned r = 0; r < 16; ++r) {
      const int32_t av = static_cast<int8_t>(a[r] & 0xFF);
      for (unsigned c = 0; c < 16; ++c) p[c] += static_cast<uint32_t>(av * static_cast<int8_t>(w[r][c] & 0xFF));
    }
    for (unsigned c = 0; c < 16; ++c) out[c] = p[c];
    return;
  }
  if (w_tame < 0) w_tame = tame(&w[0][0], 256);
  if (w_tame && tame(a, 16)) {
    tame_column_sums(a, w, out);
    return;
  }
  // Rare: tiny, huge or special operands; the golden PE, column by column.
  for (unsigned c = 0; c < 16; ++c) {
    uint32_t s = 0;
    for (unsigned r = 0; r < 16; ++r) s = golden::pe_mac(s, a[r], w[r][c], false);
    out[c] = s;
  }
}

uint32_t acc_add(uint32_t acc, uint32_t p, bool int8) {
  if (int8) return acc + p;
  const float x = as_float(acc), y = as_float(p);
  const float s = x + y;
  if (special(x) || special(y) || special(s)) return golden::fp32_add(acc, p);
  return as_bits(s);
}

}  // namespace kiln::fast
