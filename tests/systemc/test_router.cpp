// Router: address map of kiln_hw.h, translation to target offsets, decode
// errors, per-port latency, DMI and debug forwarding.
#include <catch2/catch.hpp>

#include <cstring>

#include "dram.h"
#include "kiln_hw.h"
#include "router.h"
#include "tb.h"

using namespace kiln;
using namespace kiln_test;

TEST_CASE("router_map") {
  // A 64 KiB memory stands in for the CSR window so both targets are visible.
  Dram csr("csr", DramConfig{KILN_HW_CSR_SIZE, 3, 4});
  Dram dram("dram", DramConfig::from_hw());
  Router router("router");
  bool done = false;
  Initiator host("host", [&](Initiator& i) {
    tlm::tlm_response_status st;
    uint32_t v = 0xCAFEF00D;
    sc_core::sc_time d = i.access(true, KILN_HW_DRAM_BASE + 0x100, &v, 4, &st);
    CHECK(st == tlm::TLM_OK_RESPONSE);
    CHECK(std::memcmp(dram.backing() + 0x100, &v, 4) == 0);
    CHECK(d == ns(7 + 1 + KILN_HW_DRAM_LATENCY_CYCLES));  // port 0 latency 7
    d = i.access(true, KILN_HW_CSR_BASE + 8, &v, 4, &st);
    CHECK(st == tlm::TLM_OK_RESPONSE);
    CHECK(std::memcmp(csr.backing() + 8, &v, 4) == 0);
    CHECK(d == ns(7 + 1 + 3));

    // Decode errors: unmapped, just below a region, crossing a region's end.
    for (uint64_t a : {uint64_t(0), uint64_t(0x1000), uint64_t(KILN_HW_DRAM_BASE - 4),
                       uint64_t(KILN_HW_CSR_BASE + KILN_HW_CSR_SIZE), uint64_t(KILN_HW_DRAM_BASE + KILN_HW_DRAM_SIZE)}) {
      i.access(false, a, &v, 4, &st);
      CHECK(st == tlm::TLM_ADDRESS_ERROR_RESPONSE);
    }
    uint8_t buf[16];
    i.access(false, KILN_HW_DRAM_BASE + KILN_HW_DRAM_SIZE - 8, buf, 16, &st);
    CHECK(st == tlm::TLM_ADDRESS_ERROR_RESPONSE);

    // DMI comes back in device addresses with the port latency added.
    tlm::tlm_generic_payload t;
    tlm::tlm_dmi dmi;
    t.set_address(KILN_HW_DRAM_BASE + 0x100);
    t.set_command(tlm::TLM_READ_COMMAND);
    REQUIRE(i.socket->get_direct_mem_ptr(t, dmi));
    CHECK(dmi.get_start_address() == KILN_HW_DRAM_BASE);
    CHECK(dmi.get_end_address() == KILN_HW_DRAM_BASE + KILN_HW_DRAM_SIZE - 1);
    CHECK(dmi.get_read_latency() == ns(KILN_HW_DRAM_LATENCY_CYCLES + 7));
    uint32_t seen;
    std::memcpy(&seen, dmi.get_dmi_ptr() + 0x100, 4);
    CHECK(seen == 0xCAFEF00D);
    t.set_address(0x1000);
    CHECK_FALSE(i.socket->get_direct_mem_ptr(t, dmi));

    // Debug: translated, clipped to the region, zero for holes.
    tlm::tlm_generic_payload dbg;
    dbg.set_command(tlm::TLM_READ_COMMAND);
    dbg.set_address(KILN_HW_CSR_BASE + 8);
    dbg.set_data_ptr(reinterpret_cast<unsigned char*>(&seen));
    dbg.set_data_length(4);
    seen = 0;
    CHECK(i.socket->transport_dbg(dbg) == 4);
    CHECK(seen == 0xCAFEF00D);
    dbg.set_address(0x1000);
    CHECK(i.socket->transport_dbg(dbg) == 0);
    done = true;
  });
  Initiator dma("dma", [&](Initiator& i) {
    uint32_t v;
    tlm::tlm_response_status st;
    // Port 1 has its own latency; the DRAM channel is shared with port 0,
    // but this access comes later in simulated time.
    sc_core::wait(ns(1000));
    sc_core::sc_time d = i.access(false, KILN_HW_DRAM_BASE + 0x100, &v, 4, &st);
    CHECK(st == tlm::TLM_OK_RESPONSE);
    CHECK(v == 0xCAFEF00D);
    CHECK(d == ns(11 + 1 + KILN_HW_DRAM_LATENCY_CYCLES));
  });
  host.socket.bind(router.in);
  dma.socket.bind(router.in);
  router.out.bind(csr.socket);
  router.out.bind(dram.socket);
  router.add_default_map();
  router.set_port_latency(0, ns(7));
  router.set_port_latency(1, ns(11));
  sc_core::sc_start();
  CHECK(done);
}
