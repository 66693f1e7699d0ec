// The generated kiln_csr_regs slave, driven over AXI4-Lite. Offsets come from
// the generated kiln_regs.h, so these tests also check that the C view and
// the RTL agree.
#include <catch2/catch.hpp>

#include <memory>

#include "Vkiln_csr_regs.h"
#include "axil_driver.h"
#include "kiln_hw.h"
#include "kiln_regs.h"
#include "verilated.h"

using kiln_test::AxilMaster;
using kiln_test::Clock;
using kiln_test::kRespOkay;
using kiln_test::kRespSlvErr;

namespace {

struct Bench {
  VerilatedContext ctx;
  std::unique_ptr<Vkiln_csr_regs> m{new Vkiln_csr_regs{&ctx}};
  Clock<Vkiln_csr_regs> clk{*m};
  AxilMaster<Vkiln_csr_regs> bus{*m, clk};
  Bench() {
    m->clk_i = 0;
    clk.reset();
  }
};

}  // namespace

TEST_CASE("reset values and const registers", "[csr]") {
  Bench b;
  CHECK(b.bus.read32(KILN_REG_ID) == KILN_ID_RESET_VALUE);
  CHECK(KILN_ID_RESET_VALUE == 0x4B494C4Eu);
  CHECK(b.bus.read32(KILN_REG_VERSION) == KILN_VERSION_RESET_VALUE);
  CHECK(b.bus.read32(KILN_REG_QUEUE_TAIL) == 0);
  CHECK(b.bus.read32(KILN_REG_IRQ_STATUS) == 0);
  CHECK(b.m->queue_base_lo_q_o == 0);
  // Writing a const register is accepted and ignored.
  CHECK(b.bus.write(KILN_REG_ID, 0x12345678) == kRespOkay);
  CHECK(b.bus.read32(KILN_REG_ID) == 0x4B494C4Eu);
}

TEST_CASE("rw registers: value reaches the port, wstrb selects bytes", "[csr]") {
  Bench b;
  CHECK(b.bus.write(KILN_REG_QUEUE_TAIL, 0xDEADBEEF) == kRespOkay);
  CHECK(b.m->queue_tail_q_o == 0xDEADBEEFu);
  CHECK(b.bus.read32(KILN_REG_QUEUE_TAIL) == 0xDEADBEEFu);
  CHECK(b.bus.write(KILN_REG_QUEUE_TAIL, 0x11223344, 0x5) == kRespOkay);
  CHECK(b.bus.read32(KILN_REG_QUEUE_TAIL) == 0xDE22BE44u);
  CHECK(b.bus.write(KILN_REG_QUEUE_TAIL, 0x0, 0x0) == kRespOkay);
  CHECK(b.bus.read32(KILN_REG_QUEUE_TAIL) == 0xDE22BE44u);
  // Registers with fields keep only the declared bits.
  CHECK(b.bus.write(KILN_REG_IRQ_ENABLE, 0xFFFFFFFF) == kRespOkay);
  CHECK(b.bus.read32(KILN_REG_IRQ_ENABLE) ==
        (KILN_IRQ_ENABLE_FENCE_MASK | KILN_IRQ_ENABLE_ERROR_MASK | KILN_IRQ_ENABLE_RESET_DONE_MASK));
  // Neighbouring registers are untouched.
  CHECK(b.bus.read32(KILN_REG_QUEUE_HEAD) == 0);
  CHECK(b.bus.read32(KILN_REG_QUEUE_SIZE) == 0);
}

TEST_CASE("AW and W may arrive in any order and with back-pressure", "[csr]") {
  Bench b;
  CHECK(b.bus.write(KILN_REG_FENCE_VALUE, 1, 0xF, 3, 0) == kRespOkay);
  CHECK(b.bus.read32(KILN_REG_FENCE_VALUE) == 1);
  CHECK(b.bus.write(KILN_REG_FENCE_VALUE, 2, 0xF, 0, 4) == kRespOkay);
  CHECK(b.bus.read32(KILN_REG_FENCE_VALUE) == 2);
  CHECK(b.bus.write(KILN_REG_FENCE_VALUE, 3, 0xF, 0, 0, 5) == kRespOkay);
  CHECK(b.bus.read(KILN_REG_FENCE_VALUE, 6).data == 3);
}

TEST_CASE("ro registers follow the hardware input; writes are ignored", "[csr]") {
  Bench b;
  b.m->status_d_i = 0x25;
  b.m->hwcfg_d_i = 0x80241010;
  CHECK(b.bus.read32(KILN_REG_STATUS) == 0x25u);
  CHECK(b.bus.read32(KILN_REG_HWCFG) == 0x80241010u);
  CHECK(b.bus.write(KILN_REG_STATUS, 0) == kRespOkay);
  CHECK(b.bus.read32(KILN_REG_STATUS) == 0x25u);
}

TEST_CASE("w1c: hardware sets, software clears, a set wins over a clear", "[csr]") {
  Bench b;
  b.m->irq_status_set_i = 0x5;
  b.clk.tick();
  b.m->irq_status_set_i = 0;
  CHECK(b.m->irq_status_q_o == 0x5u);
  CHECK(b.bus.read32(KILN_REG_IRQ_STATUS) == 0x5u);
  CHECK(b.bus.write(KILN_REG_IRQ_STATUS, KILN_IRQ_STATUS_FENCE_MASK) == kRespOkay);
  CHECK(b.bus.read32(KILN_REG_IRQ_STATUS) == 0x4u);
  // Strobes apply to the clear too.
  CHECK(b.bus.write(KILN_REG_IRQ_STATUS, 0xFFFFFFFF, 0x2) == kRespOkay);
  CHECK(b.bus.read32(KILN_REG_IRQ_STATUS) == 0x4u);
  // Set held high during the whole clearing write: the bit stays.
  b.m->irq_status_set_i = 0x4;
  CHECK(b.bus.write(KILN_REG_IRQ_STATUS, 0x4) == kRespOkay);
  b.m->irq_status_set_i = 0;
  CHECK(b.bus.read32(KILN_REG_IRQ_STATUS) == 0x4u);
  CHECK(b.bus.write(KILN_REG_IRQ_STATUS, 0x4) == kRespOkay);
  CHECK(b.bus.read32(KILN_REG_IRQ_STATUS) == 0u);
  // Bits outside the fields never set.
  b.m->fw_event_set_i = 0xFFFFFFFF;
  b.clk.tick();
  b.m->fw_event_set_i = 0;
  CHECK(b.bus.read32(KILN_REG_FW_EVENT) ==
        (KILN_FW_EVENT_DOORBELL_MASK | KILN_FW_EVENT_RESET_MASK | KILN_FW_EVENT_DMA_DONE_MASK |
         KILN_FW_EVENT_TC_DONE_MASK | KILN_FW_EVENT_VU_DONE_MASK));
}

TEST_CASE("wo: one-cycle pulse with the data, reads return 0", "[csr]") {
  Bench b;
  int pulses = 0;
  uint32_t seen = 0;
  b.clk.on_cycle = [&] {
    if (b.m->doorbell_we_o) {
      ++pulses;
      seen = b.m->doorbell_wdata_o;
    }
    CHECK(b.m->ctrl_we_o == 0);
  };
  CHECK(b.bus.write(KILN_REG_DOORBELL, 0xCAFE0001) == kRespOkay);
  for (int i = 0; i < 4; ++i) b.clk.tick();
  CHECK(pulses == 1);
  CHECK(seen == 0xCAFE0001u);
  CHECK(b.bus.read32(KILN_REG_DOORBELL) == 0u);
}

TEST_CASE("register groups map onto unpacked-array ports", "[csr]") {
  Bench b;
  REQUIRE(KILN_DMA_COUNT == KILN_HW_DMA_CHANNELS);
  for (uint32_t c = 0; c < KILN_DMA_COUNT; ++c) {
    CHECK(b.bus.write(KILN_REG_DMA_SPAD_ADDR(c), 0x100 * (c + 1)) == kRespOkay);
    CHECK(b.bus.write(KILN_REG_DMA_ROWS(c), 7 + c) == kRespOkay);
  }
  for (uint32_t c = 0; c < KILN_DMA_COUNT; ++c) {
    CHECK(b.m->dma_spad_addr_q_o[c] == 0x100 * (c + 1));
    CHECK(b.m->dma_rows_q_o[c] == 7 + c);
    CHECK(b.bus.read32(KILN_REG_DMA_SPAD_ADDR(c)) == 0x100 * (c + 1));
  }
  int starts[KILN_DMA_COUNT] = {};
  b.clk.on_cycle = [&] {
    for (uint32_t c = 0; c < KILN_DMA_COUNT; ++c) starts[c] += b.m->dma_start_we_o[c];
  };
  CHECK(b.bus.write(KILN_REG_DMA_START(1), 1) == kRespOkay);
  b.clk.tick();
  CHECK(starts[0] == 0);
  CHECK(starts[1] == 1);
  b.m->dma_status_d_i[0] = 0x3;
  b.m->dma_status_d_i[1] = 0xD;
  b.m->dma_err_addr_d_i[1] = 0x80001000;
  CHECK(b.bus.read32(KILN_REG_DMA_STATUS(0)) == 0x3u);
  CHECK(b.bus.read32(KILN_REG_DMA_STATUS(1)) == 0xDu);
  CHECK(b.bus.read32(KILN_REG_DMA_ERR_ADDR(1)) == 0x80001000u);
  CHECK(b.bus.write(KILN_REG_TC_M(0), 33) == kRespOkay);
  CHECK(b.m->tc_m_q_o[0] == 33u);
  CHECK(b.bus.write(KILN_REG_TC_OP(0), 0xFFFFFFFF) == kRespOkay);
  CHECK(b.bus.read32(KILN_REG_TC_OP(0)) ==
        (KILN_TC_OP_OPCODE_MASK | KILN_TC_OP_DTYPE_MASK | KILN_TC_OP_ACCUMULATE_MASK |
         KILN_TC_OP_OUT_FP32_MASK | KILN_TC_OP_B_TRANSPOSED_MASK));
}

TEST_CASE("unmapped offsets answer SLVERR", "[csr]") {
  Bench b;
  const uint32_t holes[] = {0x014, 0x038, 0x0FC, KILN_REG_DMA_ERR_ADDR(0) + 4,
                            KILN_REG_DMA_SPAD_ADDR(KILN_DMA_COUNT), KILN_REG_TC_STATUS(0) + 4,
                            0x1000, 0xFFFC};
  for (uint32_t a : holes) {
    INFO("offset 0x" << std::hex << a);
    const auto r = b.bus.read(a);
    CHECK(r.resp == kRespSlvErr);
    CHECK(r.data == 0u);
    CHECK(b.bus.write(a, 0xFFFFFFFF) == kRespSlvErr);
  }
  // The slave still works after errors.
  CHECK(b.bus.read(KILN_REG_ID).resp == kRespOkay);
}

TEST_CASE("reading a 64-bit counter's LO latches its HI", "[csr]") {
  Bench b;
  b.m->perf_cycles_lo_d_i = 0xFFFFFFFF;
  b.m->perf_cycles_hi_d_i = 1;
  CHECK(b.bus.read32(KILN_REG_PERF_CYCLES_LO) == 0xFFFFFFFFu);
  // The counter carries between the two reads: HI still matches LO.
  b.m->perf_cycles_lo_d_i = 0;
  b.m->perf_cycles_hi_d_i = 2;
  CHECK(b.bus.read32(KILN_REG_PERF_CYCLES_HI) == 1u);
  CHECK(b.bus.read32(KILN_REG_PERF_CYCLES_LO) == 0u);
  CHECK(b.bus.read32(KILN_REG_PERF_CYCLES_HI) == 2u);
  // Each pair has its own latch.
  b.m->perf_macs_hi_d_i = 9;
  CHECK(b.bus.read32(KILN_REG_PERF_MACS_HI) == 0u);
  b.bus.read32(KILN_REG_PERF_MACS_LO);
  CHECK(b.bus.read32(KILN_REG_PERF_MACS_HI) == 9u);
  CHECK(b.bus.read32(KILN_REG_PERF_CYCLES_HI) == 2u);
}

TEST_CASE("DMA_PERF counters latch HI per channel instance", "[csr]") {
  Bench b;
  const unsigned last = KILN_DMA_PERF_COUNT - 1;
  b.m->dma_perf_stall_lo_d_i[last] = 7;
  b.m->dma_perf_stall_hi_d_i[last] = 3;
  b.m->dma_perf_stall_hi_d_i[0] = 5;
  CHECK(b.bus.read32(KILN_REG_DMA_PERF_STALL_LO(last)) == 7u);
  b.m->dma_perf_stall_hi_d_i[last] = 4;
  CHECK(b.bus.read32(KILN_REG_DMA_PERF_STALL_HI(last)) == 3u);  // latched by the LO read
  if (last != 0) CHECK(b.bus.read32(KILN_REG_DMA_PERF_STALL_HI(0)) == 0u);  // channel 0's latch untouched
  b.m->dma_perf_rd_bytes_lo_d_i[0] = 0x100;
  CHECK(b.bus.read32(KILN_REG_DMA_PERF_RD_BYTES_LO(0)) == 0x100u);
  // Writes to the read-only counters change nothing.
  CHECK(b.bus.write(KILN_REG_DMA_PERF_RD_BYTES_LO(0), 0) == kiln_test::kRespOkay);
  CHECK(b.bus.read32(KILN_REG_DMA_PERF_RD_BYTES_LO(0)) == 0x100u);
}
