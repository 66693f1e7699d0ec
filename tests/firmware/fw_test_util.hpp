// Shared fixture for the firmware tests: a fake NPU with a ring, the
// firmware initialised against it, and error assertions.
#pragma once

#include <catch2/catch.hpp>

#include "fake_hal.hpp"
#include "kiln_fw.h"

namespace kiln_test {

struct Fw {
  static constexpr uint64_t kRingBase = FakeNpu::kMemBase + 0x1000;
  FakeNpu npu;

  explicit Fw(uint32_t ring_cmds = 16)
  {
    npu.setup_ring(kRingBase, ring_cmds * KILN_CMD_BYTES);
    kiln_fw_init();
    npu.clear_log();
  }

  // Host rings the doorbell; firmware handles it.
  int run()
  {
    npu.doorbell();
    return kiln_fw_poll();
  }

  uint32_t r(uint32_t off) const { return npu.reg(off); }
  uint32_t head() const { return r(KILN_REG_QUEUE_HEAD); }
  bool halted() const { return (r(KILN_REG_FW_STATUS) & KILN_FW_STATUS_HALTED_MASK) != 0; }

  void require_error(uint32_t code, uint64_t addr, uint32_t cmd_offset) const
  {
    INFO("ERR_CODE " << r(KILN_REG_ERR_CODE) << " (" << kiln_device_error_name(r(KILN_REG_ERR_CODE))
                     << "), expected " << kiln_device_error_name(code));
    REQUIRE(r(KILN_REG_ERR_CODE) == code);
    CHECK(r(KILN_REG_ERR_ADDR_LO) == static_cast<uint32_t>(addr));
    CHECK(r(KILN_REG_ERR_ADDR_HI) == static_cast<uint32_t>(addr >> 32));
    CHECK(r(KILN_REG_ERR_CMD_OFFSET) == cmd_offset);
    CHECK(halted());
    CHECK((r(KILN_REG_IRQ_STATUS) & KILN_IRQ_STATUS_ERROR_MASK) != 0);
  }
};

}  // namespace kiln_test
