// The tensor core's inner step for the fast model: the 16 PE-column sums of
// one A row against one 16x16 weight tile, bit-exact with golden pe_mac.
#pragma once

#include <cstddef>
#include <cstdint>

namespace kiln::fast {

// out[c] = pe_mac(...pe_mac(pe_mac(+0, a[0], w[0][c]), a[1], w[1][c])..., a[15], w[15][c])
// BF16: host FP32 arithmetic is exact for these operations while every
// operand and result is a normal number or zero (a BF16 x BF16 product fits
// FP32's significand, IEEE addition rounds to nearest even like the golden
// adder). Any denormal, Inf or NaN on the way sends the column to the
// golden pe_mac, so the policy (DAZ/FTZ, canonical NaN) is always honoured.
// w_tame: tame_bf16(&w[0][0], 256) if the caller already knows it (a tile
// used for many A rows), -1 to have it computed here.
void pe_column_sums(const uint16_t a[16], const uint16_t w[16][16], bool int8, uint32_t out[16],
                    int w_tame = -1);

// Every element is +-0 or a normal number with magnitude in [2^-55, 2^61):
// such operands need no special-value checks in pe_column_sums (n: a
// multiple of 16).
bool tame_bf16(const uint16_t* x, unsigned n);

// Golden fp32_add / int32 wrap-around add of the accumulator update, with
// the same host fast path.
uint32_t acc_add(uint32_t acc, uint32_t p, bool int8);
// acc[c] = acc_add(acc[c], p[c], int8) for a whole 16-lane accumulator row.
void acc_add16(uint32_t acc[16], const uint32_t p[16], bool int8);

// A 16x16 BF16 weight tile given as 16 scratchpad words (16 lanes each):
// row words (src[r] lane c = w[r][c]) or, transposed, column words (src[c]
// lane r = w[r][c], a row of Bt). Gathers it into w[r][c].
void gather_tile(const uint16_t* const src[16], bool transposed, uint16_t w[16][16]);

// One A row against a BF16 tile w whose 256 elements are tame (tame_bf16):
// acc = p (overwrite) or acc_add16(acc, p) for p = pe_column_sums(a, w), host
// fast path. Returns false and leaves acc untouched when a is not tame or
// the CPU lacks AVX2; the caller then uses pe_column_sums.
bool row_bf16(const uint16_t w[16][16], const uint16_t a[16], uint32_t acc[16], bool overwrite);

// An M = 1 MATMUL's column tile, K chunks j0 .. j1-1, host fast path: for
// each chunk, the weight tile (16 full rows and columns, words src[i] +
// (j - j0) * jstep, row words or transposed as in gather_tile) against A's
// word a + (j - j0) (16 lanes), then the accumulator update acc = p
// (overwrite_first, chunk j0 only) or acc_add16(acc, p): the same bits as
// pe_column_sums + acc_add16. Stops at the first chunk whose operands are
// not tame (see tame_bf16), acc holding the chunks before it, and returns
// that chunk (j1 when all were done). Needs AVX2; without it, returns j0.
unsigned strip_bf16(const uint16_t* const src[16], size_t jstep, bool transposed, const uint16_t* a,
                    uint32_t acc[16], unsigned j0, unsigned j1, bool overwrite_first);

}  // namespace kiln::fast
