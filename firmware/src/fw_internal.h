/* Internal interfaces between the firmware's three parts:
 *   fw_main.c      event loop, ring walk, error reporting, reset
 *   fw_commands.c  decode and validate one command
 *   fw_units.c     unit registers: idle waits, DMA error status, programming
 */
#ifndef KILN_FW_INTERNAL_H
#define KILN_FW_INTERNAL_H

#include <stdint.h>

#include "kiln_cmds.h"
#include "kiln_hal.h"
#include "kiln_hw.h"
#include "kiln_regs.h"
#include "kiln_vu_footprint.h"

typedef enum {
  FW_OK = 0,
  FW_FAIL,   /* an error was reported and the firmware is halted */
  FW_ABORT,  /* FW_EVENT.RESET is pending: drop the current work */
} fw_result;

/* Unit masks use the BARRIER encoding: bit c = DMA channel c, bit 4 = TC,
 * bit 5 = vector unit. */
#define FW_UNIT_DMA_BITS 4u
#define FW_UNIT_TC (1u << FW_UNIT_DMA_BITS)
#define FW_UNIT_VU (1u << (FW_UNIT_DMA_BITS + 1u))
#define FW_UNIT_DMA_ALL ((1u << KILN_DMA_COUNT) - 1u)
#define FW_UNIT_ALL (FW_UNIT_DMA_ALL | FW_UNIT_TC | FW_UNIT_VU)

/* The command encoding leaves room for 4 channels; more would not fit. */
KILN_STATIC_ASSERT(KILN_DMA_COUNT <= 4, "DMA channels must fit the 4-bit unit mask");
KILN_STATIC_ASSERT(KILN_TC_COUNT >= 1, "firmware drives tensor core 0");
KILN_STATIC_ASSERT(KILN_VU_COUNT >= 1, "firmware drives vector unit 0");

/* One fetched command, viewable as raw words or as any command layout. */
typedef union {
  uint32_t w[KILN_CMD_WORDS];
  kiln_cmd_nop_t nop;
  kiln_cmd_dma_t dma;
  kiln_cmd_gemm_t gemm;
  kiln_cmd_writeback_t writeback;
  kiln_cmd_barrier_t barrier;
  kiln_cmd_fence_t fence;
  kiln_cmd_vector_t vector;
} fw_cmd;

struct fw_state {
  uint32_t head;        /* ring offset of the next command (mirrors QUEUE_HEAD) */
  int halted;           /* stopped on an error until FW_EVENT.RESET */
  int doorbell;         /* FW_EVENT.DOORBELL consumed but the tail not yet re-read */
  uint32_t dma_armed;   /* bit c: channel c ran a descriptor whose status is unchecked */
  uint32_t dma_cmd_offset[KILN_DMA_COUNT]; /* ring offset of that descriptor */
};
extern struct fw_state fw;

/* fw_main.c: record an error (first one wins), halt, raise IRQ ERROR. */
fw_result fw_fail(uint32_t code, uint64_t addr, uint32_t cmd_offset);

/* fw_commands.c: validate and issue one command fetched at ring `offset`. */
fw_result fw_execute(const fw_cmd *cmd, uint32_t offset);

/* fw_units.c */
/* Read FW_EVENT, clear DOORBELL/DMA_DONE/TC_DONE/VU_DONE (W1C) and note a doorbell
 * in fw.doorbell. RESET is left set for the main loop. Returns what was read. */
uint32_t fw_take_events(void);
/* Block (hal_wait_event) until no unit in `mask` is busy. */
fw_result fw_wait_idle(uint32_t mask);
/* Report the first error of an idle, armed channel in `mask`; busy channels
 * are skipped. Checked channels are disarmed. */
fw_result fw_dma_check(uint32_t mask);
void fw_dma_start(uint32_t ch, uint32_t dir, const kiln_cmd_dma_t *d, uint32_t offset);
void fw_tc_gemm(const kiln_cmd_gemm_t *g);
void fw_tc_writeback(const kiln_cmd_writeback_t *wb);
void fw_vu_start(const kiln_cmd_vector_t *v);

#endif /* KILN_FW_INTERNAL_H */
