// Command buffers, submit-time validation, the ring and fences.
#include <cstdio>
#include <cstring>
#include <vector>

#include "kiln_cmds.h"
#include "kiln_hw.h"
#include "kiln_regs.h"
#include "test_util.h"

using Catch::Matchers::Contains;
using Catch::Matchers::Equals;

namespace {
std::vector<uint32_t> ring_cmd(MockDevice& d, uint32_t offset) {
  std::vector<uint32_t> w(16);
  std::string err;
  REQUIRE(d.mock->mem_read(d.mock->reg(KILN_REG_QUEUE_BASE_LO) + offset, w.data(), 64, &err));
  return w;
}
}  // namespace

TEST_CASE("NOP submission: ring contents, doorbell, fence", "[submit]") {
  MockDevice d;
  CmdBuf cb;
  REQUIRE(kiln_cmd_nop(cb) == KILN_OK);
  CHECK(kiln_cmdbuf_count(cb) == 1);
  uint64_t fence = 0;
  REQUIRE(kiln_submit(d, cb, 0, &fence) == KILN_OK);
  CHECK(fence == 1);
  CHECK(d.mock->doorbells() == 1);
  CHECK(d.mock->reg(KILN_REG_QUEUE_TAIL) == 128);
  CHECK(ring_cmd(d, 0)[0] == kiln_cmd_header(KILN_OP_NOP));
  auto f = ring_cmd(d, 64);
  CHECK(f[0] == kiln_cmd_header(KILN_OP_FENCE));
  CHECK(f[1] == 1);  // raise the interrupt
  CHECK(f[2] == 1);  // fence value
  REQUIRE(kiln_wait(d, fence, 0) == KILN_OK);
  CHECK(d.mock->reg(KILN_REG_QUEUE_HEAD) == 128);
  CHECK(kiln_wait(d, fence, 0) == KILN_OK);  // idempotent
  CHECK(kiln_wait(d, 0, 0) == KILN_ERR_INVALID_ARGUMENT);
  CHECK(kiln_wait(d, 2, 0) == KILN_ERR_INVALID_ARGUMENT);
  CHECK_THAT(d.err(), Contains("fence 2 was never returned by kiln_submit (last fence 1)"));
  // An empty command buffer is just a fence.
  kiln_cmdbuf_reset(cb);
  REQUIRE(kiln_submit(d, cb, 0, &fence) == KILN_OK);
  CHECK(fence == 2);
  CHECK(kiln_wait(d, fence, 0) == KILN_OK);
}

TEST_CASE("submit refuses DMA outside device memory before touching the ring", "[submit]") {
  MockDevice d;
  CmdBuf cb;
  REQUIRE(kiln_cmd_nop(cb) == KILN_OK);
  REQUIRE(kiln_cmd_nop(cb) == KILN_OK);
  REQUIRE(kiln_cmd_nop(cb) == KILN_OK);
  REQUIRE(kiln_cmd_dma(cb, 0, 0, 0x10000000, 0, 1024, 4, 1024, 1024) == KILN_OK);
  const uint64_t writes = d.mock->mem_write_calls();
  uint64_t fence = 77;
  CHECK(kiln_submit(d, cb, 0, &fence) == KILN_ERR_OUT_OF_RANGE);
  char want[160];  // device memory's bounds come from rtl/kiln_hw.toml
  std::snprintf(want, sizeof want,
                "kiln_submit: command 3 (DMA): device-memory range [0x10000000, 0x10001000) lies "
                "outside device memory [0x%llx, 0x%llx)", static_cast<unsigned long long>(KILN_HW_DRAM_BASE),
                static_cast<unsigned long long>(KILN_HW_DRAM_BASE + KILN_HW_DRAM_SIZE));
  CHECK_THAT(d.err(), Equals(want));
  CHECK(fence == 77);
  CHECK(d.mock->mem_write_calls() == writes);
  CHECK(d.mock->doorbells() == 0);
  CHECK(d.mock->reg(KILN_REG_QUEUE_TAIL) == 0);
}

TEST_CASE("submit checks DMA ranges against live allocations", "[submit]") {
  MockDevice d;
  kiln_buffer b;
  REQUIRE(kiln_alloc(d, 4096, 4096, &b) == KILN_OK);
  CmdBuf ok, past_end, unallocated;
  // 4 rows of 1 KiB exactly fill the buffer; a stride of 1056 runs 96 bytes past it.
  REQUIRE(kiln_cmd_dma(ok, 1, 1, b.addr, 0, 1024, 4, 1024, 1024) == KILN_OK);
  REQUIRE(kiln_cmd_dma(past_end, 0, 0, b.addr, 0, 1024, 4, 1056, 1024) == KILN_OK);
  REQUIRE(kiln_cmd_dma(unallocated, 0, 0, b.addr + (64 << 20), 0, 32, 1, 0, 0) == KILN_OK);
  uint64_t fence = 0;
  CHECK(kiln_submit(d, past_end, 0, &fence) == KILN_ERR_OUT_OF_RANGE);
  CHECK_THAT(d.err(), Contains("command 0 (DMA): device-memory range [" ) &&
                          Contains("lies outside every allocated buffer (nearest buffer"));
  CHECK(kiln_submit(d, unallocated, 0, &fence) == KILN_ERR_OUT_OF_RANGE);
  CHECK_THAT(d.err(), Contains("lies outside every allocated buffer"));
  REQUIRE(kiln_submit(d, ok, 0, &fence) == KILN_OK);
  CHECK(kiln_wait(d, fence, 0) == KILN_OK);
  // After kiln_free the same command is refused.
  REQUIRE(kiln_free(d, b) == KILN_OK);
  CHECK(kiln_submit(d, ok, 0, &fence) == KILN_ERR_OUT_OF_RANGE);
}

TEST_CASE("builder argument checks", "[submit]") {
  CmdBuf cb;
  CHECK(kiln_cmd_dma(cb, 2, 0, 0x80000000, 0, 32, 1, 32, 32) == KILN_ERR_INVALID_ARGUMENT);
  CHECK_THAT(kiln_cmdbuf_last_error(cb), Contains("channel 2 does not exist (the device has 2 DMA channels)"));
  CHECK_THAT(kiln_last_error(nullptr), Contains("channel 2 does not exist"));
  CHECK(kiln_cmd_dma(cb, 0, 2, 0x80000000, 0, 32, 1, 32, 32) == KILN_ERR_INVALID_ARGUMENT);
  CHECK(kiln_cmd_dma(cb, 0, 0, 0x80000010, 0, 32, 1, 32, 32) == KILN_ERR_INVALID_ARGUMENT);
  CHECK_THAT(kiln_cmdbuf_last_error(cb), Equals("kiln_cmd_dma: dram_addr 0x80000010 is not a multiple of 32 bytes"));
  CHECK(kiln_cmd_dma(cb, 0, 0, 0x80000000, 0, 48, 1, 64, 64) == KILN_ERR_INVALID_ARGUMENT);
  CHECK_THAT(kiln_cmdbuf_last_error(cb), Contains("row_bytes 0x30"));
  CHECK(kiln_cmd_dma(cb, 0, 0, 0x80000000, 0, 32, 0, 32, 32) == KILN_ERR_INVALID_ARGUMENT);
  CHECK_THAT(kiln_cmdbuf_last_error(cb), Contains("rows is 0"));
  CHECK(kiln_cmd_gemm(cb, 2, 0, 0, 1, 0, 1, 0, 16, 16, 16) == KILN_ERR_INVALID_ARGUMENT);
  CHECK(kiln_cmd_gemm(cb, 0, 0, 0, 1, 0, 1, 0, 16, 16, 0) == KILN_ERR_INVALID_ARGUMENT);
  CHECK(kiln_cmd_barrier(cb, 0x40) == KILN_ERR_INVALID_ARGUMENT);
  CHECK(kiln_cmdbuf_count(cb) == 0);  // nothing appended by failed calls
}

TEST_CASE("scratchpad and accumulator bounds are exact", "[submit]") {
  CmdBuf cb;
  const uint32_t spad = KILN_HW_SCRATCHPAD_BYTES, words = spad / 32, acc = KILN_HW_TENSOR_CORE_ACC_ROWS;
  // DMA: 2 rows of 64 bytes, stride 128: [spad-192, spad) fits, one word later does not.
  CHECK(kiln_cmd_dma(cb, 0, 0, 0x80000000, spad - 192, 64, 2, 64, 128) == KILN_OK);
  CHECK(kiln_cmd_dma(cb, 0, 0, 0x80000000, spad - 160, 64, 2, 64, 128) == KILN_ERR_OUT_OF_RANGE);
  CHECK_THAT(kiln_cmdbuf_last_error(cb),
             Equals("kiln_cmd_dma: scratchpad range bytes [524128, 524320) lies outside the "
                    "scratchpad [0, 524288 bytes)"));
  // GEMM A: m=4, K=40 -> 3 words per row, stride 8: end = a + 3*8 + 3.
  CHECK(kiln_cmd_gemm(cb, 0, 0, words - 27, 8, 0, 1, 0, 4, 16, 40) == KILN_OK);
  CHECK(kiln_cmd_gemm(cb, 0, 0, words - 26, 8, 0, 1, 0, 4, 16, 40) == KILN_ERR_OUT_OF_RANGE);
  CHECK_THAT(kiln_cmdbuf_last_error(cb), Contains("A operand words [16358, 16385)"));
  // GEMM B: K=17 rows, N=20 -> 2 tiles, stride 2: end = b + 16*2 + 2.
  CHECK(kiln_cmd_gemm(cb, 1, 1, 0, 2, words - 34, 2, 0, 1, 20, 17) == KILN_OK);
  CHECK(kiln_cmd_gemm(cb, 1, 1, 0, 2, words - 33, 2, 0, 1, 20, 17) == KILN_ERR_OUT_OF_RANGE);
  CHECK_THAT(kiln_cmdbuf_last_error(cb), Contains("B operand words [16351, 16385)"));
  // Accumulator: M=16, N=32 -> 2 tiles -> 32 rows.
  CHECK(kiln_cmd_gemm(cb, 0, 0, 0, 1, 0, 1, acc - 32, 16, 32, 16) == KILN_OK);
  CHECK(kiln_cmd_gemm(cb, 0, 0, 0, 1, 0, 1, acc - 31, 16, 32, 16) == KILN_ERR_OUT_OF_RANGE);
  CHECK_THAT(kiln_cmdbuf_last_error(cb),
             Equals("kiln_cmd_gemm: accumulator rows [2017, 2049) lies outside the accumulator "
                    "[0, 2048 rows)"));
  // WRITEBACK FP32: M=2, N=32 -> 2 tiles x 2 words, stride 4: end = out + 4 + 4.
  CHECK(kiln_cmd_writeback(cb, 1, 0, words - 8, 4, 2, 32) == KILN_OK);
  CHECK(kiln_cmd_writeback(cb, 1, 0, words - 7, 4, 2, 32) == KILN_ERR_OUT_OF_RANGE);
  CHECK(kiln_cmd_writeback(cb, 0, 0, words - 7, 4, 2, 32) == KILN_OK);  // BF16: 1 word per tile
  CHECK(kiln_cmdbuf_count(cb) == 6);
}

TEST_CASE("submit re-checks raw commands and names the command index", "[submit]") {
  MockDevice d;
  CmdBuf cb;
  kiln_cmd_dma_t dma{};
  dma.header = kiln_cmd_header(KILN_OP_DMA);
  dma.dram_addr_lo = 0x80000010;
  dma.row_bytes = 32;
  dma.rows = 1;
  REQUIRE(kiln_cmd_nop(cb) == KILN_OK);
  REQUIRE(kiln_cmd_raw(cb, &dma) == KILN_OK);
  uint64_t fence = 0;
  CHECK(kiln_submit(d, cb, 0, &fence) == KILN_ERR_INVALID_ARGUMENT);
  CHECK_THAT(d.err(), Equals("kiln_submit: command 1 (DMA): dram_addr 0x80000010 is not a multiple of 32 bytes"));
  kiln_cmdbuf_reset(cb);
  kiln_cmd_fence_t f{};
  f.header = kiln_cmd_header(KILN_OP_FENCE);
  REQUIRE(kiln_cmd_raw(cb, &f) == KILN_OK);
  CHECK(kiln_submit(d, cb, 0, &fence) == KILN_ERR_INVALID_ARGUMENT);
  CHECK_THAT(d.err(), Contains("command 0 (FENCE): FENCE commands are appended by kiln_submit"));
  kiln_cmdbuf_reset(cb);
  uint32_t bad[16] = {0x7F | (1u << 8)};
  REQUIRE(kiln_cmd_raw(cb, bad) == KILN_OK);
  CHECK(kiln_submit(d, cb, 0, &fence) == KILN_ERR_INVALID_ARGUMENT);
  CHECK_THAT(d.err(), Contains("command 0 (UNKNOWN(0x7f)): unknown opcode 0x7f"));
  CHECK(kiln_submit(d, cb, 2, &fence) == KILN_ERR_INVALID_ARGUMENT);
  CHECK_THAT(d.err(), Contains("unknown flags 0x2"));
}

TEST_CASE("ring wrap-around over many submissions", "[submit]") {
  kiln_test::MockConfig cfg;
  cfg.cmds_per_step = 7;  // firmware lags behind the host
  MockDevice d(cfg);
  CmdBuf cb;
  for (int i = 0; i < 4; ++i) REQUIRE(kiln_cmd_nop(cb) == KILN_OK);
  uint64_t fence = 0, last_waited = 0;
  // 700 submissions x 5 commands = 3500 slots: the 1024-slot ring wraps 3 times,
  // and without waiting in between submit must wait for QUEUE_HEAD.
  for (int i = 0; i < 700; ++i) {
    REQUIRE(kiln_submit(d, cb, 0, &fence) == KILN_OK);
    if (i % 250 == 249) {
      REQUIRE(kiln_wait(d, fence, 0) == KILN_OK);
      last_waited = fence;
    }
  }
  CHECK(last_waited == 500);
  REQUIRE(kiln_wait(d, fence, 0) == KILN_OK);
  CHECK(fence == 700);
  CHECK(d.mock->commands_executed() == 3500);
  CHECK(d.mock->reg(KILN_REG_FENCE_VALUE) == 700);
  CHECK(d.mock->reg(KILN_REG_QUEUE_HEAD) == (3500 * 64) % (64 * 1024));
  CHECK(kiln_wait(d, 3, 0) == KILN_OK);  // old fences stay complete
}

TEST_CASE("a command buffer larger than the ring is streamed", "[submit]") {
  kiln_test::MockConfig cfg;
  cfg.cmds_per_step = 100;
  MockDevice d(cfg);
  CmdBuf cb;
  for (int i = 0; i < 2500; ++i) REQUIRE(kiln_cmd_barrier(cb, KILN_UNIT_ALL) == KILN_OK);
  uint64_t fence = 0;
  REQUIRE(kiln_submit(d, cb, 0, &fence) == KILN_OK);
  REQUIRE(kiln_wait(d, fence, 0) == KILN_OK);
  CHECK(d.mock->commands_executed() == 2501);
  CHECK(d.mock->doorbells() >= 3);
}
