// DRAM timing (latency + bandwidth with busy-until), data, byte enables, DMI
// and debug access. Each TEST_CASE runs in its own process (see CMakeLists).
#include <catch2/catch.hpp>

#include <cstring>

#include "dram.h"
#include "kiln_hw.h"
#include "tb.h"

using namespace kiln;
using namespace kiln_test;

TEST_CASE("dram_timing") {
  Dram dram("dram", DramConfig::from_hw());
  sc_core::sc_time d1, d2, d3, d4;
  Initiator ini("ini", [&](Initiator& i) {
    std::vector<uint8_t> buf(6400);
    d1 = i.access(false, 0, buf.data(), 64);  // 1 cycle transfer + 100 latency
    sc_core::wait(d1);
    // Two 6400-byte requests issued at the same time: 100 transfer cycles
    // each; the second waits for the channel, latency overlaps.
    d2 = i.access(false, 0x1000, buf.data(), 6400);
    d3 = i.access(true, 0x9000, buf.data(), 6400);
    sc_core::wait(d3);
    // Annotated offset: the request happens at now + 50 ns.
    d4 = i.access(false, 0, buf.data(), 64, nullptr, ns(50));
  });
  ini.socket.bind(dram.socket);
  sc_core::sc_start();
  CHECK(d1 == ns(KILN_HW_DRAM_LATENCY_CYCLES + 1));
  CHECK(d2 == ns(100 + KILN_HW_DRAM_LATENCY_CYCLES));
  CHECK(d3 == ns(200 + KILN_HW_DRAM_LATENCY_CYCLES));
  CHECK(d4 == ns(50 + 1 + KILN_HW_DRAM_LATENCY_CYCLES));
}

TEST_CASE("dram_data") {
  Dram dram("dram", DramConfig::from_hw());
  bool done = false;
  Initiator ini("ini", [&](Initiator& i) {
    uint32_t w[4] = {0x11111111, 0x22222222, 0x33333333, 0x44444444};
    tlm::tlm_response_status st;
    const uint64_t last16 = KILN_HW_DRAM_SIZE - 16;  // the last 16 bytes
    i.access(true, last16, w, 16, &st);
    CHECK(st == tlm::TLM_OK_RESPONSE);
    uint32_t r[4] = {};
    i.access(false, last16, r, 16, &st);
    CHECK(std::memcmp(r, w, 16) == 0);
    i.access(false, last16 + 4, r, 16, &st);  // runs past the end
    CHECK(st == tlm::TLM_ADDRESS_ERROR_RESPONSE);
    i.access(false, 0x08000000, r, 16, &st);  // never written: zero
    CHECK((r[0] | r[1] | r[2] | r[3]) == 0);

    // Byte enables: only the enabled bytes are written.
    tlm::tlm_generic_payload t;
    uint8_t data[8] = {1, 2, 3, 4, 5, 6, 7, 8};
    uint8_t be[4] = {TLM_BYTE_ENABLED, TLM_BYTE_DISABLED, TLM_BYTE_DISABLED, TLM_BYTE_ENABLED};
    t.set_command(tlm::TLM_WRITE_COMMAND);
    t.set_address(0x100);
    t.set_data_ptr(data);
    t.set_data_length(8);
    t.set_streaming_width(8);
    t.set_byte_enable_ptr(be);
    t.set_byte_enable_length(4);
    sc_core::sc_time d = sc_core::SC_ZERO_TIME;
    i.socket->b_transport(t, d);
    CHECK(t.is_response_ok());
    const uint8_t want[8] = {1, 0, 0, 4, 5, 0, 0, 8};
    CHECK(std::memcmp(dram.backing() + 0x100, want, 8) == 0);
    done = true;
  });
  ini.socket.bind(dram.socket);
  sc_core::sc_start();
  CHECK(done);
}

TEST_CASE("dram_dmi_debug") {
  Dram dram("dram", DramConfig::from_hw());
  bool done = false;
  Initiator ini("ini", [&](Initiator& i) {
    tlm::tlm_generic_payload t;
    tlm::tlm_dmi dmi;
    t.set_address(0x40);
    t.set_command(tlm::TLM_READ_COMMAND);
    REQUIRE(i.socket->get_direct_mem_ptr(t, dmi));
    CHECK(dmi.get_start_address() == 0);
    CHECK(dmi.get_end_address() == KILN_HW_DRAM_SIZE - 1);
    CHECK(dmi.is_read_write_allowed());
    CHECK(dmi.get_read_latency() == ns(KILN_HW_DRAM_LATENCY_CYCLES));
    CHECK(dmi.get_write_latency() == ns(KILN_HW_DRAM_LATENCY_CYCLES));
    std::memcpy(dmi.get_dmi_ptr() + 0x40, "kiln", 4);
    char buf[5] = {};
    i.access(false, 0x40, buf, 4);
    CHECK(std::string(buf) == "kiln");

    // Debug access: no time, clipped at the end.
    tlm::tlm_generic_payload dbg;
    char out[8] = {};
    dbg.set_command(tlm::TLM_READ_COMMAND);
    dbg.set_address(0x40);
    dbg.set_data_ptr(reinterpret_cast<unsigned char*>(out));
    dbg.set_data_length(4);
    CHECK(i.socket->transport_dbg(dbg) == 4);
    CHECK(std::string(out) == "kiln");
    dbg.set_address(KILN_HW_DRAM_SIZE - 2);
    CHECK(i.socket->transport_dbg(dbg) == 2);
    CHECK(sc_core::sc_time_stamp() == sc_core::SC_ZERO_TIME);
    done = true;
  });
  ini.socket.bind(dram.socket);
  sc_core::sc_start();
  CHECK(done);
}
