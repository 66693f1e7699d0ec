// Assembly of the platform: host link, router, DRAM, NPU island, control core
// and the host-side port PlatformHost drives.
#pragma once

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>
#include <memory>
#include <string>

#include "control_core.h"
#include "dram.h"
#include "host_link.h"
#include "npu_island.h"
#include "platform_host.h"
#include "router.h"

namespace kiln {

// The host-side initiator. Its thread executes one request, then pauses the
// kernel so sc_start() returns to the caller of PlatformHost.
class HostPort : public sc_core::sc_module {
 public:
  enum class Op { kRead, kWrite, kWaitIrq };
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
  };

  tlm_utils::simple_initiator_socket<HostPort> socket;

  HostPort(sc_core::sc_module_name name, NpuIsland& island);
  // Runs the kernel until `r` is done; false if the simulation stopped first.
  bool execute(Request& r);

 private:
  void run();
  NpuIsland& island_;
  Request* pending_ = nullptr;
  sc_core::sc_event request_ev_;
};

// Router ports: 0 host link, 1 NPU DMA, 2 control core. Targets: 0 CSR, 1 DRAM.
class Platform : public sc_core::sc_module {
 public:
  Platform(sc_core::sc_module_name name, std::unique_ptr<RtlModel> model, FwEntry fw,
           const PlatformOptions& opts);

  Dram dram;
  Router router;
  HostLink link;
  NpuIsland island;
  ControlCore core;
  HostPort host;
};

// Router latency per port, in cycles (not in kiln_hw.toml: an interconnect
// hop of the same size for everybody).
constexpr unsigned kRouterPortLatencyCycles = 2;
// Global quantum: how far the island may run ahead of SystemC time.
constexpr unsigned kQuantumCycles = 1000;

// Builds the platform around any model with kiln_npu_top's ports. Used by
// PlatformHost::create (Vkiln_npu_top, kiln_fw_main) and by tests.
std::unique_ptr<PlatformHost> create_platform_host(std::unique_ptr<RtlModel> model, FwEntry fw,
                                                   const PlatformOptions& opts, std::string* err);

struct PlatformHost::Impl {
  std::unique_ptr<Platform> platform;
  std::string mmio_error;
};

}  // namespace kiln
