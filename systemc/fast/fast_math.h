// The tensor core's inner step for the fast model: the 16 PE-column sums of
// one A row against one 16x16 weight tile, bit-exact with golden pe_mac.
#pragma once

#include <cstdint>

namespace kiln::fast {

// out[c] = pe_mac(...pe_mac(pe_mac(+0, a[0], w[0][c]), a[1], w[1][c])..., a[15], w[15][c])
// BF16: host FP32 arithmetic is exact for these operations while every
// operand and result is a normal number or zero (a BF16 x BF16 product fits
// FP32's significand, IEEE addition rounds to nearest even like the golden
// adder). Any denormal, Inf or NaN on the way sends the column to the
// golden pe_mac, so the policy (DAZ/FTZ, canonical NaN) is always honoured.
void pe_column_sums(const uint16_t a[16], const uint16_t w[16][16], bool int8, uint32_t out[16]);

// Golden fp32_add / int32 wrap-around add of the accumulator update, with
// the same host fast path.
uint32_t acc_add(uint32_t acc, uint32_t p, bool int8);

}  // namespace kiln::fast
