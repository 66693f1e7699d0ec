// kiln_open / kiln_close, the allocator, and host copies.
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "kiln_hw.h"
#include "kiln_regs.h"
#include "test_util.h"

using Catch::Matchers::Contains;
using Catch::Matchers::Equals;

TEST_CASE("open and close a mock device", "[open]") {
  MockDevice d;
  CHECK(std::string(kiln_backend_name(d)) == "mock");
  // Firmware boots after 3 us of device time: open must have waited for READY.
  uint64_t now = 0, cycles = 0;
  REQUIRE(kiln_sim_time(d, &now, &cycles) == KILN_OK);
  CHECK(now >= 3000);
  // The queue and interrupts are programmed.
  const uint64_t ring = d.mock->reg(KILN_REG_QUEUE_BASE_LO);
  CHECK(ring >= KILN_HW_DRAM_BASE);
  CHECK(d.mock->reg(KILN_REG_QUEUE_SIZE) == 64 * 1024);
  CHECK(d.mock->reg(KILN_REG_QUEUE_TAIL) == 0);
  CHECK(d.mock->reg(KILN_REG_IRQ_ENABLE) == 0x7);
  uint64_t base = 0, size = 0, free_bytes = 0;
  REQUIRE(kiln_memory_info(d, &base, &size, &free_bytes) == KILN_OK);
  CHECK(base == KILN_HW_DRAM_BASE);
  CHECK(size == KILN_HW_DRAM_SIZE);
  CHECK(free_bytes == size - 64 * 1024);  // minus the ring
}

TEST_CASE("unknown backend names the known ones", "[open]") {
  kiln_device* dev = reinterpret_cast<kiln_device*>(1);
  CHECK(kiln_open("nonesuch", nullptr, &dev) == KILN_ERR_BACKEND);
  CHECK(dev == nullptr);
  CHECK_THAT(kiln_last_error(nullptr), Contains("unknown backend \"nonesuch\"") && Contains("mock"));
}

TEST_CASE("KILN_BACKEND selects the backend", "[open]") {
  kiln_test::next_mock_config() = {};
  setenv("KILN_BACKEND", "mock", 1);
  kiln_device* dev = nullptr;
  REQUIRE(kiln_open(nullptr, nullptr, &dev) == KILN_OK);
  CHECK(std::string(kiln_backend_name(dev)) == "mock");
  kiln_close(dev);
  unsetenv("KILN_BACKEND");
}

TEST_CASE("identity and version are checked", "[open]") {
  kiln_device* dev = nullptr;
  kiln_test::MockConfig cfg;
  cfg.id = 0x12345678;
  kiln_test::next_mock_config() = cfg;
  CHECK(kiln_open("mock", nullptr, &dev) == KILN_ERR_BACKEND);
  CHECK_THAT(kiln_last_error(nullptr), Contains("ID register reads 0x12345678"));
  cfg = {};
  cfg.version = 0x00020001;
  kiln_test::next_mock_config() = cfg;
  CHECK(kiln_open("mock", nullptr, &dev) == KILN_ERR_BACKEND);
  CHECK_THAT(kiln_last_error(nullptr), Contains("hardware version 2.1") && Contains("supports 1.x"));
  cfg = {};
  cfg.hwcfg = (4u << 16) | (16u << 8) | 16u;  // 4 DMA channels
  kiln_test::next_mock_config() = cfg;
  CHECK(kiln_open("mock", nullptr, &dev) == KILN_ERR_BACKEND);
  CHECK_THAT(kiln_last_error(nullptr), Contains("4 DMA channels"));
}

TEST_CASE("firmware that never becomes ready times out", "[open]") {
  kiln_test::MockConfig cfg;
  cfg.boot_ns = 1'000'000'000;
  kiln_test::next_mock_config() = cfg;
  kiln_open_options o{};
  o.default_timeout_ns = 20'000;
  kiln_device* dev = nullptr;
  CHECK(kiln_open("mock", &o, &dev) == KILN_ERR_TIMEOUT);
  CHECK_THAT(kiln_last_error(nullptr), Contains("FW_STATUS.READY within 20000 ns"));
}

TEST_CASE("a waveform window that ends before it starts is refused", "[open]") {
  kiln_open_options o{};
  o.wave_file = "never_written.fst";
  o.wave_from = 10;
  o.wave_to = 5;
  kiln_device* dev = nullptr;
  CHECK(kiln_open("mock", &o, &dev) == KILN_ERR_INVALID_ARGUMENT);
  CHECK_THAT(kiln_last_error(nullptr), Contains("wave_from (10) is after wave_to (5)"));
}

TEST_CASE("an empty trace path is refused (NULL means no trace)", "[open]") {
  kiln_open_options o{};
  o.trace_file = "";
  kiln_device* dev = nullptr;
  CHECK(kiln_open("mock", &o, &dev) == KILN_ERR_INVALID_ARGUMENT);
  CHECK_THAT(kiln_last_error(nullptr), Contains("trace_file is an empty string"));
}

TEST_CASE("allocator: alignment, rounding, argument checks", "[memory]") {
  MockDevice d;
  kiln_buffer a, b, c;
  REQUIRE(kiln_alloc(d, 100, 0, &a) == KILN_OK);
  CHECK(a.addr % 32 == 0);
  CHECK(a.size == 128);  // rounded to the 32-byte DMA granule
  REQUIRE(kiln_alloc(d, 4096, 1 << 20, &b) == KILN_OK);
  CHECK(b.addr % (1 << 20) == 0);
  REQUIRE(kiln_alloc(d, 32, 64, &c) == KILN_OK);
  CHECK(c.addr % 64 == 0);
  CHECK((c.addr >= a.addr + a.size || c.addr + c.size <= a.addr));
  CHECK(kiln_alloc(d, 64, 48, &c) == KILN_ERR_INVALID_ARGUMENT);
  CHECK_THAT(d.err(), Contains("alignment 48 is not a power of two"));
  CHECK(kiln_alloc(d, 0, 0, &c) == KILN_ERR_INVALID_ARGUMENT);
  CHECK_THAT(d.err(), Contains("size is 0"));
}

TEST_CASE("allocator: exhaustion, free, reuse, double free", "[memory]") {
  MockDevice d;
  kiln_buffer big, x;
  CHECK(kiln_alloc(d, KILN_HW_DRAM_SIZE + (44ull << 20), 0, &x) == KILN_ERR_OUT_OF_MEMORY);  // > all of it
  CHECK_THAT(d.err(), Contains("can never fit"));
  uint64_t free_bytes = 0;
  REQUIRE(kiln_memory_info(d, nullptr, nullptr, &free_bytes) == KILN_OK);
  REQUIRE(kiln_alloc(d, free_bytes, 0, &big) == KILN_OK);
  CHECK(kiln_alloc(d, 32, 0, &x) == KILN_ERR_OUT_OF_MEMORY);
  CHECK_THAT(d.err(), Contains("no free range of 32 bytes") && Contains("0 bytes free"));
  REQUIRE(kiln_free(d, big) == KILN_OK);
  kiln_buffer again;
  REQUIRE(kiln_alloc(d, 4096, 0, &again) == KILN_OK);
  CHECK(again.addr == big.addr);  // first fit
  REQUIRE(kiln_free(d, again) == KILN_OK);
  CHECK(kiln_free(d, again) == KILN_ERR_INVALID_ARGUMENT);
  CHECK_THAT(d.err(), Contains("no buffer is allocated at 0x") && Contains("freed twice"));
  kiln_buffer ring{d.mock->reg(KILN_REG_QUEUE_BASE_LO), 64 * 1024};
  CHECK(kiln_free(d, ring) == KILN_ERR_INVALID_ARGUMENT);
  CHECK_THAT(d.err(), Contains("command ring"));
}

TEST_CASE("write/read round trip and range checks", "[memory]") {
  MockDevice d;
  kiln_buffer b;
  REQUIRE(kiln_alloc(d, 4096, 0, &b) == KILN_OK);
  std::vector<uint8_t> in(4096), out(4096);
  for (size_t i = 0; i < in.size(); ++i) in[i] = static_cast<uint8_t>(i * 7 + 1);
  REQUIRE(kiln_write(d, b.addr, in.data(), in.size()) == KILN_OK);
  REQUIRE(kiln_read(d, b.addr, out.data(), out.size()) == KILN_OK);
  CHECK(in == out);

  const uint64_t writes = d.mock->mem_write_calls();
  // Device memory comes from rtl/kiln_hw.toml: the messages name its bounds.
  const uint64_t end = KILN_HW_DRAM_BASE + KILN_HW_DRAM_SIZE;
  char mem[64];
  std::snprintf(mem, sizeof mem, "memory [0x%llx, 0x%llx)", static_cast<unsigned long long>(KILN_HW_DRAM_BASE),
                static_cast<unsigned long long>(end));
  CHECK(kiln_write(d, 0x10000000, in.data(), 4096) == KILN_ERR_OUT_OF_RANGE);
  CHECK_THAT(d.err(), Equals(std::string("kiln_write: range [0x10000000, 0x10001000) lies outside device ") + mem));
  out.resize(8192);  // stays safe even if the read were (wrongly) accepted
  CHECK(kiln_read(d, end - 0x1000, out.data(), 8192) == KILN_ERR_OUT_OF_RANGE);
  char want[160];
  std::snprintf(want, sizeof want, "kiln_read: range [0x%llx, 0x%llx) lies outside device %s",
                static_cast<unsigned long long>(end - 0x1000), static_cast<unsigned long long>(end + 0x1000), mem);
  CHECK_THAT(d.err(), Equals(want));
  CHECK(kiln_write(d, UINT64_MAX - 4, in.data(), 16) == KILN_ERR_OUT_OF_RANGE);
  CHECK(d.mock->mem_write_calls() == writes);  // refused before the backend
  CHECK(kiln_write(d, b.addr, nullptr, 16) == KILN_ERR_INVALID_ARGUMENT);
}
