// Clock and bandwidth arithmetic shared by the platform components.
#pragma once

#include <systemc>
#include <cstdint>

namespace kiln {

// One RTL clock period. Every component counts in these cycles so the numbers
// in kiln_hw.toml (latency_cycles, bytes_per_cycle) mean the same everywhere.
sc_core::sc_time clock_period();

// Whole cycles needed to move `bytes` at `bytes_per_cycle` (rounded up: a
// partial beat still occupies its cycle).
inline uint64_t transfer_cycles(uint64_t bytes, uint64_t bytes_per_cycle) {
  return bytes_per_cycle ? (bytes + bytes_per_cycle - 1) / bytes_per_cycle : 0;
}

// Cycles covered by a delay, rounded up so a response is never early.
inline uint64_t delay_to_cycles(const sc_core::sc_time& d) {
  const uint64_t p = clock_period().value();
  return (d.value() + p - 1) / p;
}

// A shared resource (a DRAM channel, a link direction) that serves one
// transfer at a time: requests that overlap in time queue behind each other,
// which is how concurrent initiators end up sharing the bandwidth.
class BusyUntil {
 public:
  // Occupies the resource for `busy` starting no earlier than `t`; returns the
  // absolute time the occupation starts.
  sc_core::sc_time claim(const sc_core::sc_time& t, const sc_core::sc_time& busy) {
    const sc_core::sc_time start = t > until_ ? t : until_;
    until_ = start + busy;
    return start;
  }
  const sc_core::sc_time& until() const { return until_; }

 private:
  sc_core::sc_time until_ = sc_core::SC_ZERO_TIME;
};

}  // namespace kiln
