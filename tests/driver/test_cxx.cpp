// The header-only C++ layer (kiln.hpp).
#include <vector>

#include "kiln/kiln.hpp"
#include "test_util.h"

using Catch::Matchers::Contains;

TEST_CASE("C++ layer: RAII buffers, copies, run, errors", "[cxx]") {
  kiln_test::next_mock_config() = {};
  kiln::Device dev("mock");
  CHECK(std::string(dev.backend_name()) == "mock");
  const uint64_t free0 = dev.free_bytes();
  {
    kiln::Buffer buf = dev.alloc(1024);
    CHECK(dev.free_bytes() == free0 - 1024);
    std::vector<float> in(256);
    for (size_t i = 0; i < in.size(); ++i) in[i] = static_cast<float>(i) * 0.5f;
    buf.write(in);
    CHECK(buf.read<float>(256) == in);
    kiln::CommandBuffer cb;
    cb.dma(0, 0, buf.addr(), 0, 1024, 1, 0, 0).barrier().nop();
    CHECK(cb.size() == 3);
    dev.run(cb);
    kiln::Buffer moved = std::move(buf);
    CHECK(!buf);
    CHECK(dev.free_bytes() == free0 - 1024);
  }
  CHECK(dev.free_bytes() == free0);  // freed at scope exit

  try {
    std::vector<uint8_t> bytes(64);
    dev.write(0x1000, bytes);
    FAIL("expected kiln::Error");
  } catch (const kiln::Error& e) {
    CHECK(e.status() == KILN_ERR_OUT_OF_RANGE);
    CHECK_THAT(e.what(), Contains("kiln_write: range [0x1000, 0x1040)"));
  }
  kiln::CommandBuffer cb;
  CHECK_THROWS_AS(cb.dma(9, 0, 0x80000000, 0, 32, 1, 0, 0), kiln::Error);
  CHECK_THROWS_WITH(kiln::Device("nonesuch"), Contains("unknown backend"));
  CHECK(dev.counters().cycles > 0);
}
