/* Unit side of the firmware: completion tracking and register programming.
 *
 * Waiting for a unit is a loop of "clear the completion events, look at
 * STATUS.BUSY, sleep". Clearing before looking means a completion that lands
 * between the look and the sleep leaves FW_EVENT set, so hal_wait_event()
 * returns at once instead of sleeping forever.
 */
#include "fw_internal.h"

#define FW_EVENT_CONSUMED                                                                \
  (KILN_FW_EVENT_DOORBELL_MASK | KILN_FW_EVENT_DMA_DONE_MASK | KILN_FW_EVENT_TC_DONE_MASK | \
   KILN_FW_EVENT_VU_DONE_MASK)

/* DMA STATUS.RESP values (AXI response codes). */
#define FW_AXI_RESP_DECERR 3u
/* TC.OP OPCODE values. */
#define FW_TC_OPCODE_MATMUL 0u
#define FW_TC_OPCODE_WRITEBACK 1u

uint32_t fw_take_events(void)
{
  uint32_t ev = hal_reg_read(KILN_REG_FW_EVENT);
  if (ev & FW_EVENT_CONSUMED)
    hal_reg_write(KILN_REG_FW_EVENT, ev & FW_EVENT_CONSUMED);
  /* A doorbell seen while waiting for a unit must not be lost: the ring walk
   * re-reads QUEUE_TAIL when this flag is set. */
  if (ev & KILN_FW_EVENT_DOORBELL_MASK)
    fw.doorbell = 1;
  return ev;
}

static uint32_t busy_units(uint32_t mask)
{
  uint32_t busy = 0;
  for (uint32_t ch = 0; ch < KILN_DMA_COUNT; ++ch) {
    if ((mask & (1u << ch)) &&
        (hal_reg_read(KILN_REG_DMA_STATUS(ch)) & KILN_DMA_STATUS_BUSY_MASK))
      busy |= 1u << ch;
  }
  if ((mask & FW_UNIT_TC) && (hal_reg_read(KILN_REG_TC_STATUS(0)) & KILN_TC_STATUS_BUSY_MASK))
    busy |= FW_UNIT_TC;
  if ((mask & FW_UNIT_VU) && (hal_reg_read(KILN_REG_VU_STATUS(0)) & KILN_VU_STATUS_BUSY_MASK))
    busy |= FW_UNIT_VU;
  return busy;
}

fw_result fw_wait_idle(uint32_t mask)
{
  for (;;) {
    /* A soft reset aborts the units; whatever we were waiting for is void. */
    if (fw_take_events() & KILN_FW_EVENT_RESET_MASK)
      return FW_ABORT;
    if (busy_units(mask) == 0)
      return FW_OK;
    hal_wait_event();
  }
}

fw_result fw_dma_check(uint32_t mask)
{
  for (uint32_t ch = 0; ch < KILN_DMA_COUNT; ++ch) {
    uint32_t bit = 1u << ch;
    if (!(mask & fw.dma_armed & bit))
      continue;
    uint32_t st = hal_reg_read(KILN_REG_DMA_STATUS(ch));
    if (st & KILN_DMA_STATUS_BUSY_MASK)
      continue;
    fw.dma_armed &= ~bit;
    if (st & KILN_DMA_STATUS_ERROR_MASK) {
      uint32_t resp = (st & KILN_DMA_STATUS_RESP_MASK) >> KILN_DMA_STATUS_RESP_SHIFT;
      /* Anything but DECERR counts as SLVERR: ERROR with an OKAY/EXOKAY
       * response would be a hardware bug, and the host must still hear of it. */
      uint32_t code = resp == FW_AXI_RESP_DECERR ? KILN_ERR_DMA_DECERR : KILN_ERR_DMA_SLVERR;
      return fw_fail(code, hal_reg_read(KILN_REG_DMA_ERR_ADDR(ch)), fw.dma_cmd_offset[ch]);
    }
  }
  return FW_OK;
}

void fw_dma_start(uint32_t ch, uint32_t dir, const kiln_cmd_dma_t *d, uint32_t offset)
{
  hal_reg_write(KILN_REG_DMA_DRAM_ADDR_LO(ch), d->dram_addr_lo);
  hal_reg_write(KILN_REG_DMA_DRAM_ADDR_HI(ch), d->dram_addr_hi);
  hal_reg_write(KILN_REG_DMA_SPAD_ADDR(ch), d->spad_addr);
  hal_reg_write(KILN_REG_DMA_ROW_BYTES(ch), d->row_bytes);
  hal_reg_write(KILN_REG_DMA_ROWS(ch), d->rows);
  hal_reg_write(KILN_REG_DMA_DRAM_STRIDE(ch), d->dram_stride);
  hal_reg_write(KILN_REG_DMA_SPAD_STRIDE(ch), d->spad_stride);
  hal_reg_write(KILN_REG_DMA_CTRL(ch), (dir << KILN_DMA_CTRL_DIR_SHIFT) & KILN_DMA_CTRL_DIR_MASK);
  /* Errors are only read back for descriptors started since the last
   * (re)initialisation: STATUS.ERROR of an aborted descriptor is stale. */
  fw.dma_armed |= 1u << ch;
  fw.dma_cmd_offset[ch] = offset;
  hal_reg_write(KILN_REG_DMA_START(ch), 1u);
}

void fw_tc_gemm(const kiln_cmd_gemm_t *g)
{
  /* flags [1:0] dtype, [8] accumulate and [9] B transposed map onto TC.OP's fields. */
  uint32_t op = (FW_TC_OPCODE_MATMUL << KILN_TC_OP_OPCODE_SHIFT) |
                (((g->flags & 3u) << KILN_TC_OP_DTYPE_SHIFT) & KILN_TC_OP_DTYPE_MASK) |
                (((g->flags >> 8) & 1u) << KILN_TC_OP_ACCUMULATE_SHIFT) |
                (((g->flags >> 9) & 1u) << KILN_TC_OP_B_TRANSPOSED_SHIFT);
  hal_reg_write(KILN_REG_TC_OP(0), op);
  hal_reg_write(KILN_REG_TC_A_ADDR(0), g->a_addr);
  hal_reg_write(KILN_REG_TC_A_STRIDE(0), g->a_stride);
  hal_reg_write(KILN_REG_TC_B_ADDR(0), g->b_addr);
  hal_reg_write(KILN_REG_TC_B_STRIDE(0), g->b_stride);
  hal_reg_write(KILN_REG_TC_ACC_ADDR(0), g->acc_addr);
  hal_reg_write(KILN_REG_TC_M(0), g->m);
  hal_reg_write(KILN_REG_TC_N(0), g->n);
  hal_reg_write(KILN_REG_TC_K(0), g->k);
  hal_reg_write(KILN_REG_TC_START(0), 1u);
}

void fw_tc_writeback(const kiln_cmd_writeback_t *wb)
{
  uint32_t op = (FW_TC_OPCODE_WRITEBACK << KILN_TC_OP_OPCODE_SHIFT) |
                ((wb->flags & 1u) << KILN_TC_OP_OUT_FP32_SHIFT);
  hal_reg_write(KILN_REG_TC_OP(0), op);
  hal_reg_write(KILN_REG_TC_ACC_ADDR(0), wb->acc_addr);
  hal_reg_write(KILN_REG_TC_M(0), wb->m);
  hal_reg_write(KILN_REG_TC_N(0), wb->n);
  hal_reg_write(KILN_REG_TC_OUT_ADDR(0), wb->out_addr);
  hal_reg_write(KILN_REG_TC_OUT_STRIDE(0), wb->out_stride);
  hal_reg_write(KILN_REG_TC_START(0), 1u);
}

void fw_vu_start(const kiln_cmd_vector_t *v)
{
  /* The command words are the VU registers, in register order. */
  hal_reg_write(KILN_REG_VU_OP(0), v->op);
  hal_reg_write(KILN_REG_VU_FLAGS(0), v->flags);
  hal_reg_write(KILN_REG_VU_ROWS(0), v->rows);
  hal_reg_write(KILN_REG_VU_COLS(0), v->cols);
  hal_reg_write(KILN_REG_VU_SRC0_ADDR(0), v->src0_addr);
  hal_reg_write(KILN_REG_VU_SRC0_STRIDE(0), v->src0_stride);
  hal_reg_write(KILN_REG_VU_SRC1_ADDR(0), v->src1_addr);
  hal_reg_write(KILN_REG_VU_SRC1_STRIDE(0), v->src1_stride);
  hal_reg_write(KILN_REG_VU_SRC2_ADDR(0), v->src2_addr);
  hal_reg_write(KILN_REG_VU_DST_ADDR(0), v->dst_addr);
  hal_reg_write(KILN_REG_VU_DST_STRIDE(0), v->dst_stride);
  hal_reg_write(KILN_REG_VU_IMM(0), v->imm);
  hal_reg_write(KILN_REG_VU_AUX(0), v->aux);
  hal_reg_write(KILN_REG_VU_START(0), 1u);
}
