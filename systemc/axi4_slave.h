// Pin-level AXI4 slave that turns a Verilated master's bursts into TLM
// transactions. Driven cycle by cycle by the island's clock loop: sample()
// after the falling-edge eval (outputs settled), update() after the rising
// edge (handshakes that fired at that edge take effect, new outputs are set).
#pragma once

#include <systemc>
#include <tlm>
#include <cstdint>
#include <deque>
#include <vector>

#include "rtl_model.h"

namespace kiln {

// AXI response codes.
enum : uint8_t { kAxiOkay = 0, kAxiExOkay = 1, kAxiSlvErr = 2, kAxiDecErr = 3 };
uint8_t axi_resp_from_tlm(tlm::tlm_response_status s);

class Axi4SlaveAdapter {
 public:
  struct Config {
    unsigned max_reads = 16;    // AR accepted but not fully answered
    unsigned max_writes = 16;   // AW accepted but B not yet sent
    bool use_dmi = false;       // DMI skips the DRAM bandwidth bookkeeping
  };
  struct Stats {
    uint64_t read_bursts = 0, write_bursts = 0, read_beats = 0, write_beats = 0, errors = 0;
  };

  Axi4SlaveAdapter(Axi4MasterPins& pins, tlm::tlm_initiator_socket<>& socket, const Config& cfg);

  void reset();
  void sample();
  // now: rising edges clocked so far; local: the island's quantum-keeper
  // offset at this edge (annotated on the transactions it issues).
  void update(uint64_t now, const sc_core::sc_time& local);

  // Anything accepted and not yet answered, or a master request waiting.
  bool busy() const;
  // Increments on every handshake; lets the island notice activity cheaply.
  uint64_t activity() const { return activity_; }
  const Stats& stats() const { return stats_; }
  void invalidate_dmi(uint64_t start, uint64_t end);

 private:
  struct Burst {
    uint8_t id, len, size, type;
    uint32_t addr;
    uint64_t lo, hi;             // byte range the burst touches
    std::vector<uint8_t> data;   // [lo, hi)
    std::vector<uint8_t> be;     // writes: TLM byte enables over [lo, hi)
    unsigned beats = 0;          // beats sent (reads) or received (writes)
    uint64_t ready = 0;          // cycle from which the response may be given
    uint8_t resp = kAxiOkay;
  };
  static void setup(Burst& b);
  static uint64_t beat_addr(const Burst& b, unsigned i);
  static unsigned beat_bytes(const Burst& b, uint64_t addr);
  void transport(Burst& b, bool write, uint64_t now, const sc_core::sc_time& local);
  bool try_dmi(Burst& b, bool write, sc_core::sc_time& latency);
  // Oldest burst in q whose response is due and has no older burst with the
  // same ID (AXI keeps same-ID responses in order); -1 if none.
  static int pick(const std::deque<Burst>& q, uint64_t now, bool need_data);

  Axi4MasterPins& p_;
  tlm::tlm_initiator_socket<>& socket_;
  Config cfg_;
  std::deque<Burst> reads_, writes_;
  int cur_r_ = -1, cur_b_ = -1;
  // Handshakes seen at the last rising edge.
  bool ar_fire_ = false, aw_fire_ = false, w_fire_ = false, r_fire_ = false, b_fire_ = false;
  Burst ar_, aw_;
  uint8_t w_bytes_[32];
  uint32_t w_strb_ = 0;
  bool dmi_valid_ = false;
  tlm::tlm_dmi dmi_;
  tlm::tlm_generic_payload trans_;
  uint64_t activity_ = 0;
  Stats stats_;
};

}  // namespace kiln
