// The generated headers: values match the TOML sources, and the same
// headers compiled as C (gen_headers_c.c) agree with the C++ view.
#include <catch2/catch.hpp>

#include <cstddef>
#include <cstring>

#include "kiln_cmds.h"
#include "kiln_hw.h"
#include "kiln_regs.h"

extern "C" {
uint32_t kiln_test_c_reg_offset(int which);
uint32_t kiln_test_c_cmd_size(void);
uint32_t kiln_test_c_header(uint32_t op);
const char* kiln_test_c_error_name(uint32_t code);
}

TEST_CASE("kiln_hw.h carries every hardware key", "[gen]") {
  CHECK(KILN_HW_TENSOR_CORE_ROWS == 16);
  CHECK(KILN_HW_TENSOR_CORE_COLS == 16);
  CHECK(KILN_HW_SCRATCHPAD_BYTES == 524288);
  CHECK(KILN_HW_AXI_DATA_BITS == 256);
  CHECK(KILN_HW_DRAM_BASE == 0x80000000ULL);
  CHECK(KILN_HW_CSR_BASE == 0x40000000);
  CHECK(KILN_HW_SCRATCHPAD_WORDS == KILN_HW_SCRATCHPAD_BYTES / KILN_HW_SCRATCHPAD_WORD_BYTES);
  CHECK((1u << KILN_HW_SCRATCHPAD_ADDR_BITS) == KILN_HW_SCRATCHPAD_WORDS);
}

TEST_CASE("kiln_regs.h offsets and fields", "[gen]") {
  CHECK(KILN_REG_ID == 0x000u);
  CHECK(KILN_REG_QUEUE_TAIL == 0x030u);
  CHECK(KILN_REG_FW_EVENT == 0x068u);
  CHECK(KILN_REG_DMA_START(0) == 0x120u);
  CHECK(KILN_REG_DMA_START(1) == 0x160u);
  CHECK(KILN_REG_TC_M(0) == 0x218u);
  CHECK(KILN_DMA_COUNT == KILN_HW_DMA_CHANNELS);
  CHECK(KILN_TC_COUNT == 1);
  CHECK(KILN_IRQ_STATUS_ERROR_MASK == 0x2u);
  CHECK(KILN_DMA_STATUS_RESP_SHIFT == 2);
  CHECK(KILN_DMA_STATUS_RESP_MASK == 0xCu);
  CHECK(KILN_TC_OP_DTYPE_SHIFT == 4);
  CHECK(KILN_TC_OP_DTYPE_MASK == 0x30u);
  CHECK(KILN_HWCFG_SPAD_KIB_MASK == 0xFF000000u);
  CHECK(KILN_ID_RESET_VALUE == 0x4B494C4Eu);
}

TEST_CASE("kiln_cmds.h structs, opcodes and errors", "[gen]") {
  CHECK(KILN_CMD_BYTES == 64);
  CHECK(sizeof(kiln_cmd_gemm_t) == 64);
  CHECK(sizeof(kiln_cmd_nop_t) == 64);
  CHECK(offsetof(kiln_cmd_dma_t, channel) == 4);
  CHECK(offsetof(kiln_cmd_dma_t, spad_stride) == 32);
  CHECK(offsetof(kiln_cmd_gemm_t, k) == 36);
  CHECK(offsetof(kiln_cmd_fence_t, value) == 8);
  CHECK(KILN_OP_GEMM == 0x02u);
  CHECK(KILN_OP_FENCE == 0x05u);
  CHECK(kiln_cmd_header(KILN_OP_DMA) == (0x01u | (KILN_CMD_VERSION << 8)));
  CHECK(std::strcmp(kiln_device_error_name(KILN_ERR_DMA_DECERR), "DMA_DECERR") == 0);
  CHECK(std::strcmp(kiln_device_error_name(KILN_ERR_NONE), "NONE") == 0);
  CHECK(std::strcmp(kiln_device_error_name(999), "UNKNOWN") == 0);
  CHECK(KILN_ERR_FETCH == 10u);
}

TEST_CASE("C and C++ compilations of the headers agree", "[gen]") {
  CHECK(kiln_test_c_reg_offset(0) == KILN_REG_QUEUE_TAIL);
  CHECK(kiln_test_c_reg_offset(1) == KILN_REG_DMA_ERR_ADDR(1));
  CHECK(kiln_test_c_cmd_size() == sizeof(kiln_cmd_writeback_t));
  CHECK(kiln_test_c_header(KILN_OP_BARRIER) == kiln_cmd_header(KILN_OP_BARRIER));
  CHECK(std::strcmp(kiln_test_c_error_name(KILN_ERR_ALIGNMENT), "ALIGNMENT") == 0);
}
