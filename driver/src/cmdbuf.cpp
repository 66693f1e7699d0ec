// Command-buffer builders: encode with the generated kiln_cmds.h structs and
// run the same static checks kiln_submit runs, so mistakes surface at the
// line that made them.
#include <cstring>
#include <new>

#include "cmd_check.h"
#include "device.h"
#include "kiln/kiln.h"
#include "kiln_cmds.h"
#include "kiln_hw.h"
#include "util.h"



namespace {

template <typename T>
kiln_status append(kiln_cmdbuf* cb, const T& cmd, const char* who) {
  static_assert(sizeof(T) == KILN_CMD_BYTES, "commands are 64 bytes");
  if (!cb) return kiln::cmdbuf_fail(nullptr, KILN_ERR_INVALID_ARGUMENT, std::string(who) + ": cb is NULL");
  uint32_t w[KILN_CMD_WORDS];
  std::memcpy(w, &cmd, sizeof w);
  kiln::CmdCheck c = kiln::check_command(w, false);
  if (c.status != KILN_OK) return kiln::cmdbuf_fail(cb, c.status, std::string(who) + ": " + c.msg);
  try {
    cb->impl.words.insert(cb->impl.words.end(), w, w + KILN_CMD_WORDS);
  } catch (const std::bad_alloc&) {
    return kiln::cmdbuf_fail(cb, KILN_ERR_OUT_OF_MEMORY, std::string(who) + ": host out of memory");
  }
  return KILN_OK;
}

}  // namespace

extern "C" {

kiln_cmdbuf* kiln_cmdbuf_create(void) { return new (std::nothrow) kiln_cmdbuf(); }
void kiln_cmdbuf_destroy(kiln_cmdbuf* cb) { delete cb; }
void kiln_cmdbuf_reset(kiln_cmdbuf* cb) {
  if (cb) cb->impl.words.clear();
}
size_t kiln_cmdbuf_count(const kiln_cmdbuf* cb) { return cb ? cb->impl.count() : 0; }

const void* kiln_cmdbuf_data(const kiln_cmdbuf* cb) { return cb ? cb->impl.words.data() : nullptr; }

const char* kiln_cmdbuf_last_error(const kiln_cmdbuf* cb) {
  return cb ? cb->impl.last_error.c_str() : "";
}

kiln_status kiln_cmd_dma(kiln_cmdbuf* cb, uint32_t channel, uint32_t dir, uint64_t dram_addr,
                         uint32_t spad_addr, uint32_t row_bytes, uint32_t rows,
                         uint32_t dram_stride, uint32_t spad_stride) {
  // Checked here because packing would silently merge them into other bits.
  if (channel >= KILN_HW_DMA_CHANNELS)
    return kiln::cmdbuf_fail(cb, KILN_ERR_INVALID_ARGUMENT,
                             kiln::fmt("kiln_cmd_dma: channel %u does not exist (the device has %u "
                                       "DMA channels)", channel,
                                       static_cast<unsigned>(KILN_HW_DMA_CHANNELS)));
  if (dir > 1)
    return kiln::cmdbuf_fail(cb, KILN_ERR_INVALID_ARGUMENT,
                             kiln::fmt("kiln_cmd_dma: dir %u is not 0 (to scratchpad) or 1 (to "
                                       "device memory)", dir));
  kiln_cmd_dma_t c{};
  c.header = kiln_cmd_header(KILN_OP_DMA);
  c.channel = channel | (dir << 8);
  c.dram_addr_lo = static_cast<uint32_t>(dram_addr);
  c.dram_addr_hi = static_cast<uint32_t>(dram_addr >> 32);
  c.spad_addr = spad_addr;
  c.row_bytes = row_bytes;
  c.rows = rows;
  c.dram_stride = dram_stride;
  c.spad_stride = spad_stride;
  return append(cb, c, "kiln_cmd_dma");
}

kiln_status kiln_cmd_gemm(kiln_cmdbuf* cb, uint32_t dtype, int accumulate, uint32_t a_addr,
                          uint32_t a_stride, uint32_t b_addr, uint32_t b_stride,
                          uint32_t acc_addr, uint32_t m, uint32_t n, uint32_t k) {
  if (dtype > 1)
    return kiln::cmdbuf_fail(cb, KILN_ERR_INVALID_ARGUMENT,
                             kiln::fmt("kiln_cmd_gemm: dtype %u is not 0 (BF16) or 1 (INT8)", dtype));
  return kiln_cmd_gemm_flags(cb, dtype | (accumulate ? KILN_GEMM_ACCUMULATE : 0u), a_addr, a_stride,
                             b_addr, b_stride, acc_addr, m, n, k);
}

kiln_status kiln_cmd_gemm_flags(kiln_cmdbuf* cb, uint32_t flags, uint32_t a_addr, uint32_t a_stride,
                                uint32_t b_addr, uint32_t b_stride, uint32_t acc_addr, uint32_t m,
                                uint32_t n, uint32_t k) {
  kiln_cmd_gemm_t c{};
  c.header = kiln_cmd_header(KILN_OP_GEMM);
  c.flags = flags;
  c.a_addr = a_addr;
  c.a_stride = a_stride;
  c.b_addr = b_addr;
  c.b_stride = b_stride;
  c.acc_addr = acc_addr;
  c.m = m;
  c.n = n;
  c.k = k;
  return append(cb, c, "kiln_cmd_gemm");
}

kiln_status kiln_cmd_writeback(kiln_cmdbuf* cb, int out_fp32, uint32_t acc_addr, uint32_t out_addr,
                               uint32_t out_stride, uint32_t m, uint32_t n) {
  kiln_cmd_writeback_t c{};
  c.header = kiln_cmd_header(KILN_OP_WRITEBACK);
  c.flags = out_fp32 ? 1u : 0u;
  c.acc_addr = acc_addr;
  c.out_addr = out_addr;
  c.out_stride = out_stride;
  c.m = m;
  c.n = n;
  return append(cb, c, "kiln_cmd_writeback");
}

kiln_status kiln_cmd_vector(kiln_cmdbuf* cb, uint32_t op, uint32_t flags, uint32_t rows,
                            uint32_t cols, uint32_t src0_addr, uint32_t src0_stride,
                            uint32_t src1_addr, uint32_t src1_stride, uint32_t src2_addr,
                            uint32_t dst_addr, uint32_t dst_stride, uint32_t imm, uint32_t aux) {
  kiln_cmd_vector_t c{};
  c.header = kiln_cmd_header(KILN_OP_VECTOR);
  c.op = op;
  c.flags = flags;
  c.rows = rows;
  c.cols = cols;
  c.src0_addr = src0_addr;
  c.src0_stride = src0_stride;
  c.src1_addr = src1_addr;
  c.src1_stride = src1_stride;
  c.src2_addr = src2_addr;
  c.dst_addr = dst_addr;
  c.dst_stride = dst_stride;
  c.imm = imm;
  c.aux = aux;
  return append(cb, c, "kiln_cmd_vector");
}

kiln_status kiln_cmd_barrier(kiln_cmdbuf* cb, uint32_t unit_mask) {
  kiln_cmd_barrier_t c{};
  c.header = kiln_cmd_header(KILN_OP_BARRIER);
  // KILN_UNIT_ALL names every unit this configuration has; the firmware
  // refuses a mask naming a DMA channel that does not exist.
  c.unit_mask = unit_mask == KILN_UNIT_ALL
                    ? (KILN_UNIT_VU | KILN_UNIT_TC | ((1u << KILN_HW_DMA_CHANNELS) - 1u))
                    : unit_mask;
  return append(cb, c, "kiln_cmd_barrier");
}

kiln_status kiln_cmd_nop(kiln_cmdbuf* cb) {
  kiln_cmd_nop_t c{};
  c.header = kiln_cmd_header(KILN_OP_NOP);
  return append(cb, c, "kiln_cmd_nop");
}

// Raw commands are not checked: they exist to exercise the device's own checks.
kiln_status kiln_cmd_raw(kiln_cmdbuf* cb, const void* cmd64) {
  if (!cb || !cmd64)
    return kiln::cmdbuf_fail(cb, KILN_ERR_INVALID_ARGUMENT, "kiln_cmd_raw: cb or cmd64 is NULL");
  uint32_t w[KILN_CMD_WORDS];
  std::memcpy(w, cmd64, sizeof w);
  try {
    cb->impl.words.insert(cb->impl.words.end(), w, w + KILN_CMD_WORDS);
  } catch (const std::bad_alloc&) {
    return kiln::cmdbuf_fail(cb, KILN_ERR_OUT_OF_MEMORY, "kiln_cmd_raw: host out of memory");
  }
  return KILN_OK;
}

}  // extern "C"
