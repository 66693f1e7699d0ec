// Interconnect: decodes device addresses onto targets, adds per-port latency,
// answers DECERR (TLM_ADDRESS_ERROR_RESPONSE) for unmapped addresses.
#pragma once

#include <systemc>
#include <tlm>
#include <tlm_utils/multi_passthrough_initiator_socket.h>
#include <tlm_utils/multi_passthrough_target_socket.h>
#include <cstdint>
#include <vector>

namespace kiln {

class Router : public sc_core::sc_module {
 public:
  // Initiator-side ports; the port index is the bind order.
  tlm_utils::multi_passthrough_target_socket<Router> in;
  // Targets; index = bind order, referred to by add_region().
  tlm_utils::multi_passthrough_initiator_socket<Router> out;

  explicit Router(sc_core::sc_module_name name);

  // Maps [base, base+size) onto target `target`; the target sees offsets
  // from base. Regions must not overlap.
  void add_region(uint64_t base, uint64_t size, unsigned target);
  // Extra latency charged to requests entering through port `port`.
  void set_port_latency(unsigned port, const sc_core::sc_time& t);
  // The default map of kiln_hw.h: target 0 = CSR window, 1 = DRAM.
  void add_default_map();

 private:
  struct Region {
    uint64_t base, size;
    unsigned target;
  };
  // Region holding the whole [addr, addr+len) range, or nullptr.
  const Region* decode(uint64_t addr, uint64_t len) const;
  sc_core::sc_time port_latency(int port) const;

  void b_transport(int port, tlm::tlm_generic_payload& trans, sc_core::sc_time& delay);
  bool get_direct_mem_ptr(int port, tlm::tlm_generic_payload& trans, tlm::tlm_dmi& dmi);
  unsigned int transport_dbg(int port, tlm::tlm_generic_payload& trans);
  void invalidate_direct_mem_ptr(int target, sc_dt::uint64 start, sc_dt::uint64 end);

  std::vector<Region> regions_;
  std::vector<sc_core::sc_time> port_latency_;
};

}  // namespace kiln
