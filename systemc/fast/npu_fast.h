// The fast NPU: a C++ model of kiln_npu_top behind the same Npu interface as
// the RTL island. Registers come from the generated table (RegFile), data
// results from the golden model (bit-exact with the RTL), and each unit is
// busy for the number of cycles the RTL takes (timing rules: docs/fast_model.md).
//
// Work is done when a unit starts (data moved and computed at once); its busy
// window, completion event (FW_EVENT.*_DONE -> irq_fw) and performance
// counters follow the timing rules. Firmware and driver run unchanged.
#pragma once

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/simple_target_socket.h>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "fault_inject.h"
#include "npu.h"
#include "reg_file.h"
#include "unit_trace.h"

namespace kiln {

// Cycle constants of the timing rules, calibrated against the RTL (see
// docs/fast_model.md for how each was measured).
struct FastTiming {
  unsigned csr_read_cycles = 2;    // AR handshake, then R (kiln_csr_regs)
  unsigned csr_write_cycles = 3;   // AW+W, register write, then B
  unsigned start_delay = 2;        // START write issued -> unit's start cycle
  unsigned dma_issue_delay = 2;    // start -> first AR/AW
  unsigned dma_done_delay = 2;     // last R beat -> spad write -> busy low
  unsigned dma_r_burst_gap = 0;    // R channel cycles lost between read bursts (none on the RTL)
  unsigned dma_slot_reuse = 2;     // a finished burst's outstanding slot -> next AR/AW on the bus
  unsigned tc_wb_latency = 3;      // WRITEBACK: acc read pipeline
  unsigned vu_latency = 17;        // vector pipeline fill (RTL: rows*beats + 20 busy cycles)
  unsigned vu_start_stall = 2;     // PERF_VU_STALL of a conflict-free op: first operand words in flight
  unsigned settle_cycles = 18;     // island: quiet cycles + STATUS read before the clock stops
};

// Union of busy intervals [start, end) added in non-decreasing start order:
// the cycles covered up to any time t (unit busy counters, clocked cycles).
class IntervalUnion {
 public:
  void add(uint64_t start, uint64_t end);
  uint64_t covered(uint64_t t) const;
  // The current interval ends no later than t (abort).
  void truncate(uint64_t t);

 private:
  uint64_t done_ = 0, start_ = 0, end_ = 0;
};

// Completion cycles of the bursts in flight on one AXI direction, smallest
// first, like a min-heap (at most the outstanding limit, 16). Kept sorted in
// a ring; completions arrive mostly in order, so a push is usually a store.
class OutstandingBursts {
 public:
  bool empty() const { return n_ == 0; }
  size_t size() const { return n_; }
  uint64_t top() const { return v_[head_]; }
  void pop() {
    head_ = (head_ + 1) & (kCap - 1);
    --n_;
  }
  void push(uint64_t x) {  // the caller keeps size() below kCap
    size_t i = n_++;
    for (; i > 0 && at(i - 1) > x; --i) at(i) = at(i - 1);
    at(i) = x;
  }
  static constexpr size_t kCap = 32;

 private:
  uint64_t& at(size_t i) { return v_[(head_ + i) & (kCap - 1)]; }
  uint64_t v_[kCap] = {};
  size_t head_ = 0, n_ = 0;
};

class NpuFast : public sc_core::sc_module, public Npu {
 public:
  tlm_utils::simple_initiator_socket<NpuFast> dma;
  tlm_utils::simple_target_socket<NpuFast> csr;

  explicit NpuFast(sc_core::sc_module_name name, const FastTiming& timing = FastTiming());

  const char* kind() const override { return "fast"; }
  tlm::tlm_target_socket<>& csr_target() override { return csr; }
  tlm::tlm_initiator_socket<>& dma_initiator() override { return dma; }
  uint8_t csr_access(bool write, uint32_t offset, uint32_t wdata, uint32_t* rdata, uint8_t strb = 0xF) override;
  bool irq_host() const override { return irq_host_; }
  bool irq_fw() const override { return irq_fw_; }
  const sc_core::sc_event& irq_host_event() const override { return irq_host_ev_; }
  const sc_core::sc_event& irq_fw_event() const override { return irq_fw_ev_; }
  uint64_t rtl_cycles() const override;
  bool idle() override;

  // Backdoor for tests and state transfer.
  RegFile& regs() { return regs_; }
  uint32_t* spad_words() { return spad_.data(); }  // 8 little-endian uint32 per 32-byte word
  size_t spad_word_count() const { return spad_.size() / 8; }
  // Operations the model could not perform (reported as warnings too).
  uint64_t unsupported_ops() const { return unsupported_; }
  // Records each unit's busy window (the cycles the RTL would be busy) into
  // `w` (run traces); `label` prefixes the track names (see UnitTrace).
  void attach_trace(TraceWriter& w, const std::string& label);

 private:
  // One unit's current operation.
  struct Unit {
    bool active = false;   // a completion event is pending
    bool aborted = false;  // soft reset: no done event
    uint64_t end = 0;      // first cycle the unit is idle again
    uint32_t event_bits = 0;
    uint64_t macs = 0, stall = 0, rd_bytes = 0, wr_bytes = 0;  // added at completion
  };
  struct Burst {
    uint64_t issue, end;  // AR/AW cycle, last beat / B
    uint64_t rd_bytes, wr_bytes;
  };
  struct DmaChannel {
    Unit u;
    uint64_t from = 0;  // where u's busy window started (busy counted from there)
    // DMA_PERF counters: busy grows cycle by cycle, the rest at completion
    // (stall = busy window - beats, the RTL's identity).
    IntervalUnion busy;
    uint64_t rd_bytes = 0, wr_bytes = 0, stall = 0;
    bool error = false;
    uint8_t resp = 0;
    uint32_t err_addr = 0;
    std::vector<Burst> bursts;  // of the current descriptor (abort keeps issued ones)
  };

  void run();
  uint64_t now() const;  // current cycle
  void process_due(uint64_t t);
  void schedule();
  void update_irqs();
  void keep_awake(uint64_t from, uint64_t to);
  uint32_t hw_value(uint32_t offset);
  void pulse(uint32_t offset, uint32_t bits);
  void csr_b_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay);

  void soft_reset();
  void dma_start(unsigned ch);
  void dma_burst(DmaChannel& c, bool write, uint32_t addr, uint32_t spad_word, unsigned beats, uint64_t earliest);
  void prefetch_rows(uint32_t addr, uint32_t row_bytes, uint32_t rows, uint32_t stride);
  void tc_start();
  void tc_matmul(uint64_t* cycles, uint64_t* macs, uint64_t* stall);
  void tc_writeback(uint64_t* cycles);
  void vu_start();
  void start_unit(Unit& u, uint64_t cycles, uint32_t event_bits);
  bool unit_busy(const Unit& u, uint64_t t) const { return u.active && t < u.end; }

  FastTiming t_;
  RegFile regs_;
  std::vector<uint32_t> spad_;  // scratchpad, words * 8 lanes of 32 bit
  std::vector<uint32_t> acc_;   // accumulator, acc_rows * cols
  std::vector<DmaChannel> ch_;
  Unit tc_, vu_;
  bool resetting_ = false;
  uint64_t reset_end_ = 0;
  // Shared AXI resources: next free AR/AW issue slot, R/W data channel, and
  // the completion cycles of outstanding bursts (min-heaps).
  uint64_t ar_free_ = 0, aw_free_ = 0, r_free_ = 0, w_free_ = 0;
  OutstandingBursts rd_out_, wr_out_;
  // Performance counters: busy unions plus totals of completed operations.
  IntervalUnion awake_, tc_busy_, dma_busy_, vu_busy_;
  uint64_t macs_ = 0, tc_stall_ = 0, vu_stall_ = 0, rd_bytes_ = 0, wr_bytes_ = 0;
  tlm::tlm_dmi dmi_;        // DRAM, for host speed only (ensure_dmi)
  bool dmi_asked_ = false, dmi_ok_ = false;
  uint64_t dmi_lo_ = 0, dmi_hi_ = 0;  // its device address range
  void ensure_dmi();
  bool in_dmi(uint64_t addr, uint64_t bytes) const;
  tlm::tlm_generic_payload dma_payload_;  // reused by every burst
  std::vector<uint8_t> dma_buf_;          // staging buffer (dma_burst)
  uint64_t period_;                       // clock_period().value()
  bool in_dma_ = false;  // our own DMA reaching our CSR window answers SLVERR
  // Test-only fault injection ($KILN_FAST_FAULT, fault_inject.h).
  FaultPlan fault_;
  bool dma_fault_pending_ = false;  // flip the current descriptor's first lane
  void fault_report(const char* what, uint64_t where);
  bool irq_host_ = false, irq_fw_ = false;
  sc_core::sc_event irq_host_ev_, irq_fw_ev_, wake_ev_;
  uint64_t wake_at_ = 0;        // cycle run() waits for (UINT64_MAX: only wake_ev_)
  bool wake_pending_ = false;   // wake_ev_ notified, run() not yet resumed
  uint64_t unsupported_ = 0;
  std::unique_ptr<UnitTrace> unit_trace_;
  // Span of unit `unit` (UnitTrace index) from busy_o's rise to u.end.
  void trace_begin(unsigned unit, const Unit& u, uint64_t start_cycle);
  uint64_t cycle_ns(uint64_t cycle) const;
};

}  // namespace kiln
