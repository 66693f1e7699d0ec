// Compiled with -ffp-contract=off: a fused multiply-add would skip the
// product's rounding point and change results.
#include "fast_math.h"

#include <cfloat>
#include <cmath>
#include <cstring>

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

}  // namespace

void pe_column_sums(const uint16_t a[16], const uint16_t w[16][16], bool int8, uint32_t out[16]) {
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
  float p[16] = {};
  bool bad = false;
  for (unsigned r = 0; r < 16; ++r) {
    const float av = as_float(uint32_t(a[r]) << 16);
    bad |= special(av);
    for (unsigned c = 0; c < 16; ++c) {
      const float wv = as_float(uint32_t(w[r][c]) << 16);
      const float prod = av * wv;
      p[c] = p[c] + prod;
      bad |= special(wv) | special(prod) | special(p[c]);
    }
  }
  if (!bad) {
    for (unsigned c = 0; c < 16; ++c) out[c] = as_bits(p[c]);
    return;
  }
  // Rare: special values somewhere in the tile; the golden PE, column by column.
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
