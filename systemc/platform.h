// Assembly of the platform: host link, router, DRAM, NPU island, control core
// and the host-side port PlatformHost drives.
#pragma once

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>
#include <functional>
#include <memory>
#include <string>

#include "control_core.h"
#include "dram.h"
#include "fast/npu_fast.h"
#include "host_link.h"
#include "npu_island.h"
#include "npu_selector.h"
#include "platform_host.h"
#include "router.h"
#include "trace_json.h"

namespace kiln {

// The host-side initiator. Its thread executes one request, then pauses the
// kernel so sc_start() returns to the caller of PlatformHost.
class HostPort : public sc_core::sc_module {
 public:
  enum class Op { kRead, kWrite, kWaitIrq, kCall };
  struct Request {
    Request(Op o, uint64_t a = 0, uint8_t* d = nullptr, size_t len = 0) : op(o), addr(a), data(d), n(len) {}
    Op op = Op::kRead;
    uint64_t addr = 0;
    uint8_t* data = nullptr;
    size_t n = 0;
    sc_core::sc_time timeout = sc_core::SC_ZERO_TIME;
    tlm::tlm_response_status status = tlm::TLM_INCOMPLETE_RESPONSE;
    bool irq = false;
    bool done = false;
    std::function<void()> call;  // kCall: runs in the host thread (may wait)
  };

  tlm_utils::simple_initiator_socket<HostPort> socket;

  HostPort(sc_core::sc_module_name name, Npu& npu);
  // Runs the kernel until `r` is done; false if the simulation stopped first.
  bool execute(Request& r);
  // Records the host's device-memory transfers, doorbells and interrupt
  // waits into `w` (run traces).
  void attach_trace(TraceWriter& w) {
    trace_ = &w;
    track_ = w.add_track("host");
  }

 private:
  void run();
  void trace(const Request& r, uint64_t begin_ns);
  Npu& npu_;
  TraceWriter* trace_ = nullptr;
  int track_ = -1;
  Request* pending_ = nullptr;
  sc_core::sc_event request_ev_;
};

// Router ports: 0 host link, 1 NPU DMA (the RTL island's, else the fast
// model's), 2 control core, 3 the fast model's DMA when both NPUs exist.
// Targets: 0 CSR, 1 DRAM. opts.npu picks the NPU(s): "rtl" (needs `model`),
// "fast", or "both" (a selector routes CSR, interrupts and the control core
// to the active one; PlatformHost::select_npu switches when idle).
class Platform : public sc_core::sc_module {
 public:
  // `trace`: where the run trace goes (null: none); must outlive the platform.
  Platform(sc_core::sc_module_name name, std::unique_ptr<RtlModel> model, FwEntry fw,
           const PlatformOptions& opts, TraceWriter* trace = nullptr);

  Dram dram;
  Router router;
  HostLink link;
  std::unique_ptr<NpuIsland> island;  // null unless npu is "rtl" or "both"
  std::unique_ptr<NpuFast> fast;      // null unless npu is "fast" or "both"
  std::unique_ptr<NpuSelector> selector;  // only with "both"
  Npu& npu();                         // what the control core and host see
  std::unique_ptr<ControlCore> core;
  std::unique_ptr<HostPort> host;
};

// Router latency per port, in cycles (not in kiln_hw.toml: an interconnect
// hop of the same size for everybody).
constexpr unsigned kRouterPortLatencyCycles = 2;
// Global quantum: how far the island may run ahead of SystemC time.
constexpr unsigned kQuantumCycles = 100;

// Builds the platform around any model with kiln_npu_top's ports. Used by
// PlatformHost::create (Vkiln_npu_top, kiln_fw_main) and by tests.
std::unique_ptr<PlatformHost> create_platform_host(std::unique_ptr<RtlModel> model, FwEntry fw,
                                                   const PlatformOptions& opts, std::string* err);

// "rtl", "fast" or "both"; false + *err for anything else.
bool valid_npu_choice(const std::string& npu, std::string* err);

struct PlatformHost::Impl {
  std::unique_ptr<TraceWriter> trace;  // null unless PlatformOptions::trace_file
  std::unique_ptr<Platform> platform;
  std::string mmio_error;
};

}  // namespace kiln
