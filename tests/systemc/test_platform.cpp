// Integration through PlatformHost with the real NPU (Vkiln_npu_top) and the
// firmware on the control core.
#include <catch2/catch.hpp>

#include <cstdio>
#include <vector>

#include "kiln_hw.h"
#include "kiln_regs.h"
#include "platform_host.h"

using namespace kiln;

TEST_CASE("platform_npu_identity") {
  std::string err;
  auto h = PlatformHost::create(PlatformOptions{}, &err);
  REQUIRE(h);
  CHECK(h->mmio_read32(KILN_REG_ID) == 0x4B494C4E);
  CHECK(h->mmio_read32(KILN_REG_VERSION) == 0x00010000);
  CHECK(h->last_mmio_error().empty());
  // MMIO reads cross the host link twice.
  CHECK(h->now_ns() >= 2 * 2 * KILN_HW_HOST_LINK_LATENCY_CYCLES);
  CHECK(h->rtl_cycles() > 0);
  // kiln_fw_init ran on the control core through the HAL.
  CHECK((h->mmio_read32(KILN_REG_FW_STATUS) & KILN_FW_STATUS_READY_MASK) != 0);
  // Nothing busy: the island stops its clock while the host waits.
  const uint64_t c0 = h->rtl_cycles();
  CHECK_FALSE(h->wait_irq(100000));
  CHECK(h->rtl_cycles() - c0 < 2000);
  CHECK_FALSE(PlatformHost::create(PlatformOptions{}, &err));
}

TEST_CASE("platform_npu_dram") {
  std::string err;
  auto h = PlatformHost::create(PlatformOptions{}, &err);
  REQUIRE(h);
  std::vector<uint8_t> src(4096), dst(4096);
  for (size_t i = 0; i < src.size(); ++i) src[i] = static_cast<uint8_t>(i * 13 + 1);
  const uint64_t t0 = h->now_ns();
  REQUIRE(h->mem_write(KILN_HW_DRAM_BASE + 0x10000, src.data(), src.size(), &err));
  REQUIRE(h->mem_read(KILN_HW_DRAM_BASE + 0x10000, dst.data(), dst.size(), &err));
  CHECK(dst == src);
  // Both directions move 4096 bytes over the link.
  CHECK(h->now_ns() - t0 >= 2 * 4096 / KILN_HW_HOST_LINK_BYTES_PER_CYCLE);
  CHECK_FALSE(h->mem_write(KILN_HW_DRAM_BASE + KILN_HW_DRAM_SIZE, src.data(), 4, &err));
  char end[32];
  std::snprintf(end, sizeof end, "0x%llx", static_cast<unsigned long long>(KILN_HW_DRAM_BASE + KILN_HW_DRAM_SIZE));
  CHECK(err.find(end) != std::string::npos);
}
