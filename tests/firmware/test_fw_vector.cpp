// Firmware VECTOR command: programming the vector unit, ordering with the
// other units (BARRIER bit 5, FENCE), argument errors and the scratchpad
// footprint of every operand (firmware/include/kiln_vu_footprint.h).
#include <cstdint>

#include "fw_test_util.hpp"
#include "kiln_vu_footprint.h"

using namespace kiln_test;

namespace {

constexpr uint32_t kWords = KILN_HW_SCRATCHPAD_WORDS;
constexpr uint32_t kF0 = KILN_VU_FLAGS_SRC0_FP32_MASK;
constexpr uint32_t kF1 = KILN_VU_FLAGS_SRC1_FP32_MASK;
constexpr uint32_t kFd = KILN_VU_FLAGS_DST_FP32_MASK;
constexpr uint32_t kRowSum = KILN_VU_FLAGS_ROWSUM_MASK;
constexpr uint32_t mode(uint32_t m) { return m << KILN_VU_FLAGS_SRC1_MODE_SHIFT; }
// First byte past the end of a word range ending at kWords + over.
constexpr uint64_t past(uint32_t over) { return (uint64_t{kWords} + over) * 32u; }

// A NOP, then `cmd` at ring offset 64: rejected with code/addr, nothing started.
void expect_rejected(const kiln_cmd_vector_t& cmd, uint32_t code, uint64_t addr)
{
  Fw fw;
  fw.npu.push(nop());
  fw.npu.push(cmd);
  CHECK(fw.run() == 1);
  fw.require_error(code, addr, 64);
  CHECK(fw.npu.vu.started.empty());
  CHECK(fw.npu.irq_sets == std::vector<uint32_t>{KILN_IRQ_STATUS_ERROR_MASK});
}

void expect_accepted(const kiln_cmd_vector_t& cmd)
{
  Fw fw;
  fw.npu.push(cmd);
  CHECK(fw.run() == 1);
  CHECK(fw.r(KILN_REG_ERR_CODE) == 0);
  CHECK(fw.npu.vu.started.size() == 1);
}

}  // namespace

TEST_CASE("VECTOR programs every VU register and starts without waiting", "[firmware][vector]")
{
  Fw fw;
  fw.npu.push(vector(KILN_VU_OP_AXPY, kF0 | mode(2), 3, 40, 100, 5, 200, 7, 300, 400, 9,
                     0x3F800000u, 0xFFFFFFFEu));
  REQUIRE(fw.run() == 1);
  REQUIRE(fw.npu.vu.started.size() == 1);
  const VuOp& v = fw.npu.vu.started[0];
  CHECK(v.op == KILN_VU_OP_AXPY);
  CHECK(v.flags == (kF0 | mode(2)));
  CHECK(v.rows == 3);
  CHECK(v.cols == 40);
  CHECK(v.src0_addr == 100);
  CHECK(v.src0_stride == 5);
  CHECK(v.src1_addr == 200);
  CHECK(v.src1_stride == 7);
  CHECK(v.src2_addr == 300);
  CHECK(v.dst_addr == 400);
  CHECK(v.dst_stride == 9);
  CHECK(v.imm == 0x3F800000u);
  CHECK(v.aux == 0xFFFFFFFEu);
  // START is the last unit write; the op runs on while the ring advances.
  REQUIRE(fw.npu.writes.size() >= 2);
  CHECK(fw.npu.writes[fw.npu.writes.size() - 2].first == KILN_REG_VU_START(0));
  CHECK(fw.npu.writes[fw.npu.writes.size() - 2].second == 1u);
  CHECK(fw.npu.vu.busy_left > 0);
  CHECK(fw.npu.waits == 0);
}

TEST_CASE("VECTOR waits for the vector unit only; BARRIER bit 5 and FENCE wait for it",
          "[firmware][vector]")
{
  Fw fw;
  SECTION("overlaps DMA and the tensor core, a second VECTOR waits")
  {
    fw.npu.push(dma(0, 0, 0x80000000ull, 0, 32, 1, 0, 0));
    fw.npu.push(gemm(0, 0, 1, 16, 1, 0, 1, 1, 1));
    fw.npu.push(vector(KILN_VU_OP_EXP, mode(3), 1, 16, 10, 1, 0, 0, 0, 20, 1));
    REQUIRE(fw.run() == 3);
    CHECK(fw.npu.waits == 0);
    CHECK(fw.npu.tc.busy_left > 0);
    CHECK(fw.npu.vu.busy_left > 0);
    fw.npu.push(vector(KILN_VU_OP_COPY, 0, 1, 16, 20, 1, 0, 0, 0, 30, 1));
    REQUIRE(fw.run() == 1);
    CHECK(fw.npu.waits == fw.npu.latency);
    CHECK(fw.npu.vu.started.size() == 2);
  }
  SECTION("BARRIER on the vector unit")
  {
    fw.npu.push(vector(KILN_VU_OP_RECIP, 0, 1, 16, 10, 1, 0, 0, 0, 20, 1));
    fw.npu.push(barrier(1u << 5));
    REQUIRE(fw.run() == 2);
    CHECK(fw.npu.vu.busy_left == 0);
    CHECK(fw.r(KILN_REG_ERR_CODE) == 0);
  }
  SECTION("BARRIER on other units does not wait for it")
  {
    fw.npu.push(vector(KILN_VU_OP_RECIP, 0, 1, 16, 10, 1, 0, 0, 0, 20, 1));
    fw.npu.push(barrier(1u << 4));
    REQUIRE(fw.run() == 2);
    CHECK(fw.npu.vu.busy_left > 0);
  }
  SECTION("FENCE")
  {
    fw.npu.push(vector(KILN_VU_OP_RECIP, 0, 1, 16, 10, 1, 0, 0, 0, 20, 1));
    fw.npu.push(fence(0, 7));
    REQUIRE(fw.run() == 2);
    CHECK(fw.npu.vu.busy_left == 0);
    CHECK(fw.r(KILN_REG_FENCE_VALUE) == 7);
  }
  SECTION("a soft reset while waiting for the vector unit abandons the ring")
  {
    fw.npu.push(vector(KILN_VU_OP_RECIP, 0, 1, 16, 10, 1, 0, 0, 0, 20, 1));
    fw.npu.push(barrier(1u << 5));
    fw.npu.on_wait = [&](int) { fw.npu.soft_reset(); };
    fw.run();
    CHECK(fw.head() == 0);
    CHECK(fw.npu.vu.busy_left == 0);
    CHECK(fw.npu.irq_sets == std::vector<uint32_t>{KILN_IRQ_STATUS_RESET_DONE_MASK});
  }
}

TEST_CASE("VECTOR argument errors", "[firmware][vector][errors]")
{
  SECTION("op out of range")
  {
    expect_rejected(vector(16, 0, 1, 16, 0, 1, 0, 0, 0, 8, 1), KILN_ERR_BAD_ARGUMENT, 16);
  }
  SECTION("reserved flag bits")
  {
    expect_rejected(vector(KILN_VU_OP_ADD, 0x8, 1, 16, 0, 1, 0, 0, 0, 8, 1),
                    KILN_ERR_BAD_ARGUMENT, 0x8);
    expect_rejected(vector(KILN_VU_OP_ADD, 0x200, 1, 16, 0, 1, 0, 0, 0, 8, 1),
                    KILN_ERR_BAD_ARGUMENT, 0x200);
  }
  SECTION("ROWSUM only with EXP")
  {
    expect_rejected(vector(KILN_VU_OP_ADD, kRowSum | mode(3), 1, 16, 0, 1, 0, 0, 0, 8, 1),
                    KILN_ERR_BAD_ARGUMENT, kRowSum | mode(3));
  }
  SECTION("rows = 0") { expect_rejected(vector(0, 0, 0, 16, 0, 1, 0, 0, 0, 8, 1), KILN_ERR_BAD_ARGUMENT, 0); }
  SECTION("cols = 0") { expect_rejected(vector(0, 0, 1, 0, 0, 1, 0, 0, 0, 8, 1), KILN_ERR_BAD_ARGUMENT, 0); }
  SECTION("reserved word")
  {
    auto c = vector(KILN_VU_OP_COPY, 0, 1, 16, 0, 1, 0, 0, 0, 8, 1);
    c.reserved[0] = 5;
    expect_rejected(c, KILN_ERR_BAD_ARGUMENT, 5);
  }
}

TEST_CASE("VECTOR scratchpad footprints", "[firmware][vector][errors]")
{
  SECTION("src0: rows x ceil(cols/16) BF16 words, SRC0_STRIDE apart")
  {
    // Row 1 starts at kWords-2 and needs 3 words (33 columns).
    expect_rejected(vector(KILN_VU_OP_COPY, 0, 2, 33, kWords - 5, 3, 0, 0, 0, 0, 3),
                    KILN_ERR_SPAD_RANGE, past(1));
    expect_accepted(vector(KILN_VU_OP_COPY, 0, 2, 32, kWords - 5, 3, 0, 0, 0, 0, 3));
  }
  SECTION("src0 FP32: 8 elements per word")
  {
    expect_rejected(vector(KILN_VU_OP_COPY, kF0, 1, 17, kWords - 2, 0, 0, 0, 0, 0, 2),
                    KILN_ERR_SPAD_RANGE, past(1));
  }
  SECTION("src1 row per row, FP32")
  {
    expect_rejected(vector(KILN_VU_OP_ADD, kF1 | mode(0), 2, 16, 0, 1, kWords - 3, 2, 0, 64, 1),
                    KILN_ERR_SPAD_RANGE, past(1));
  }
  SECTION("src1 broadcast: one row, stride ignored")
  {
    expect_accepted(vector(KILN_VU_OP_MUL, mode(1), 100, 16, 0, 1, kWords - 1, 1000, 0, 1000, 1));
    expect_rejected(vector(KILN_VU_OP_MUL, mode(1), 1, 17, 0, 1, kWords - 1, 0, 0, 1000, 1),
                    KILN_ERR_SPAD_RANGE, past(1));
  }
  SECTION("src1 scalars: ceil(rows/8) words of FP32")
  {
    expect_accepted(vector(KILN_VU_OP_EXP, mode(2), 8, 16, 0, 1, kWords - 1, 0, 0, 100, 1));
    expect_rejected(vector(KILN_VU_OP_EXP, mode(2), 9, 16, 0, 1, kWords - 1, 0, 0, 100, 1),
                    KILN_ERR_SPAD_RANGE, past(1));
  }
  SECTION("src1 immediate and ops without src1 read nothing there")
  {
    expect_accepted(vector(KILN_VU_OP_RSQRT, mode(3), 4, 16, 0, 1, 0xFFFFFFFFu, 9, 0, 100, 1));
    expect_accepted(vector(KILN_VU_OP_RECIP, mode(0), 4, 16, 0, 1, 0xFFFFFFFFu, 9, 0, 100, 1));
    expect_accepted(vector(KILN_VU_OP_MASK_CAUSAL, 0, 4, 16, 0, 1, 0xFFFFFFFFu, 9, 0xFFFFFFFFu,
                           100, 1, 0, 0xFFFFFFF0u));
  }
  SECTION("src2 (AXPY only) uses src0's type and stride")
  {
    expect_rejected(vector(KILN_VU_OP_AXPY, mode(3), 2, 16, 0, 4, kWords - 4, 0, kWords - 4, 100, 1),
                    KILN_ERR_SPAD_RANGE, past(1));
    expect_rejected(
        vector(KILN_VU_OP_AXPY, kF0 | mode(3), 1, 16, 0, 0, 0, 0, kWords - 1, 100, 2),
        KILN_ERR_SPAD_RANGE, past(1));
    expect_accepted(vector(KILN_VU_OP_ADD, mode(3), 2, 16, 0, 4, 0, 0, 0xFFFFFFFFu, 100, 1));
  }
  SECTION("dst rows, FP32: 8 per word")
  {
    expect_rejected(vector(KILN_VU_OP_COPY, kFd, 1, 16, 0, 1, 0, 0, 0, kWords - 1, 1),
                    KILN_ERR_SPAD_RANGE, past(1));
    expect_accepted(vector(KILN_VU_OP_COPY, 0, 1, 16, 0, 1, 0, 0, 0, kWords - 1, 1));
  }
  SECTION("reductions: a packed array of rows 32-bit results, DST_STRIDE ignored")
  {
    for (uint32_t op : {KILN_VU_OP_ROWMAX, KILN_VU_OP_ROWSUM, KILN_VU_OP_ROWSUMSQ,
                        KILN_VU_OP_ROWARGMAX}) {
      INFO("op " << kiln_vu_op_name(op));
      expect_accepted(vector(op, 0, 16, 16, 0, 1, 0, 0, 0, kWords - 2, 0xFFFFFFFFu));
      expect_rejected(vector(op, 0, 17, 16, 0, 1, 0, 0, 0, kWords - 2, 0xFFFFFFFFu),
                      KILN_ERR_SPAD_RANGE, past(1));
    }
  }
  SECTION("EXP row sums: ceil(rows/8) words at AUX, only with FLAGS.ROWSUM")
  {
    expect_rejected(
        vector(KILN_VU_OP_EXP, kRowSum | mode(3), 9, 16, 0, 1, 0, 0, 0, 100, 1, 0, kWords - 1),
        KILN_ERR_SPAD_RANGE, past(1));
    expect_accepted(vector(KILN_VU_OP_EXP, mode(3), 9, 16, 0, 1, 0, 0, 0, 100, 1, 0, kWords - 1));
  }
  SECTION("huge row counts and strides do not wrap")
  {
    expect_rejected(vector(KILN_VU_OP_COPY, 0, 0xFFFFFFFFu, 16, 0, 0xFFFFFFFFu, 0, 0, 0, 0, 0),
                    KILN_ERR_SPAD_RANGE, UINT64_MAX);  // saturated byte address
  }
}
