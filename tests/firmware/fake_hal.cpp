// Fake NPU behind the firmware HAL; see fake_hal.hpp.
#include "fake_hal.hpp"

#include <cstdio>
#include <cstdlib>

#include "kiln_hal.h"

namespace kiln_test {
namespace {

FakeNpu* g_npu = nullptr;

FakeNpu& npu()
{
  if (!g_npu) {
    std::fprintf(stderr, "fake HAL: firmware ran without a FakeNpu\n");
    std::abort();
  }
  return *g_npu;
}

// Which DMA channel a register offset belongs to, or -1.
int dma_channel(uint32_t off)
{
  if (off < KILN_DMA_BASE || off >= KILN_DMA_BASE + KILN_DMA_COUNT * KILN_DMA_STRIDE) return -1;
  return static_cast<int>((off - KILN_DMA_BASE) / KILN_DMA_STRIDE);
}

template <class T> T make(uint32_t op)
{
  T c;
  std::memset(&c, 0, sizeof c);
  c.header = kiln_cmd_header(op);
  return c;
}

}  // namespace

FakeNpu::FakeNpu() : mem_(kMemBytes, 0)
{
  if (g_npu) {
    std::fprintf(stderr, "fake HAL: two FakeNpu at once\n");
    std::abort();
  }
  g_npu = this;
}

FakeNpu::~FakeNpu() { g_npu = nullptr; }

uint32_t FakeNpu::reg(uint32_t off) const
{
  auto it = regs_.find(off);
  return it == regs_.end() ? 0 : it->second;
}

void FakeNpu::set_reg(uint32_t off, uint32_t v) { regs_[off] = v; }

void FakeNpu::raise_event(uint32_t mask) { regs_[KILN_REG_FW_EVENT] |= mask; }

void FakeNpu::fw_write_host_doorbell() { raise_event(KILN_FW_EVENT_DOORBELL_MASK); }

void FakeNpu::soft_reset()
{
  // The hardware aborts the units, then tells the firmware.
  for (auto& d : dma) d.busy_left = 0;
  tc.busy_left = 0;
  vu.busy_left = 0;
  raise_event(KILN_FW_EVENT_RESET_MASK);
}

std::vector<uint32_t> FakeNpu::writes_to(uint32_t off) const
{
  std::vector<uint32_t> out;
  for (const auto& w : writes)
    if (w.first == off) out.push_back(w.second);
  return out;
}

uint32_t FakeNpu::fw_read(uint32_t off)
{
  int ch = dma_channel(off);
  if (ch >= 0) {
    const FakeDma& d = dma[static_cast<size_t>(ch)];
    if (off == KILN_REG_DMA_STATUS(ch))
      return (d.busy_left > 0 ? KILN_DMA_STATUS_BUSY_MASK : 0u) |
             (d.error ? KILN_DMA_STATUS_ERROR_MASK : 0u) |
             ((d.resp << KILN_DMA_STATUS_RESP_SHIFT) & KILN_DMA_STATUS_RESP_MASK);
    if (off == KILN_REG_DMA_ERR_ADDR(ch)) return d.err_addr;
    if (off == KILN_REG_DMA_START(ch)) return 0;
  }
  if (off == KILN_REG_TC_STATUS(0)) return tc.busy_left > 0 ? KILN_TC_STATUS_BUSY_MASK : 0u;
  if (off == KILN_REG_VU_STATUS(0)) return vu.busy_left > 0 ? KILN_VU_STATUS_BUSY_MASK : 0u;
  if (off == KILN_REG_STATUS) {
    uint32_t s = tc.busy_left > 0 ? KILN_STATUS_TC_BUSY_MASK : 0u;
    if (vu.busy_left > 0) s |= KILN_STATUS_VU_BUSY_MASK;
    for (size_t c = 0; c < dma.size(); ++c)
      if (dma[c].busy_left > 0) s |= 1u << (KILN_STATUS_DMA_BUSY_SHIFT + c);
    return s;
  }
  if (off == KILN_REG_DOORBELL || off == KILN_REG_IRQ_SET || off == KILN_REG_CTRL ||
      off == KILN_REG_TC_START(0) || off == KILN_REG_VU_START(0))
    return 0;
  return reg(off);
}

void FakeNpu::fw_write(uint32_t off, uint32_t v)
{
  writes.emplace_back(off, v);
  int ch = dma_channel(off);
  if (ch >= 0) {
    FakeDma& d = dma[static_cast<size_t>(ch)];
    if (off == KILN_REG_DMA_STATUS(ch) || off == KILN_REG_DMA_ERR_ADDR(ch)) return;  // ro
    if (off == KILN_REG_DMA_START(ch)) {
      if ((v & 1u) && d.busy_left == 0) {
        d.started.push_back({reg(KILN_REG_DMA_DRAM_ADDR_LO(ch)), reg(KILN_REG_DMA_DRAM_ADDR_HI(ch)),
                             reg(KILN_REG_DMA_SPAD_ADDR(ch)), reg(KILN_REG_DMA_ROW_BYTES(ch)),
                             reg(KILN_REG_DMA_ROWS(ch)), reg(KILN_REG_DMA_DRAM_STRIDE(ch)),
                             reg(KILN_REG_DMA_SPAD_STRIDE(ch)), reg(KILN_REG_DMA_CTRL(ch))});
        d.busy_left = latency;
        d.error = false;  // STATUS error fields hold until the next START
        d.resp = 0;
        d.err_addr = 0;
      }
      return;
    }
    regs_[off] = v;
    return;
  }
  if (off == KILN_REG_TC_START(0)) {
    if ((v & 1u) && tc.busy_left == 0) {
      tc.started.push_back({reg(KILN_REG_TC_OP(0)), reg(KILN_REG_TC_A_ADDR(0)),
                            reg(KILN_REG_TC_A_STRIDE(0)), reg(KILN_REG_TC_B_ADDR(0)),
                            reg(KILN_REG_TC_B_STRIDE(0)), reg(KILN_REG_TC_ACC_ADDR(0)),
                            reg(KILN_REG_TC_M(0)), reg(KILN_REG_TC_N(0)), reg(KILN_REG_TC_K(0)),
                            reg(KILN_REG_TC_OUT_ADDR(0)), reg(KILN_REG_TC_OUT_STRIDE(0))});
      tc.busy_left = latency;
    }
    return;
  }
  if (off == KILN_REG_VU_START(0)) {
    if ((v & 1u) && vu.busy_left == 0) {
      vu.started.push_back({reg(KILN_REG_VU_OP(0)), reg(KILN_REG_VU_FLAGS(0)),
                            reg(KILN_REG_VU_ROWS(0)), reg(KILN_REG_VU_COLS(0)),
                            reg(KILN_REG_VU_SRC0_ADDR(0)), reg(KILN_REG_VU_SRC0_STRIDE(0)),
                            reg(KILN_REG_VU_SRC1_ADDR(0)), reg(KILN_REG_VU_SRC1_STRIDE(0)),
                            reg(KILN_REG_VU_SRC2_ADDR(0)), reg(KILN_REG_VU_DST_ADDR(0)),
                            reg(KILN_REG_VU_DST_STRIDE(0)), reg(KILN_REG_VU_IMM(0)),
                            reg(KILN_REG_VU_AUX(0))});
      vu.busy_left = latency;
    }
    return;
  }
  switch (off) {
    case KILN_REG_FW_EVENT:
    case KILN_REG_IRQ_STATUS:
      regs_[off] &= ~v;  // w1c
      return;
    case KILN_REG_IRQ_SET:
      irq_sets.push_back(v);
      regs_[KILN_REG_IRQ_STATUS] |= v;
      return;
    case KILN_REG_DOORBELL:
      fw_write_host_doorbell();
      return;
    case KILN_REG_ID: case KILN_REG_VERSION: case KILN_REG_HWCFG: case KILN_REG_STATUS:
    case KILN_REG_TC_STATUS(0): case KILN_REG_VU_STATUS(0): case KILN_REG_CTRL:
      return;  // const / ro; firmware has no business pulsing CTRL
    default:
      regs_[off] = v;
  }
}

int FakeNpu::fw_mem_read(uint64_t addr, void* dst, uint32_t n)
{
  if (addr < kMemBase || addr + n > kMemBase + kMemBytes) return -1;
  if (fail_fetch_at && fail_fetch_at >= addr && fail_fetch_at < addr + n) return -1;
  std::memcpy(dst, &mem_[static_cast<size_t>(addr - kMemBase)], n);
  return 0;
}

void FakeNpu::mem_write(uint64_t addr, const void* src, size_t n)
{
  if (addr < kMemBase || addr + n > kMemBase + kMemBytes) {
    std::fprintf(stderr, "fake HAL: test wrote outside fake memory\n");
    std::abort();
  }
  std::memcpy(&mem_[static_cast<size_t>(addr - kMemBase)], src, n);
}

bool FakeNpu::any_busy() const
{
  if (tc.busy_left > 0 || vu.busy_left > 0) return true;
  for (const auto& d : dma)
    if (d.busy_left > 0) return true;
  return false;
}

void FakeNpu::tick()
{
  if (on_wait) on_wait(waits);
  for (auto& d : dma) {
    if (d.busy_left > 0 && --d.busy_left == 0) {
      if (d.inject_resp) {
        d.error = true;
        d.resp = d.inject_resp;
        d.err_addr = d.inject_addr;
        d.inject_resp = 0;
      }
      raise_event(KILN_FW_EVENT_DMA_DONE_MASK);
    }
  }
  if (tc.busy_left > 0 && --tc.busy_left == 0) raise_event(KILN_FW_EVENT_TC_DONE_MASK);
  if (vu.busy_left > 0 && --vu.busy_left == 0) raise_event(KILN_FW_EVENT_VU_DONE_MASK);
}

void FakeNpu::fw_wait_event()
{
  // Returns when irq_fw_o (|FW_EVENT) is high; time only passes in here.
  while (reg(KILN_REG_FW_EVENT) == 0) {
    if (++waits > max_waits || !any_busy()) {
      std::fprintf(stderr, "fake HAL: firmware sleeps forever (waits=%d, units busy=%d)\n",
                   waits, any_busy() ? 1 : 0);
      std::abort();
    }
    tick();
  }
}

void FakeNpu::setup_ring(uint64_t base, uint32_t size)
{
  ring_base_ = base;
  ring_size_ = size;
  tail_ = 0;
  set_reg(KILN_REG_QUEUE_BASE_LO, static_cast<uint32_t>(base));
  set_reg(KILN_REG_QUEUE_BASE_HI, static_cast<uint32_t>(base >> 32));
  set_reg(KILN_REG_QUEUE_SIZE, size);
  set_reg(KILN_REG_QUEUE_TAIL, 0);
}

void FakeNpu::push(const void* cmd)
{
  mem_write(ring_base_ + tail_, cmd, KILN_CMD_BYTES);
  tail_ = (tail_ + KILN_CMD_BYTES) % ring_size_;
  set_reg(KILN_REG_QUEUE_TAIL, tail_);
}

kiln_cmd_nop_t nop() { return make<kiln_cmd_nop_t>(KILN_OP_NOP); }

kiln_cmd_dma_t dma(uint32_t ch, uint32_t dir, uint64_t dram, uint32_t spad, uint32_t row_bytes,
                   uint32_t rows, uint32_t dram_stride, uint32_t spad_stride)
{
  auto c = make<kiln_cmd_dma_t>(KILN_OP_DMA);
  c.channel = ch | (dir << 8);
  c.dram_addr_lo = static_cast<uint32_t>(dram);
  c.dram_addr_hi = static_cast<uint32_t>(dram >> 32);
  c.spad_addr = spad;
  c.row_bytes = row_bytes;
  c.rows = rows;
  c.dram_stride = dram_stride;
  c.spad_stride = spad_stride;
  return c;
}

kiln_cmd_gemm_t gemm(uint32_t flags, uint32_t a, uint32_t as, uint32_t b, uint32_t bs,
                     uint32_t acc, uint32_t m, uint32_t n, uint32_t k)
{
  auto c = make<kiln_cmd_gemm_t>(KILN_OP_GEMM);
  c.flags = flags;
  c.a_addr = a;
  c.a_stride = as;
  c.b_addr = b;
  c.b_stride = bs;
  c.acc_addr = acc;
  c.m = m;
  c.n = n;
  c.k = k;
  return c;
}

kiln_cmd_writeback_t writeback(uint32_t flags, uint32_t acc, uint32_t out, uint32_t out_stride,
                               uint32_t m, uint32_t n)
{
  auto c = make<kiln_cmd_writeback_t>(KILN_OP_WRITEBACK);
  c.flags = flags;
  c.acc_addr = acc;
  c.out_addr = out;
  c.out_stride = out_stride;
  c.m = m;
  c.n = n;
  return c;
}

kiln_cmd_barrier_t barrier(uint32_t mask)
{
  auto c = make<kiln_cmd_barrier_t>(KILN_OP_BARRIER);
  c.unit_mask = mask;
  return c;
}

kiln_cmd_fence_t fence(uint32_t flags, uint32_t value)
{
  auto c = make<kiln_cmd_fence_t>(KILN_OP_FENCE);
  c.flags = flags;
  c.value = value;
  return c;
}

kiln_cmd_vector_t vector(uint32_t op, uint32_t flags, uint32_t rows, uint32_t cols, uint32_t src0,
                         uint32_t src0_stride, uint32_t src1, uint32_t src1_stride, uint32_t src2,
                         uint32_t dst, uint32_t dst_stride, uint32_t imm, uint32_t aux)
{
  auto c = make<kiln_cmd_vector_t>(KILN_OP_VECTOR);
  c.op = op;
  c.flags = flags;
  c.rows = rows;
  c.cols = cols;
  c.src0_addr = src0;
  c.src0_stride = src0_stride;
  c.src1_addr = src1;
  c.src1_stride = src1_stride;
  c.src2_addr = src2;
  c.dst_addr = dst;
  c.dst_stride = dst_stride;
  c.imm = imm;
  c.aux = aux;
  return c;
}

}  // namespace kiln_test

// ---- the HAL ------------------------------------------------------------------
using kiln_test::npu;

extern "C" uint32_t hal_reg_read(uint32_t offset) { return npu().fw_read(offset); }
extern "C" void hal_reg_write(uint32_t offset, uint32_t value) { npu().fw_write(offset, value); }
extern "C" int hal_mem_read(uint64_t addr, void* dst, uint32_t bytes)
{
  return npu().fw_mem_read(addr, dst, bytes);
}
extern "C" void hal_wait_event(void) { npu().fw_wait_event(); }
extern "C" uint64_t hal_time_ns(void) { return static_cast<uint64_t>(npu().waits) * 10u; }
