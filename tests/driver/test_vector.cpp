// VECTOR commands in the driver: encoding, the static checks shared with the
// firmware (kiln_vu_footprint.h), BARRIER bit 5, C++ builder, counters.
#include <cstring>
#include <vector>

#include "kiln/kiln.hpp"
#include "kiln_cmds.h"
#include "kiln_hw.h"
#include "kiln_regs.h"
#include "test_util.h"

using Catch::Matchers::Contains;
using Catch::Matchers::Equals;

namespace {

constexpr uint32_t kWords = KILN_HW_SCRATCHPAD_WORDS;

// kiln_cmd_vector with the most common defaults; returns status, message in *msg.
kiln_status vec(CmdBuf& cb, uint32_t op, uint32_t flags, uint32_t rows, uint32_t cols,
                uint32_t src0, uint32_t src0_stride, uint32_t src1, uint32_t src1_stride,
                uint32_t src2, uint32_t dst, uint32_t dst_stride, uint32_t imm = 0,
                uint32_t aux = 0) {
  return kiln_cmd_vector(cb, op, flags, rows, cols, src0, src0_stride, src1, src1_stride, src2,
                         dst, dst_stride, imm, aux);
}

}  // namespace

TEST_CASE("kiln_cmd_vector encodes the VECTOR command", "[vector]") {
  CmdBuf cb;
  REQUIRE(vec(cb, KILN_VECTOR_OP_AXPY, KILN_VECTOR_SRC0_FP32 | KILN_VECTOR_SRC1_SCALAR, 3, 40,
              100, 5, 200, 7, 300, 400, 9, 0x3F800000u, 0xFFFFFFFEu) == KILN_OK);
  MockDevice d;
  uint64_t fence = 0;
  REQUIRE(kiln_submit(d, cb, 0, &fence) == KILN_OK);
  REQUIRE(kiln_wait(d, fence, 0) == KILN_OK);
  std::vector<uint32_t> w(16);
  std::string err;
  REQUIRE(d.mock->mem_read(d.mock->reg(KILN_REG_QUEUE_BASE_LO), w.data(), 64, &err));
  kiln_cmd_vector_t c;
  std::memcpy(&c, w.data(), sizeof c);
  CHECK(c.header == kiln_cmd_header(KILN_OP_VECTOR));
  CHECK(c.op == 15);
  CHECK(c.flags == (1u | (2u << 4)));
  CHECK(c.rows == 3);
  CHECK(c.cols == 40);
  CHECK(c.src0_addr == 100);
  CHECK(c.src0_stride == 5);
  CHECK(c.src1_addr == 200);
  CHECK(c.src1_stride == 7);
  CHECK(c.src2_addr == 300);
  CHECK(c.dst_addr == 400);
  CHECK(c.dst_stride == 9);
  CHECK(c.imm == 0x3F800000u);
  CHECK(c.aux == 0xFFFFFFFEu);
  for (uint32_t r : c.reserved) CHECK(r == 0);
}

TEST_CASE("kiln_cmd_vector argument checks", "[vector]") {
  CmdBuf cb;
  CHECK(vec(cb, 16, 0, 1, 16, 0, 1, 0, 0, 0, 8, 1) == KILN_ERR_INVALID_ARGUMENT);
  CHECK_THAT(kiln_cmdbuf_last_error(cb),
             Equals("kiln_cmd_vector: op 16 is not a vector op (0..15, ADD..AXPY)"));
  CHECK(vec(cb, KILN_VECTOR_OP_ADD, 0x8, 1, 16, 0, 1, 0, 0, 0, 8, 1) == KILN_ERR_INVALID_ARGUMENT);
  CHECK_THAT(kiln_cmdbuf_last_error(cb), Contains("ADD: flags 0x8 has reserved bits set"));
  CHECK(vec(cb, KILN_VECTOR_OP_MUL, KILN_VECTOR_ROWSUM, 1, 16, 0, 1, 0, 0, 0, 8, 1) ==
        KILN_ERR_INVALID_ARGUMENT);
  CHECK_THAT(kiln_cmdbuf_last_error(cb), Contains("MUL: flags 0x100 sets ROWSUM, which only EXP"));
  CHECK(vec(cb, KILN_VECTOR_OP_COPY, 0, 0, 16, 0, 1, 0, 0, 0, 8, 1) == KILN_ERR_INVALID_ARGUMENT);
  CHECK_THAT(kiln_cmdbuf_last_error(cb), Equals("kiln_cmd_vector: rows is 0, must be > 0"));
  CHECK(vec(cb, KILN_VECTOR_OP_COPY, 0, 1, 0, 0, 1, 0, 0, 0, 8, 1) == KILN_ERR_INVALID_ARGUMENT);
  CHECK(kiln_cmdbuf_count(cb) == 0);
  CHECK(vec(cb, KILN_VECTOR_OP_EXP, KILN_VECTOR_ROWSUM | KILN_VECTOR_SRC1_SCALAR, 4, 16, 0, 1,
            100, 0, 0, 8, 1, 0, 200) == KILN_OK);
  CHECK(kiln_cmdbuf_count(cb) == 1);
}

TEST_CASE("VECTOR footprints: one message per operand, naming op and range", "[vector]") {
  CmdBuf cb;
  SECTION("src0 BF16: rows x ceil(cols/16) words") {
    CHECK(vec(cb, KILN_VECTOR_OP_COPY, 0, 2, 33, kWords - 5, 3, 0, 0, 0, 0, 3) ==
          KILN_ERR_OUT_OF_RANGE);
    CHECK_THAT(kiln_cmdbuf_last_error(cb),
               Equals("kiln_cmd_vector: COPY: src0 words [16379, 16385) lies outside the "
                      "scratchpad [0, 16384 words) (2 row(s) of 3 word(s), stride 3)"));
    CHECK(vec(cb, KILN_VECTOR_OP_COPY, 0, 2, 32, kWords - 5, 3, 0, 0, 0, 0, 3) == KILN_OK);
  }
  SECTION("src1 modes") {
    // Row per row, FP32 rows of 2 words.
    CHECK(vec(cb, KILN_VECTOR_OP_ADD, KILN_VECTOR_SRC1_FP32, 2, 16, 0, 1, kWords - 3, 2, 0, 64,
              1) == KILN_ERR_OUT_OF_RANGE);
    CHECK_THAT(kiln_cmdbuf_last_error(cb), Contains("ADD: src1 words"));
    // Broadcast: one row, stride ignored.
    CHECK(vec(cb, KILN_VECTOR_OP_MUL, KILN_VECTOR_SRC1_BCAST, 100, 16, 0, 1, kWords - 1, 1000, 0,
              1000, 1) == KILN_OK);
    // Scalars: ceil(rows/8) FP32 words.
    CHECK(vec(cb, KILN_VECTOR_OP_EXP, KILN_VECTOR_SRC1_SCALAR, 8, 16, 0, 1, kWords - 1, 0, 0, 100,
              1) == KILN_OK);
    CHECK(vec(cb, KILN_VECTOR_OP_EXP, KILN_VECTOR_SRC1_SCALAR, 9, 16, 0, 1, kWords - 1, 0, 0, 100,
              1) == KILN_ERR_OUT_OF_RANGE);
    CHECK_THAT(kiln_cmdbuf_last_error(cb), Contains("EXP: src1 words [16383, 16385)"));
    // Immediate, and ops that never read src1.
    CHECK(vec(cb, KILN_VECTOR_OP_RSQRT, KILN_VECTOR_SRC1_IMM, 4, 16, 0, 1, 0xFFFFFFFFu, 9, 0, 100,
              1) == KILN_OK);
    CHECK(vec(cb, KILN_VECTOR_OP_RECIP, 0, 4, 16, 0, 1, 0xFFFFFFFFu, 9, 0, 100, 1) == KILN_OK);
  }
  SECTION("src2: AXPY only, src0's stride") {
    CHECK(vec(cb, KILN_VECTOR_OP_AXPY, KILN_VECTOR_SRC1_IMM, 2, 16, 0, 4, 0, 0, kWords - 4, 100,
              1) == KILN_ERR_OUT_OF_RANGE);
    CHECK_THAT(kiln_cmdbuf_last_error(cb), Contains("AXPY: src2 words [16380, 16385)"));
    CHECK(vec(cb, KILN_VECTOR_OP_ADD, KILN_VECTOR_SRC1_IMM, 2, 16, 0, 4, 0, 0, 0xFFFFFFFFu, 100,
              1) == KILN_OK);
  }
  SECTION("dst: rows, or a packed array for reductions") {
    CHECK(vec(cb, KILN_VECTOR_OP_COPY, KILN_VECTOR_DST_FP32, 1, 16, 0, 1, 0, 0, 0, kWords - 1, 1) ==
          KILN_ERR_OUT_OF_RANGE);
    CHECK_THAT(kiln_cmdbuf_last_error(cb), Contains("COPY: dst words [16383, 16385)"));
    CHECK(vec(cb, KILN_VECTOR_OP_ROWSUM, 0, 16, 16, 0, 1, 0, 0, 0, kWords - 2, 0xFFFFFFFFu) ==
          KILN_OK);
    CHECK(vec(cb, KILN_VECTOR_OP_ROWARGMAX, 0, 17, 16, 0, 1, 0, 0, 0, kWords - 2, 0) ==
          KILN_ERR_OUT_OF_RANGE);
    CHECK_THAT(kiln_cmdbuf_last_error(cb),
               Contains("ROWARGMAX: dst words [16382, 16385) lies outside the scratchpad"));
  }
  SECTION("EXP row sums at aux") {
    CHECK(vec(cb, KILN_VECTOR_OP_EXP, KILN_VECTOR_ROWSUM | KILN_VECTOR_SRC1_IMM, 9, 16, 0, 1, 0, 0,
              0, 100, 1, 0, kWords - 1) == KILN_ERR_OUT_OF_RANGE);
    CHECK_THAT(kiln_cmdbuf_last_error(cb), Contains("EXP: aux row-sum array words [16383, 16385)"));
    CHECK(vec(cb, KILN_VECTOR_OP_EXP, KILN_VECTOR_SRC1_IMM, 9, 16, 0, 1, 0, 0, 0, 100, 1, 0,
              kWords - 1) == KILN_OK);
    CHECK(vec(cb, KILN_VECTOR_OP_MASK_CAUSAL, 0, 4, 16, 0, 1, 0, 0, 0, 100, 1, 0, 0xFFFFFFF0u) ==
          KILN_OK);
  }
}

TEST_CASE("submit applies the VECTOR checks to raw commands", "[vector]") {
  MockDevice d;
  CmdBuf cb;
  kiln_cmd_vector_t c{};
  c.header = kiln_cmd_header(KILN_OP_VECTOR);
  c.op = KILN_VECTOR_OP_ROWMAX;
  c.rows = 17;
  c.cols = 16;
  c.src0_stride = 1;
  c.dst_addr = kWords - 2;
  REQUIRE(kiln_cmd_nop(cb) == KILN_OK);
  REQUIRE(kiln_cmd_raw(cb, &c) == KILN_OK);
  uint64_t fence = 0;
  CHECK(kiln_submit(d, cb, 0, &fence) == KILN_ERR_OUT_OF_RANGE);
  CHECK_THAT(d.err(), Contains("kiln_submit: command 1 (VECTOR): ROWMAX: dst words [16382, 16385)"));
  c.reserved[1] = 3;
  kiln_cmdbuf_reset(cb);
  c.dst_addr = 0;
  REQUIRE(kiln_cmd_raw(cb, &c) == KILN_OK);
  CHECK(kiln_submit(d, cb, 0, &fence) == KILN_ERR_INVALID_ARGUMENT);
  CHECK_THAT(d.err(), Contains("command 0 (VECTOR): reserved word 15 is 0x3, must be 0"));
  CHECK(d.mock->doorbells() == 0);
}

TEST_CASE("BARRIER bit 5 is the vector unit; KILN_UNIT_ALL includes it", "[vector]") {
  CmdBuf cb;
  CHECK(kiln_cmd_barrier(cb, KILN_UNIT_VU) == KILN_OK);
  CHECK(kiln_cmd_barrier(cb, KILN_UNIT_VU | KILN_UNIT_TC | KILN_UNIT_DMA(0)) == KILN_OK);
  CHECK(kiln_cmd_barrier(cb, KILN_UNIT_ALL) == KILN_OK);
  CHECK(kiln_cmd_barrier(cb, 1u << 6) == KILN_ERR_INVALID_ARGUMENT);
  CHECK_THAT(kiln_cmdbuf_last_error(cb), Contains("the vector unit, bit 5"));
  MockDevice d;
  uint64_t fence = 0;
  REQUIRE(kiln_submit(d, cb, 0, &fence) == KILN_OK);
  std::vector<uint32_t> w(16);
  std::string err;
  REQUIRE(d.mock->mem_read(d.mock->reg(KILN_REG_QUEUE_BASE_LO) + 128, w.data(), 64, &err));
  CHECK(w[1] == (KILN_UNIT_VU | KILN_UNIT_TC | ((1u << KILN_HW_DMA_CHANNELS) - 1u)));
}

TEST_CASE("C++ CommandBuffer::vector and vu_busy_cycles", "[vector]") {
  kiln::CommandBuffer cb;
  cb.vector(KILN_VECTOR_OP_SILU_MUL, KILN_VECTOR_SRC1_IMM, 2, 32, 0, 2, 0, 0, 0, 64, 2,
            0x3F800000u);
  CHECK(cb.size() == 1);
  try {
    cb.vector(KILN_VECTOR_OP_COPY, 0, 1, 16, kWords, 1, 0, 0, 0, 0, 1);
    FAIL("no exception");
  } catch (const kiln::Error& e) {
    CHECK(e.status() == KILN_ERR_OUT_OF_RANGE);
    CHECK_THAT(e.what(), Contains("COPY: src0 words [16384, 16385)"));
  }
  MockDevice d;
  d.mock->mmio_write32(KILN_REG_PERF_VU_BUSY_LO, 1234);  // the mock stores any register
  d.mock->mmio_write32(KILN_REG_PERF_VU_BUSY_HI, 1);
  kiln_counters c{};
  REQUIRE(kiln_read_counters(d, &c) == KILN_OK);
  CHECK(c.vu_busy_cycles == ((uint64_t{1} << 32) | 1234u));
}

TEST_CASE("per-DMA-channel counters and vu_stall_cycles; C++ counter helpers", "[vector]") {
  MockDevice d;
  const uint32_t last = KILN_HW_DMA_CHANNELS - 1;
  d.mock->mmio_write32(KILN_REG_DMA_PERF_RD_BYTES_LO(last), 4096);
  d.mock->mmio_write32(KILN_REG_DMA_PERF_RD_BYTES_HI(last), 2);
  d.mock->mmio_write32(KILN_REG_DMA_PERF_WR_BYTES_LO(0), 64);
  d.mock->mmio_write32(KILN_REG_DMA_PERF_BUSY_LO(last), 300);
  d.mock->mmio_write32(KILN_REG_DMA_PERF_STALL_LO(last), 172);
  d.mock->mmio_write32(KILN_REG_PERF_VU_STALL_LO, 77);
  kiln_counters c;
  std::memset(&c, 0xAB, sizeof c);  // every field must be written, also past the channel count
  REQUIRE(kiln_read_counters(d, &c) == KILN_OK);
  CHECK(c.dma_ch_read_bytes[last] == ((uint64_t{2} << 32) | 4096u));
  CHECK(c.dma_ch_write_bytes[0] == 64u);
  CHECK(c.dma_ch_busy_cycles[last] == 300u);
  CHECK(c.dma_ch_stall_cycles[last] == 172u);
  CHECK(c.vu_stall_cycles == 77u);
  for (unsigned ch = KILN_HW_DMA_CHANNELS; ch < KILN_COUNTERS_MAX_DMA_CHANNELS; ++ch) {
    CHECK(c.dma_ch_read_bytes[ch] == 0u);
    CHECK(c.dma_ch_stall_cycles[ch] == 0u);
  }

  kiln_counters before{};
  before.dma_ch_busy_cycles[last] = 100;
  before.vu_stall_cycles = 7;
  const kiln_counters delta = kiln::counters_delta(c, before);
  CHECK(delta.dma_ch_busy_cycles[last] == 200u);
  CHECK(delta.vu_stall_cycles == 70u);
  CHECK(kiln::counters_sum(delta, before).dma_ch_busy_cycles[last] == 300u);
  CHECK(kiln::format_bytes(0) == "0 B");
  CHECK(kiln::format_bytes(1234567) == "1.2 MB");
  const std::string text = kiln::format_unit_counters(delta, KILN_HW_DMA_CHANNELS, "  ");
  CHECK_THAT(text, Contains("  dma ch0 rd 0 B wr 64 B busy 0 stall 0\n"));
  CHECK_THAT(text, Contains("busy 200 stall 172\n"));
  CHECK_THAT(text, Contains("  vu busy 0 stall 70\n"));
}
