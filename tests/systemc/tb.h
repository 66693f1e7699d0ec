// Shared test-bench pieces for the SystemC tests.
#pragma once

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>
#include <cstdint>
#include <functional>
#include <vector>

namespace kiln_test {

// An initiator whose SC_THREAD runs `body` once.
struct Initiator : sc_core::sc_module {
  tlm_utils::simple_initiator_socket<Initiator> socket;
  std::function<void(Initiator&)> body;

  Initiator(sc_core::sc_module_name n, std::function<void(Initiator&)> b)
      : sc_module(n), socket("socket"), body(std::move(b)) {
    SC_HAS_PROCESS(Initiator);
    SC_THREAD(run);
  }
  void run() { body(*this); }

  // One b_transport at the current time; returns the annotated delay.
  sc_core::sc_time access(bool write, uint64_t addr, void* data, unsigned n, tlm::tlm_response_status* st = nullptr,
                          const sc_core::sc_time& offset = sc_core::SC_ZERO_TIME) {
    tlm::tlm_generic_payload t;
    t.set_command(write ? tlm::TLM_WRITE_COMMAND : tlm::TLM_READ_COMMAND);
    t.set_address(addr);
    t.set_data_ptr(static_cast<unsigned char*>(data));
    t.set_data_length(n);
    t.set_streaming_width(n);
    t.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
    sc_core::sc_time d = offset;
    socket->b_transport(t, d);
    if (st) *st = t.get_response_status();
    return d;
  }
};

inline sc_core::sc_time ns(double v) { return sc_core::sc_time(v, sc_core::SC_NS); }

}  // namespace kiln_test
