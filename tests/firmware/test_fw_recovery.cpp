// Queue configuration, fetch failures, DMA bus errors, halting, soft reset.
#include "fw_test_util.hpp"

using namespace kiln_test;

TEST_CASE("QUEUE_CONFIG", "[firmware][errors]")
{
  Fw fw;
  SECTION("size not a multiple of 64")
  {
    fw.npu.set_reg(KILN_REG_QUEUE_SIZE, 100);
    CHECK(fw.run() == 0);
    fw.require_error(KILN_ERR_QUEUE_CONFIG, 100, 0);
  }
  SECTION("size zero")
  {
    fw.npu.set_reg(KILN_REG_QUEUE_SIZE, 0);
    CHECK(fw.run() == 0);
    fw.require_error(KILN_ERR_QUEUE_CONFIG, 0, 0);
  }
  SECTION("tail not a multiple of 64")
  {
    fw.npu.set_reg(KILN_REG_QUEUE_TAIL, 70);
    CHECK(fw.run() == 0);
    fw.require_error(KILN_ERR_QUEUE_CONFIG, 70, 0);
  }
  SECTION("tail outside the ring")
  {
    fw.npu.push(nop());
    fw.npu.set_reg(KILN_REG_QUEUE_TAIL, 16 * 64);
    CHECK(fw.run() == 0);
    fw.require_error(KILN_ERR_QUEUE_CONFIG, 16 * 64, 0);
  }
  SECTION("a bad tail on a later doorbell")
  {
    fw.npu.push(nop());
    fw.npu.push(nop());
    fw.npu.set_reg(KILN_REG_QUEUE_TAIL, 64);
    CHECK(fw.run() == 1);
    CHECK(fw.r(KILN_REG_ERR_CODE) == 0);
    fw.npu.set_reg(KILN_REG_QUEUE_TAIL, 65);
    CHECK(fw.run() == 0);
    fw.require_error(KILN_ERR_QUEUE_CONFIG, 65, 64);
  }
}

TEST_CASE("FETCH: a command that cannot be read", "[firmware][errors]")
{
  Fw fw;
  SECTION("bus error at the second command")
  {
    fw.npu.push(nop());
    fw.npu.push(nop());
    fw.npu.fail_fetch_at = Fw::kRingBase + 64 + 12;
    CHECK(fw.run() == 1);
    fw.require_error(KILN_ERR_FETCH, Fw::kRingBase + 64, 64);
    CHECK(fw.head() == 64);
  }
  SECTION("ring base outside memory")
  {
    fw.npu.set_reg(KILN_REG_QUEUE_BASE_LO, 0x1000);
    fw.npu.set_reg(KILN_REG_QUEUE_BASE_HI, 0x2);
    fw.npu.push(nop());
    CHECK(fw.run() == 0);
    fw.require_error(KILN_ERR_FETCH, 0x200001000ull, 0);
  }
}

TEST_CASE("DMA bus errors are reported with the channel's ERR_ADDR", "[firmware][errors]")
{
  Fw fw;
  fw.npu.push(nop());
  fw.npu.push(dma(1, 0, 0x1000, 0, 32, 1, 0, 0));  // offset 64
  fw.npu.dma[1].inject_resp = 3;
  fw.npu.dma[1].inject_addr = 0x1000;

  SECTION("found by FENCE: DECERR, no fence value, no fence IRQ")
  {
    fw.npu.push(fence(1, 9));
    CHECK(fw.run() == 2);
    fw.require_error(KILN_ERR_DMA_DECERR, 0x1000, 64);
    CHECK(fw.r(KILN_REG_FENCE_VALUE) == 0);
    CHECK(fw.npu.irq_sets == std::vector<uint32_t>{KILN_IRQ_STATUS_ERROR_MASK});
    CHECK(fw.head() == 128);  // the fence is where the firmware stopped
  }
  SECTION("SLVERR found by the next descriptor on the channel, which is not started")
  {
    fw.npu.dma[1].inject_resp = 2;
    fw.npu.push(dma(1, 0, 0x80000000ull, 0, 32, 1, 0, 0));
    CHECK(fw.run() == 2);
    fw.require_error(KILN_ERR_DMA_SLVERR, 0x1000, 64);
    CHECK(fw.npu.dma[1].started.size() == 1);
  }
  SECTION("found by BARRIER on that channel")
  {
    fw.npu.push(barrier(1u << 1));
    CHECK(fw.run() == 2);
    fw.require_error(KILN_ERR_DMA_DECERR, 0x1000, 64);
  }
  SECTION("found on DMA_DONE without any later command")
  {
    CHECK(fw.run() == 2);
    CHECK(fw.r(KILN_REG_ERR_CODE) == 0);
    fw.npu.fw_wait_event();  // time passes until the channel finishes
    CHECK((fw.r(KILN_REG_FW_EVENT) & KILN_FW_EVENT_DMA_DONE_MASK) != 0);
    CHECK(kiln_fw_poll() == 0);
    fw.require_error(KILN_ERR_DMA_DECERR, 0x1000, 64);
  }
  SECTION("a barrier on the other channel does not see it")
  {
    fw.npu.push(barrier(1u << 0));
    CHECK(fw.run() == 3);
    CHECK(fw.r(KILN_REG_ERR_CODE) == 0);
  }
}

TEST_CASE("halted firmware ignores doorbells until a soft reset", "[firmware][errors]")
{
  Fw fw;
  auto bad = nop();
  bad.header = kiln_cmd_header(0x42);
  fw.npu.push(bad);
  CHECK(fw.run() == 0);
  fw.require_error(KILN_ERR_BAD_OPCODE, bad.header, 0);
  CHECK((fw.r(KILN_REG_FW_STATUS) & KILN_FW_STATUS_READY_MASK) != 0);

  fw.npu.clear_log();
  fw.npu.push(fence(1, 3));
  CHECK(fw.run() == 0);
  CHECK(fw.r(KILN_REG_FENCE_VALUE) == 0);
  CHECK(fw.head() == 0);
  CHECK(fw.r(KILN_REG_FW_EVENT) == 0);  // the doorbell was consumed, not left pending
  CHECK(fw.npu.irq_sets.empty());
  CHECK(fw.r(KILN_REG_ERR_CODE) == KILN_ERR_BAD_OPCODE);

  // The host resets, writes a fresh ring, rings.
  fw.npu.set_reg(KILN_REG_IRQ_STATUS, 0);
  fw.npu.soft_reset();
  CHECK(kiln_fw_poll() == 0);
  CHECK(fw.r(KILN_REG_ERR_CODE) == 0);
  CHECK(fw.r(KILN_REG_ERR_ADDR_LO) == 0);
  CHECK(fw.r(KILN_REG_ERR_ADDR_HI) == 0);
  CHECK(fw.r(KILN_REG_ERR_CMD_OFFSET) == 0);
  CHECK(fw.r(KILN_REG_FW_STATUS) == KILN_FW_STATUS_READY_MASK);
  CHECK(fw.head() == 0);
  CHECK(fw.r(KILN_REG_IRQ_STATUS) == KILN_IRQ_STATUS_RESET_DONE_MASK);
  CHECK(fw.r(KILN_REG_FW_EVENT) == 0);

  fw.npu.setup_ring(Fw::kRingBase, 16 * 64);
  fw.npu.push(fence(1, 4));
  CHECK(fw.run() == 1);
  CHECK(fw.r(KILN_REG_FENCE_VALUE) == 4);
  CHECK(!fw.halted());
}

TEST_CASE("a soft reset while waiting for a unit abandons the ring", "[firmware]")
{
  Fw fw;
  fw.npu.push(dma(0, 0, 0x80000000ull, 0, 32, 1, 0, 0));
  fw.npu.push(dma(0, 0, 0x80000100ull, 0, 32, 1, 0, 0));  // waits for the first
  fw.npu.push(fence(1, 5));
  fw.npu.dma[0].inject_resp = 3;  // stale after the reset: must not be reported
  fw.npu.on_wait = [&](int waits) {
    if (waits == 1) fw.npu.soft_reset();
  };
  CHECK(fw.run() == 1);
  CHECK(fw.npu.dma[0].started.size() == 1);
  CHECK(fw.head() == 0);
  CHECK(fw.r(KILN_REG_FENCE_VALUE) == 0);
  CHECK(fw.r(KILN_REG_ERR_CODE) == 0);
  CHECK(fw.r(KILN_REG_IRQ_STATUS) == KILN_IRQ_STATUS_RESET_DONE_MASK);
  CHECK(fw.r(KILN_REG_FW_EVENT) == 0);

  // The aborted descriptor's status is not blamed on the next command.
  fw.npu.dma[0].inject_resp = 0;
  fw.npu.dma[0].error = true;
  fw.npu.dma[0].resp = 3;
  fw.npu.setup_ring(Fw::kRingBase, 16 * 64);
  fw.npu.push(barrier(1));
  fw.npu.push(fence(0, 6));
  CHECK(fw.run() == 2);
  CHECK(fw.r(KILN_REG_ERR_CODE) == 0);
  CHECK(fw.r(KILN_REG_FENCE_VALUE) == 6);
}

TEST_CASE("an error reported by the host first is not overwritten", "[firmware][errors]")
{
  Fw fw;
  fw.npu.set_reg(KILN_REG_ERR_CODE, KILN_ERR_FETCH);
  fw.npu.set_reg(KILN_REG_ERR_ADDR_LO, 0x1234);
  fw.npu.push(barrier(0x40));
  CHECK(fw.run() == 0);
  CHECK(fw.r(KILN_REG_ERR_CODE) == KILN_ERR_FETCH);
  CHECK(fw.r(KILN_REG_ERR_ADDR_LO) == 0x1234);
  CHECK(fw.halted());
}
