#include "npu_island.h"

#include <algorithm>

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
  if (!cfg_.wave_file.empty()) {
    tracing_ = model_->trace_open(cfg_.wave_file);
    if (!tracing_) SC_REPORT_WARNING("kiln/island", ("cannot open waveform " + cfg_.wave_file).c_str());
  }
  SC_HAS_PROCESS(NpuIsland);
  SC_THREAD(run);
}

NpuIsland::~NpuIsland() {
  model_->trace_close();
  model_->final();
}

void NpuIsland::invalidate_direct_mem_ptr(sc_dt::uint64 start, sc_dt::uint64 end) { axi_.invalidate_dmi(start, end); }

bool NpuIsland::clock_one() {
  const uint64_t ps = period_.value() / sc_time(1, SC_PS).value();
  model_->set_clk(false);
  model_->eval();
  if (tracing_) model_->trace_dump(cycles_ * ps + ps / 2);
  axi_.sample();
  lite_.sample();
  model_->set_clk(true);
  model_->eval();
  ++cycles_;
  qk_.inc(period_);
  if (tracing_) model_->trace_dump(cycles_ * ps);
  axi_.update(cycles_, qk_.get_local_time());
  return lite_.update();
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
    if (qk_.need_sync()) qk_.sync();
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
