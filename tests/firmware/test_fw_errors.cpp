// Firmware error handling: every validation error, DMA bus errors, queue
// configuration, fetch failures, halting, and recovery through soft reset.
#include <cstring>

#include "fw_test_util.hpp"

using namespace kiln_test;

namespace {

constexpr uint32_t kSpadBytes = KILN_HW_SCRATCHPAD_BYTES;
constexpr uint32_t kSpadWords = KILN_HW_SCRATCHPAD_WORDS;
constexpr uint32_t kAccRows = KILN_HW_TENSOR_CORE_ACC_ROWS;

// Runs a NOP then `cmd` (so the failing command sits at offset 64) and checks
// the reported error and that nothing was started.
template <class T> void expect_rejected(const T& cmd, uint32_t code, uint64_t addr)
{
  Fw fw;
  fw.npu.push(nop());
  fw.npu.push(cmd);
  CHECK(fw.run() == 1);
  fw.require_error(code, addr, 64);
  CHECK(fw.head() == 64);
  for (const auto& d : fw.npu.dma) CHECK(d.started.empty());
  CHECK(fw.npu.tc.started.empty());
  CHECK(fw.npu.vu.started.empty());
  CHECK(fw.npu.irq_sets == std::vector<uint32_t>{KILN_IRQ_STATUS_ERROR_MASK});
}

}  // namespace

TEST_CASE("header errors", "[firmware][errors]")
{
  auto c = nop();
  SECTION("unknown opcode")
  {
    c.header = kiln_cmd_header(0x7F);
    expect_rejected(c, KILN_ERR_BAD_OPCODE, c.header);
  }
  SECTION("wrong version")
  {
    c.header = KILN_OP_NOP | ((KILN_CMD_VERSION + 1u) << KILN_CMD_HDR_VERSION_SHIFT);
    expect_rejected(c, KILN_ERR_BAD_VERSION, c.header);
  }
  SECTION("version is checked before the opcode")
  {
    c.header = 0x7Fu;  // version 0
    expect_rejected(c, KILN_ERR_BAD_VERSION, c.header);
  }
  SECTION("reserved header bits")
  {
    c.header |= 0x10000u;
    expect_rejected(c, KILN_ERR_BAD_ARGUMENT, c.header);
  }
  SECTION("reserved words")
  {
    c.reserved[4] = 7;
    expect_rejected(c, KILN_ERR_BAD_ARGUMENT, 7);
  }
}

TEST_CASE("DMA argument errors", "[firmware][errors]")
{
  const uint64_t a = 0x80000000ull;
  SECTION("channel out of range")
  {
    expect_rejected(dma(KILN_DMA_COUNT, 0, a, 0, 32, 1, 0, 0), KILN_ERR_BAD_ARGUMENT, KILN_DMA_COUNT);
  }
  SECTION("reserved channel bits")
  {
    auto c = dma(0, 0, a, 0, 32, 1, 0, 0);
    c.channel |= 0x200;
    expect_rejected(c, KILN_ERR_BAD_ARGUMENT, 0x200);
  }
  SECTION("zero rows") { expect_rejected(dma(0, 0, a, 0, 32, 0, 0, 0), KILN_ERR_BAD_ARGUMENT, 0); }
  SECTION("zero row bytes") { expect_rejected(dma(0, 0, a, 0, 0, 1, 0, 0), KILN_ERR_BAD_ARGUMENT, 0); }
  SECTION("address above the AXI address width")
  {
    expect_rejected(dma(0, 0, 0x180000000ull, 0, 32, 1, 0, 0), KILN_ERR_BAD_ARGUMENT, 0x180000000ull);
  }
  SECTION("reserved word") {
    auto c = dma(0, 0, a, 0, 32, 1, 0, 0);
    c.reserved[0] = 1;
    expect_rejected(c, KILN_ERR_BAD_ARGUMENT, 1);
  }
}

TEST_CASE("DMA alignment", "[firmware][errors]")
{
  const uint64_t a = 0x80000000ull;
  SECTION("device address") { expect_rejected(dma(0, 0, a + 8, 0, 32, 1, 0, 0), KILN_ERR_ALIGNMENT, 0x80000008u); }
  SECTION("scratchpad address") { expect_rejected(dma(0, 0, a, 16, 32, 1, 0, 0), KILN_ERR_ALIGNMENT, 16); }
  SECTION("row bytes") { expect_rejected(dma(1, 0, a, 0, 48, 1, 0, 0), KILN_ERR_ALIGNMENT, 48); }
  SECTION("device stride") { expect_rejected(dma(0, 1, a, 0, 32, 2, 40, 32), KILN_ERR_ALIGNMENT, 40); }
  SECTION("scratchpad stride") { expect_rejected(dma(0, 1, a, 0, 32, 2, 32, 33), KILN_ERR_ALIGNMENT, 33); }
}

TEST_CASE("DMA scratchpad range", "[firmware][errors]")
{
  const uint64_t a = 0x80000000ull;
  SECTION("last row past the end")
  {
    expect_rejected(dma(0, 0, a, kSpadBytes - 64, 64, 2, 64, 64), KILN_ERR_SPAD_RANGE, kSpadBytes + 64);
  }
  SECTION("start past the end")
  {
    expect_rejected(dma(0, 0, a, kSpadBytes, 32, 1, 0, 0), KILN_ERR_SPAD_RANGE, kSpadBytes + 32);
  }
  SECTION("huge stride does not wrap around")
  {
    const uint64_t end = 0xFFFFFFE0ull * 0xFFFFFFFEull + 32;
    expect_rejected(dma(0, 0, a, 0, 32, 0xFFFFFFFFu, 0, 0xFFFFFFE0u), KILN_ERR_SPAD_RANGE, end);
  }
  SECTION("exactly the whole scratchpad is fine")
  {
    Fw fw;
    fw.npu.push(dma(0, 0, a, 0, 1024, kSpadBytes / 1024, 1024, 1024));
    REQUIRE(fw.run() == 1);
    CHECK(fw.r(KILN_REG_ERR_CODE) == 0);
  }
}

TEST_CASE("GEMM and WRITEBACK ranges", "[firmware][errors]")
{
  SECTION("dtype out of range") { expect_rejected(gemm(2, 0, 1, 16, 1, 0, 1, 1, 1), KILN_ERR_BAD_ARGUMENT, 2); }
  SECTION("reserved flag bits") { expect_rejected(gemm(0x10, 0, 1, 16, 1, 0, 1, 1, 1), KILN_ERR_BAD_ARGUMENT, 0x10); }
  SECTION("m = 0") { expect_rejected(gemm(0, 0, 1, 16, 1, 0, 0, 1, 1), KILN_ERR_BAD_ARGUMENT, 0); }
  SECTION("n = 0") { expect_rejected(gemm(0, 0, 1, 16, 1, 0, 1, 0, 1), KILN_ERR_BAD_ARGUMENT, 0); }
  SECTION("k = 0") { expect_rejected(gemm(0, 0, 1, 16, 1, 0, 1, 1, 0), KILN_ERR_BAD_ARGUMENT, 0); }
  SECTION("accumulator: ceil(N/16)*M rows from ACC_ADDR")
  {
    // 3 column tiles x 4 rows = 12 rows: 2040..2051.
    expect_rejected(gemm(0, 0, 1, 16, 1, kAccRows - 8, 4, 48, 16), KILN_ERR_ACC_RANGE, kAccRows + 3);
  }
  SECTION("accumulator fits exactly")
  {
    Fw fw;
    fw.npu.push(gemm(0, 0, 1, 16, 1, kAccRows - 12, 4, 33, 16));
    REQUIRE(fw.run() == 1);
    CHECK(fw.r(KILN_REG_ERR_CODE) == 0);
  }
  SECTION("A rows: ceil(K/16) words each")
  {
    // Last A row starts at WORDS-2 and needs 3 words (K = 40).
    expect_rejected(gemm(0, kSpadWords - 12, 5, 0, 1, 0, 3, 1, 40), KILN_ERR_SPAD_RANGE,
                    (kSpadWords + 1ull) * 32);
  }
  SECTION("B rows: K rows of ceil(N/16) words")
  {
    // Second B row starts at WORDS-2 and needs 3 words (N = 33).
    expect_rejected(gemm(0, 0, 1, kSpadWords - 4, 2, 0, 1, 33, 2), KILN_ERR_SPAD_RANGE,
                    (kSpadWords + 1ull) * 32);
  }
  SECTION("WRITEBACK accumulator range")
  {
    expect_rejected(writeback(0, kAccRows - 1, 0, 1, 2, 1), KILN_ERR_ACC_RANGE, kAccRows);
  }
  SECTION("WRITEBACK FP32 output takes two words per tile")
  {
    // Two tiles x 2 words = 4 words from WORDS-3: one past the end.
    expect_rejected(writeback(1, 0, kSpadWords - 3, 4, 1, 32), KILN_ERR_SPAD_RANGE,
                    (kSpadWords + 1ull) * 32);
  }
  SECTION("WRITEBACK reserved flag bits")
  {
    expect_rejected(writeback(2, 0, 0, 1, 1, 1), KILN_ERR_BAD_ARGUMENT, 2);
  }
}

TEST_CASE("BARRIER and FENCE arguments", "[firmware][errors]")
{
  SECTION("barrier on a channel this configuration lacks")
  {
    const uint32_t mask = 1u << KILN_DMA_COUNT;
    expect_rejected(barrier(mask), KILN_ERR_BAD_ARGUMENT, mask);
  }
  SECTION("barrier reserved bits") { expect_rejected(barrier(0x40), KILN_ERR_BAD_ARGUMENT, 0x40); }
  SECTION("fence reserved flags") { expect_rejected(fence(2, 5), KILN_ERR_BAD_ARGUMENT, 2); }
}
