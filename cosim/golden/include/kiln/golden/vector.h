// Bit-exact golden model of the Kiln vector unit (docs/design.md "Vector
// unit", docs/numerics.md "Vector unit"). Everything works on FP32 bit
// patterns with the numerics policy (DAZ, FTZ, RNE, canonical NaN); the RTL
// (rtl/vector_unit) performs the same operations in the same order.
#pragma once

#include <cstddef>
#include <cstdint>

namespace kiln::golden {

// ---------------------------------------------------------------- scalars
// Operand read of an FP32 word: denormal -> signed zero, NaN -> canonical.
uint32_t fp32_canon(uint32_t x);
// a * b rounded once (RNE) at unbounded exponent, then FTZ / overflow to Inf.
uint32_t fp32_mul(uint32_t a, uint32_t b);
// a - b = fp32_add(a, b with its sign flipped).
uint32_t fp32_sub(uint32_t a, uint32_t b);
// Maximum under the total order -Inf < ... < -0 < +0 < ... < +Inf < NaN
// (canonical NaN wins), on canonicalised operands.
uint32_t fp32_max(uint32_t a, uint32_t b);
// Unsigned key with the order above, for a canonicalised value.
uint32_t fp32_order_key(uint32_t x);

// Approximations (algorithms and constants: docs/numerics.md).
uint32_t vu_exp(uint32_t x);
uint32_t vu_recip(uint32_t x);
uint32_t vu_rsqrt(uint32_t x);
uint32_t vu_silu(uint32_t x);  // x * recip(1 + exp(-x)), silu(-Inf) = -0

// ------------------------------------------------------------ descriptor
enum VuOp : uint32_t {
  kVuAdd = 0, kVuSub = 1, kVuMul = 2, kVuMax = 3, kVuExp = 4, kVuRecip = 5,
  kVuRsqrt = 6, kVuSiluMul = 7, kVuCopy = 8, kVuRowMax = 9, kVuRowSum = 10,
  kVuRowSumSq = 11, kVuRowArgmax = 12, kVuMaskCausal = 13, kVuRope = 14, kVuAxpy = 15,
};

constexpr uint32_t kVuFlagSrc0Fp32 = 1u << 0;
constexpr uint32_t kVuFlagSrc1Fp32 = 1u << 1;
constexpr uint32_t kVuFlagDstFp32 = 1u << 2;
constexpr uint32_t kVuSrc1ModeShift = 4;  // [5:4]: 0 row, 1 broadcast, 2 scalar/row, 3 imm
constexpr uint32_t kVuFlagRowSum = 1u << 8;

// The VU registers / VECTOR command fields. Addresses and strides are
// scratchpad word addresses (32-byte words).
// `op` is the 8-bit VU.OP value; codes above 15 (like ROWS = 0 or COLS = 0)
// make the operation do nothing.
struct VectorOp {
  uint32_t op = 0, flags = 0, rows = 0, cols = 0;
  uint32_t src0_addr = 0, src0_stride = 0, src1_addr = 0, src1_stride = 0;
  uint32_t src2_addr = 0, dst_addr = 0, dst_stride = 0, imm = 0, aux = 0;
};

// True for ROWMAX, ROWSUM, ROWSUMSQ, ROWARGMAX.
bool vu_is_reduction(uint32_t op);

// One elementwise result for element `col` of row `row`: a, b, c are the
// (canonicalised, FP32) src0, src1, src2 elements; `pair_a`/`pair_b` the
// partner elements for ROPE (src0/src1 at col^1). Not for reductions.
uint32_t vu_elementwise(const VectorOp& op, uint32_t row, uint32_t col, uint32_t a,
                        uint32_t b, uint32_t c, uint32_t pair_a, uint32_t pair_b);

// Runs one whole vector op on a scratchpad image: `spad` holds `spad_words`
// 256-bit words as 8 little-endian uint32 each (32-bit lane i of word w at
// spad[8*w + i]; BF16 element 2i+h in the h-th half of lane i). Writes
// exactly what the hardware writes (byte-enables included). Word addresses
// wrap modulo spad_words (the scratchpad address is AW bits wide).
// Overlap of the destination with operands is only defined when each
// destination word is at the same place as the source word it comes from.
// Bit for bit the same as vector_run_reference; faster (FP32 add/multiply on
// the host FPU where that provably gives the same bits, and only in the
// default round-to-nearest environment; otherwise the integer path).
void vector_run(const VectorOp& op, uint32_t* spad, size_t spad_words);

// The element-by-element definition of vector_run, integer soft-float only:
// slow, kept as the specification vector_run is tested against
// (golden.fast_paths).
void vector_run_reference(const VectorOp& op, uint32_t* spad, size_t spad_words);

}  // namespace kiln::golden
