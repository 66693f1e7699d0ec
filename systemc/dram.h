// DRAM target: configured latency and bandwidth, DMI and debug access.
#pragma once

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_target_socket.h>
#include <cstdint>

#include "timing.h"

namespace kiln {

struct DramConfig {
  uint64_t size;             // bytes; addresses seen here are offsets 0..size-1
  uint64_t latency_cycles;   // first byte after the request reaches the channel
  uint64_t bytes_per_cycle;  // channel bandwidth
  static DramConfig from_hw();  // values from kiln_hw.h
};

class Dram : public sc_core::sc_module {
 public:
  tlm_utils::simple_target_socket<Dram> socket;

  Dram(sc_core::sc_module_name name, const DramConfig& cfg);
  ~Dram() override;

  // Time a transfer of `bytes` requested at absolute time `t` completes, and
  // books the channel for it. Public so tests can check the arithmetic.
  sc_core::sc_time book(const sc_core::sc_time& t, uint64_t bytes);

  const DramConfig& config() const { return cfg_; }
  uint8_t* backing() { return mem_; }

 private:
  void b_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay);
  bool get_direct_mem_ptr(tlm::tlm_generic_payload& trans, tlm::tlm_dmi& dmi);
  unsigned int transport_dbg(tlm::tlm_generic_payload& trans);
  // Copies data in or out honouring byte enables; false if out of range.
  bool access(tlm::tlm_generic_payload& trans);

  DramConfig cfg_;
  uint64_t period_;          // clock_period().value()
  sc_core::sc_time latency_; // clock_period() * latency_cycles
  uint8_t* mem_;   // anonymous mapping: pages materialise on first touch
  BusyUntil channel_;
};

}  // namespace kiln
