/* Command decoder: checks one 64-byte command against
 * firmware/kiln_commands.toml, then hands it to the unit code.
 *
 * Everything that can be checked without touching a unit is checked before
 * waiting for the unit, so a bad command fails at once and never leaves a
 * half-programmed register set behind. Device-memory addresses are the one
 * thing not checked: whether something answers at an address is the
 * interconnect's business, and a DECERR from the DMA is the honest report.
 */
#include <stddef.h>

#include "fw_internal.h"

#define WORD_BYTES ((uint32_t)KILN_HW_SCRATCHPAD_WORD_BYTES)
/* K (and B's N) lanes per scratchpad word: 16-bit lanes, INT8 uses the low byte. */
#define LANES_PER_WORD (WORD_BYTES / 2u)

#define HDR_RESERVED (~(KILN_CMD_HDR_OPCODE_MASK | KILN_CMD_HDR_VERSION_MASK))
#define DMA_CHANNEL_MASK 0xFu
#define DMA_DIR_SHIFT 8
#define GEMM_DTYPE_MASK 0x3u
#define GEMM_DTYPE_MAX 1u        /* 0 = BF16, 1 = INT8 */
#define GEMM_ACCUMULATE (1u << 8)
#define GEMM_B_TRANSPOSED (1u << 9)
#define WB_OUT_FP32 1u
#define FENCE_IRQ 1u

/* Index of the first reserved word of a command layout. */
#define FIRST_RESERVED(type) ((uint32_t)(offsetof(type, reserved) / sizeof(uint32_t)))

static uint32_t div_up(uint32_t a, uint32_t b) { return a / b + (a % b != 0); }

static fw_result check_reserved(const fw_cmd *c, uint32_t first, uint32_t off)
{
  if (c->w[0] & HDR_RESERVED)
    return fw_fail(KILN_ERR_BAD_ARGUMENT, c->w[0], off);
  for (uint32_t i = first; i < KILN_CMD_WORDS; ++i)
    if (c->w[i] != 0)
      return fw_fail(KILN_ERR_BAD_ARGUMENT, c->w[i], off);
  return FW_OK;
}

/* Scratchpad words [addr, addr + (rows-1)*stride + words) must lie inside
 * the scratchpad. 64-bit sums of 32-bit operands cannot overflow. The
 * error address is in bytes, like every other scratchpad error. */
static fw_result check_spad_words(uint32_t addr, uint32_t rows, uint32_t stride, uint32_t words,
                                  uint32_t off)
{
  uint64_t end = (uint64_t)addr + (uint64_t)(rows - 1u) * stride + words;
  if (end <= KILN_HW_SCRATCHPAD_WORDS)
    return FW_OK;
  uint64_t end_bytes = end > UINT64_MAX / WORD_BYTES ? UINT64_MAX : end * WORD_BYTES;
  return fw_fail(KILN_ERR_SPAD_RANGE, end_bytes, off);
}

/* Accumulator rows: C[m][16t..] lives in row acc_addr + t*M + m. */
static fw_result check_acc(uint32_t acc_addr, uint32_t m, uint32_t n, uint32_t off)
{
  uint64_t last = (uint64_t)acc_addr + (uint64_t)div_up(n, KILN_HW_TENSOR_CORE_COLS) * m - 1u;
  if (last < KILN_HW_TENSOR_CORE_ACC_ROWS)
    return FW_OK;
  return fw_fail(KILN_ERR_ACC_RANGE, last, off);
}

static fw_result nonzero(uint32_t v, uint32_t off)
{
  return v ? FW_OK : fw_fail(KILN_ERR_BAD_ARGUMENT, 0, off);
}

static fw_result cmd_dma(const fw_cmd *c, uint32_t off)
{
  const kiln_cmd_dma_t *d = &c->dma;
  uint32_t ch = d->channel & DMA_CHANNEL_MASK;
  uint32_t dir = (d->channel >> DMA_DIR_SHIFT) & 1u;
  uint64_t dram = ((uint64_t)d->dram_addr_hi << 32) | d->dram_addr_lo;
  fw_result r;

  if ((r = check_reserved(c, FIRST_RESERVED(kiln_cmd_dma_t), off)) != FW_OK)
    return r;
  if (d->channel & ~(DMA_CHANNEL_MASK | (1u << DMA_DIR_SHIFT)))
    return fw_fail(KILN_ERR_BAD_ARGUMENT, d->channel, off);
  if (ch >= KILN_DMA_COUNT)
    return fw_fail(KILN_ERR_BAD_ARGUMENT, ch, off);
  /* Not a reachability check: an address wider than the AXI bus cannot even
   * be programmed (the DMA would silently drop the high bits). */
  if (KILN_HW_AXI_ADDR_BITS < 64 && (dram >> (KILN_HW_AXI_ADDR_BITS % 64)) != 0)
    return fw_fail(KILN_ERR_BAD_ARGUMENT, dram, off);
  if ((r = nonzero(d->rows, off)) != FW_OK || (r = nonzero(d->row_bytes, off)) != FW_OK)
    return r;

  const uint32_t aligned[] = {d->dram_addr_lo, d->spad_addr, d->row_bytes, d->dram_stride,
                              d->spad_stride};
  for (uint32_t i = 0; i < sizeof aligned / sizeof aligned[0]; ++i)
    if (aligned[i] % WORD_BYTES)
      return fw_fail(KILN_ERR_ALIGNMENT, aligned[i], off);

  uint64_t end = (uint64_t)d->spad_addr + (uint64_t)(d->rows - 1u) * d->spad_stride + d->row_bytes;
  if (end > KILN_HW_SCRATCHPAD_BYTES)
    return fw_fail(KILN_ERR_SPAD_RANGE, end, off);

  /* Per-channel order: the previous descriptor must be done, and its
   * errors belong to the host before this one overwrites STATUS. */
  if ((r = fw_wait_idle(1u << ch)) != FW_OK || (r = fw_dma_check(1u << ch)) != FW_OK)
    return r;
  fw_dma_start(ch, dir, d, off);
  return FW_OK;
}

static fw_result cmd_gemm(const fw_cmd *c, uint32_t off)
{
  const kiln_cmd_gemm_t *g = &c->gemm;
  fw_result r;

  if ((r = check_reserved(c, FIRST_RESERVED(kiln_cmd_gemm_t), off)) != FW_OK)
    return r;
  if (g->flags & ~(GEMM_DTYPE_MASK | GEMM_ACCUMULATE | GEMM_B_TRANSPOSED))
    return fw_fail(KILN_ERR_BAD_ARGUMENT, g->flags, off);
  if ((g->flags & GEMM_DTYPE_MASK) > GEMM_DTYPE_MAX)
    return fw_fail(KILN_ERR_BAD_ARGUMENT, g->flags & GEMM_DTYPE_MASK, off);
  if ((r = nonzero(g->m, off)) != FW_OK || (r = nonzero(g->n, off)) != FW_OK ||
      (r = nonzero(g->k, off)) != FW_OK)
    return r;
  if ((r = check_acc(g->acc_addr, g->m, g->n, off)) != FW_OK)
    return r;
  /* A: M rows of ceil(K/16) words; B: K rows of ceil(N/16) words, or
   * transposed, Bt: N rows of ceil(K/16) words. */
  if ((r = check_spad_words(g->a_addr, g->m, g->a_stride, div_up(g->k, LANES_PER_WORD), off)) !=
      FW_OK)
    return r;
  if (g->flags & GEMM_B_TRANSPOSED)
    r = check_spad_words(g->b_addr, g->n, g->b_stride, div_up(g->k, LANES_PER_WORD), off);
  else
    r = check_spad_words(g->b_addr, g->k, g->b_stride, div_up(g->n, LANES_PER_WORD), off);
  if (r != FW_OK)
    return r;

  if ((r = fw_wait_idle(FW_UNIT_TC)) != FW_OK)
    return r;
  fw_tc_gemm(g);
  return FW_OK;
}

static fw_result cmd_writeback(const fw_cmd *c, uint32_t off)
{
  const kiln_cmd_writeback_t *wb = &c->writeback;
  fw_result r;

  if ((r = check_reserved(c, FIRST_RESERVED(kiln_cmd_writeback_t), off)) != FW_OK)
    return r;
  if (wb->flags & ~WB_OUT_FP32)
    return fw_fail(KILN_ERR_BAD_ARGUMENT, wb->flags, off);
  if ((r = nonzero(wb->m, off)) != FW_OK || (r = nonzero(wb->n, off)) != FW_OK)
    return r;
  if ((r = check_acc(wb->acc_addr, wb->m, wb->n, off)) != FW_OK)
    return r;
  /* Column tile t goes to OUT_ADDR + m*OUT_STRIDE + t*(FP32 ? 2 : 1). */
  uint32_t words_per_tile = (wb->flags & WB_OUT_FP32) ? 2u : 1u;
  uint32_t words = div_up(wb->n, KILN_HW_TENSOR_CORE_COLS) * words_per_tile;
  if ((r = check_spad_words(wb->out_addr, wb->m, wb->out_stride, words, off)) != FW_OK)
    return r;

  if ((r = fw_wait_idle(FW_UNIT_TC)) != FW_OK)
    return r;
  fw_tc_writeback(wb);
  return FW_OK;
}

static fw_result cmd_vector(const fw_cmd *c, uint32_t off)
{
  const kiln_cmd_vector_t *v = &c->vector;
  kiln_vu_span spans[KILN_VU_OPERANDS];
  fw_result r;

  if ((r = check_reserved(c, FIRST_RESERVED(kiln_cmd_vector_t), off)) != FW_OK)
    return r;
  if (v->op >= KILN_VU_OP_COUNT)
    return fw_fail(KILN_ERR_BAD_ARGUMENT, v->op, off);
  if (!kiln_vu_flags_valid(v->op, v->flags))
    return fw_fail(KILN_ERR_BAD_ARGUMENT, v->flags, off);
  if ((r = nonzero(v->rows, off)) != FW_OK || (r = nonzero(v->cols, off)) != FW_OK)
    return r;
  /* Every operand the op reads or writes, as the unit accesses it. */
  kiln_vu_footprints(v, spans);
  for (int i = 0; i < KILN_VU_OPERANDS; ++i) {
    if (!spans[i].used)
      continue;
    if ((r = check_spad_words(spans[i].addr, spans[i].rows, spans[i].stride, spans[i].words,
                              off)) != FW_OK)
      return r;
  }

  if ((r = fw_wait_idle(FW_UNIT_VU)) != FW_OK)
    return r;
  fw_vu_start(v);
  return FW_OK;
}

static fw_result cmd_barrier(const fw_cmd *c, uint32_t off)
{
  uint32_t mask = c->barrier.unit_mask;
  fw_result r;

  if ((r = check_reserved(c, FIRST_RESERVED(kiln_cmd_barrier_t), off)) != FW_OK)
    return r;
  /* Bits for channels this configuration lacks are rejected rather than
   * ignored: a command stream built for another configuration is a bug. */
  if (mask & ~FW_UNIT_ALL)
    return fw_fail(KILN_ERR_BAD_ARGUMENT, mask, off);
  if ((r = fw_wait_idle(mask)) != FW_OK)
    return r;
  return fw_dma_check(mask & FW_UNIT_DMA_ALL);
}

static fw_result cmd_fence(const fw_cmd *c, uint32_t off)
{
  const kiln_cmd_fence_t *f = &c->fence;
  fw_result r;

  if ((r = check_reserved(c, FIRST_RESERVED(kiln_cmd_fence_t), off)) != FW_OK)
    return r;
  if (f->flags & ~FENCE_IRQ)
    return fw_fail(KILN_ERR_BAD_ARGUMENT, f->flags, off);
  /* A fence promises the host that everything before it finished without
   * error, so DMA errors are collected before the value is published. */
  if ((r = fw_wait_idle(FW_UNIT_ALL)) != FW_OK || (r = fw_dma_check(FW_UNIT_DMA_ALL)) != FW_OK)
    return r;
  hal_reg_write(KILN_REG_FENCE_VALUE, f->value);
  if (f->flags & FENCE_IRQ)
    hal_reg_write(KILN_REG_IRQ_SET, KILN_IRQ_STATUS_FENCE_MASK);
  return FW_OK;
}

fw_result fw_execute(const fw_cmd *c, uint32_t off)
{
  uint32_t hdr = c->w[0];
  uint32_t version = (hdr & KILN_CMD_HDR_VERSION_MASK) >> KILN_CMD_HDR_VERSION_SHIFT;

  /* Version first: another version's opcodes mean something else. */
  if (version != KILN_CMD_VERSION)
    return fw_fail(KILN_ERR_BAD_VERSION, hdr, off);
  switch (hdr & KILN_CMD_HDR_OPCODE_MASK) {
  case KILN_OP_NOP:
    return check_reserved(c, FIRST_RESERVED(kiln_cmd_nop_t), off);
  case KILN_OP_DMA:
    return cmd_dma(c, off);
  case KILN_OP_GEMM:
    return cmd_gemm(c, off);
  case KILN_OP_WRITEBACK:
    return cmd_writeback(c, off);
  case KILN_OP_BARRIER:
    return cmd_barrier(c, off);
  case KILN_OP_FENCE:
    return cmd_fence(c, off);
  case KILN_OP_VECTOR:
    return cmd_vector(c, off);
  default:
    return fw_fail(KILN_ERR_BAD_OPCODE, hdr, off);
  }
}
