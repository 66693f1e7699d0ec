// Typed helper for vector-unit commands (docs/design.md, "Vector unit"):
// kernels describe an op with operand descriptors instead of packing the
// VECTOR command's flag bits by hand. Header-only; the driver still checks
// every command (kiln_cmd_vector) and throws kiln::Error naming the operand.
//
//   using namespace kiln::sdk;
//   VecCmd v{VecOp::Exp, rows, cols};
//   v.src0 = {x_addr, x_stride, DType::FP32};
//   v.src1 = Src1::scalars(rowmax_addr);        // exp(x - rowmax[r])
//   v.dst  = {y_addr, y_stride, DType::BF16};
//   v.rowsum_addr = sums_addr;                   // and the row sums
//   vector_command(cb, v);
//
// Addresses and strides are scratchpad words (32 bytes).
#pragma once

#include <cstdint>
#include <cstring>
#include <string>

#include "kiln/kiln.hpp"
#include "kiln/sdk/matrix.h"

namespace kiln::sdk {

enum class VecOp : uint32_t {
  Add = KILN_VECTOR_OP_ADD,
  Sub = KILN_VECTOR_OP_SUB,
  Mul = KILN_VECTOR_OP_MUL,
  Max = KILN_VECTOR_OP_MAX,
  Exp = KILN_VECTOR_OP_EXP,
  Recip = KILN_VECTOR_OP_RECIP,
  Rsqrt = KILN_VECTOR_OP_RSQRT,
  SiluMul = KILN_VECTOR_OP_SILU_MUL,
  Copy = KILN_VECTOR_OP_COPY,
  RowMax = KILN_VECTOR_OP_ROWMAX,
  RowSum = KILN_VECTOR_OP_ROWSUM,
  RowSumSq = KILN_VECTOR_OP_ROWSUMSQ,
  RowArgmax = KILN_VECTOR_OP_ROWARGMAX,
  MaskCausal = KILN_VECTOR_OP_MASK_CAUSAL,
  Rope = KILN_VECTOR_OP_ROPE,
  Axpy = KILN_VECTOR_OP_AXPY,
};
constexpr uint32_t kVecOpCount = 16;

inline const char *vec_op_name(VecOp op) {
  static const char *const names[kVecOpCount] = {
      "add", "sub", "mul", "max", "exp", "recip", "rsqrt", "silu_mul",
      "copy", "rowmax", "rowsum", "rowsumsq", "rowargmax", "mask_causal", "rope", "axpy"};
  const uint32_t i = static_cast<uint32_t>(op);
  return i < kVecOpCount ? names[i] : "unknown";
}

// Parses vec_op_name()'s spelling; false if unknown.
inline bool vec_op_from_name(const std::string &name, VecOp *out) {
  for (uint32_t i = 0; i < kVecOpCount; ++i)
    if (name == vec_op_name(static_cast<VecOp>(i))) {
      *out = static_cast<VecOp>(i);
      return true;
    }
  return false;
}

// ROWMAX, ROWSUM, ROWSUMSQ, ROWARGMAX: one 32-bit result per row.
inline bool vec_op_is_reduction(VecOp op) {
  return op == VecOp::RowMax || op == VecOp::RowSum || op == VecOp::RowSumSq ||
         op == VecOp::RowArgmax;
}
// Ops that read src1 (all others ignore it).
inline bool vec_op_uses_src1(VecOp op) {
  switch (op) {
    case VecOp::Add: case VecOp::Sub: case VecOp::Mul: case VecOp::Max: case VecOp::Exp:
    case VecOp::Rsqrt: case VecOp::SiluMul: case VecOp::Rope: case VecOp::Axpy:
      return true;
    default:
      return false;
  }
}

// Scratchpad words of one row of `cols` elements (16 BF16 or 8 FP32 per word).
inline uint32_t vec_row_words(uint32_t cols, DType t) {
  const uint32_t lanes = t == DType::FP32 ? 8u : 16u;
  return (cols + lanes - 1) / lanes;
}
// Scratchpad words of a packed array of `n` 32-bit elements (reduction
// results, per-row scalars, EXP row sums).
inline uint32_t vec_packed_words(uint32_t n) { return (n + 7) / 8; }

// Rows in the scratchpad: row r at addr + r*stride; BF16 or FP32.
struct SpadRows {
  uint32_t addr = 0;
  uint32_t stride = 0;
  DType type = DType::BF16;
};

enum class Src1Mode : uint32_t { Row = 0, Broadcast = 1, Scalar = 2, Imm = 3 };

// The second operand: a row per row, one broadcast row, one FP32 scalar per
// row (packed array), or an FP32 immediate.
struct Src1 {
  Src1Mode mode = Src1Mode::Imm;
  uint32_t addr = 0;
  uint32_t stride = 0;
  DType type = DType::BF16;  // Row / Broadcast only; scalars are FP32
  float imm = 0.0f;

  static Src1 rows(uint32_t addr, uint32_t stride, DType t) { return {Src1Mode::Row, addr, stride, t, 0.0f}; }
  static Src1 broadcast(uint32_t addr, DType t) { return {Src1Mode::Broadcast, addr, 0, t, 0.0f}; }
  static Src1 scalars(uint32_t addr) { return {Src1Mode::Scalar, addr, 0, DType::FP32, 0.0f}; }
  static Src1 immediate(float v) { return {Src1Mode::Imm, 0, 0, DType::FP32, v}; }
};

struct VecCmd {
  VecOp op = VecOp::Copy;
  uint32_t rows = 0;
  uint32_t cols = 0;
  SpadRows src0;
  Src1 src1;                 // default: immediate 0.0
  uint32_t src2_addr = 0;    // AXPY: src0's type and stride
  SpadRows dst;              // reductions: dst.addr = packed result array, stride/type unused
  int64_t rowsum_addr = -1;  // EXP: >= 0 also writes FP32 row sums there
  int32_t mask_offset = 0;   // MASK_CAUSAL: -Inf where col > row + mask_offset

  VecCmd() = default;
  VecCmd(VecOp o, uint32_t r, uint32_t c) : op(o), rows(r), cols(c) {}
};

inline uint32_t float_bits(float f) {
  uint32_t b;
  std::memcpy(&b, &f, 4);
  return b;
}

// VU.FLAGS of a command; throws kiln::Error for types the unit lacks.
inline uint32_t vec_flags(const VecCmd &v) {
  auto fp32 = [](DType t, const char *what) {
    if (t != DType::BF16 && t != DType::FP32)
      throw kiln::Error(KILN_ERR_INVALID_ARGUMENT, std::string("vector ") + what +
                                                       ": the vector unit takes BF16 or FP32, not " +
                                                       dtype_name(t));
    return t == DType::FP32;
  };
  uint32_t f = 0;
  if (fp32(v.src0.type, "src0")) f |= KILN_VECTOR_SRC0_FP32;
  if (v.src1.mode != Src1Mode::Scalar && v.src1.mode != Src1Mode::Imm && fp32(v.src1.type, "src1"))
    f |= KILN_VECTOR_SRC1_FP32;
  if (!vec_op_is_reduction(v.op) && fp32(v.dst.type, "dst")) f |= KILN_VECTOR_DST_FP32;
  f |= static_cast<uint32_t>(v.src1.mode) << 4;
  if (v.rowsum_addr >= 0) f |= KILN_VECTOR_ROWSUM;
  return f;
}

// Appends one VECTOR command (throws kiln::Error from the driver's checks).
inline void vector_command(kiln::CommandBuffer &cb, const VecCmd &v) {
  uint32_t aux = 0;
  if (v.op == VecOp::MaskCausal) aux = static_cast<uint32_t>(v.mask_offset);
  if (v.rowsum_addr >= 0) aux = static_cast<uint32_t>(v.rowsum_addr);
  cb.vector(static_cast<uint32_t>(v.op), vec_flags(v), v.rows, v.cols, v.src0.addr, v.src0.stride,
            v.src1.addr, v.src1.stride, v.src2_addr, v.dst.addr, v.dst.stride,
            v.src1.mode == Src1Mode::Imm ? float_bits(v.src1.imm) : 0u, aux);
}

}  // namespace kiln::sdk
