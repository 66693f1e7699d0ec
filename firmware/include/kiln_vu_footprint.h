/* VECTOR command: op codes, flag rules and the scratchpad footprint of every
 * operand, exactly as the vector unit reads and writes it (docs/design.md,
 * "Vector unit"). The one definition shared by the firmware's checks
 * (firmware/src/fw_commands.c) and the driver's (driver/src/cmd_check.cpp),
 * so both accept and refuse the same commands. C11 and C++17, header-only.
 */
#ifndef KILN_VU_FOOTPRINT_H
#define KILN_VU_FOOTPRINT_H

#include <stdint.h>

#include "kiln_cmds.h"
#include "kiln_hw.h"
#include "kiln_regs.h"

#ifdef __cplusplus
extern "C" {
#endif

/* VU.OP codes. */
enum {
  KILN_VU_OP_ADD = 0,
  KILN_VU_OP_SUB = 1,
  KILN_VU_OP_MUL = 2,
  KILN_VU_OP_MAX = 3,
  KILN_VU_OP_EXP = 4,
  KILN_VU_OP_RECIP = 5,
  KILN_VU_OP_RSQRT = 6,
  KILN_VU_OP_SILU_MUL = 7,
  KILN_VU_OP_COPY = 8,
  KILN_VU_OP_ROWMAX = 9,
  KILN_VU_OP_ROWSUM = 10,
  KILN_VU_OP_ROWSUMSQ = 11,
  KILN_VU_OP_ROWARGMAX = 12,
  KILN_VU_OP_MASK_CAUSAL = 13,
  KILN_VU_OP_ROPE = 14,
  KILN_VU_OP_AXPY = 15,
  KILN_VU_OP_COUNT = 16
};

/* FLAGS.SRC1_MODE values. */
enum {
  KILN_VU_SRC1_ROW = 0,    /* a row per row, like src0 */
  KILN_VU_SRC1_BCAST = 1,  /* one row broadcast to every row */
  KILN_VU_SRC1_SCALAR = 2, /* one FP32 per row, packed array at SRC1_ADDR */
  KILN_VU_SRC1_IMM = 3     /* the FP32 immediate IMM, no scratchpad access */
};

#define KILN_VU_FLAGS_VALID                                                             \
  (KILN_VU_FLAGS_SRC0_FP32_MASK | KILN_VU_FLAGS_SRC1_FP32_MASK | KILN_VU_FLAGS_DST_FP32_MASK | \
   KILN_VU_FLAGS_SRC1_MODE_MASK | KILN_VU_FLAGS_ROWSUM_MASK)

/* Elements per scratchpad word. */
#define KILN_VU_LANES_BF16 (KILN_HW_SCRATCHPAD_WORD_BYTES / 2u)
#define KILN_VU_LANES_FP32 (KILN_HW_SCRATCHPAD_WORD_BYTES / 4u)

/* The operands of a VECTOR command, in the order they are checked. */
typedef enum {
  KILN_VU_SRC0 = 0,
  KILN_VU_SRC1 = 1,
  KILN_VU_SRC2 = 2,
  KILN_VU_DST = 3,
  KILN_VU_AUX = 4, /* EXP + FLAGS.ROWSUM: the FP32 row-sum array */
  KILN_VU_OPERANDS = 5
} kiln_vu_operand;

/* Scratchpad words [addr + r*stride, addr + r*stride + words) for r < rows. */
typedef struct {
  uint32_t used; /* 0: the op does not touch this operand */
  uint32_t addr;
  uint32_t rows;
  uint32_t stride;
  uint32_t words;
} kiln_vu_span;

static inline const char *kiln_vu_op_name(uint32_t op)
{
  static const char *const names[KILN_VU_OP_COUNT] = {
      "ADD", "SUB", "MUL", "MAX", "EXP", "RECIP", "RSQRT", "SILU_MUL",
      "COPY", "ROWMAX", "ROWSUM", "ROWSUMSQ", "ROWARGMAX", "MASK_CAUSAL", "ROPE", "AXPY"};
  return op < KILN_VU_OP_COUNT ? names[op] : "UNKNOWN";
}

static inline const char *kiln_vu_operand_name(int operand)
{
  switch (operand) {
  case KILN_VU_SRC0: return "src0";
  case KILN_VU_SRC1: return "src1";
  case KILN_VU_SRC2: return "src2";
  case KILN_VU_DST: return "dst";
  case KILN_VU_AUX: return "aux row-sum array";
  default: return "?";
  }
}

/* Ops that reduce each row to one 32-bit element (FP32, or UINT32 for ROWARGMAX). */
static inline int kiln_vu_op_is_reduction(uint32_t op)
{
  return op == KILN_VU_OP_ROWMAX || op == KILN_VU_OP_ROWSUM || op == KILN_VU_OP_ROWSUMSQ ||
         op == KILN_VU_OP_ROWARGMAX;
}

static inline int kiln_vu_op_uses_src1(uint32_t op)
{
  switch (op) {
  case KILN_VU_OP_ADD:
  case KILN_VU_OP_SUB:
  case KILN_VU_OP_MUL:
  case KILN_VU_OP_MAX:
  case KILN_VU_OP_EXP:
  case KILN_VU_OP_RSQRT:
  case KILN_VU_OP_SILU_MUL:
  case KILN_VU_OP_ROPE:
  case KILN_VU_OP_AXPY:
    return 1;
  default:
    return 0;
  }
}

/* 1 if `flags` is valid for `op`: no reserved bit, ROWSUM only with EXP. */
static inline int kiln_vu_flags_valid(uint32_t op, uint32_t flags)
{
  if (flags & ~(uint32_t)KILN_VU_FLAGS_VALID)
    return 0;
  if ((flags & KILN_VU_FLAGS_ROWSUM_MASK) && op != KILN_VU_OP_EXP)
    return 0;
  return 1;
}

static inline uint32_t kiln_vu_div_up(uint32_t a, uint32_t b)
{
  return a / b + (a % b != 0u);
}

/* Words of one row of `cols` elements, FP32 or BF16. */
static inline uint32_t kiln_vu_row_words(uint32_t cols, int fp32)
{
  return kiln_vu_div_up(cols, fp32 ? KILN_VU_LANES_FP32 : KILN_VU_LANES_BF16);
}

static inline kiln_vu_span kiln_vu_span_make(uint32_t addr, uint32_t rows, uint32_t stride,
                                             uint32_t words)
{
  kiln_vu_span s;
  s.used = 1u;
  s.addr = addr;
  s.rows = rows;
  s.stride = stride;
  s.words = words;
  return s;
}

/* First word past the span; 64-bit, cannot overflow for 32-bit fields. */
static inline uint64_t kiln_vu_span_end(const kiln_vu_span *s)
{
  return (uint64_t)s->addr + (uint64_t)(s->rows - 1u) * s->stride + s->words;
}

/* Footprints of a VECTOR command with op < KILN_VU_OP_COUNT, valid flags and
 * rows, cols > 0:
 *   src0  rows x ceil(cols/lanes(src0)) words, SRC0_STRIDE apart;
 *   src1  (ops that read it) mode 0: rows x ceil(cols/lanes(src1)), SRC1_STRIDE apart;
 *         mode 1: one such row; mode 2: ceil(rows/8) words of FP32; mode 3: nothing;
 *   src2  AXPY only: like src0 (src0's type and stride) at SRC2_ADDR;
 *   dst   reductions: ceil(rows/8) words of 32-bit results at DST_ADDR;
 *         otherwise rows x ceil(cols/lanes(dst)), DST_STRIDE apart;
 *   aux   EXP with FLAGS.ROWSUM: ceil(rows/8) words of FP32 at AUX. */
static inline void kiln_vu_footprints(const kiln_cmd_vector_t *v, kiln_vu_span out[KILN_VU_OPERANDS])
{
  const int src0_fp32 = (v->flags & KILN_VU_FLAGS_SRC0_FP32_MASK) != 0u;
  const int src1_fp32 = (v->flags & KILN_VU_FLAGS_SRC1_FP32_MASK) != 0u;
  const int dst_fp32 = (v->flags & KILN_VU_FLAGS_DST_FP32_MASK) != 0u;
  const uint32_t mode = (v->flags & KILN_VU_FLAGS_SRC1_MODE_MASK) >> KILN_VU_FLAGS_SRC1_MODE_SHIFT;
  const uint32_t src0_words = kiln_vu_row_words(v->cols, src0_fp32);
  const uint32_t packed_words = kiln_vu_div_up(v->rows, KILN_VU_LANES_FP32);

  for (int i = 0; i < KILN_VU_OPERANDS; ++i)
    out[i].used = out[i].addr = out[i].rows = out[i].stride = out[i].words = 0u;

  out[KILN_VU_SRC0] = kiln_vu_span_make(v->src0_addr, v->rows, v->src0_stride, src0_words);
  if (kiln_vu_op_uses_src1(v->op)) {
    const uint32_t src1_words = kiln_vu_row_words(v->cols, src1_fp32);
    switch (mode) {
    case KILN_VU_SRC1_ROW:
      out[KILN_VU_SRC1] = kiln_vu_span_make(v->src1_addr, v->rows, v->src1_stride, src1_words);
      break;
    case KILN_VU_SRC1_BCAST:
      out[KILN_VU_SRC1] = kiln_vu_span_make(v->src1_addr, 1u, 0u, src1_words);
      break;
    case KILN_VU_SRC1_SCALAR:
      out[KILN_VU_SRC1] = kiln_vu_span_make(v->src1_addr, 1u, 0u, packed_words);
      break;
    default: /* immediate */
      break;
    }
  }
  if (v->op == KILN_VU_OP_AXPY)
    out[KILN_VU_SRC2] = kiln_vu_span_make(v->src2_addr, v->rows, v->src0_stride, src0_words);
  if (kiln_vu_op_is_reduction(v->op))
    out[KILN_VU_DST] = kiln_vu_span_make(v->dst_addr, 1u, 0u, packed_words);
  else
    out[KILN_VU_DST] =
        kiln_vu_span_make(v->dst_addr, v->rows, v->dst_stride, kiln_vu_row_words(v->cols, dst_fp32));
  if (v->op == KILN_VU_OP_EXP && (v->flags & KILN_VU_FLAGS_ROWSUM_MASK))
    out[KILN_VU_AUX] = kiln_vu_span_make(v->aux, 1u, 0u, packed_words);
}

#ifdef __cplusplus
}  /* extern "C" */
#endif

#endif /* KILN_VU_FOOTPRINT_H */
