// NpuFast core: CSR access, completion events, interrupts, performance
// counters and soft reset. The units are in fast_units.cpp.
#include "npu_fast.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>

#include "axi4_slave.h"
#include "kiln_hw.h"
#include "kiln_regs.h"
#include "timing.h"

namespace kiln {

using namespace sc_core;

namespace {
constexpr uint64_t kBeatBytes = KILN_HW_AXI_DATA_BITS / 8;
// hw_value indexes the DMA_PERF counters as {RD_BYTES, WR_BYTES, BUSY, STALL} x {LO, HI}.
static_assert(KILN_REG_DMA_PERF_WR_BYTES_LO(0) - KILN_REG_DMA_PERF_RD_BYTES_LO(0) == 8 &&
                  KILN_REG_DMA_PERF_BUSY_LO(0) - KILN_REG_DMA_PERF_RD_BYTES_LO(0) == 16 &&
                  KILN_REG_DMA_PERF_STALL_HI(0) - KILN_REG_DMA_PERF_RD_BYTES_LO(0) == 28,
              "DMA_PERF register layout changed");
}  // namespace

void IntervalUnion::add(uint64_t start, uint64_t end) {
  if (end <= start) return;
  if (start > end_) {
    done_ += end_ - start_;
    start_ = start;
    end_ = end;
  } else {
    end_ = std::max(end_, end);
  }
}

uint64_t IntervalUnion::covered(uint64_t t) const { return done_ + (std::clamp(t, start_, end_) - start_); }

void IntervalUnion::truncate(uint64_t t) { end_ = std::max(start_, std::min(end_, t)); }

NpuFast::NpuFast(sc_module_name name, const FastTiming& timing)
    : sc_module(name),
      dma("dma"),
      csr("csr"),
      t_(timing),
      regs_([this](uint32_t off) { return hw_value(off); }, [this](uint32_t off, uint32_t bits) { pulse(off, bits); }),
      spad_(size_t(KILN_HW_SCRATCHPAD_WORDS) * 8, 0),
      acc_(size_t(KILN_HW_TENSOR_CORE_ACC_ROWS) * KILN_HW_TENSOR_CORE_COLS, 0),
      ch_(KILN_DMA_COUNT),
      period_(clock_period().value()) {
  static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "the scratchpad image assumes a little-endian host");
  csr.register_b_transport(this, &NpuFast::csr_b_transport);
  std::string ferr;
  if (!fault_.parse(std::getenv("KILN_FAST_FAULT"), &ferr)) SC_REPORT_WARNING("kiln/fast", ferr.c_str());
  SC_HAS_PROCESS(NpuFast);
  SC_THREAD(run);
}

// Said on stderr every time: a corrupted result must never pass unnoticed.
void NpuFast::fault_report(const char* what, uint64_t where) {
  std::fprintf(stderr, "kiln/fast: KILN_FAST_FAULT: flipped bit %u of the %s at 0x%llx\n", fault_.bit(), what,
               static_cast<unsigned long long>(where));
}

void NpuFast::attach_trace(TraceWriter& w, const std::string& label) {
  unit_trace_ = std::make_unique<UnitTrace>(w, label);
}

uint64_t NpuFast::cycle_ns(uint64_t cycle) const { return cycle * period_ / sc_time(1, SC_NS).value(); }

// busy_o rises the cycle after start_i (start_unit), which comes start_delay
// cycles after the START write.
void NpuFast::trace_begin(unsigned unit, const Unit& u, uint64_t start_cycle) {
  if (!unit_trace_) return;
  const uint64_t rise = std::min(u.end, start_cycle + t_.start_delay + 1);
  unit_trace_->begin(unit, cycle_ns(rise), [this](uint32_t off) { return regs_.q(off); });
}

uint64_t NpuFast::now() const { return sc_time_stamp().value() / period_; }

uint64_t NpuFast::rtl_cycles() const { return awake_.covered(now()); }

bool NpuFast::idle() {
  process_due(now());
  if (resetting_ || tc_.active || vu_.active) return false;
  for (const DmaChannel& c : ch_)
    if (c.u.active) return false;
  return true;
}

// The clock of the RTL island runs while anything happens and for a few
// quiet cycles after; PERF_CYCLES and rtl_cycles() count only those cycles.
void NpuFast::keep_awake(uint64_t from, uint64_t to) { awake_.add(from, to + t_.settle_cycles); }

void NpuFast::run() {
  // The RTL island holds reset for 8 cycles at time 0; its counters start after.
  keep_awake(0, 8);
  for (;;) {
    const uint64_t t = now();
    process_due(t);
    uint64_t next = UINT64_MAX;
    auto consider = [&](const Unit& u) {
      if (u.active) next = std::min(next, u.end);
    };
    for (const DmaChannel& c : ch_) consider(c.u);
    consider(tc_);
    consider(vu_);
    if (resetting_) next = std::min(next, reset_end_);
    wake_at_ = next;
    wake_pending_ = false;
    if (next == UINT64_MAX)
      wait(wake_ev_);
    else
      wait(clock_period() * static_cast<double>(next - t), wake_ev_);
  }
}

// run() sleeps until the earliest unit end it knew of (wake_at_). Only an
// operation that now ends earlier (a start, a soft reset) needs to wake it
// to recompute; anything else it picks up at that wake-up anyway. (Waking it
// for every CSR access cost a process switch each, for nothing.)
void NpuFast::schedule() {
  uint64_t next = resetting_ ? reset_end_ : UINT64_MAX;
  for (const DmaChannel& c : ch_)
    if (c.u.active) next = std::min(next, c.u.end);
  for (const Unit* u : {&tc_, &vu_})
    if (u->active) next = std::min(next, u->end);
  if (next < wake_at_ && !wake_pending_) {
    wake_pending_ = true;
    wake_ev_.notify(SC_ZERO_TIME);
  }
}

void NpuFast::process_due(uint64_t t) {
  uint32_t events = 0;
  auto finish = [&](Unit& u, uint64_t* stall, unsigned unit) {
    if (!u.active || u.end > t) return false;
    u.active = false;
    if (unit_trace_) unit_trace_->end(unit, cycle_ns(u.end));
    macs_ += u.macs;
    *stall += u.stall;
    rd_bytes_ += u.rd_bytes;
    wr_bytes_ += u.wr_bytes;
    if (!u.aborted) events |= u.event_bits;
    return true;
  };
  for (DmaChannel& c : ch_) {
    const uint64_t rd = c.u.rd_bytes, wr = c.u.wr_bytes;
    // One beat per cycle at most: busy = stall + beats, as in the RTL.
    const uint64_t beats = (rd + wr) / kBeatBytes, window = c.u.end - c.from;
    c.u.stall = window > beats ? window - beats : 0;
    if (finish(c.u, &c.stall, UnitTrace::dma(unsigned(&c - ch_.data())))) {
      c.rd_bytes += rd;
      c.wr_bytes += wr;
    }
  }
  finish(tc_, &tc_stall_, UnitTrace::tc());
  finish(vu_, &vu_stall_, UnitTrace::vu());
  if (resetting_ && reset_end_ <= t) {
    resetting_ = false;
    events |= KILN_FW_EVENT_RESET_MASK;
  }
  if (events) {
    regs_.hw_set(KILN_REG_FW_EVENT, events);
    update_irqs();
  }
}

void NpuFast::update_irqs() {
  const bool h = (regs_.q(KILN_REG_IRQ_STATUS) & regs_.q(KILN_REG_IRQ_ENABLE)) != 0;
  const bool f = regs_.q(KILN_REG_FW_EVENT) != 0;
  if (h != irq_host_) {
    irq_host_ = h;
    irq_host_ev_.notify(SC_ZERO_TIME);
  }
  if (f != irq_fw_) {
    irq_fw_ = f;
    irq_fw_ev_.notify(SC_ZERO_TIME);
  }
}

uint32_t NpuFast::hw_value(uint32_t off) {
  const uint64_t t = now();
  auto lo = [](uint64_t v) { return static_cast<uint32_t>(v); };
  auto hi = [](uint64_t v) { return static_cast<uint32_t>(v >> 32); };
  switch (off) {
    case KILN_REG_HWCFG:
      return (uint32_t(KILN_HW_TENSOR_CORE_ROWS) << KILN_HWCFG_TC_ROWS_SHIFT) |
             (uint32_t(KILN_HW_TENSOR_CORE_COLS) << KILN_HWCFG_TC_COLS_SHIFT) |
             (uint32_t(KILN_HW_DMA_CHANNELS) << KILN_HWCFG_DMA_CHANNELS_SHIFT) |
             (uint32_t(KILN_HW_SCRATCHPAD_BANKS) << KILN_HWCFG_SPAD_BANKS_SHIFT) |
             (uint32_t(KILN_HW_SCRATCHPAD_BYTES / 4096) << KILN_HWCFG_SPAD_KIB_SHIFT);
    case KILN_REG_STATUS: {
      uint32_t v = 0;
      for (unsigned c = 0; c < ch_.size(); ++c)
        if (unit_busy(ch_[c].u, t)) v |= 1u << (KILN_STATUS_DMA_BUSY_SHIFT + c);
      if (unit_busy(tc_, t)) v |= KILN_STATUS_TC_BUSY_MASK;
      if (resetting_) v |= KILN_STATUS_RESETTING_MASK;
      if (unit_busy(vu_, t)) v |= KILN_STATUS_VU_BUSY_MASK;
      return v;
    }
    case KILN_REG_PERF_CYCLES_LO: return lo(rtl_cycles());
    case KILN_REG_PERF_CYCLES_HI: return hi(rtl_cycles());
    case KILN_REG_PERF_TC_BUSY_LO: return lo(tc_busy_.covered(t));
    case KILN_REG_PERF_TC_BUSY_HI: return hi(tc_busy_.covered(t));
    case KILN_REG_PERF_TC_STALL_LO: return lo(tc_stall_);
    case KILN_REG_PERF_TC_STALL_HI: return hi(tc_stall_);
    case KILN_REG_PERF_MACS_LO: return lo(macs_);
    case KILN_REG_PERF_MACS_HI: return hi(macs_);
    case KILN_REG_PERF_DMA_RD_BYTES_LO: return lo(rd_bytes_);
    case KILN_REG_PERF_DMA_RD_BYTES_HI: return hi(rd_bytes_);
    case KILN_REG_PERF_DMA_WR_BYTES_LO: return lo(wr_bytes_);
    case KILN_REG_PERF_DMA_WR_BYTES_HI: return hi(wr_bytes_);
    case KILN_REG_PERF_DMA_BUSY_LO: return lo(dma_busy_.covered(t));
    case KILN_REG_PERF_DMA_BUSY_HI: return hi(dma_busy_.covered(t));
    case KILN_REG_PERF_VU_BUSY_LO: return lo(vu_busy_.covered(t));
    case KILN_REG_PERF_VU_BUSY_HI: return hi(vu_busy_.covered(t));
    case KILN_REG_PERF_VU_STALL_LO: return lo(vu_stall_);
    case KILN_REG_PERF_VU_STALL_HI: return hi(vu_stall_);
    case KILN_REG_TC_STATUS(0): return unit_busy(tc_, t) ? KILN_TC_STATUS_BUSY_MASK : 0;
    case KILN_REG_VU_STATUS(0): return unit_busy(vu_, t) ? KILN_VU_STATUS_BUSY_MASK : 0;
    default: break;
  }
  for (unsigned c = 0; c < ch_.size(); ++c) {
    const DmaChannel& d = ch_[c];
    if (off == KILN_REG_DMA_STATUS(c))
      return (unit_busy(d.u, t) ? KILN_DMA_STATUS_BUSY_MASK : 0) | (d.error ? KILN_DMA_STATUS_ERROR_MASK : 0) |
             ((uint32_t(d.resp) << KILN_DMA_STATUS_RESP_SHIFT) & KILN_DMA_STATUS_RESP_MASK);
    if (off == KILN_REG_DMA_ERR_ADDR(c)) return d.err_addr;
    if (off >= KILN_REG_DMA_PERF_RD_BYTES_LO(c) && off <= KILN_REG_DMA_PERF_STALL_HI(c)) {
      const uint64_t v[] = {d.rd_bytes, d.wr_bytes, d.busy.covered(t), d.stall};
      const uint32_t i = off - KILN_REG_DMA_PERF_RD_BYTES_LO(c);
      return (i & 4) ? hi(v[i / 8]) : lo(v[i / 8]);
    }
  }
  return 0;  // a ro register this model does not drive
}

void NpuFast::pulse(uint32_t off, uint32_t bits) {
  if (off == KILN_REG_CTRL) {
    if (bits & KILN_CTRL_SOFT_RESET_MASK) soft_reset();
    return;
  }
  if (off == KILN_REG_DOORBELL) {
    regs_.hw_set(KILN_REG_FW_EVENT, KILN_FW_EVENT_DOORBELL_MASK);
    return;
  }
  if (off == KILN_REG_IRQ_SET) {
    regs_.hw_set(KILN_REG_IRQ_STATUS, bits);
    return;
  }
  // Starts need bit 0 and are dropped during a soft reset.
  if (!(bits & 1u) || resetting_) return;
  if (off == KILN_REG_TC_START(0)) return tc_start();
  if (off == KILN_REG_VU_START(0)) return vu_start();
  for (unsigned c = 0; c < ch_.size(); ++c)
    if (off == KILN_REG_DMA_START(c)) return dma_start(c);
}

void NpuFast::start_unit(Unit& u, uint64_t cycles, uint32_t event_bits) {
  const uint64_t t = now();
  u = Unit{};
  u.active = true;
  // busy_o rises the cycle after start_i, done_o pulses when it falls.
  u.end = t + t_.start_delay + 1 + std::max<uint64_t>(cycles, 1);
  u.event_bits = event_bits;
  keep_awake(t, u.end);
}

void NpuFast::soft_reset() {
  const uint64_t t = now();
  const uint64_t abort = t + 1;  // abort_i is high the cycle after the CTRL write
  uint64_t last = abort;
  for (DmaChannel& c : ch_) {
    if (!unit_busy(c.u, t)) continue;
    // Bursts already issued complete (AXI needs it); the rest are dropped.
    uint64_t end = abort, rd = 0, wr = 0;
    for (const Burst& b : c.bursts)
      if (b.issue <= abort) {
        end = std::max(end, b.end + t_.dma_done_delay);
        rd += b.rd_bytes;
        wr += b.wr_bytes;
      }
    c.u.end = std::min(c.u.end, end);
    c.busy.truncate(c.u.end);
    c.u.rd_bytes = rd;
    c.u.wr_bytes = wr;
    c.u.aborted = true;
    last = std::max(last, c.u.end);
  }
  uint64_t dma_end = abort;
  for (const DmaChannel& c : ch_)
    if (c.u.active) dma_end = std::max(dma_end, c.u.end);
  dma_busy_.truncate(dma_end);
  for (Unit* u : {&tc_, &vu_}) {
    if (!unit_busy(*u, t)) continue;
    u->end = abort + 1;
    u->aborted = true;
    u->macs = u->stall = 0;
  }
  tc_busy_.truncate(abort + 1);
  vu_busy_.truncate(abort + 1);
  resetting_ = true;
  reset_end_ = std::max(last, abort + 1) + 1;
  keep_awake(t, reset_end_);
  schedule();
}

uint8_t NpuFast::csr_access(bool write, uint32_t offset, uint32_t wdata, uint32_t* rdata, uint8_t strb) {
  if (in_dma_) return kAxiSlvErr;  // our own DMA into our CSR window
  const uint64_t t = now();
  process_due(t);
  const unsigned lat = write ? t_.csr_write_cycles : t_.csr_read_cycles;
  keep_awake(t, t + lat);
  uint32_t v = 0;
  const uint8_t resp = write ? regs_.write(offset, wdata, strb) : regs_.read(offset, &v);
  if (rdata) *rdata = v;
  update_irqs();
  // The requester continues when the access completed on the bus.
  wait(clock_period() * static_cast<double>(lat));
  return resp;
}

void NpuFast::csr_b_transport(tlm::tlm_generic_payload& trans, sc_time& delay) {
  const uint64_t off = trans.get_address();
  if (trans.get_data_length() != 4 || trans.get_streaming_width() < 4 || (off & 3)) {
    trans.set_response_status(tlm::TLM_BURST_ERROR_RESPONSE);
    return;
  }
  if (off >= KILN_HW_CSR_SIZE) {
    trans.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
    return;
  }
  if (in_dma_) {  // same answer as the island: it would wait on itself
    trans.set_response_status(tlm::TLM_GENERIC_ERROR_RESPONSE);
    return;
  }
  wait(delay);
  delay = SC_ZERO_TIME;
  uint8_t* d = trans.get_data_ptr();
  uint8_t resp = kAxiOkay;
  if (trans.is_write()) {
    const uint32_t v = uint32_t(d[0]) | uint32_t(d[1]) << 8 | uint32_t(d[2]) << 16 | uint32_t(d[3]) << 24;
    uint8_t strb = 0xF;
    if (const uint8_t* be = trans.get_byte_enable_ptr()) {
      strb = 0;
      for (unsigned i = 0; i < 4; ++i)
        if (be[i % trans.get_byte_enable_length()] == TLM_BYTE_ENABLED) strb |= 1u << i;
    }
    resp = csr_access(true, static_cast<uint32_t>(off), v, nullptr, strb);
  } else if (trans.is_read()) {
    uint32_t v = 0;
    resp = csr_access(false, static_cast<uint32_t>(off), 0, &v);
    for (unsigned i = 0; i < 4; ++i) d[i] = static_cast<uint8_t>(v >> (8 * i));
  }
  trans.set_response_status(resp == kAxiOkay ? tlm::TLM_OK_RESPONSE : tlm::TLM_GENERIC_ERROR_RESPONSE);
}

}  // namespace kiln
