// A fake Kiln NPU for running the real firmware on the host.
//
// It implements the firmware HAL (kiln_hal.h) over: a CSR register file with
// the access semantics of kiln_regs.toml (w1c, wo pulses, ro status), a
// device memory holding the command ring, and DMA channels / a tensor core /
// a vector unit that stay busy for a few hal_wait_event() calls after START. Only one
// FakeNpu exists at a time; the HAL functions talk to it.
#pragma once

#include <array>
#include <cstdint>
#include <cstring>
#include <functional>
#include <map>
#include <utility>
#include <vector>

#include "kiln_cmds.h"
#include "kiln_hw.h"
#include "kiln_regs.h"

namespace kiln_test {

struct DmaDesc {
  uint32_t dram_lo, dram_hi, spad, row_bytes, rows, dram_stride, spad_stride, ctrl;
};

struct FakeDma {
  int busy_left = 0;
  bool error = false;
  uint32_t resp = 0, err_addr = 0;
  // Error to report when the next descriptor finishes (resp 0 = none).
  uint32_t inject_resp = 0, inject_addr = 0;
  std::vector<DmaDesc> started;
};

struct TcOp {
  uint32_t op, a_addr, a_stride, b_addr, b_stride, acc_addr, m, n, k, out_addr, out_stride;
};

struct FakeTc {
  int busy_left = 0;
  std::vector<TcOp> started;
};

// The VU registers at START, in register order (OP .. AUX).
struct VuOp {
  uint32_t op, flags, rows, cols, src0_addr, src0_stride, src1_addr, src1_stride, src2_addr,
      dst_addr, dst_stride, imm, aux;
};

struct FakeVu {
  int busy_left = 0;
  std::vector<VuOp> started;
};

class FakeNpu {
 public:
  static constexpr uint64_t kMemBase = KILN_HW_DRAM_BASE;
  static constexpr uint32_t kMemBytes = 1u << 20;

  FakeNpu();
  ~FakeNpu();
  FakeNpu(const FakeNpu&) = delete;
  FakeNpu& operator=(const FakeNpu&) = delete;

  // Firmware side (what the HAL calls).
  uint32_t fw_read(uint32_t off);
  void fw_write(uint32_t off, uint32_t v);
  int fw_mem_read(uint64_t addr, void* dst, uint32_t n);
  void fw_wait_event();

  // Test side.
  uint32_t reg(uint32_t off) const;            // raw register value
  void set_reg(uint32_t off, uint32_t v);      // host writes to rw registers
  void raise_event(uint32_t mask);             // hardware sets FW_EVENT bits
  void mem_write(uint64_t addr, const void* src, size_t n);

  // Ring helpers: a ring of `size` bytes at `base`; push() writes the next
  // command at the host's tail and advances QUEUE_TAIL; doorbell() as the host.
  void setup_ring(uint64_t base, uint32_t size);
  void push(const void* cmd);
  template <class T> void push(const T& cmd) {
    static_assert(sizeof(T) == KILN_CMD_BYTES, "commands are 64 bytes");
    push(static_cast<const void*>(&cmd));
  }
  void doorbell() { fw_write_host_doorbell(); }
  void soft_reset();                           // host CTRL.SOFT_RESET

  // Writes the firmware made, in order, and how often it slept.
  std::vector<std::pair<uint32_t, uint32_t>> writes;
  std::vector<uint32_t> irq_sets;
  int waits = 0;
  int max_waits = 10000;
  int latency = 3;                             // wait_event calls a unit stays busy
  std::array<FakeDma, KILN_DMA_COUNT> dma;
  FakeTc tc;
  FakeVu vu;
  uint64_t fail_fetch_at = 0;                  // a read touching this address fails
  std::function<void(int)> on_wait;            // called with `waits` before each time step

  uint32_t tail() const { return tail_; }
  // Writes to `off` since the last clear_log().
  std::vector<uint32_t> writes_to(uint32_t off) const;
  void clear_log() { writes.clear(); irq_sets.clear(); }

 private:
  void fw_write_host_doorbell();
  void tick();
  bool any_busy() const;

  std::map<uint32_t, uint32_t> regs_;
  std::vector<uint8_t> mem_;
  uint64_t ring_base_ = 0;
  uint32_t ring_size_ = 0, tail_ = 0;
};

// Command builders (zeroed reserved words, current header).
kiln_cmd_nop_t nop();
kiln_cmd_dma_t dma(uint32_t ch, uint32_t dir, uint64_t dram, uint32_t spad, uint32_t row_bytes,
                   uint32_t rows, uint32_t dram_stride, uint32_t spad_stride);
kiln_cmd_gemm_t gemm(uint32_t flags, uint32_t a, uint32_t as, uint32_t b, uint32_t bs,
                     uint32_t acc, uint32_t m, uint32_t n, uint32_t k);
kiln_cmd_writeback_t writeback(uint32_t flags, uint32_t acc, uint32_t out, uint32_t out_stride,
                               uint32_t m, uint32_t n);
kiln_cmd_barrier_t barrier(uint32_t mask);
kiln_cmd_fence_t fence(uint32_t flags, uint32_t value);
kiln_cmd_vector_t vector(uint32_t op, uint32_t flags, uint32_t rows, uint32_t cols, uint32_t src0,
                         uint32_t src0_stride, uint32_t src1, uint32_t src1_stride, uint32_t src2,
                         uint32_t dst, uint32_t dst_stride, uint32_t imm = 0, uint32_t aux = 0);

}  // namespace kiln_test
