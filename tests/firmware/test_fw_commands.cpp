// Firmware command execution: each opcode programs the right registers,
// units are used in order, the ring wraps, fences signal.
#include "fw_test_util.hpp"

using namespace kiln_test;

TEST_CASE("init clears errors, sets READY and HEAD = 0", "[firmware]")
{
  FakeNpu npu;
  npu.set_reg(KILN_REG_ERR_CODE, 5);
  npu.set_reg(KILN_REG_ERR_ADDR_LO, 1);
  npu.set_reg(KILN_REG_ERR_CMD_OFFSET, 64);
  npu.set_reg(KILN_REG_QUEUE_HEAD, 128);
  npu.set_reg(KILN_REG_FW_STATUS, KILN_FW_STATUS_HALTED_MASK);
  kiln_fw_init();
  CHECK(npu.reg(KILN_REG_ERR_CODE) == 0);
  CHECK(npu.reg(KILN_REG_ERR_ADDR_LO) == 0);
  CHECK(npu.reg(KILN_REG_ERR_CMD_OFFSET) == 0);
  CHECK(npu.reg(KILN_REG_QUEUE_HEAD) == 0);
  CHECK(npu.reg(KILN_REG_FW_STATUS) == KILN_FW_STATUS_READY_MASK);
}

TEST_CASE("nothing runs without a doorbell; NOP only advances HEAD", "[firmware]")
{
  Fw fw;
  fw.npu.push(nop());
  CHECK(kiln_fw_poll() == 0);
  CHECK(fw.head() == 0);
  CHECK(fw.run() == 1);
  CHECK(fw.head() == 64);
  CHECK(fw.npu.writes_to(KILN_REG_QUEUE_HEAD) == std::vector<uint32_t>{64});
  CHECK(fw.npu.dma[0].started.empty());
  CHECK(fw.npu.tc.started.empty());
  CHECK(fw.npu.reg(KILN_REG_FW_EVENT) == 0);  // doorbell consumed
}

TEST_CASE("DMA programs the channel's registers and does not wait for completion", "[firmware]")
{
  Fw fw;
  fw.npu.push(dma(1, 1, 0x80100040ull, 0x400, 96, 3, 256, 128));
  REQUIRE(fw.run() == 1);
  REQUIRE(fw.npu.dma[1].started.size() == 1);
  CHECK(fw.npu.dma[0].started.empty());
  const DmaDesc& d = fw.npu.dma[1].started[0];
  CHECK(d.dram_lo == 0x80100040u);
  CHECK(d.dram_hi == 0);
  CHECK(d.spad == 0x400);
  CHECK(d.row_bytes == 96);
  CHECK(d.rows == 3);
  CHECK(d.dram_stride == 256);
  CHECK(d.spad_stride == 128);
  CHECK(d.ctrl == KILN_DMA_CTRL_DIR_MASK);
  // START is the last write: the descriptor is complete when it goes.
  REQUIRE(!fw.npu.writes.empty());
  CHECK(fw.npu.writes[fw.npu.writes.size() - 2].first == KILN_REG_DMA_START(1));
  CHECK(fw.npu.writes.back().first == KILN_REG_QUEUE_HEAD);
  CHECK(fw.npu.dma[1].busy_left > 0);  // still running: overlaps what follows
  CHECK(fw.npu.waits == 0);
}

TEST_CASE("DMA direction 0 and an unmapped address reach the hardware", "[firmware]")
{
  Fw fw;
  fw.npu.push(dma(0, 0, 0x1000, 0, 32, 1, 0, 0));
  REQUIRE(fw.run() == 1);
  REQUIRE(fw.npu.dma[0].started.size() == 1);
  CHECK(fw.npu.dma[0].started[0].dram_lo == 0x1000);
  CHECK(fw.npu.dma[0].started[0].ctrl == 0);
  CHECK(fw.npu.reg(KILN_REG_ERR_CODE) == 0);
}

TEST_CASE("GEMM programs the tensor core", "[firmware]")
{
  Fw fw;
  const uint32_t int8_acc = 1u | (1u << 8);
  fw.npu.push(gemm(int8_acc, 100, 4, 2000, 3, 32, 8, 40, 50));
  REQUIRE(fw.run() == 1);
  REQUIRE(fw.npu.tc.started.size() == 1);
  const TcOp& t = fw.npu.tc.started[0];
  CHECK(t.op == ((0u << KILN_TC_OP_OPCODE_SHIFT) | (1u << KILN_TC_OP_DTYPE_SHIFT) |
                 KILN_TC_OP_ACCUMULATE_MASK));
  CHECK(t.a_addr == 100);
  CHECK(t.a_stride == 4);
  CHECK(t.b_addr == 2000);
  CHECK(t.b_stride == 3);
  CHECK(t.acc_addr == 32);
  CHECK(t.m == 8);
  CHECK(t.n == 40);
  CHECK(t.k == 50);
  CHECK(fw.npu.tc.busy_left > 0);
}

TEST_CASE("GEMM BF16 without accumulate", "[firmware]")
{
  Fw fw;
  fw.npu.push(gemm(0, 0, 1, 16, 1, 0, 16, 16, 16));
  REQUIRE(fw.run() == 1);
  REQUIRE(fw.npu.tc.started.size() == 1);
  CHECK(fw.npu.tc.started[0].op == 0);
}

TEST_CASE("WRITEBACK programs the tensor core", "[firmware]")
{
  Fw fw;
  fw.npu.push(writeback(1, 64, 3000, 6, 5, 33));
  fw.npu.push(writeback(0, 0, 0, 1, 1, 1));
  REQUIRE(fw.run() == 2);
  REQUIRE(fw.npu.tc.started.size() == 2);
  const TcOp& t = fw.npu.tc.started[0];
  CHECK(t.op == ((1u << KILN_TC_OP_OPCODE_SHIFT) | KILN_TC_OP_OUT_FP32_MASK));
  CHECK(t.acc_addr == 64);
  CHECK(t.out_addr == 3000);
  CHECK(t.out_stride == 6);
  CHECK(t.m == 5);
  CHECK(t.n == 33);
  CHECK(fw.npu.tc.started[1].op == (1u << KILN_TC_OP_OPCODE_SHIFT));
  CHECK(fw.npu.waits > 0);  // the second waited for the first
}

TEST_CASE("commands on one unit wait for it; other units overlap", "[firmware]")
{
  Fw fw;
  SECTION("two channels start back to back")
  {
    fw.npu.push(dma(0, 0, 0x80000000ull, 0, 32, 1, 0, 0));
    fw.npu.push(dma(1, 0, 0x80000000ull, 32, 32, 1, 0, 0));
    fw.npu.push(gemm(0, 0, 1, 16, 1, 0, 1, 1, 1));
    REQUIRE(fw.run() == 3);
    CHECK(fw.npu.waits == 0);
    CHECK(fw.npu.dma[0].busy_left > 0);
    CHECK(fw.npu.dma[1].busy_left > 0);
    CHECK(fw.npu.tc.busy_left > 0);
  }
  SECTION("the same channel twice: the second waits for the first")
  {
    fw.npu.push(dma(0, 0, 0x80000000ull, 0, 32, 1, 0, 0));
    fw.npu.push(dma(0, 1, 0x80000100ull, 64, 32, 1, 0, 0));
    REQUIRE(fw.run() == 2);
    CHECK(fw.npu.waits == fw.npu.latency);
    REQUIRE(fw.npu.dma[0].started.size() == 2);
    CHECK(fw.npu.dma[0].started[1].dram_lo == 0x80000100u);
  }
}

TEST_CASE("BARRIER waits for the units in its mask", "[firmware]")
{
  Fw fw;
  fw.npu.push(dma(1, 0, 0x80000000ull, 0, 32, 1, 0, 0));
  fw.npu.push(barrier(1u << 1));
  fw.npu.push(gemm(0, 0, 1, 16, 1, 0, 1, 1, 1));
  fw.npu.push(barrier(1u << 4));
  REQUIRE(fw.run() == 4);
  CHECK(fw.npu.dma[1].busy_left == 0);
  CHECK(fw.npu.tc.busy_left == 0);
  CHECK(fw.npu.tc.started.size() == 1);
  CHECK(fw.npu.reg(KILN_REG_ERR_CODE) == 0);
}

TEST_CASE("FENCE waits for all units, writes the value, interrupts only when asked", "[firmware]")
{
  Fw fw;
  fw.npu.push(dma(0, 0, 0x80000000ull, 0, 32, 1, 0, 0));
  fw.npu.push(gemm(0, 0, 1, 16, 1, 0, 1, 1, 1));
  fw.npu.push(fence(0, 41));
  REQUIRE(fw.run() == 3);
  CHECK(fw.npu.dma[0].busy_left == 0);
  CHECK(fw.npu.tc.busy_left == 0);
  CHECK(fw.npu.reg(KILN_REG_FENCE_VALUE) == 41);
  CHECK(fw.npu.irq_sets.empty());
  CHECK(fw.npu.reg(KILN_REG_IRQ_STATUS) == 0);

  fw.npu.push(fence(1, 42));
  REQUIRE(fw.run() == 1);
  CHECK(fw.npu.reg(KILN_REG_FENCE_VALUE) == 42);
  CHECK(fw.npu.irq_sets == std::vector<uint32_t>{KILN_IRQ_STATUS_FENCE_MASK});
  CHECK(fw.npu.reg(KILN_REG_IRQ_STATUS) == KILN_IRQ_STATUS_FENCE_MASK);
}

TEST_CASE("the ring wraps at QUEUE_SIZE", "[firmware]")
{
  Fw fw(4);  // 256-byte ring
  for (int i = 0; i < 3; ++i) fw.npu.push(nop());
  REQUIRE(fw.run() == 3);
  CHECK(fw.head() == 192);
  fw.npu.clear_log();
  // Offsets 192, 0, 64: the fence lands at 64 after the wrap.
  fw.npu.push(nop());
  fw.npu.push(dma(0, 0, 0x80002000ull, 0, 64, 2, 64, 64));
  fw.npu.push(fence(1, 7));
  CHECK(fw.npu.tail() == 128);
  REQUIRE(fw.run() == 3);
  CHECK(fw.head() == 128);
  CHECK(fw.npu.writes_to(KILN_REG_QUEUE_HEAD) == std::vector<uint32_t>{0, 64, 128});
  REQUIRE(fw.npu.dma[0].started.size() == 1);
  CHECK(fw.npu.dma[0].started[0].dram_lo == 0x80002000u);
  CHECK(fw.npu.reg(KILN_REG_FENCE_VALUE) == 7);
}

TEST_CASE("commands appended while the firmware waits run in the same walk", "[firmware]")
{
  Fw fw;
  fw.npu.push(dma(0, 0, 0x80000000ull, 0, 32, 1, 0, 0));
  fw.npu.push(fence(0, 1));
  bool appended = false;
  fw.npu.on_wait = [&](int) {
    if (appended) return;
    appended = true;
    fw.npu.push(fence(0, 2));
    fw.npu.doorbell();
  };
  REQUIRE(fw.run() == 3);
  CHECK(fw.npu.reg(KILN_REG_FENCE_VALUE) == 2);
  CHECK(fw.npu.reg(KILN_REG_FW_EVENT) == 0);
}
