// Per-unit performance counters of the fast model against the RTL: the same
// DMA and vector-unit register sequences on both NPUs of one platform. Bytes
// must be equal; busy and stall cycles follow the fast model's timing rules
// (docs/fast_model.md), so they are compared within a tolerance.
#include <catch2/catch.hpp>

#include <cstdio>
#include <string>

#include "Vkiln_npu_top.h"
#include "kiln_hw.h"
#include "kiln_regs.h"
#include "platform.h"
#include "verilated_model.h"

using namespace kiln;

namespace {

Platform* g_platform = nullptr;
bool g_done = false;

struct Counters {
  uint64_t rd[KILN_DMA_PERF_COUNT], wr[KILN_DMA_PERF_COUNT], busy[KILN_DMA_PERF_COUNT],
      stall[KILN_DMA_PERF_COUNT];
  uint64_t rd_total, wr_total, vu_busy, vu_stall;
};
// Per step (after each step of the sequence), per NPU: 0 = RTL, 1 = fast.
constexpr int kSteps = 4;
Counters g_c[2][kSteps];

void sequence(int which, Npu& npu) {
  auto rd = [&](uint32_t off) {
    uint32_t v = 0;
    npu.csr_access(false, off, 0, &v);
    return v;
  };
  auto wr = [&](uint32_t off, uint32_t v) { npu.csr_access(true, off, v, nullptr); };
  auto rd64 = [&](uint32_t lo) {
    const uint64_t l = rd(lo);
    return l | (uint64_t(rd(lo + 4)) << 32);
  };
  auto dma = [&](uint32_t ch, uint32_t dir, uint32_t dram, uint32_t spad, uint32_t row_bytes, uint32_t rows) {
    wr(KILN_REG_DMA_DRAM_ADDR_LO(ch), dram);
    wr(KILN_REG_DMA_SPAD_ADDR(ch), spad);
    wr(KILN_REG_DMA_ROW_BYTES(ch), row_bytes);
    wr(KILN_REG_DMA_ROWS(ch), rows);
    wr(KILN_REG_DMA_DRAM_STRIDE(ch), row_bytes * 2);  // every other row: not one long burst
    wr(KILN_REG_DMA_SPAD_STRIDE(ch), row_bytes);
    wr(KILN_REG_DMA_CTRL(ch), dir);
    wr(KILN_REG_DMA_START(ch), 1);
  };
  auto wait_idle = [&] {
    while (rd(KILN_REG_STATUS) & (KILN_STATUS_DMA_BUSY_MASK | KILN_STATUS_VU_BUSY_MASK)) {
    }
    wr(KILN_REG_FW_EVENT, 0xFFFFFFFFu);
  };
  auto vu = [&](uint32_t src0, uint32_t dst) {  // FP32 ADD immediate, 32 rows x 64 columns
    wr(KILN_REG_VU_OP(0), 0);
    wr(KILN_REG_VU_FLAGS(0), KILN_VU_FLAGS_SRC0_FP32_MASK | KILN_VU_FLAGS_DST_FP32_MASK |
                                 (3u << KILN_VU_FLAGS_SRC1_MODE_SHIFT));
    wr(KILN_REG_VU_ROWS(0), 32);
    wr(KILN_REG_VU_COLS(0), 64);
    wr(KILN_REG_VU_SRC0_ADDR(0), src0);
    wr(KILN_REG_VU_SRC0_STRIDE(0), 8);
    wr(KILN_REG_VU_DST_ADDR(0), dst);
    wr(KILN_REG_VU_DST_STRIDE(0), 8);
    wr(KILN_REG_VU_IMM(0), 0x3F800000u);
    wr(KILN_REG_VU_START(0), 1);
  };
  auto snap = [&](int step) {
    Counters& c = g_c[which][step];
    for (uint32_t ch = 0; ch < KILN_DMA_PERF_COUNT; ++ch) {
      c.rd[ch] = rd64(KILN_REG_DMA_PERF_RD_BYTES_LO(ch));
      c.wr[ch] = rd64(KILN_REG_DMA_PERF_WR_BYTES_LO(ch));
      c.busy[ch] = rd64(KILN_REG_DMA_PERF_BUSY_LO(ch));
      c.stall[ch] = rd64(KILN_REG_DMA_PERF_STALL_LO(ch));
    }
    c.rd_total = rd64(KILN_REG_PERF_DMA_RD_BYTES_LO);
    c.wr_total = rd64(KILN_REG_PERF_DMA_WR_BYTES_LO);
    c.vu_busy = rd64(KILN_REG_PERF_VU_BUSY_LO);
    c.vu_stall = rd64(KILN_REG_PERF_VU_STALL_LO);
  };
  const uint32_t last = KILN_DMA_COUNT - 1, dram = uint32_t(KILN_HW_DRAM_BASE) + 0x100000;
  dma(last, 0, dram, 0x4000, 2048, 16);  // 32 KiB load on the last channel only
  wait_idle();
  snap(0);
  dma(0, 1, dram + 0x40000, 0x4000, 1024, 8);  // 8 KiB store on channel 0 ...
  dma(last, 0, dram, 0x20000, 4096, 4);        // ... while the last channel loads 16 KiB
  wait_idle();
  snap(1);
  vu(0x200, 0x3200);  // conflict-free
  wait_idle();
  snap(2);
  vu(0x200, 0x200);  // in place: one bank for the reads and the writes
  wait_idle();
  snap(3);
}

void both_sequences() {
  sequence(0, *g_platform->island);
  sequence(1, *g_platform->fast);
  g_done = true;
}

// |fast - rtl| within rel of rtl, or within abs cycles.
bool near(uint64_t fast, uint64_t rtl, double rel, uint64_t abs) {
  const double d = fast > rtl ? double(fast - rtl) : double(rtl - fast);
  return d <= abs || d <= rel * double(rtl);
}

}  // namespace

TEST_CASE("fast_counters_vs_rtl") {
  std::string err;
  PlatformOptions o;
  o.npu = "both";
  auto h = create_platform_host(std::make_unique<VerilatedRtlModel<Vkiln_npu_top>>(), &both_sequences, o, &err);
  REQUIRE(h);
  g_platform = h->impl().platform.get();
  uint8_t b[4];
  for (int i = 0; i < 100000 && !g_done; ++i) REQUIRE(h->mem_read(KILN_HW_DRAM_BASE, b, 4, &err));
  REQUIRE(g_done);
  const uint32_t last = KILN_DMA_COUNT - 1;
  for (int s = 0; s < kSteps; ++s) {
    for (int w = 0; w < 2; ++w) {
      const Counters& c = g_c[w][s];
      uint64_t rd = 0, wr = 0;
      for (uint32_t ch = 0; ch < KILN_DMA_PERF_COUNT; ++ch) {
        std::printf("%s step %d dma ch%u rd %llu wr %llu busy %llu stall %llu\n", w ? "fast" : "rtl ", s, ch,
                    (unsigned long long)c.rd[ch], (unsigned long long)c.wr[ch], (unsigned long long)c.busy[ch],
                    (unsigned long long)c.stall[ch]);
        INFO((w ? "fast" : "rtl") << " step " << s << " channel " << ch);
        CHECK(c.busy[ch] == c.stall[ch] + (c.rd[ch] + c.wr[ch]) / 32);
        rd += c.rd[ch];
        wr += c.wr[ch];
      }
      std::printf("%s step %d vu busy %llu stall %llu\n", w ? "fast" : "rtl ", s, (unsigned long long)c.vu_busy,
                  (unsigned long long)c.vu_stall);
      CHECK(rd == c.rd_total);
      CHECK(wr == c.wr_total);
    }
    // Timing is compared per step (the step's increments), bytes cumulatively.
    const Counters &r = g_c[0][s], &f = g_c[1][s];
    const Counters zero{};
    const Counters &r0 = s ? g_c[0][s - 1] : zero, &f0 = s ? g_c[1][s - 1] : zero;
    // A channel alone: the burst timing's accuracy. A load and a store at
    // once (step 1): the model shifts waiting from the store to the load
    // (measured: store busy -26 %, load busy +38 %, load stall 2.5x;
    // docs/fast_model.md), so per channel only busy, loosely, and the sum.
    const bool mixed = s == 1;
    const double tol_busy = mixed ? 0.40 : 0.10;
    uint64_t rsum = 0, fsum = 0;
    for (uint32_t ch = 0; ch < KILN_DMA_PERF_COUNT; ++ch) {
      const uint64_t rb = r.busy[ch] - r0.busy[ch], fb = f.busy[ch] - f0.busy[ch];
      const uint64_t rs = r.stall[ch] - r0.stall[ch], fs = f.stall[ch] - f0.stall[ch];
      INFO("step " << s << " channel " << ch << ": busy rtl " << rb << " fast " << fb << ", stall rtl " << rs
                   << " fast " << fs);
      CHECK(f.rd[ch] == r.rd[ch]);  // bytes are exact
      CHECK(f.wr[ch] == r.wr[ch]);
      CHECK(near(fb, rb, tol_busy, 16));
      // Stall within 25 %: the model's bursts follow each other without a gap
      // on the R channel, which the correlation sweep's dma_* and GEMV cases
      // measure exactly (docs/fast_model.md); under this sequence's back-to-back
      // STATUS polling the RTL loses ~8 more cycles per 64-beat burst (step 0:
      // stall 604 vs 466), not yet explained.
      if (!mixed) CHECK(near(fs, rs, 0.25, 16));
      rsum += rb;
      fsum += fb;
    }
    CHECK(near(fsum, rsum, 0.15, 16));
    // The bank rule charges a conflicting op from its first beat; the RTL's
    // reads run ahead while the lanes fill (docs/fast_model.md): up to ~16.
    const uint64_t rvb = r.vu_busy - r0.vu_busy, fvb = f.vu_busy - f0.vu_busy;
    const uint64_t rvs = r.vu_stall - r0.vu_stall, fvs = f.vu_stall - f0.vu_stall;
    INFO("step " << s << ": vu busy rtl " << rvb << " fast " << fvb << ", stall rtl " << rvs << " fast " << fvs);
    CHECK(near(fvb, rvb, 0.0, 20));
    CHECK(near(fvs, rvs, 0.0, 20));
  }
  // The first load moved only on the last channel.
  CHECK(g_c[0][0].rd[last] == 32768u);
  for (uint32_t ch = 0; ch < last; ++ch) CHECK(g_c[0][0].busy[ch] == 0u);
  // The in-place op stalls about once per beat (256 beats), the other hardly.
  CHECK(g_c[0][2].vu_stall - g_c[0][1].vu_stall < 8u);
  CHECK(g_c[0][3].vu_stall - g_c[0][2].vu_stall > 200u);
}
