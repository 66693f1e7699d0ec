// Summation order of the vector unit's reductions, shared by the reference
// and the fast vector_run so the order has one definition:
// ((e0+e1)+(e2+e3))+((e4+e5)+(e6+e7)) per beat of 8 lanes. A::add is the
// FP32 add to use (soft-float or the bit-identical host path).
#pragma once

#include <cstdint>

namespace kiln::golden {

template <class A>
uint32_t group_sum(const uint32_t e[8]) {
  const uint32_t s01 = A::add(e[0], e[1]), s23 = A::add(e[2], e[3]);
  const uint32_t s45 = A::add(e[4], e[5]), s67 = A::add(e[6], e[7]);
  return A::add(A::add(s01, s23), A::add(s45, s67));
}

}  // namespace kiln::golden
