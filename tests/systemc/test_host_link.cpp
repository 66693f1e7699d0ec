// Host link timing: posted writes share the host→device bandwidth, reads pay
// the latency both ways plus the device→host transfer.
#include <catch2/catch.hpp>

#include <cstring>
#include <vector>

#include "dram.h"
#include "host_link.h"
#include "kiln_hw.h"
#include "router.h"
#include "tb.h"

using namespace kiln;
using namespace kiln_test;

TEST_CASE("host_link_timing") {
  Dram dram("dram", DramConfig::from_hw());
  Router router("router");
  HostLink link("link", HostLinkConfig::from_hw());
  const uint64_t L = KILN_HW_HOST_LINK_LATENCY_CYCLES, D = KILN_HW_DRAM_LATENCY_CYCLES;
  // 1600 bytes: 100 link cycles at 16 B/cycle, 25 DRAM cycles at 64 B/cycle.
  const unsigned n = 1600;
  bool done = false;
  Initiator host("host", [&](Initiator& i) {
    std::vector<uint8_t> src(n), dst(n);
    for (unsigned k = 0; k < n; ++k) src[k] = static_cast<uint8_t>(k * 7);
    tlm::tlm_response_status st;
    sc_core::sc_time w1 = i.access(true, KILN_HW_DRAM_BASE, src.data(), n, &st);
    CHECK(st == tlm::TLM_OK_RESPONSE);
    CHECK(w1 == ns(100 + L + 25 + D));
    // Issued at the same time: its payload queues behind the first on the link.
    sc_core::sc_time w2 = i.access(true, KILN_HW_DRAM_BASE + n, src.data(), n, &st);
    CHECK(w2 == ns(200 + L + 25 + D));
    sc_core::wait(w2);
    sc_core::sc_time r = i.access(false, KILN_HW_DRAM_BASE, dst.data(), n, &st);
    CHECK(st == tlm::TLM_OK_RESPONSE);
    CHECK(r == ns(L + 25 + D + 100 + L));
    CHECK(dst == src);
    // Errors come back without a data phase.
    r = i.access(false, 0x1000, dst.data(), n, &st);
    CHECK(st == tlm::TLM_ADDRESS_ERROR_RESPONSE);
    CHECK(r == ns(2 * L));
    done = true;
  });
  host.socket.bind(link.host);
  link.out.bind(router.in);
  router.out.bind(dram.socket);
  router.add_region(KILN_HW_DRAM_BASE, KILN_HW_DRAM_SIZE, 0);
  sc_core::sc_start();
  CHECK(done);
}
