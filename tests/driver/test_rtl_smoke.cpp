// Smoke test of the real stack: driver -> rtl backend -> SystemC platform ->
// Verilated NPU + firmware. Own process: one rtl device per process.
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>

#include <algorithm>
#include <vector>

#include "kiln/kiln.h"

using Catch::Matchers::Contains;

TEST_CASE("rtl: open, copy, NOP submission, fence", "[rtl]") {
  kiln_device* dev = nullptr;
  kiln_status st = kiln_open("rtl", nullptr, &dev);
  INFO(kiln_last_error(nullptr));
  REQUIRE(st == KILN_OK);
  CHECK(std::string(kiln_backend_name(dev)) == "rtl");

  kiln_device* second = nullptr;
  CHECK(kiln_open("rtl", nullptr, &second) == KILN_ERR_BUSY);
  CHECK_THAT(kiln_last_error(nullptr), Contains("once per process"));

  kiln_buffer b;
  REQUIRE(kiln_alloc(dev, 4096, 0, &b) == KILN_OK);
  std::vector<uint8_t> in(4096), out(4096, 0);
  for (size_t i = 0; i < in.size(); ++i) in[i] = static_cast<uint8_t>(i * 13 + 5);
  REQUIRE(kiln_write(dev, b.addr, in.data(), in.size()) == KILN_OK);
  REQUIRE(kiln_read(dev, b.addr, out.data(), out.size()) == KILN_OK);
  CHECK(in == out);

  kiln_cmdbuf* cb = kiln_cmdbuf_create();
  REQUIRE(kiln_cmd_nop(cb) == KILN_OK);
  REQUIRE(kiln_cmd_nop(cb) == KILN_OK);
  uint64_t fence = 0;
  st = kiln_submit(dev, cb, 0, &fence);
  INFO(kiln_last_error(dev));
  REQUIRE(st == KILN_OK);
  st = kiln_wait(dev, fence, 0);
  INFO(kiln_last_error(dev));
  CHECK(st == KILN_OK);

  // A DMA round trip through the scratchpad: buffer -> spad -> second buffer.
  kiln_buffer b2;
  REQUIRE(kiln_alloc(dev, 4096, 0, &b2) == KILN_OK);
  kiln_cmdbuf_reset(cb);
  REQUIRE(kiln_cmd_dma(cb, 0, 0, b.addr, 0, 1024, 4, 1024, 1024) == KILN_OK);
  REQUIRE(kiln_cmd_barrier(cb, KILN_UNIT_DMA(0)) == KILN_OK);
  REQUIRE(kiln_cmd_dma(cb, 1, 1, b2.addr, 0, 1024, 4, 1024, 1024) == KILN_OK);
  st = kiln_submit(dev, cb, 0, &fence);
  INFO(kiln_last_error(dev));
  REQUIRE(st == KILN_OK);
  st = kiln_wait(dev, fence, 0);
  INFO(kiln_last_error(dev));
  CHECK(st == KILN_OK);
  std::fill(out.begin(), out.end(), 0);
  REQUIRE(kiln_read(dev, b2.addr, out.data(), out.size()) == KILN_OK);
  CHECK(in == out);

  kiln_counters c{};
  REQUIRE(kiln_read_counters(dev, &c) == KILN_OK);
  CHECK(c.dma_read_bytes >= 4096);
  CHECK(c.dma_write_bytes >= 4096);
  uint64_t now = 0, cycles = 0;
  REQUIRE(kiln_sim_time(dev, &now, &cycles) == KILN_OK);
  CHECK(now > 0);
  WARN("rtl smoke: " << now << " ns simulated, " << cycles << " RTL cycles, DMA read "
                     << c.dma_read_bytes << " B, written " << c.dma_write_bytes << " B");

  // Device-side error path: DMA from an unmapped address, then recover.
  kiln_cmdbuf_reset(cb);
  REQUIRE(kiln_cmd_dma(cb, 0, 0, 0x20000000, 0, 32, 1, 32, 32) == KILN_OK);
  REQUIRE(kiln_submit(dev, cb, KILN_SUBMIT_NO_VALIDATE, &fence) == KILN_OK);
  CHECK(kiln_wait(dev, fence, 0) == KILN_ERR_DEVICE);
  WARN(kiln_last_error(dev));
  kiln_device_error_info e{};
  REQUIRE(kiln_device_error(dev, &e) == KILN_OK);
  CHECK(e.cmd_index == 0);
  CHECK(kiln_submit(dev, cb, 0, &fence) == KILN_ERR_HALTED);
  st = kiln_reset(dev);
  INFO(kiln_last_error(dev));
  REQUIRE(st == KILN_OK);
  kiln_cmdbuf_reset(cb);
  REQUIRE(kiln_cmd_nop(cb) == KILN_OK);
  REQUIRE(kiln_submit(dev, cb, 0, &fence) == KILN_OK);
  st = kiln_wait(dev, fence, 0);
  INFO(kiln_last_error(dev));
  CHECK(st == KILN_OK);
  kiln_cmdbuf_destroy(cb);
  kiln_close(dev);
}
