// The fast NPU model (systemc/fast) against the RTL: the same register
// sequences on both give the same values and responses.
#include <catch2/catch.hpp>

#include <cstdio>
#include <string>
#include <vector>

#include "Vkiln_npu_top.h"
#include "kiln_hw.h"
#include "kiln_regs.h"
#include "kiln_regs_table.h"
#include "platform.h"
#include "verilated_model.h"

using namespace kiln;

namespace {

Platform* g_platform = nullptr;
bool g_done = false;
std::vector<std::string> g_log[2];  // one line per access, per NPU

void log_access(int which, const char* what, uint32_t off, uint32_t v, uint8_t resp) {
  char b[96];
  std::snprintf(b, sizeof b, "%s 0x%03X -> 0x%08X resp %u", what, off, v, resp);
  g_log[which].push_back(b);
}

// A register is left out when touching it changes unit state in ways that
// depend on timing (starts, soft reset) or when it counts cycles.
bool skip(const kiln_reg_info_t& e) {
  const std::string n = e.name;
  return n == "CTRL" || n.find("START") != std::string::npos || n.rfind("PERF_", 0) == 0;
}

void sequence(int which, Npu& npu) {
  auto rd = [&](uint32_t off) {
    uint32_t v = 0;
    const uint8_t r = npu.csr_access(false, off, 0, &v);
    log_access(which, "rd", off, v, r);
  };
  auto wr = [&](uint32_t off, uint32_t v, uint8_t strb) {
    const uint8_t r = npu.csr_access(true, off, v, nullptr, strb);
    log_access(which, "wr", off, v, r);
  };
  for (int i = 0; i < KILN_REG_TABLE_COUNT; ++i) {
    const kiln_reg_info_t& e = kiln_reg_table[i];
    if (skip(e)) continue;
    rd(e.offset);
    wr(e.offset, 0xFFFFFFFFu, 0xF);
    rd(e.offset);
    wr(e.offset, 0xA5A55A5Au, 0x5);  // byte strobes
    rd(e.offset);
    wr(e.offset, 0x0u, 0xF);
    rd(e.offset);
  }
  // w1c set by hardware pulses, cleared by software.
  wr(KILN_REG_DOORBELL, 1, 0xF);
  wr(KILN_REG_IRQ_SET, 0x5, 0xF);
  rd(KILN_REG_FW_EVENT);
  rd(KILN_REG_IRQ_STATUS);
  wr(KILN_REG_IRQ_ENABLE, 0x4, 0xF);
  g_log[which].push_back(std::string("irq_host ") + (npu.irq_host() ? "1" : "0") + " irq_fw " + (npu.irq_fw() ? "1" : "0"));
  wr(KILN_REG_IRQ_STATUS, 0x4, 0xF);
  wr(KILN_REG_FW_EVENT, 0xFFFFFFFFu, 0xF);
  rd(KILN_REG_IRQ_STATUS);
  g_log[which].push_back(std::string("irq_host ") + (npu.irq_host() ? "1" : "0") + " irq_fw " + (npu.irq_fw() ? "1" : "0"));
  // Holes answer SLVERR with data 0.
  for (uint32_t off : {0x018u, 0x0FCu, 0x1FCu, 0xFFFCu}) {
    rd(off);
    wr(off, 1, 0xF);
  }
}

// Runs as the "firmware" on the control core: the same sequence on each NPU.
void both_sequences() {
  sequence(0, *g_platform->island);
  sequence(1, *g_platform->fast);
  g_done = true;
}

}  // namespace

TEST_CASE("fast_regfile_vs_rtl") {
  std::string err;
  PlatformOptions o;
  o.npu = "both";
  auto h = create_platform_host(std::make_unique<VerilatedRtlModel<Vkiln_npu_top>>(), &both_sequences, o, &err);
  REQUIRE(h);
  g_platform = h->impl().platform.get();
  // Host memory reads let simulated time pass while the control core runs
  // the sequences (wait_irq would return as soon as a sequence raises irq_host).
  uint8_t b[4];
  for (int i = 0; i < 10000 && !g_done; ++i) REQUIRE(h->mem_read(KILN_HW_DRAM_BASE, b, 4, &err));
  REQUIRE(g_done);
  REQUIRE(g_log[0].size() > 300);
  REQUIRE(g_log[0].size() == g_log[1].size());
  for (size_t i = 0; i < g_log[0].size(); ++i) {
    INFO("access " << i);
    CHECK(g_log[1][i] == g_log[0][i]);
  }
}

TEST_CASE("fast_platform_identity") {
  std::string err;
  PlatformOptions o;
  o.npu = "fast";
  auto h = PlatformHost::create(o, &err);
  REQUIRE(h);
  CHECK(h->active_npu() == "fast");
  CHECK(h->mmio_read32(KILN_REG_ID) == 0x4B494C4E);
  CHECK((h->mmio_read32(KILN_REG_FW_STATUS) & KILN_FW_STATUS_READY_MASK) != 0);
  CHECK(h->mmio_read32(0x0FC) == 0xFFFFFFFFu);
  CHECK_FALSE(h->last_mmio_error().empty());
  // Idle: the modelled clock stops as the island's does.
  const uint64_t c0 = h->rtl_cycles();
  CHECK_FALSE(h->wait_irq(100000));
  CHECK(h->rtl_cycles() - c0 < 2000);
  CHECK_FALSE(h->select_npu("rtl", &err));
  CHECK(err.find("both") != std::string::npos);
}

TEST_CASE("fast_platform_bad_choice") {
  std::string err;
  PlatformOptions o;
  o.npu = "silicon";
  CHECK_FALSE(PlatformHost::create(o, &err));
  CHECK(err.find("silicon") != std::string::npos);
}
