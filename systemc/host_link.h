// PCIe-like host link: the host's way into the device address space, with its
// own latency and bandwidth.
#pragma once

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/simple_target_socket.h>
#include <cstdint>

#include "timing.h"

namespace kiln {

struct HostLinkConfig {
  uint64_t latency_cycles;   // one way
  uint64_t bytes_per_cycle;  // per direction (the link is full duplex)
  static HostLinkConfig from_hw();
};

// Timing: a write is posted — its payload crosses host→device (sharing that
// direction's bandwidth), then the one-way latency, then the device's own
// delay. A read sends a small request (latency), waits for the device, then
// the data crosses device→host (that direction's bandwidth) and the
// completion pays the latency again.
class HostLink : public sc_core::sc_module {
 public:
  tlm_utils::simple_target_socket<HostLink> host;      // from the host
  tlm_utils::simple_initiator_socket<HostLink> out;    // to the router

  HostLink(sc_core::sc_module_name name, const HostLinkConfig& cfg);

 private:
  void b_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay);
  unsigned int transport_dbg(tlm::tlm_generic_payload& trans);

  HostLinkConfig cfg_;
  BusyUntil down_;  // host → device
  BusyUntil up_;    // device → host
};

}  // namespace kiln
