// The NPU island, its AXI4 slave adapter and AXI4-Lite master, the control
// core's HAL and PlatformHost, all driven through the test RTL
// (rtl/kiln_axi_tgen.sv), which has kiln_npu_top's ports.
#include <catch2/catch.hpp>

#include <cstdio>
#include <cstring>
#include <fstream>
#include <vector>

#include "Vkiln_axi_tgen.h"
#include "kiln_hal.h"
#include "kiln_hw.h"
#include "platform.h"
#include "verilated_model.h"

using namespace kiln;

namespace {

enum : uint32_t {
  kId = 0x000, kStatus = 0x010, kIrqStatus = 0x040, kIrqEnable = 0x044, kFwEvent = 0x068,
  kAddr = 0x100, kLen = 0x104, kBursts = 0x108, kCmd = 0x10C, kChecksum = 0x110, kResp = 0x114, kBeats = 0x118,
};
constexpr uint64_t kBase = KILN_HW_DRAM_BASE;

std::unique_ptr<PlatformHost> make(FwEntry fw = nullptr, const PlatformOptions& opts = {}) {
  std::string err;
  auto h = create_platform_host(std::make_unique<VerilatedRtlModel<Vkiln_axi_tgen>>(), fw, opts, &err);
  REQUIRE(h);
  return h;
}

// Runs one traffic command and waits for its interrupt; returns RESP.
uint32_t run_cmd(PlatformHost& h, uint32_t addr, uint32_t len, uint32_t bursts, uint32_t cmd) {
  h.mmio_write32(kAddr, addr);
  h.mmio_write32(kLen, len);
  h.mmio_write32(kBursts, bursts);
  h.mmio_write32(kIrqEnable, 1);
  h.mmio_write32(kCmd, cmd);
  REQUIRE(h.wait_irq(1000000));
  h.mmio_write32(kIrqStatus, 1);
  CHECK_FALSE(h.wait_irq(0));
  return h.mmio_read32(kResp);
}

}  // namespace

TEST_CASE("island_write_read_bursts") {
  auto h = make();
  CHECK(h->mmio_read32(kId) == 0x5447454E);
  CHECK(h->mmio_read32(kStatus) == 0);

  // 6 write bursts of 8 beats from kBase+0x1000: word at A holds A.
  const uint32_t start = static_cast<uint32_t>(kBase + 0x1000);
  CHECK(run_cmd(*h, start, 7, 6, 1) == 0);
  CHECK(h->mmio_read32(kBeats) == 48);
  std::vector<uint32_t> words(6 * 8 * 8);
  std::string err;
  REQUIRE(h->mem_read(start, words.data(), words.size() * 4, &err));
  bool pattern = true;
  for (size_t k = 0; k < words.size(); ++k) pattern = pattern && words[k] == start + 4 * k;
  CHECK(pattern);

  // Reads: known data in, the RTL's checksum out. 16 bursts of 16 beats with
  // 4 outstanding; long enough that the STATUS polling backs off.
  std::vector<uint32_t> data(16 * 16 * 8);
  uint32_t sum = 0;
  for (size_t k = 0; k < data.size(); ++k) sum += data[k] = static_cast<uint32_t>(k * 2654435761u);
  REQUIRE(h->mem_write(kBase + 0x20000, data.data(), data.size() * 4, &err));
  const uint64_t t0 = h->now_ns();
  CHECK(run_cmd(*h, static_cast<uint32_t>(kBase + 0x20000), 15, 16, 2) == 0);
  CHECK(h->mmio_read32(kChecksum) == sum);
  CHECK(h->mmio_read32(kBeats) == 256);
  // 256 beats at one per cycle at best, and the DRAM latency at least once.
  CHECK(h->now_ns() - t0 > 256 + KILN_HW_DRAM_LATENCY_CYCLES);

  // Idle: the clock stops, so waiting a long time costs (almost) no cycles.
  const uint64_t c0 = h->rtl_cycles();
  CHECK_FALSE(h->wait_irq(200000));
  CHECK(h->rtl_cycles() - c0 < 2000);
  CHECK(h->now_ns() >= 200000);
}

TEST_CASE("island_decerr_slverr") {
  auto h = make();
  // Unmapped: the router answers TLM_ADDRESS_ERROR → DECERR on R and B.
  CHECK(run_cmd(*h, 0x10000000, 3, 2, 2) == 0x103);
  CHECK(run_cmd(*h, 0x10000000, 3, 2, 1) == 0x103);
  // The CSR window does not take 32-byte bursts: burst error → SLVERR.
  CHECK(run_cmd(*h, KILN_HW_CSR_BASE, 0, 1, 2) == 0x102);
  CHECK(run_cmd(*h, KILN_HW_CSR_BASE, 0, 1, 1) == 0x102);
  // Bursts that run off the end of DRAM: DECERR as well.
  CHECK(run_cmd(*h, static_cast<uint32_t>(kBase + KILN_HW_DRAM_SIZE - 64), 3, 1, 2) == 0x103);
  // Still healthy afterwards.
  CHECK(run_cmd(*h, static_cast<uint32_t>(kBase), 0, 1, 1) == 0);
}

namespace {
uint32_t g_seen_event = 0, g_mem_word = 0, g_events = 0;
int g_bad_read = 0;
uint64_t g_fw_time = 0;

void test_firmware() {
  for (;;) {
    hal_wait_event();
    g_seen_event = hal_reg_read(kFwEvent);
    hal_reg_write(kFwEvent, g_seen_event);  // w1c
    g_bad_read = hal_mem_read(0x1000, &g_mem_word, 4);
    if (hal_mem_read(kBase + 0x3000, &g_mem_word, 4) != 0) g_bad_read = 99;
    g_fw_time = hal_time_ns();
    ++g_events;
  }
}
}  // namespace

TEST_CASE("island_control_core_hal") {
  auto h = make(&test_firmware);
  CHECK(run_cmd(*h, static_cast<uint32_t>(kBase + 0x3000), 0, 1, 1) == 0);
  // Give the firmware time to react to irq_fw_o; its CSR accesses share the
  // AXI4-Lite port with ours.
  for (int i = 0; i < 20 && h->mmio_read32(kFwEvent) != 0; ++i) {
  }
  CHECK(h->mmio_read32(kFwEvent) == 0);
  CHECK(g_events == 1);
  CHECK(g_seen_event == 1);
  CHECK(g_bad_read == -1);
  CHECK(g_mem_word == kBase + 0x3000);
  CHECK(g_fw_time > 0);
  CHECK(g_fw_time <= h->now_ns());
}

TEST_CASE("platform_host_errors") {
  auto h = make();
  std::string err;
  uint32_t v = 0;
  CHECK_FALSE(h->mem_write(0x1000, &v, 4, &err));
  CHECK(err.find("0x1000") != std::string::npos);
  std::vector<uint8_t> buf(64);
  CHECK_FALSE(h->mem_read(kBase + KILN_HW_DRAM_SIZE - 32, buf.data(), 64, &err));
  char last32[32];
  std::snprintf(last32, sizeof last32, "0x%llx", static_cast<unsigned long long>(kBase + KILN_HW_DRAM_SIZE - 32));
  CHECK(err.find(last32) != std::string::npos);
  CHECK(h->mmio_read32(0x200) == 0xFFFFFFFF);  // unmapped in the test RTL: SLVERR
  CHECK(h->last_mmio_error().find("0x200") != std::string::npos);
  CHECK(h->mmio_read32(kId) == 0x5447454E);
  CHECK(h->last_mmio_error().empty());
  std::string err2;
  CHECK_FALSE(create_platform_host(std::make_unique<VerilatedRtlModel<Vkiln_axi_tgen>>(), nullptr, {}, &err2));
  CHECK(err2.find("once") != std::string::npos);
}

TEST_CASE("island_waveform") {
  const std::string file = "island_waveform.fst";
  std::remove(file.c_str());
  {
    PlatformOptions o;
    o.wave_file = file;
    auto h = make(nullptr, o);
    CHECK(run_cmd(*h, static_cast<uint32_t>(kBase), 1, 2, 1) == 0);
  }
  std::ifstream f(file, std::ios::binary | std::ios::ate);
  REQUIRE(f.good());
  CHECK(f.tellg() > 100);
}
