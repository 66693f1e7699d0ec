// Smoke tests of the whole Verilated NPU: identity registers, interrupt lines,
// soft reset, performance counters and a DMA round trip through the
// scratchpad against a C++ AXI4 memory.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstring>
#include <memory>
#include <random>

#include "Vkiln_npu_top.h"
#include "axi_mem.h"
#include "axil_driver.h"
#include "kiln_hw.h"
#include "kiln_regs.h"
#include "verilated.h"

using kiln_test::AxilMaster;
using kiln_test::AxiMem;
using kiln_test::Clock;
using kiln_test::kRespOkay;

namespace {

constexpr uint32_t kDramBase = uint32_t(KILN_HW_DRAM_BASE);

struct Npu {
  VerilatedContext ctx;
  std::unique_ptr<Vkiln_npu_top> m{new Vkiln_npu_top{&ctx}};
  Clock<Vkiln_npu_top> clk{*m};
  AxilMaster<Vkiln_npu_top> bus{*m, clk};
  AxiMem<Vkiln_npu_top> mem{*m, kDramBase, 1u << 20};
  Npu() {
    m->clk_i = 0;
    // The AXI memory answers every cycle, also during CSR transfers:
    // handshakes are sampled before the edge, the memory's outputs for the
    // next cycle are driven after it.
    mem.drive();
    clk.on_cycle = [this] { pending = mem.sample(); };
    clk.after_edge = [this] {
      mem.commit(pending);
      mem.drive();
      m->eval();
    };
    clk.reset();
  }
  void tick() { clk.tick(); }
  uint32_t rd(uint32_t a) { return bus.read32(a); }
  void wr(uint32_t a, uint32_t v) { REQUIRE(bus.write(a, v) == kRespOkay); }
  AxiMem<Vkiln_npu_top>::Sample pending{};
};

uint64_t read64(Npu& n, uint32_t lo) {
  const uint64_t l = n.rd(lo);
  return l | (uint64_t(n.rd(lo + 4)) << 32);
}

}  // namespace

TEST_CASE("identity and configuration registers", "[npu_top]") {
  Npu n;
  CHECK(n.rd(KILN_REG_ID) == KILN_ID_RESET_VALUE);
  CHECK(n.rd(KILN_REG_VERSION) == KILN_VERSION_RESET_VALUE);
  const uint32_t hwcfg = n.rd(KILN_REG_HWCFG);
  CHECK(((hwcfg & KILN_HWCFG_TC_ROWS_MASK) >> KILN_HWCFG_TC_ROWS_SHIFT) == KILN_HW_TENSOR_CORE_ROWS);
  CHECK(((hwcfg & KILN_HWCFG_TC_COLS_MASK) >> KILN_HWCFG_TC_COLS_SHIFT) == KILN_HW_TENSOR_CORE_COLS);
  CHECK(((hwcfg & KILN_HWCFG_DMA_CHANNELS_MASK) >> KILN_HWCFG_DMA_CHANNELS_SHIFT) == KILN_HW_DMA_CHANNELS);
  CHECK(((hwcfg & KILN_HWCFG_SPAD_BANKS_MASK) >> KILN_HWCFG_SPAD_BANKS_SHIFT) == KILN_HW_SCRATCHPAD_BANKS);
  CHECK(((hwcfg & KILN_HWCFG_SPAD_KIB_MASK) >> KILN_HWCFG_SPAD_KIB_SHIFT) * 4096u == KILN_HW_SCRATCHPAD_BYTES);
  CHECK(n.rd(KILN_REG_STATUS) == 0u);
  CHECK(n.rd(KILN_REG_TC_STATUS(0)) == 0u);
  CHECK(n.m->irq_fw_o == 0);
  CHECK(n.m->irq_host_o == 0);
}

TEST_CASE("doorbell raises irq_fw_o until FW_EVENT is cleared", "[npu_top]") {
  Npu n;
  n.wr(KILN_REG_DOORBELL, 1);
  n.tick();
  CHECK(n.m->irq_fw_o == 1);
  CHECK(n.rd(KILN_REG_FW_EVENT) == KILN_FW_EVENT_DOORBELL_MASK);
  n.wr(KILN_REG_FW_EVENT, KILN_FW_EVENT_DOORBELL_MASK);
  n.tick();
  CHECK(n.m->irq_fw_o == 0);
}

TEST_CASE("IRQ_SET and IRQ_ENABLE drive irq_host_o", "[npu_top]") {
  Npu n;
  n.wr(KILN_REG_IRQ_SET, KILN_IRQ_STATUS_FENCE_MASK);
  n.tick();
  CHECK(n.rd(KILN_REG_IRQ_STATUS) == KILN_IRQ_STATUS_FENCE_MASK);
  CHECK(n.m->irq_host_o == 0);  // not enabled
  n.wr(KILN_REG_IRQ_ENABLE, KILN_IRQ_ENABLE_ERROR_MASK);
  n.tick();
  CHECK(n.m->irq_host_o == 0);  // enabled cause differs
  n.wr(KILN_REG_IRQ_ENABLE, KILN_IRQ_ENABLE_FENCE_MASK);
  n.tick();
  CHECK(n.m->irq_host_o == 1);
  n.wr(KILN_REG_IRQ_STATUS, KILN_IRQ_STATUS_FENCE_MASK);
  n.tick();
  CHECK(n.m->irq_host_o == 0);
}

TEST_CASE("soft reset with idle units ends in FW_EVENT.RESET", "[npu_top]") {
  Npu n;
  n.wr(KILN_REG_CTRL, KILN_CTRL_SOFT_RESET_MASK);
  for (int i = 0; i < 8; ++i) n.tick();
  CHECK(n.rd(KILN_REG_FW_EVENT) == KILN_FW_EVENT_RESET_MASK);
  CHECK((n.rd(KILN_REG_STATUS) & KILN_STATUS_RESETTING_MASK) == 0u);
  CHECK(n.m->irq_fw_o == 1);
  // A CTRL write without the bit does nothing.
  n.wr(KILN_REG_FW_EVENT, 0xF);
  n.wr(KILN_REG_CTRL, 0);
  for (int i = 0; i < 8; ++i) n.tick();
  CHECK(n.rd(KILN_REG_FW_EVENT) == 0u);
}

TEST_CASE("cycle counter counts every cycle and reads consistently", "[npu_top]") {
  Npu n;
  const uint64_t a = read64(n, KILN_REG_PERF_CYCLES_LO);
  for (int i = 0; i < 100; ++i) n.tick();
  const uint64_t b = read64(n, KILN_REG_PERF_CYCLES_LO);
  // Between the two LO samples: 100 ticks plus the HI read and the LO read.
  CHECK(b - a > 100u);
  CHECK(b - a < 110u);
  CHECK(read64(n, KILN_REG_PERF_TC_BUSY_LO) == 0u);
}

TEST_CASE("DMA round trip through the scratchpad", "[npu_top]") {
  Npu n;
  std::mt19937 rng(7);
  const uint32_t rows = 3, row_bytes = 96, src = kDramBase + 0x1000, dst = kDramBase + 0x8000;
  const uint32_t dram_stride = 128, spad_addr = 0x2000, spad_stride = 0x100;
  for (uint32_t i = 0; i < rows * dram_stride; ++i) *n.mem.at(src + i) = uint8_t(rng());

  auto run = [&](uint32_t ch, uint32_t dir, uint32_t dram) {
    n.wr(KILN_REG_DMA_DRAM_ADDR_LO(ch), dram);
    n.wr(KILN_REG_DMA_SPAD_ADDR(ch), spad_addr);
    n.wr(KILN_REG_DMA_ROW_BYTES(ch), row_bytes);
    n.wr(KILN_REG_DMA_ROWS(ch), rows);
    n.wr(KILN_REG_DMA_DRAM_STRIDE(ch), dram_stride);
    n.wr(KILN_REG_DMA_SPAD_STRIDE(ch), spad_stride);
    n.wr(KILN_REG_DMA_CTRL(ch), dir);
    n.wr(KILN_REG_DMA_START(ch), 1);
    int guard = 0;
    while (n.rd(KILN_REG_DMA_STATUS(ch)) & KILN_DMA_STATUS_BUSY_MASK) {
      REQUIRE(++guard < 2000);
    }
    CHECK((n.rd(KILN_REG_DMA_STATUS(ch)) & KILN_DMA_STATUS_ERROR_MASK) == 0u);
    CHECK(n.rd(KILN_REG_FW_EVENT) & KILN_FW_EVENT_DMA_DONE_MASK);
    n.wr(KILN_REG_FW_EVENT, KILN_FW_EVENT_DMA_DONE_MASK);
  };
  run(0, 0, src);                      // device memory -> scratchpad on channel 0
  run(KILN_DMA_COUNT - 1, 1, dst);     // scratchpad -> device memory on the last channel
  for (uint32_t r = 0; r < rows; ++r)
    for (uint32_t i = 0; i < dram_stride; ++i) {
      INFO("row " << r << " byte " << i);
      const uint8_t want = i < row_bytes ? *n.mem.at(src + r * dram_stride + i) : 0;
      CHECK(*n.mem.at(dst + r * dram_stride + i) == want);
    }
  CHECK(read64(n, KILN_REG_PERF_DMA_RD_BYTES_LO) == rows * row_bytes);
  CHECK(read64(n, KILN_REG_PERF_DMA_WR_BYTES_LO) == rows * row_bytes);
  CHECK(n.mem.beats_read == rows * row_bytes / 32);
  CHECK(read64(n, KILN_REG_PERF_DMA_BUSY_LO) > 0u);
}

namespace {

// Runs one DMA descriptor to completion (FW_EVENT.DMA_DONE cleared after).
void dma_run(Npu& n, uint32_t ch, uint32_t dir, uint32_t dram, uint32_t spad_byte, uint32_t row_bytes,
             uint32_t rows) {
  n.wr(KILN_REG_DMA_DRAM_ADDR_LO(ch), dram);
  n.wr(KILN_REG_DMA_SPAD_ADDR(ch), spad_byte);
  n.wr(KILN_REG_DMA_ROW_BYTES(ch), row_bytes);
  n.wr(KILN_REG_DMA_ROWS(ch), rows);
  n.wr(KILN_REG_DMA_DRAM_STRIDE(ch), row_bytes);
  n.wr(KILN_REG_DMA_SPAD_STRIDE(ch), row_bytes);
  n.wr(KILN_REG_DMA_CTRL(ch), dir);
  n.wr(KILN_REG_DMA_START(ch), 1);
  int guard = 0;
  while (n.rd(KILN_REG_DMA_STATUS(ch)) & KILN_DMA_STATUS_BUSY_MASK) REQUIRE(++guard < 2000);
  n.wr(KILN_REG_FW_EVENT, KILN_FW_EVENT_DMA_DONE_MASK);
}

uint32_t f32(float f) {
  uint32_t b;
  std::memcpy(&b, &f, 4);
  return b;
}

// VU registers for an FP32 op with src1 = immediate.
void vu_setup(Npu& n, uint32_t op, uint32_t rows, uint32_t cols, uint32_t src0, uint32_t src0_stride,
              uint32_t dst, uint32_t imm) {
  n.wr(KILN_REG_VU_OP(0), op);
  n.wr(KILN_REG_VU_FLAGS(0), KILN_VU_FLAGS_SRC0_FP32_MASK | KILN_VU_FLAGS_DST_FP32_MASK |
                                 (3u << KILN_VU_FLAGS_SRC1_MODE_SHIFT));
  n.wr(KILN_REG_VU_ROWS(0), rows);
  n.wr(KILN_REG_VU_COLS(0), cols);
  n.wr(KILN_REG_VU_SRC0_ADDR(0), src0);
  n.wr(KILN_REG_VU_SRC0_STRIDE(0), src0_stride);
  n.wr(KILN_REG_VU_DST_ADDR(0), dst);
  n.wr(KILN_REG_VU_DST_STRIDE(0), 2);
  n.wr(KILN_REG_VU_IMM(0), imm);
}

}  // namespace

TEST_CASE("vector unit: ADD immediate through the scratchpad, STATUS, FW_EVENT, PERF_VU_BUSY",
          "[npu_top][vu]") {
  Npu n;
  const uint32_t src = kDramBase + 0x1000, dst = kDramBase + 0x4000;
  const uint32_t rows = 3, cols = 16, row_bytes = cols * 4;  // FP32: 2 words per row
  for (uint32_t i = 0; i < rows * cols; ++i) {
    const uint32_t b = f32(float(i) * 0.25f - 3.0f);
    std::memcpy(n.mem.at(src + 4 * i), &b, 4);
  }
  dma_run(n, 0, 0, src, 0x2000, row_bytes, rows);  // to word 0x100
  CHECK(read64(n, KILN_REG_PERF_VU_BUSY_LO) == 0u);
  // dst in another bank (word 0x3000), two words per row.
  vu_setup(n, 0 /* ADD */, rows, cols, 0x100, 2, 0x3000, f32(1.5f));
  n.wr(KILN_REG_VU_START(0), 1);
  CHECK((n.rd(KILN_REG_STATUS) & KILN_STATUS_VU_BUSY_MASK) != 0u);
  // status_o (what run traces sample every cycle) is STATUS.
  CHECK(n.m->status_o == KILN_STATUS_VU_BUSY_MASK);
  int guard = 0;
  while (n.rd(KILN_REG_VU_STATUS(0)) & KILN_VU_STATUS_BUSY_MASK) REQUIRE(++guard < 2000);
  CHECK((n.rd(KILN_REG_STATUS) & KILN_STATUS_VU_BUSY_MASK) == 0u);
  CHECK(n.m->status_o == 0u);
  CHECK(n.rd(KILN_REG_FW_EVENT) == KILN_FW_EVENT_VU_DONE_MASK);
  CHECK(n.m->irq_fw_o == 1);
  n.wr(KILN_REG_FW_EVENT, KILN_FW_EVENT_VU_DONE_MASK);
  const uint64_t busy = read64(n, KILN_REG_PERF_VU_BUSY_LO);
  CHECK(busy > 0u);
  CHECK(busy < 200u);
  dma_run(n, KILN_DMA_COUNT - 1, 1, dst, 0x3000 * 32, row_bytes, rows);
  for (uint32_t i = 0; i < rows * cols; ++i) {
    INFO("element " << i);
    uint32_t got;
    std::memcpy(&got, n.mem.at(dst + 4 * i), 4);
    CHECK(got == f32(float(i) * 0.25f - 3.0f + 1.5f));
  }
}

TEST_CASE("soft reset aborts a running vector op", "[npu_top][vu]") {
  Npu n;
  // 4000 rows re-reading one row (stride 0): long enough to be caught busy.
  vu_setup(n, 8 /* COPY */, 4000, 16, 0x100, 0, 0x3000, 0);
  n.wr(KILN_REG_VU_DST_STRIDE(0), 0);
  n.wr(KILN_REG_VU_START(0), 1);
  for (int i = 0; i < 20; ++i) n.tick();
  REQUIRE((n.rd(KILN_REG_VU_STATUS(0)) & KILN_VU_STATUS_BUSY_MASK) != 0u);
  n.wr(KILN_REG_CTRL, KILN_CTRL_SOFT_RESET_MASK);
  int guard = 0;
  while (!(n.rd(KILN_REG_FW_EVENT) & KILN_FW_EVENT_RESET_MASK)) REQUIRE(++guard < 500);
  CHECK((n.rd(KILN_REG_STATUS) & (KILN_STATUS_VU_BUSY_MASK | KILN_STATUS_RESETTING_MASK)) == 0u);
  // After the reset the unit runs again.
  n.wr(KILN_REG_FW_EVENT, 0xFF);
  n.wr(KILN_REG_VU_ROWS(0), 2);
  n.wr(KILN_REG_VU_START(0), 1);
  guard = 0;
  while (n.rd(KILN_REG_VU_STATUS(0)) & KILN_VU_STATUS_BUSY_MASK) REQUIRE(++guard < 500);
  CHECK(n.rd(KILN_REG_FW_EVENT) & KILN_FW_EVENT_VU_DONE_MASK);
}

namespace {

struct ChCounters {
  uint64_t rd, wr, busy, stall;
};
ChCounters ch_counters(Npu& n, uint32_t ch) {
  return {read64(n, KILN_REG_DMA_PERF_RD_BYTES_LO(ch)), read64(n, KILN_REG_DMA_PERF_WR_BYTES_LO(ch)),
          read64(n, KILN_REG_DMA_PERF_BUSY_LO(ch)), read64(n, KILN_REG_DMA_PERF_STALL_LO(ch))};
}

// The invariants every channel keeps: one beat per busy cycle at most, and
// the channel sums are the totals.
void check_channel_identities(Npu& n) {
  uint64_t rd = 0, wr = 0, busy_max = 0, busy_sum = 0;
  for (uint32_t c = 0; c < KILN_DMA_PERF_COUNT; ++c) {
    INFO("channel " << c);
    const ChCounters k = ch_counters(n, c);
    CHECK(k.busy == k.stall + (k.rd + k.wr) / 32);
    rd += k.rd;
    wr += k.wr;
    busy_max = std::max(busy_max, k.busy);
    busy_sum += k.busy;
  }
  CHECK(rd == read64(n, KILN_REG_PERF_DMA_RD_BYTES_LO));
  CHECK(wr == read64(n, KILN_REG_PERF_DMA_WR_BYTES_LO));
  const uint64_t any = read64(n, KILN_REG_PERF_DMA_BUSY_LO);
  CHECK(any >= busy_max);
  CHECK(any <= busy_sum);
}

}  // namespace

TEST_CASE("per-channel DMA counters count only their own channel's traffic", "[npu_top][perf]") {
  Npu n;
  const uint32_t last = KILN_DMA_COUNT - 1;
  for (uint32_t c = 0; c < KILN_DMA_PERF_COUNT; ++c) CHECK(ch_counters(n, c).busy == 0u);
  dma_run(n, last, 0, kDramBase + 0x1000, 0x2000, 512, 4);  // 2 KiB load on the last channel
  const ChCounters l = ch_counters(n, last);
  CHECK(l.rd == 2048u);
  CHECK(l.wr == 0u);
  CHECK(l.stall > 0u);  // at least the AR issue and the final scratchpad write
  CHECK(l.busy == read64(n, KILN_REG_PERF_DMA_BUSY_LO));  // the only busy channel
  for (uint32_t c = 0; c < last; ++c) {
    const ChCounters o = ch_counters(n, c);
    CHECK(o.rd + o.wr + o.busy + o.stall == 0u);
  }
  dma_run(n, 0, 1, kDramBase + 0x8000, 0x2000, 1024, 1);  // 1 KiB store on channel 0
  CHECK(ch_counters(n, 0).wr == 1024u);
  CHECK(ch_counters(n, last).rd == 2048u);
  check_channel_identities(n);
}

TEST_CASE("two channels loading at once wait for each other's R beats", "[npu_top][perf]") {
  Npu n;
  if (KILN_DMA_COUNT < 2) return;
  auto start = [&](uint32_t ch, uint32_t dram, uint32_t spad) {
    n.wr(KILN_REG_DMA_DRAM_ADDR_LO(ch), dram);
    n.wr(KILN_REG_DMA_SPAD_ADDR(ch), spad);
    n.wr(KILN_REG_DMA_ROW_BYTES(ch), 4096);
    n.wr(KILN_REG_DMA_ROWS(ch), 2);
    n.wr(KILN_REG_DMA_DRAM_STRIDE(ch), 4096);
    n.wr(KILN_REG_DMA_SPAD_STRIDE(ch), 4096);
    n.wr(KILN_REG_DMA_CTRL(ch), 0);
    n.wr(KILN_REG_DMA_START(ch), 1);
  };
  dma_run(n, 0, 0, kDramBase, 0, 4096, 2);  // alone first: the uncontended stall
  const uint64_t alone = ch_counters(n, 0).stall;
  start(0, kDramBase, 0);
  start(1, kDramBase + 0x10000, 0x10000);
  int guard = 0;
  while (n.rd(KILN_REG_STATUS) & KILN_STATUS_DMA_BUSY_MASK) REQUIRE(++guard < 5000);
  const ChCounters a = ch_counters(n, 0), b = ch_counters(n, 1);
  CHECK(a.rd == 2 * 8192u);
  CHECK(b.rd == 8192u);
  // One R channel: while both are busy, every cycle at most one of them gets
  // a beat. Channel 1 starts a few CSR writes later, so the two overlap for
  // most of one channel's 256 beats (which one waits is the memory's choice).
  INFO("alone " << alone << ", together " << a.stall - alone << " + " << b.stall);
  CHECK((a.stall - alone) + b.stall > 8192u / 32 / 2);
  CHECK((a.stall - alone) + b.stall > 10 * alone);
  check_channel_identities(n);
}

TEST_CASE("PERF_VU_STALL: a few cycles without conflicts, one per beat in place", "[npu_top][vu][perf]") {
  Npu n;
  const uint32_t rows = 16, cols = 64, beats = rows * cols / 8;
  // src0 in bank 0, dst in bank 3: the only stall waits for the first words.
  vu_setup(n, 0 /* ADD */, rows, cols, 0x100, 8, 0x3000, f32(1.0f));
  n.wr(KILN_REG_VU_DST_STRIDE(0), 8);
  n.wr(KILN_REG_VU_START(0), 1);
  int guard = 0;
  while (n.rd(KILN_REG_VU_STATUS(0)) & KILN_VU_STATUS_BUSY_MASK) REQUIRE(++guard < 2000);
  const uint64_t free_stall = read64(n, KILN_REG_PERF_VU_STALL_LO);
  const uint64_t free_busy = read64(n, KILN_REG_PERF_VU_BUSY_LO);
  INFO("conflict-free: busy " << free_busy << " stall " << free_stall);
  CHECK(free_stall > 0u);
  CHECK(free_stall <= 4u);
  CHECK(free_busy == beats + 20u);
  // In place (FP32 src0 = dst): reads and writes share one bank, a beat every
  // other cycle once the first results come out; before that (~16 lane
  // stages) the reads run ahead unopposed.
  vu_setup(n, 0, rows, cols, 0x100, 8, 0x100, f32(1.0f));
  n.wr(KILN_REG_VU_DST_STRIDE(0), 8);
  n.wr(KILN_REG_VU_START(0), 1);
  guard = 0;
  while (n.rd(KILN_REG_VU_STATUS(0)) & KILN_VU_STATUS_BUSY_MASK) REQUIRE(++guard < 2000);
  const uint64_t stall = read64(n, KILN_REG_PERF_VU_STALL_LO) - free_stall;
  const uint64_t busy = read64(n, KILN_REG_PERF_VU_BUSY_LO) - free_busy;
  INFO("in place: busy " << busy << " stall " << stall);
  CHECK(stall >= beats - 20);
  CHECK(stall <= beats + 8);
  CHECK(busy - stall == free_busy - free_stall);  // the same beats and pipeline, plus the stalls
}
