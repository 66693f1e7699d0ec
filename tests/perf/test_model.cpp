// The analytical performance model on hand-built command streams: every
// mechanism it models moves the prediction the way the RTL does (the exact
// numbers are checked against the RTL by perf.correlate_rtl), and bad streams
// and bad hardware keys are refused with a message.
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>

#include <cstring>
#include <vector>

#include "kiln/perf/model.h"
#include "kiln_cmds.h"

using kiln::perf::HwConfig;
using kiln::perf::predict;

namespace {

struct Stream {
  std::vector<uint32_t> w;
  uint32_t* add(uint32_t op) {
    w.resize(w.size() + 16, 0);
    uint32_t* c = &w[w.size() - 16];
    c[0] = kiln_cmd_header(op);
    return c;
  }
  void dma(uint32_t ch, bool store, uint32_t spad, uint32_t row_bytes, uint32_t rows) {
    uint32_t* c = add(KILN_OP_DMA);
    c[1] = ch | (store ? 1u << 8 : 0);
    c[2] = 0x80000000u;
    c[4] = spad;
    c[5] = row_bytes;
    c[6] = rows;
    c[7] = row_bytes;
    c[8] = row_bytes;
  }
  void gemm(uint32_t m, uint32_t n, uint32_t k) {
    uint32_t* c = add(KILN_OP_GEMM);
    c[2] = 8192;  // A in bank 2
    c[3] = (k + 15) / 16;
    c[4] = 0;
    c[5] = (n + 15) / 16;
    c[7] = m;
    c[8] = n;
    c[9] = k;
  }
  void vector_copy(uint32_t src, uint32_t dst, uint32_t rows, uint32_t cols) {
    uint32_t* c = add(KILN_OP_VECTOR);
    c[1] = 8;                      // COPY
    c[2] = 1 | 4 | (3u << 4);      // FP32 in and out, src1 immediate
    c[3] = rows;
    c[4] = cols;
    c[5] = src;
    c[6] = cols / 8;
    c[10] = dst;
    c[11] = cols / 8;
  }
  void fence() { add(KILN_OP_FENCE)[1] = 1; }
  kiln::perf::Prediction run(const HwConfig& hw = HwConfig::from_build()) const {
    return predict(hw, w.data(), w.size() / 16);
  }
};

}  // namespace

TEST_CASE("tensor-core tile cost: weight-load bound below 2R+1 rows, row bound above", "[model]") {
  const HwConfig hw = HwConfig::from_build();
  // 256 tiles; per tile max(M, (M + 33) / 2) on the 16 x 16 array.
  CHECK(kiln::perf::gemm_cost(hw, 1, 256, 256).compute == 256 * 17);
  CHECK(kiln::perf::gemm_cost(hw, 16, 256, 256).compute == 256 * 49 / 2);
  CHECK(kiln::perf::gemm_cost(hw, 33, 256, 256).compute == 256 * 33);
  CHECK(kiln::perf::gemm_cost(hw, 64, 256, 256).compute == 256 * 64);
  CHECK(kiln::perf::gemm_cost(hw, 64, 256, 256).fill == 53);
  CHECK(kiln::perf::gemm_cost(hw, 1, 256, 256).fill == 36);
  CHECK(kiln::perf::writeback_cost(hw, 10, 40, false).compute == 10 * 3);
  CHECK(kiln::perf::writeback_cost(hw, 10, 40, true).compute == 10 * 5);
}

TEST_CASE("firmware control: every command costs its fetch and register accesses", "[model]") {
  Stream a, b;
  for (int i = 0; i < 10; ++i) a.add(KILN_OP_NOP);
  for (int i = 0; i < 20; ++i) b.add(KILN_OP_NOP);
  a.fence();
  b.fence();
  const auto pa = a.run(), pb = b.run();
  REQUIRE(pa.error.empty());
  const uint64_t per_nop = (pb.cycles - pa.cycles) / 10;
  CHECK((pb.cycles - pa.cycles) % 10 == 0);
  // QUEUE_TAIL read, FW_EVENT read, the fetch (router + DRAM latency + a
  // cycle of transfer), QUEUE_HEAD write.
  CHECK(per_nop == 2 + 2 + 2 + 100 + 1 + 3);
  CHECK(pa.commands.back().what == "FENCE + IRQ");
}

TEST_CASE("DMA: one beat a cycle after the DRAM latency; channels share the R data path", "[model]") {
  Stream one, two;
  one.dma(0, false, 0, 4096, 16);
  one.fence();
  two.dma(0, false, 0, 4096, 16);
  two.dma(1, false, 256 * 1024, 4096, 16);
  two.fence();
  const auto p1 = one.run(), p2 = two.run();
  const auto& d = p1.commands[0];
  CHECK(d.end - d.start >= 16 * 128);
  CHECK(d.end - d.start <= 16 * 128 + 200);  // + latency, issue and done delays
  CHECK(p2.cycles >= p1.cycles + 16 * 128 - 200);  // the second channel waits for R beats
  CHECK(p1.dma_bytes == 16 * 4096);
}

TEST_CASE("scratchpad banks: a vector op sharing a bank with a DMA load yields to it", "[model]") {
  Stream apart, shared;
  // A 64 KiB load into bank 1 (words 4096..) or bank 0, then a copy within bank 0.
  apart.dma(0, false, 4096 * 32, 4096, 16);
  apart.vector_copy(0, 2048, 32, 512);
  apart.fence();
  shared.dma(0, false, 1024 * 32, 4096, 16);
  shared.vector_copy(0, 2048, 32, 512);
  shared.fence();
  const auto pa = apart.run(), ps = shared.run();
  CHECK(pa.commands[1].contention == 0);
  CHECK(ps.commands[1].contention > 500);
  CHECK(ps.cycles > pa.cycles);
}

TEST_CASE("the tensor core wins its banks over a DMA transfer", "[model]") {
  Stream s;
  s.gemm(32, 256, 1024);               // A streams from bank 2 nearly every cycle
  s.dma(0, false, 8192 * 32 + 4096 * 32 / 2, 4096, 8);  // a load into the other half of bank 2
  s.fence();
  const auto p = s.run();
  CHECK(p.commands[1].contention > 1000);
}

TEST_CASE("bad streams are refused with the command's index", "[model][errors]") {
  Stream s;
  s.add(KILN_OP_NOP);
  s.add(0x3f);
  const auto p = s.run();
  CHECK(p.error == "command 1: unknown opcode 0x3f");
  Stream c;
  c.dma(3, false, 0, 64, 1);
  CHECK(c.run().error == "command 0: DMA channel 3, the hardware has 2");
}

TEST_CASE("hardware keys: values checked, unknown keys named", "[model][errors]") {
  HwConfig h = HwConfig::from_build();
  std::string err;
  CHECK(h.set("tc=32x32", &err));
  CHECK(h.tc_rows == 32);
  CHECK(h.word_bytes == 64);
  CHECK(h.set("dram_gbps=128", &err));
  CHECK(h.dram_bytes_per_cycle == Approx(128.0));
  CHECK(h.set("clock_mhz=2000", &err));
  CHECK(h.dram_bytes_per_cycle == Approx(64.0));  // GB/s kept, bytes per cycle halved
  CHECK_FALSE(h.set("tc=33", &err));
  CHECK(err.find("tc is tensor-core array RxC") != std::string::npos);
  CHECK_FALSE(h.set("spad_kib=12", &err));
  CHECK_FALSE(h.set("warp_drive=9", &err));
  CHECK(err.find("unknown hardware key 'warp_drive'") != std::string::npos);
  CHECK(err.find("spad_kib") != std::string::npos);
}
