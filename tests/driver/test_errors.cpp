// Device errors, halted state, reset, timeouts.
#include "kiln_cmds.h"
#include "kiln_regs.h"
#include "test_util.h"

using Catch::Matchers::Contains;
using Catch::Matchers::Equals;

TEST_CASE("device error: status, message and kiln_device_error", "[errors]") {
  MockDevice d;
  kiln_buffer b;
  REQUIRE(kiln_alloc(d, 4096, 0, &b) == KILN_OK);
  CmdBuf first, second;
  REQUIRE(kiln_cmd_nop(first) == KILN_OK);
  REQUIRE(kiln_cmd_nop(second) == KILN_OK);
  REQUIRE(kiln_cmd_dma(second, 1, 0, b.addr, 0, 4096, 1, 0, 0) == KILN_OK);
  uint64_t f1 = 0, f2 = 0;
  REQUIRE(kiln_submit(d, first, 0, &f1) == KILN_OK);
  REQUIRE(kiln_wait(d, f1, 0) == KILN_OK);
  // The DMA of submission 2 gets a DECERR (as if the interconnect had no target).
  d.mock->fail_on_opcode(KILN_OP_DMA, KILN_ERR_DMA_DECERR, 0x20000000);
  REQUIRE(kiln_submit(d, second, 0, &f2) == KILN_OK);
  CHECK(kiln_wait(d, f2, 0) == KILN_ERR_DEVICE);
  CHECK_THAT(d.err(), Equals("kiln_wait: device error DMA_DECERR (8) at address 0x20000000, "
                             "command 1 (DMA) of submission 2"));
  kiln_device_error_info e{};
  REQUIRE(kiln_device_error(d, &e) == KILN_OK);
  CHECK(e.code == KILN_ERR_DMA_DECERR);
  CHECK(e.addr == 0x20000000);
  CHECK(e.cmd_offset == 128 + 64);  // submission 1 took 2 slots
  CHECK(e.cmd_index == 1);
  // The ERROR interrupt was acknowledged; the halt persists until reset.
  CHECK((d.mock->reg(KILN_REG_IRQ_STATUS) & KILN_IRQ_STATUS_ERROR_MASK) == 0);
  CHECK(kiln_wait(d, f1, 0) == KILN_OK);  // completed before the error
  CHECK(kiln_wait(d, f2, 0) == KILN_ERR_DEVICE);
}

TEST_CASE("halted device refuses submissions until reset", "[errors]") {
  MockDevice d;
  CmdBuf cb;
  REQUIRE(kiln_cmd_nop(cb) == KILN_OK);
  d.mock->fail_on_opcode(KILN_OP_NOP, KILN_ERR_BAD_ARGUMENT, 5);
  uint64_t fence = 0;
  REQUIRE(kiln_submit(d, cb, 0, &fence) == KILN_OK);
  CHECK(kiln_wait(d, fence, 0) == KILN_ERR_DEVICE);
  CHECK(kiln_submit(d, cb, 0, &fence) == KILN_ERR_HALTED);
  CHECK_THAT(d.err(), Contains("kiln_submit: the device halted on an earlier error (device error "
                               "BAD_ARGUMENT (3) at address 0x5, command 0 (NOP) of submission 1)") &&
                          Contains("call kiln_reset()"));

  REQUIRE(kiln_reset(d) == KILN_OK);
  kiln_device_error_info e{};
  REQUIRE(kiln_device_error(d, &e) == KILN_OK);
  CHECK(e.code == 0);
  CHECK(d.mock->reg(KILN_REG_QUEUE_TAIL) == 0);
  CHECK(d.mock->reg(KILN_REG_IRQ_STATUS) == 0);
  CHECK(kiln_wait(d, 1, 0) == KILN_ERR_INVALID_ARGUMENT);
  CHECK_THAT(d.err(), Contains("fence 1 was discarded by kiln_reset"));
  REQUIRE(kiln_submit(d, cb, 0, &fence) == KILN_OK);
  CHECK(fence == 2);
  CHECK(kiln_wait(d, fence, 0) == KILN_OK);
}

TEST_CASE("device-side checks are reachable with KILN_SUBMIT_NO_VALIDATE", "[errors]") {
  MockDevice d;
  CmdBuf cb;
  REQUIRE(kiln_cmd_dma(cb, 0, 0, 0x20000000, 0, 32, 1, 0, 0) == KILN_OK);
  uint64_t fence = 0;
  CHECK(kiln_submit(d, cb, 0, &fence) == KILN_ERR_OUT_OF_RANGE);
  REQUIRE(kiln_submit(d, cb, KILN_SUBMIT_NO_VALIDATE, &fence) == KILN_OK);
  CHECK(kiln_wait(d, fence, 0) == KILN_ERR_DEVICE);
  CHECK_THAT(d.err(), Contains("DMA_DECERR (8) at address 0x20000000, command 0 (DMA) of submission 1"));
}

TEST_CASE("halt noticed at submit without a wait", "[errors]") {
  MockDevice d;
  CmdBuf cb;
  REQUIRE(kiln_cmd_nop(cb) == KILN_OK);
  d.mock->fail_on_opcode(KILN_OP_FENCE, KILN_ERR_FETCH, 0x80000040);
  uint64_t fence = 0;
  REQUIRE(kiln_submit(d, cb, 0, &fence) == KILN_OK);
  uint64_t t0 = 0;
  REQUIRE(kiln_sim_time(d, &t0, nullptr) == KILN_OK);
  d.mock->wait_irq(1000);  // let the device run without the driver looking
  CHECK(kiln_submit(d, cb, 0, &fence) == KILN_ERR_HALTED);
  CHECK_THAT(d.err(), Contains("FETCH (10) at address 0x80000040, the FENCE kiln_submit appended to submission 1"));
}

TEST_CASE("wait times out with the device's view in the message", "[errors]") {
  kiln_test::MockConfig cfg;
  cfg.stalled = true;
  MockDevice d(cfg);
  CmdBuf cb;
  REQUIRE(kiln_cmd_nop(cb) == KILN_OK);
  uint64_t fence = 0, t0 = 0, t1 = 0;
  REQUIRE(kiln_submit(d, cb, 0, &fence) == KILN_OK);
  REQUIRE(kiln_sim_time(d, &t0, nullptr) == KILN_OK);
  CHECK(kiln_wait(d, fence, 5000) == KILN_ERR_TIMEOUT);
  REQUIRE(kiln_sim_time(d, &t1, nullptr) == KILN_OK);
  CHECK(t1 - t0 >= 5000);
  CHECK_THAT(d.err(), Equals("kiln_wait: fence 1 did not complete within 5000 ns (device "
                             "FENCE_VALUE=0, QUEUE_HEAD=0x0, QUEUE_TAIL=0x80)"));
  // A full ring times out in submit as well (default timeout from the options).
  for (int i = 0; i < 1021; ++i) REQUIRE(kiln_cmd_nop(cb) == KILN_OK);
  CHECK(kiln_submit(d, cb, 0, &fence) == KILN_ERR_TIMEOUT);
  CHECK_THAT(d.err(), Contains("command ring stayed full"));
  // Un-stall: everything submitted so far completes.
  d.mock->config().stalled = false;
  CHECK(kiln_wait(d, 1, 0) == KILN_OK);
}

TEST_CASE("reset that never completes times out", "[errors]") {
  kiln_test::MockConfig cfg;
  cfg.ignore_reset = true;
  MockDevice d(cfg, 50'000);
  CHECK(kiln_reset(d) == KILN_ERR_TIMEOUT);
  CHECK_THAT(d.err(), Contains("RESET_DONE not raised within 50000 ns"));
}

TEST_CASE("counters and simulated time", "[errors]") {
  MockDevice d;
  kiln_counters c{};
  REQUIRE(kiln_read_counters(d, &c) == KILN_OK);
  uint64_t now = 0;
  REQUIRE(kiln_sim_time(d, &now, nullptr) == KILN_OK);
  CHECK(c.cycles == now);  // the mock's cycle counter is its time
  CHECK(kiln_read_counters(d, nullptr) == KILN_ERR_INVALID_ARGUMENT);
}
