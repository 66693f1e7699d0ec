// Host-FPU fast paths of the golden FP32 add and multiply (internal to
// kiln_golden). The golden results are defined by the integer soft-float
// (numerics.cpp, vector.cpp); these return the host's IEEE binary32 result
// only where it is provably the same bits, and the soft-float otherwise:
//
//   - both operands are normal or exactly +-0, so DAZ and NaN/Inf rules
//     cannot apply;
//   - add: the result is normal (IEEE RNE = the golden adder), or an exact
//     zero from two zeros or from x + (-x) (IEEE and golden agree on its
//     sign: +0 unless both operands are -0);
//   - mul: the result is normal and not +-2^-126 (the one normal value IEEE
//     can reach by rounding on the denormal grid, where the golden multiplier
//     may flush), or an operand is zero (signed zero on both sides).
//
// Everything else (denormal, Inf or NaN on either side, overflow, underflow)
// takes the soft-float path. Valid only in the default FP environment:
// host_env_ok() must be true (round to nearest even), checked by the caller
// once per batch (vector_run). FTZ/DAZ modes cannot fool the checks (only
// normal operands, only normal or exactly explained zero results).
// The translation units that include this are compiled with
// -ffp-contract=off: a fused multiply-add would skip a rounding.
#pragma once

#include <cfloat>
#include <cstdint>
#include <cstring>

#if defined(__x86_64__) && defined(__SSE2_MATH__)
#include <xmmintrin.h>
#define KILN_GOLDEN_HOST_FP 1
#else
#define KILN_GOLDEN_HOST_FP 0
#endif

#include "kiln/golden/numerics.h"
#include "kiln/golden/vector.h"

namespace kiln::golden::host {

static_assert(FLT_EVAL_METHOD == 0, "float arithmetic must round to binary32 after every operation");

inline float to_f(uint32_t b) {
  float x;
  std::memcpy(&x, &b, 4);
  return x;
}
inline uint32_t to_u(float x) {
  uint32_t b;
  std::memcpy(&b, &x, 4);
  return b;
}
// Exponent field 1..254.
inline bool normal(uint32_t x) { return ((x >> 23) & 0xFFu) - 1u < 254u; }
// Normal or exactly +-0.
inline bool clean(uint32_t x) { return normal(x) || (x << 1) == 0; }

// True when host binary32 arithmetic rounds to nearest even (the fast paths
// need it). x86-64 SSE: MXCSR.RC == 0. Elsewhere the fast paths are off.
inline bool env_ok() {
#if KILN_GOLDEN_HOST_FP
  return (_mm_getcsr() & 0x6000u) == 0;
#else
  return false;
#endif
}

inline uint32_t add(uint32_t a, uint32_t b) {
  if (clean(a) && clean(b)) {
    const uint32_t r = to_u(to_f(a) + to_f(b));
    if (normal(r)) return r;
    if ((r << 1) == 0 && (((a | b) << 1) == 0 || (a ^ b) == 0x80000000u)) return r;
  }
  return fp32_add(a, b);
}

inline uint32_t mul(uint32_t a, uint32_t b) {
  if (clean(a) && clean(b)) {
    const uint32_t r = to_u(to_f(a) * to_f(b));
    if (normal(r) && (r & 0x7FFFFFFFu) != 0x00800000u) return r;
    if ((a << 1) == 0 || (b << 1) == 0) return r;  // +-0 x normal or zero: signed zero
  }
  return fp32_mul(a, b);
}

}  // namespace kiln::golden::host
