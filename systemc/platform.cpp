#include "platform.h"

#include <cstdio>
#include <utility>
#include <vector>

#include "kiln_hw.h"
#include "kiln_regs.h"

namespace kiln {

using namespace sc_core;

HostPort::HostPort(sc_module_name name, Npu& npu) : sc_module(name), socket("socket"), npu_(npu) {
  SC_HAS_PROCESS(HostPort);
  SC_THREAD(run);
}

bool HostPort::execute(Request& r) {
  pending_ = &r;
  request_ev_.notify(SC_ZERO_TIME);
  sc_start();
  pending_ = nullptr;
  return r.done;
}

static uint64_t now_ns() { return sc_time_stamp().value() / sc_time(1, SC_NS).value(); }

// MMIO is too frequent (status polls) and too short to show; the doorbell is
// what starts the firmware, so it is the one register write marked.
void HostPort::trace(const Request& r, uint64_t begin_ns) {
  const bool csr = r.addr >= KILN_HW_CSR_BASE && r.addr < KILN_HW_CSR_BASE + KILN_HW_CSR_SIZE;
  if (r.op == Op::kWaitIrq) {
    trace_->span(track_, begin_ns, now_ns(), "wait for interrupt", "host", TraceArgs().num("irq", r.irq ? 1 : 0));
  } else if (r.op == Op::kWrite && csr && r.addr - KILN_HW_CSR_BASE == KILN_REG_DOORBELL) {
    trace_->instant(track_, begin_ns, "doorbell", "host");
  } else if ((r.op == Op::kWrite || r.op == Op::kRead) && !csr) {
    trace_->span(track_, begin_ns, now_ns(), r.op == Op::kWrite ? "upload" : "download", "host",
                 TraceArgs().num("bytes", r.n).hex("addr", r.addr));
  }
}

void HostPort::run() {
  for (;;) {
    while (!pending_ || pending_->done) wait(request_ev_);
    Request& r = *pending_;
    const uint64_t begin = now_ns();
    if (r.op == Op::kWaitIrq) {
      // Loop on the level: with two NPUs the event is the selector's, which
      // also fires for edges of the inactive one.
      const sc_time until = sc_time_stamp() + r.timeout;
      while (!npu_.irq_host() && sc_time_stamp() < until) wait(until - sc_time_stamp(), npu_.irq_host_event());
      r.irq = npu_.irq_host();
    } else if (r.op == Op::kCall) {
      r.call();
    } else {
      tlm::tlm_generic_payload t;
      t.set_command(r.op == Op::kWrite ? tlm::TLM_WRITE_COMMAND : tlm::TLM_READ_COMMAND);
      t.set_address(r.addr);
      t.set_data_ptr(r.data);
      t.set_data_length(static_cast<unsigned>(r.n));
      t.set_streaming_width(static_cast<unsigned>(r.n));
      t.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
      sc_time d = SC_ZERO_TIME;
      socket->b_transport(t, d);
      wait(d);  // the host call returns when the access has completed
      r.status = t.get_response_status();
    }
    if (trace_) trace(r, begin);
    r.done = true;
    sc_pause();
  }
}

static IslandConfig island_config(const PlatformOptions& opts) {
  IslandConfig c = IslandConfig::from_hw();
  c.wave_file = opts.wave_file;
  c.wave_from = opts.wave_from;
  c.wave_to = opts.wave_to;
  c.wave_cmd = opts.wave_cmd;
  return c;
}

bool valid_npu_choice(const std::string& npu, std::string* err) {
  if (npu == "rtl" || npu == "fast" || npu == "both") return true;
  if (err) *err = "unknown NPU '" + npu + "': use \"rtl\" (Verilated RTL), \"fast\" (C++ model) or \"both\"";
  return false;
}

Platform::Platform(sc_module_name name, std::unique_ptr<RtlModel> model, FwEntry fw, const PlatformOptions& opts,
                   TraceWriter* trace)
    : sc_module(name),
      dram("dram", DramConfig::from_hw()),
      router("router"),
      link("host_link", HostLinkConfig::from_hw()) {
  const bool want_rtl = opts.npu != "fast", want_fast = opts.npu != "rtl";
  if (want_rtl) island = std::make_unique<NpuIsland>("npu", std::move(model), island_config(opts));
  if (want_fast) fast = std::make_unique<NpuFast>(want_rtl ? "npu_fast" : "npu");
  if (island && fast) {
    // The selector starts on its first NPU.
    std::vector<Npu*> order{island.get(), fast.get()};
    if (opts.first_active == "fast") std::swap(order[0], order[1]);
    selector = std::make_unique<NpuSelector>("npu_select", order);
  }
  core = std::make_unique<ControlCore>("control_core", npu(), fw);
  host = std::make_unique<HostPort>("host", npu());
  if (trace) {
    // Tracks in this order: the firmware's commands, the host, then each
    // NPU's units (labelled by kind when there are two).
    core->attach_trace(*trace);
    host->attach_trace(*trace);
    if (island) island->attach_trace(*trace, fast ? "rtl" : "");
    if (fast) fast->attach_trace(*trace, island ? "fast" : "");
  }
  host->socket.bind(link.host);
  link.out.bind(router.in);  // port 0
  (island ? island->dma_initiator() : fast->dma_initiator()).bind(router.in);  // port 1
  core->mem.bind(router.in);  // port 2
  if (island && fast) fast->dma.bind(router.in);  // port 3
  if (selector)
    router.out.bind(selector->csr);  // target 0
  else
    router.out.bind(npu().csr_target());
  router.out.bind(dram.socket);  // target 1
  router.add_default_map();
  for (unsigned p = 0; p < 4; ++p)
    router.set_port_latency(p, clock_period() * static_cast<double>(kRouterPortLatencyCycles));
}

Npu& Platform::npu() {
  if (selector) return *selector;
  if (island) return *island;
  return *fast;
}

std::unique_ptr<PlatformHost> create_platform_host(std::unique_ptr<RtlModel> model, FwEntry fw,
                                                   const PlatformOptions& opts, std::string* err) {
  static bool created = false;
  if (created) {
    if (err) *err = "PlatformHost::create: the SystemC platform can be created only once per process";
    return nullptr;
  }
  if (!valid_npu_choice(opts.npu, err)) return nullptr;
  if (opts.npu == "both" && opts.first_active != "rtl" && opts.first_active != "fast") {
    if (err) *err = "PlatformHost::create: first_active \"" + opts.first_active + "\" must be \"rtl\" or \"fast\"";
    return nullptr;
  }
  if (opts.npu != "fast" && !model) {
    if (err) *err = "PlatformHost::create: npu \"" + opts.npu + "\" needs an RTL model";
    return nullptr;
  }
  auto impl = std::make_unique<PlatformHost::Impl>();
  // Before anything is elaborated: a bad path leaves the process free to
  // create its platform with another.
  if (!opts.trace_file.empty() && !(impl->trace = TraceWriter::open(opts.trace_file, err))) return nullptr;
  created = true;
  tlm_utils::tlm_quantumkeeper::set_global_quantum(clock_period() * static_cast<double>(kQuantumCycles));
  impl->platform = std::make_unique<Platform>("kiln", std::move(model), fw, opts, impl->trace.get());
  return std::make_unique<PlatformHost>(std::move(impl));
}

}  // namespace kiln
