#include "npu_island.h"

#include <algorithm>
#include <cstdio>

#include "kiln_hw.h"
#include "kiln_regs.h"
#include "timing.h"

namespace kiln {

using namespace sc_core;

IslandConfig IslandConfig::from_hw() {
  IslandConfig c;
  c.status_offset = KILN_REG_STATUS;
  c.busy_mask = KILN_STATUS_DMA_BUSY_MASK | KILN_STATUS_TC_BUSY_MASK | KILN_STATUS_VU_BUSY_MASK |
                KILN_STATUS_RESETTING_MASK;
  c.axi.max_reads = KILN_HW_AXI_MAX_OUTSTANDING_READS;
  c.axi.max_writes = KILN_HW_AXI_MAX_OUTSTANDING_WRITES;
  return c;
}

NpuIsland::NpuIsland(sc_module_name name, std::unique_ptr<RtlModel> model, const IslandConfig& cfg)
    : sc_module(name),
      dma("dma"),
      csr("csr"),
      model_(std::move(model)),
      cfg_(cfg),
      axi_(model_->axi(), dma, cfg.axi),
      lite_(model_->axil()),
      period_(clock_period()) {
  csr.register_b_transport(this, &NpuIsland::b_transport);
  dma.register_invalidate_direct_mem_ptr(this, &NpuIsland::invalidate_direct_mem_ptr);
  // The file is opened at the first cycle inside the window (dump()), so a
  // window the run never reaches leaves no file; <wave_file>.info says why.
  tracing_ = !cfg_.wave_file.empty();
  SC_HAS_PROCESS(NpuIsland);
  SC_THREAD(run);
}

NpuIsland::~NpuIsland() {
  model_->trace_close();
  if (!cfg_.wave_file.empty()) write_wave_info();  // also when the FST could not be opened
  model_->final();
}

void NpuIsland::attach_trace(TraceWriter& w, const std::string& label) {
  unit_trace_ = std::make_unique<UnitTrace>(w, label);
  written_.assign(KILN_HW_CSR_SIZE / 4, 0);
  written_read_ = [this](uint32_t off) { return off / 4 < written_.size() ? written_[off / 4] : 0u; };
}

// The island runs ahead of SystemC time by the quantum keeper's local time:
// the cycle just clocked happened at their sum.
void NpuIsland::trace_units() {
  uint32_t s = 0;
  if (!model_->status(&s)) return;
  const uint64_t ns = (sc_time_stamp() + qk_.get_local_time()).value() / sc_time(1, SC_NS).value();
  unit_trace_->status(s & cfg_.busy_mask, ns, written_read_);
}

void NpuIsland::invalidate_direct_mem_ptr(sc_dt::uint64 start, sc_dt::uint64 end) { axi_.invalidate_dmi(start, end); }

bool NpuIsland::clock_one() {
  const uint64_t ps = period_.value() / sc_time(1, SC_PS).value();
  model_->set_clk(false);
  model_->eval();
  if (tracing_) dump(cycles_ * ps + ps / 2);
  axi_.sample();
  lite_.sample();
  model_->set_clk(true);
  model_->eval();
  ++cycles_;
  qk_.inc(period_);
  if (tracing_) dump(cycles_ * ps);
  if (unit_trace_) trace_units();
  axi_.update(cycles_, qk_.get_local_time());
  return lite_.update();
}

void NpuIsland::dump(uint64_t time_ps) {
  bool in;
  if (cfg_.wave_cmd)
    in = cmd_open_;
  else
    in = cycles_ >= cfg_.wave_from && (cfg_.wave_to == 0 || cycles_ <= cfg_.wave_to);
  if (!in) return;
  if (!trace_open_) {
    if (!model_->trace_open(cfg_.wave_file)) {
      SC_REPORT_WARNING("kiln/island", ("cannot open waveform " + cfg_.wave_file).c_str());
      tracing_ = false;
      return;
    }
    trace_open_ = true;
    first_dumped_ = cycles_;
  }
  last_dumped_ = cycles_;
  model_->trace_dump(time_ps);
}

// Command n (1-based, cfg_.wave_cmd) starts when the firmware is done with
// command n-1 (its QUEUE_HEAD write) or, for n = 1, at the first doorbell.
// The firmware only starts units and moves on, so a command's DMA or
// tensor-core work outlasts its HEAD write: the window closes once the units
// command n started (its DMA_START / TC_START / VU_START writes) read idle,
// in a STATUS or per-unit status read (the firmware's polls or the island's
// own idle check). Neighbouring commands overlapping that span are visible
// too; a command that starts no unit ends at its HEAD write.
void NpuIsland::observe_csr(bool write, uint32_t offset, uint32_t data) {
  const uint64_t n = cfg_.wave_cmd;
  auto unit_of = [](uint32_t off, uint32_t reg_of_unit0, uint32_t base) -> int {
    return off >= base && off < base + 0x100 && (off - base) % KILN_DMA_STRIDE == reg_of_unit0 - base
               ? int((off - base) / KILN_DMA_STRIDE) : -1;
  };
  const bool in_cmd = cmd_open_ && commands_done_ + 1 == n;  // command n itself is executing
  if (write && offset == KILN_REG_CTRL && (data & KILN_CTRL_SOFT_RESET_MASK)) {
    walking_ = false;
  } else if (write && offset == KILN_REG_DOORBELL) {
    if (!walking_ && commands_done_ + 1 == n && !cmd_done_) {
      cmd_open_ = true;
      boundaries_.emplace_back(cycles_, n);
    }
    walking_ = true;
  } else if (write && offset == KILN_REG_QUEUE_HEAD && walking_) {
    ++commands_done_;
    if (cmd_open_) boundaries_.emplace_back(cycles_, commands_done_ + 1);
    if (commands_done_ + 1 == n && !cmd_done_) {
      cmd_open_ = true;
      boundaries_.emplace_back(cycles_, n);
    }
  } else if (write && in_cmd) {
    if (int ch = unit_of(offset, KILN_REG_DMA_START(0), KILN_DMA_BASE); ch >= 0) cmd_units_ |= 1u << ch;
    if (offset == KILN_REG_TC_START(0)) cmd_units_ |= KILN_STATUS_TC_BUSY_MASK;
    if (offset == KILN_REG_VU_START(0)) cmd_units_ |= KILN_STATUS_VU_BUSY_MASK;
  } else if (!write && cmd_open_ && commands_done_ >= n) {
    // Idle units seen in this read; STATUS has one busy bit per DMA channel.
    if (offset == cfg_.status_offset) cmd_units_ &= data;
    if (int ch = unit_of(offset, KILN_REG_DMA_STATUS(0), KILN_DMA_BASE); ch >= 0 && !(data & KILN_DMA_STATUS_BUSY_MASK))
      cmd_units_ &= ~(1u << ch);
    if (offset == KILN_REG_TC_STATUS(0) && !(data & KILN_TC_STATUS_BUSY_MASK)) cmd_units_ &= ~KILN_STATUS_TC_BUSY_MASK;
    if (offset == KILN_REG_VU_STATUS(0) && !(data & KILN_VU_STATUS_BUSY_MASK)) cmd_units_ &= ~KILN_STATUS_VU_BUSY_MASK;
  }
  if (cmd_open_ && commands_done_ >= n && cmd_units_ == 0) {
    cmd_open_ = false;
    cmd_done_ = true;
  }
}

// <wave_file>.info: the window actually dumped and the command boundaries in
// it (kiln-cosim prints it and writes the GTKWave markers from it).
void NpuIsland::write_wave_info() {
  const std::string path = cfg_.wave_file + ".info";
  FILE* f = std::fopen(path.c_str(), "w");
  if (!f) return;
  const uint64_t ps = period_.value() / sc_time(1, SC_PS).value();
  std::fprintf(f, "ps_per_cycle %llu\ncommands %llu\nwave_cmd %llu\n", (unsigned long long)ps,
               (unsigned long long)commands_done_, (unsigned long long)cfg_.wave_cmd);
  if (trace_open_)
    std::fprintf(f, "window %llu %llu\n", (unsigned long long)first_dumped_, (unsigned long long)last_dumped_);
  for (const auto& b : boundaries_)
    std::fprintf(f, "boundary %llu %llu\n", (unsigned long long)b.first, (unsigned long long)b.second);
  std::fclose(f);
}

void NpuIsland::check_irqs() {
  const bool h = model_->irq_host(), f = model_->irq_fw();
  if (h == irq_host_ && f == irq_fw_) return;
  // Waiters must see the edge at the simulated time it happened.
  qk_.sync();
  if (h != irq_host_) {
    irq_host_ = h;
    irq_host_ev_.notify();
  }
  if (f != irq_fw_) {
    irq_fw_ = f;
    irq_fw_ev_.notify();
  }
  // Let the waiters run now: without yielding, this thread would clock a
  // whole quantum ahead before they see the edge.
  wait(SC_ZERO_TIME);
}

void NpuIsland::run() {
  thread_ = sc_get_current_process_handle();
  qk_.reset();
  model_->set_rst_n(false);
  axi_.reset();
  lite_.reset();
  for (unsigned i = 0; i < cfg_.reset_cycles; ++i) clock_one();
  model_->set_rst_n(true);

  LiteOwner owner = LiteOwner::kNone;
  uint64_t last_activity = axi_.activity();
  uint64_t quiet = 0;
  unsigned interval = cfg_.settle_cycles;
  bool clean = false;  // nothing happened since the STATUS read started
  for (;;) {
    if (lite_.idle()) {
      if (!requests_.empty()) {
        CsrRequest* r = requests_.front();
        if (r->write)
          lite_.start_write(r->offset, r->wdata, r->strb);
        else
          lite_.start_read(r->offset);
        owner = LiteOwner::kRequest;
      } else if (quiet >= interval) {
        lite_.start_read(cfg_.status_offset);
        owner = LiteOwner::kStatus;
        clean = true;
      }
    }
    const bool lite_done = clock_one();
    if (axi_.activity() != last_activity || axi_.busy()) {
      last_activity = axi_.activity();
      quiet = 0;
      interval = cfg_.settle_cycles;
      clean = false;
    } else {
      ++quiet;
    }
    check_irqs();
    if (lite_done && owner == LiteOwner::kRequest) {
      CsrRequest* r = requests_.front();
      requests_.pop_front();
      r->rdata = lite_.rdata();
      r->resp = lite_.resp();
      if (unit_trace_ && r->write && r->offset / 4 < written_.size()) {
        uint32_t& w = written_[r->offset / 4];
        for (unsigned i = 0; i < 4; ++i)
          if (r->strb & (1u << i)) w = (w & ~(0xFFu << (8 * i))) | (r->wdata & (0xFFu << (8 * i)));
      }
      if (tracing_ && cfg_.wave_cmd) observe_csr(r->write, r->offset, r->write ? r->wdata : r->rdata);
      qk_.sync();  // the requester continues at the time the access ended
      r->finished = true;
      r->done.notify();
      // Yield for one delta so the requester can post its next access (the
      // firmware issues several back to back); otherwise each access would
      // cost a whole quantum of run-ahead.
      wait(SC_ZERO_TIME);
      owner = LiteOwner::kNone;
      quiet = 0;
      interval = cfg_.settle_cycles;
    } else if (lite_done && owner == LiteOwner::kStatus) {
      owner = LiteOwner::kNone;
      if (tracing_ && cfg_.wave_cmd) observe_csr(false, cfg_.status_offset, lite_.rdata());
      quiet = 0;
      if (clean && requests_.empty() && (lite_.rdata() & cfg_.busy_mask) == 0) {
        qk_.sync();
        sleeping_ = true;
        while (requests_.empty()) wait(request_ev_);
        sleeping_ = false;
        qk_.reset();
        interval = cfg_.settle_cycles;
      } else {
        // Long operations: back off so STATUS polling stays cheap.
        interval = std::min(interval * 2, cfg_.max_check_interval);
      }
    }
    // Run ahead only while the control core sleeps: while it runs firmware,
    // its next register access must find the island at its own time, or
    // that access (and all firmware timing after it) would be served up to
    // a quantum late.
    if (qk_.need_sync() || !core_sleeping_) qk_.sync();
  }
}

uint8_t NpuIsland::csr_access(bool write, uint32_t offset, uint32_t wdata, uint32_t* rdata, uint8_t strb) {
  if (sc_get_current_process_handle() == thread_) {
    // The island's own AXI master looping back into its CSR port would wait
    // on itself.
    return kAxiSlvErr;
  }
  CsrRequest r{write, offset, wdata, 0, strb, kAxiOkay, false, {}};
  requests_.push_back(&r);
  request_ev_.notify();
  while (!r.finished) wait(r.done);
  if (rdata) *rdata = r.rdata;
  return r.resp;
}

void NpuIsland::b_transport(tlm::tlm_generic_payload& trans, sc_time& delay) {
  const uint64_t off = trans.get_address();
  if (trans.get_data_length() != 4 || trans.get_streaming_width() < 4 || (off & 3)) {
    trans.set_response_status(tlm::TLM_BURST_ERROR_RESPONSE);
    return;
  }
  if (off >= KILN_HW_CSR_SIZE) {
    trans.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
    return;
  }
  // The access happens on the pins at the caller's time: catch up first.
  wait(delay);
  delay = SC_ZERO_TIME;
  uint8_t* d = trans.get_data_ptr();
  uint8_t resp;
  if (trans.is_write()) {
    uint32_t v = uint32_t(d[0]) | uint32_t(d[1]) << 8 | uint32_t(d[2]) << 16 | uint32_t(d[3]) << 24;
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
  } else {
    resp = kAxiOkay;
  }
  trans.set_response_status(resp == kAxiOkay || resp == kAxiExOkay ? tlm::TLM_OK_RESPONSE
                            : resp == kAxiDecErr                    ? tlm::TLM_ADDRESS_ERROR_RESPONSE
                                                                    : tlm::TLM_GENERIC_ERROR_RESPONSE);
}

}  // namespace kiln
