// Shared helpers for the driver tests (mock backend fixture).
#ifndef KILN_TESTS_DRIVER_TEST_UTIL_H
#define KILN_TESTS_DRIVER_TEST_UTIL_H

#include <string>

#include <catch2/catch.hpp>

#include "kiln/kiln.h"
#include "mock_backend.h"

// Opens a fresh "mock" device with `cfg`; closes it at scope exit.
struct MockDevice {
  kiln_device* dev = nullptr;
  kiln_test::MockBackend* mock = nullptr;
  explicit MockDevice(const kiln_test::MockConfig& cfg = {}, uint64_t timeout_ns = 0) {
    kiln_test::next_mock_config() = cfg;
    kiln_open_options o{};
    o.default_timeout_ns = timeout_ns;
    kiln_status st = kiln_open("mock", &o, &dev);
    INFO(kiln_last_error(nullptr));
    REQUIRE(st == KILN_OK);
    mock = kiln_test::last_mock();
    REQUIRE(mock != nullptr);
  }
  ~MockDevice() { kiln_close(dev); }
  std::string err() const { return kiln_last_error(dev); }
  operator kiln_device*() const { return dev; }
};

struct CmdBuf {
  kiln_cmdbuf* cb = kiln_cmdbuf_create();
  ~CmdBuf() { kiln_cmdbuf_destroy(cb); }
  operator kiln_cmdbuf*() const { return cb; }
};

#endif
