// Two NPUs in one platform (PlatformOptions::npu = "both"): the RTL island and
// the fast model both sit on the router (each its own DMA port), and this
// selector makes exactly one of them the NPU that the CSR window, the control
// core and the host interrupt reach. Switching (select()) happens between
// submissions, when both are idle: the software-visible register state (rw
// registers, pending IRQ_STATUS causes) moves to the new NPU, so firmware and
// driver carry on. Scratchpad and accumulator contents do not move: a
// submission must not depend on what an earlier one left there.
#pragma once

#include <systemc>
#include <tlm>
#include <tlm_utils/multi_passthrough_initiator_socket.h>
#include <tlm_utils/simple_target_socket.h>
#include <string>
#include <vector>

#include "npu.h"

namespace kiln {

class NpuSelector : public sc_core::sc_module, public Npu {
 public:
  tlm_utils::simple_target_socket<NpuSelector> csr;                   // from the router
  tlm_utils::multi_passthrough_initiator_socket<NpuSelector> to_npu;  // to each NPU's csr

  // npus[0] is active at start.
  NpuSelector(sc_core::sc_module_name name, std::vector<Npu*> npus);

  const char* kind() const override { return active().kind(); }
  tlm::tlm_target_socket<>& csr_target() override { return csr; }
  // The selector has no DMA of its own; each NPU binds its own.
  tlm::tlm_initiator_socket<>& dma_initiator() override { return active().dma_initiator(); }
  uint8_t csr_access(bool write, uint32_t offset, uint32_t wdata, uint32_t* rdata, uint8_t strb = 0xF) override {
    return active().csr_access(write, offset, wdata, rdata, strb);
  }
  bool irq_host() const override { return active().irq_host(); }
  bool irq_fw() const override { return active().irq_fw(); }
  const sc_core::sc_event& irq_host_event() const override { return host_ev_; }
  const sc_core::sc_event& irq_fw_event() const override { return fw_ev_; }
  uint64_t rtl_cycles() const override;  // both NPUs together
  bool idle() override { return active().idle(); }
  void set_core_sleeping(bool s) override;

  Npu& active() const { return *npus_[active_]; }
  // Must run in an SC_THREAD (it performs CSR accesses). Waits until both
  // NPUs are idle, moves the register state, then switches. false + *err if
  // `kind` names no NPU here.
  bool select(const std::string& kind, std::string* err);

 private:
  void forward_irqs();
  void b_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay);

  std::vector<Npu*> npus_;
  size_t active_ = 0;
  sc_core::sc_event host_ev_, fw_ev_;
};

}  // namespace kiln
