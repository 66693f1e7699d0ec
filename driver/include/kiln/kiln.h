/* Kiln userspace driver: the stable C API.
 *
 * One API serves every backend ("rtl", "fast", "both", "lockstep"; later ones
 * plug in behind driver/src/backend.h). Every call returns a kiln_status; on failure
 * kiln_last_error() names what was wrong (argument, address, command index).
 */
#ifndef KILN_KILN_H
#define KILN_KILN_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* 2: the ABI grew: kiln_select_npu, kiln_active_npu, kiln_read_lockstep_stats,
 *    kiln_lockstep_stats and KILN_DEVICE_ERR_LOCKSTEP_MISMATCH (the "both" and
 *    "lockstep" backends). Nothing was removed or changed, so code written for
 *    1 still compiles; version 2 also covers kiln_counters.vu_busy_cycles and
 *    KILN_UNIT_ALL = 0x3F, which came after 1 without a bump, and the
 *    kiln_open_options fields appended since (wave window, trace_file).
 * 3: kiln_counters grew per-DMA-channel counters and vu_stall_cycles at its
 *    end. Source written for 2 compiles unchanged, but kiln_read_counters now
 *    writes a larger struct: binaries built against 2 must be rebuilt.
 *    Version 3 also adds kiln_read_timestamps / kiln_timestamps. */
#define KILN_API_VERSION 3

/* Size of the per-channel arrays in kiln_counters. The hardware has
 * KILN_HW_DMA_CHANNELS (rtl/kiln_hw.toml) channels, at most 4 (STATUS.DMA_BUSY
 * has 4 bits); entries past the device's channel count read 0. */
#define KILN_COUNTERS_MAX_DMA_CHANNELS 4

typedef enum kiln_status {
  KILN_OK = 0,
  KILN_ERR_INVALID_ARGUMENT = 1, /* a caller-supplied value is malformed */
  KILN_ERR_OUT_OF_MEMORY = 2,    /* device memory exhausted */
  KILN_ERR_OUT_OF_RANGE = 3,     /* an address/range lies outside what it must be inside */
  KILN_ERR_TIMEOUT = 4,          /* a wait ran out of time; the device may still be busy */
  KILN_ERR_DEVICE = 5,           /* the device reported an error (see kiln_device_error) */
  KILN_ERR_BACKEND = 6,          /* the backend could not be opened or failed */
  KILN_ERR_BUSY = 7,             /* resource already in use (e.g. second rtl device in a process) */
  KILN_ERR_HALTED = 8            /* the device halted on an earlier error: call kiln_reset() */
} kiln_status;

typedef struct kiln_device kiln_device;
typedef struct kiln_cmdbuf kiln_cmdbuf;

/* A device-memory allocation: device (AXI) address and size in bytes. */
typedef struct kiln_buffer {
  uint64_t addr;
  uint64_t size;
} kiln_buffer;

typedef struct kiln_open_options {
  const char *wave_file;     /* rtl backend: FST waveform path, NULL = none */
  uint64_t default_timeout_ns; /* simulated-time timeout for waits, 0 = 10 ms */
  /* Waveform window (rtl backend, with wave_file; docs/debugging.md): dump
     only NPU clock cycles wave_from..wave_to (inclusive; wave_to 0 = to the
     end), or with wave_cmd > 0 only while the wave_cmd-th command of the run
     (1-based, counted across submissions) executes. Zero = whole run. */
  uint64_t wave_from;
  uint64_t wave_to;
  uint64_t wave_cmd;
  /* Run trace (platform backends; docs/debugging.md "Traces"): a Trace Event
     Format JSON file (ui.perfetto.dev, chrome://tracing) of the commands,
     each DMA channel, the tensor core, the vector unit and the fences, in
     simulated time, completed at kiln_close. NULL = $KILN_TRACE if set, else
     none. A path that cannot be written fails kiln_open with
     KILN_ERR_INVALID_ARGUMENT. */
  const char *trace_file;
} kiln_open_options;

/* Device-reported error, as read from the ERR_* registers. */
typedef struct kiln_device_error_info {
  uint32_t code;        /* KILN_ERR_* device code from kiln_cmds.h, 0 = none */
  uint64_t addr;        /* faulting address or offending value */
  uint32_t cmd_offset;  /* ring byte offset of the failing command */
  uint32_t cmd_index;   /* index of the failing command within its submission */
} kiln_device_error_info;

typedef struct kiln_counters {
  uint64_t cycles;
  uint64_t tc_busy_cycles;
  uint64_t tc_stall_cycles;
  uint64_t macs;
  uint64_t dma_read_bytes;
  uint64_t dma_write_bytes;
  uint64_t dma_busy_cycles;
  uint64_t vu_busy_cycles;   /* cycles the vector unit was busy (PERF_VU_BUSY) */
  /* API 3, DMA_PERF registers, indexed by channel. Per channel busy = stall +
   * (read + write bytes) / 32; the channel sums equal dma_read_bytes and
   * dma_write_bytes. */
  uint64_t dma_ch_read_bytes[KILN_COUNTERS_MAX_DMA_CHANNELS];
  uint64_t dma_ch_write_bytes[KILN_COUNTERS_MAX_DMA_CHANNELS];
  uint64_t dma_ch_busy_cycles[KILN_COUNTERS_MAX_DMA_CHANNELS];
  uint64_t dma_ch_stall_cycles[KILN_COUNTERS_MAX_DMA_CHANNELS]; /* busy, no beat moved */
  uint64_t vu_stall_cycles;  /* busy, no beat taken: bank conflicts, operand wait (PERF_VU_STALL) */
} kiln_counters;

/* ---- device ---------------------------------------------------------------- */
/* backend: "rtl", "fast", "both" or "lockstep" (NULL = $KILN_BACKEND or "rtl").
 * opts may be NULL. */
kiln_status kiln_open(const char *backend, const kiln_open_options *opts, kiln_device **out);
void kiln_close(kiln_device *dev);
/* Text of the last error on this device (or of the last failed kiln_open when dev is NULL). */
const char *kiln_last_error(const kiln_device *dev);
const char *kiln_status_name(kiln_status s);
const char *kiln_backend_name(const kiln_device *dev);

/* ---- memory ---------------------------------------------------------------- */
kiln_status kiln_alloc(kiln_device *dev, uint64_t size, uint64_t align, kiln_buffer *out);
kiln_status kiln_free(kiln_device *dev, kiln_buffer buf);
/* Copy through the host link. The range must lie inside device memory. */
kiln_status kiln_write(kiln_device *dev, uint64_t dev_addr, const void *src, size_t bytes);
kiln_status kiln_read(kiln_device *dev, uint64_t dev_addr, void *dst, size_t bytes);
/* Total device memory and the part still free. */
kiln_status kiln_memory_info(kiln_device *dev, uint64_t *base, uint64_t *size, uint64_t *free_bytes);

/* ---- command buffers -------------------------------------------------------- */
kiln_cmdbuf *kiln_cmdbuf_create(void);
void kiln_cmdbuf_destroy(kiln_cmdbuf *cb);
void kiln_cmdbuf_reset(kiln_cmdbuf *cb);
size_t kiln_cmdbuf_count(const kiln_cmdbuf *cb);
/* The commands as they will be written to the ring: count * 64 bytes
 * (for golden replay and command-stream recording). */
const void *kiln_cmdbuf_data(const kiln_cmdbuf *cb);
/* Text of the last failed kiln_cmd_* call on cb ("" if none). Builder errors
 * are also reported by kiln_last_error(NULL). (Addition by the driver.) */
const char *kiln_cmdbuf_last_error(const kiln_cmdbuf *cb);

/* DMA between device memory and scratchpad. dram_addr is a device address
 * (normally buf.addr + offset); dir 0 = to scratchpad, 1 = to device memory. */
kiln_status kiln_cmd_dma(kiln_cmdbuf *cb, uint32_t channel, uint32_t dir, uint64_t dram_addr,
                         uint32_t spad_addr, uint32_t row_bytes, uint32_t rows,
                         uint32_t dram_stride, uint32_t spad_stride);
/* dtype 0 = BF16, 1 = INT8. Addresses in scratchpad words / accumulator rows. */
/* GEMM flags (the command's flags word): dtype in [1:0], plus these. */
#define KILN_GEMM_ACCUMULATE (1u << 8)    /* add into the accumulator */
#define KILN_GEMM_B_TRANSPOSED (1u << 9)  /* B given as Bt [N][K]: Bt[n][16j..] at b_addr + n*b_stride + j */
kiln_status kiln_cmd_gemm_flags(kiln_cmdbuf *cb, uint32_t flags, uint32_t a_addr, uint32_t a_stride,
                                uint32_t b_addr, uint32_t b_stride, uint32_t acc_addr, uint32_t m,
                                uint32_t n, uint32_t k);
kiln_status kiln_cmd_gemm(kiln_cmdbuf *cb, uint32_t dtype, int accumulate, uint32_t a_addr,
                          uint32_t a_stride, uint32_t b_addr, uint32_t b_stride,
                          uint32_t acc_addr, uint32_t m, uint32_t n, uint32_t k);
kiln_status kiln_cmd_writeback(kiln_cmdbuf *cb, int out_fp32, uint32_t acc_addr,
                               uint32_t out_addr, uint32_t out_stride, uint32_t m, uint32_t n);
/* One vector-unit operation over scratchpad rows (docs/design.md, "Vector unit").
 * op: KILN_VECTOR_OP_*; flags: KILN_VECTOR_* below (types, src1 mode, row sums).
 * Addresses and strides are in scratchpad words (32 bytes); imm is the FP32 bit
 * pattern used as src1 in mode KILN_VECTOR_SRC1_IMM; aux is the row-sum array's
 * word address (EXP with KILN_VECTOR_ROWSUM) or MASK_CAUSAL's signed column offset.
 * Every operand the op touches must lie inside the scratchpad. */
kiln_status kiln_cmd_vector(kiln_cmdbuf *cb, uint32_t op, uint32_t flags, uint32_t rows,
                            uint32_t cols, uint32_t src0_addr, uint32_t src0_stride,
                            uint32_t src1_addr, uint32_t src1_stride, uint32_t src2_addr,
                            uint32_t dst_addr, uint32_t dst_stride, uint32_t imm, uint32_t aux);
/* unit_mask: bit c = DMA channel c, bit 4 = tensor core, bit 5 = vector unit;
 * KILN_UNIT_ALL = every unit the device has. A bit naming a DMA channel the
 * device lacks is refused. */
kiln_status kiln_cmd_barrier(kiln_cmdbuf *cb, uint32_t unit_mask);
kiln_status kiln_cmd_nop(kiln_cmdbuf *cb);
/* Append 64 raw bytes (tests of the device's own checking). */
kiln_status kiln_cmd_raw(kiln_cmdbuf *cb, const void *cmd64);

#define KILN_UNIT_DMA(c) (1u << (c))
#define KILN_UNIT_TC (1u << 4)
#define KILN_UNIT_VU (1u << 5)
#define KILN_UNIT_ALL 0x3Fu

/* kiln_cmd_vector op codes (VU.OP). */
enum kiln_vector_op {
  KILN_VECTOR_OP_ADD = 0,         /* src0 + src1 */
  KILN_VECTOR_OP_SUB = 1,         /* src0 - src1 */
  KILN_VECTOR_OP_MUL = 2,         /* src0 * src1 */
  KILN_VECTOR_OP_MAX = 3,         /* max(src0, src1) */
  KILN_VECTOR_OP_EXP = 4,         /* exp(src0 - src1) [+ row sums to aux] */
  KILN_VECTOR_OP_RECIP = 5,       /* 1 / src0 */
  KILN_VECTOR_OP_RSQRT = 6,       /* 1 / sqrt(src0 + src1) */
  KILN_VECTOR_OP_SILU_MUL = 7,    /* silu(src0) * src1 */
  KILN_VECTOR_OP_COPY = 8,        /* src0 converted to the dst type */
  KILN_VECTOR_OP_ROWMAX = 9,      /* FP32 per row */
  KILN_VECTOR_OP_ROWSUM = 10,     /* FP32 per row */
  KILN_VECTOR_OP_ROWSUMSQ = 11,   /* FP32 per row */
  KILN_VECTOR_OP_ROWARGMAX = 12,  /* UINT32 per row */
  KILN_VECTOR_OP_MASK_CAUSAL = 13, /* -Inf where col > row + (int32)aux */
  KILN_VECTOR_OP_ROPE = 14,       /* rotate pairs of src0 by (cos, sin) pairs of src1 */
  KILN_VECTOR_OP_AXPY = 15        /* src0 * src1 + src2 */
};
/* kiln_cmd_vector flags (VU.FLAGS). */
#define KILN_VECTOR_SRC0_FP32 (1u << 0)  /* src0/src2 FP32 (8 per word), else BF16 (16) */
#define KILN_VECTOR_SRC1_FP32 (1u << 1)  /* src1 rows FP32 */
#define KILN_VECTOR_DST_FP32 (1u << 2)   /* dst rows FP32, else BF16 (RNE) */
#define KILN_VECTOR_SRC1_ROW (0u << 4)   /* src1: a row per row */
#define KILN_VECTOR_SRC1_BCAST (1u << 4) /* src1: one row for every row */
#define KILN_VECTOR_SRC1_SCALAR (2u << 4) /* src1: one FP32 per row, packed array */
#define KILN_VECTOR_SRC1_IMM (3u << 4)   /* src1: the FP32 immediate imm */
#define KILN_VECTOR_SRC1_MODE_MASK (3u << 4)
#define KILN_VECTOR_ROWSUM (1u << 8)     /* EXP only: FP32 row sums to the array at aux */

/* ---- submission ---------------------------------------------------------------- */
#define KILN_SUBMIT_NO_VALIDATE 1u /* skip the driver's checks (to test device-side errors) */

/* Validates every command (ranges inside device memory and allocated buffers,
 * scratchpad and accumulator bounds, alignment), copies them into the ring,
 * appends a fence and rings the doorbell. *fence receives the fence value. */
kiln_status kiln_submit(kiln_device *dev, const kiln_cmdbuf *cb, uint32_t flags, uint64_t *fence);
/* Waits until the fence completed, the device reported an error, or timeout_ns
 * of simulated time passed (0 = the device default). */
kiln_status kiln_wait(kiln_device *dev, uint64_t fence, uint64_t timeout_ns);
kiln_status kiln_device_error(kiln_device *dev, kiln_device_error_info *out);
/* Soft reset: aborts the units, restarts firmware, empties the queue. */
kiln_status kiln_reset(kiln_device *dev);

/* ---- two NPUs: the "both" and "lockstep" backends (docs/driver.md, "Backends") ---- */
/* Makes kind ("rtl" or "fast") the NPU that runs the following submissions of a
 * "both" device. Every earlier submission must have completed (kiln_wait on its
 * fence), else KILN_ERR_BUSY and nothing changes (naming the NPU that is
 * already active is KILN_OK even then). KILN_ERR_INVALID_ARGUMENT for any
 * other kind, on a backend with one NPU (rtl, fast) and on "lockstep" (it
 * switches by itself); KILN_ERR_HALTED after a device error until kiln_reset.
 * Scratchpad and accumulator contents stay with their NPU: a submission must
 * not rely on what an earlier one left there. */
kiln_status kiln_select_npu(kiln_device *dev, const char *kind);
/* "rtl" or "fast" on "both", "rtl+fast" on "lockstep", else the backend's name
 * ("" for NULL). Valid until the next kiln_select_npu or kiln_close. */
const char *kiln_active_npu(const kiln_device *dev);

typedef struct kiln_lockstep_stats {
  uint64_t commands;       /* commands run on both NPUs */
  uint64_t compared;       /* of them, commands whose output was compared (DMA, VECTOR, WRITEBACK) */
  uint64_t bytes_compared; /* output bytes compared */
  uint64_t differences;    /* commands whose outputs differed (lockstep stops at the first) */
} kiln_lockstep_stats;
/* Totals since kiln_open of a "lockstep" device; KILN_ERR_INVALID_ARGUMENT on others. */
kiln_status kiln_read_lockstep_stats(kiln_device *dev, kiln_lockstep_stats *out);
/* kiln_device_error_info.code after a lockstep difference: set by the driver,
 * outside the firmware's KILN_ERR_* codes (kiln_cmds.h). addr is the first
 * differing byte's address (scratchpad byte or device address), cmd_index the
 * command's index in its command buffer. */
#define KILN_DEVICE_ERR_LOCKSTEP_MISMATCH 0x100u

/* ---- observation ---------------------------------------------------------------- */
kiln_status kiln_read_counters(kiln_device *dev, kiln_counters *out);
/* Simulated time (ns) and cycles the RTL was clocked. */
kiln_status kiln_sim_time(kiln_device *dev, uint64_t *now_ns, uint64_t *rtl_cycles);
/* Simulated times (ns) of the last doorbell kiln_submit rang (when its write
 * reached the device) and of the last host interrupt kiln_submit or kiln_wait
 * woke on: when kiln_wait slept until a submission's fence interrupt,
 * irq_ns - doorbell_ns is that submission's device time, doorbell to fence
 * interrupt, without the host link's completion reads (docs/perf_model.md).
 * irq_ns is 0 before any interrupt and when the last one was already raised
 * as the wait began (a submission shorter than the host's own polling): its
 * time is then unknown. */
typedef struct kiln_timestamps {
  uint64_t doorbell_ns;
  uint64_t irq_ns;
} kiln_timestamps;
kiln_status kiln_read_timestamps(kiln_device *dev, kiln_timestamps *out);

#ifdef __cplusplus
}
#endif
#endif /* KILN_KILN_H */
