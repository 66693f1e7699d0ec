#include "npu_selector.h"

#include "axi4_slave.h"
#include "kiln_regs.h"
#include "kiln_regs_table.h"
#include "timing.h"

namespace kiln {

using namespace sc_core;

NpuSelector::NpuSelector(sc_module_name name, std::vector<Npu*> npus)
    : sc_module(name), csr("csr"), to_npu("to_npu"), npus_(std::move(npus)) {
  csr.register_b_transport(this, &NpuSelector::b_transport);
  for (Npu* n : npus_) to_npu.bind(n->csr_target());
  SC_HAS_PROCESS(NpuSelector);
  SC_METHOD(forward_irqs);
  for (Npu* n : npus_) {
    sensitive << n->irq_host_event();
    sensitive << n->irq_fw_event();
  }
  dont_initialize();
}

// Waiters sleep on the selector's events; any edge of any NPU wakes them and
// they re-check the active NPU's level (ControlCore / HostPort loop on it).
void NpuSelector::forward_irqs() {
  host_ev_.notify(SC_ZERO_TIME);
  fw_ev_.notify(SC_ZERO_TIME);
}

uint64_t NpuSelector::rtl_cycles() const {
  uint64_t c = 0;
  for (Npu* n : npus_) c += n->rtl_cycles();
  return c;
}

void NpuSelector::b_transport(tlm::tlm_generic_payload& trans, sc_time& delay) {
  to_npu[static_cast<int>(active_)]->b_transport(trans, delay);
}

void NpuSelector::set_core_sleeping(bool s) {
  for (Npu* n : npus_) n->set_core_sleeping(s);
}

bool NpuSelector::select(const std::string& kind, std::string* err) {
  size_t next = npus_.size();
  for (size_t i = 0; i < npus_.size(); ++i)
    if (kind == npus_[i]->kind()) next = i;
  if (next == npus_.size()) {
    if (err) *err = "select_npu: no NPU of kind '" + kind + "' in this platform (created with npu=\"both\"?)";
    return false;
  }
  if (next == active_) return true;
  // Between submissions: wait until the old NPU has finished everything
  // (the RTL clock stops only after it saw no busy unit).
  while (!active().idle()) wait(clock_period() * 64.0);
  Npu& from = active();
  Npu& to = *npus_[next];
  // Table-driven: every rw register (queue, IRQ enables, firmware status,
  // unit configuration) is copied; pending host interrupt causes are
  // re-raised through IRQ_SET. FW_EVENT is left: the firmware is idle and
  // has consumed its events.
  for (int i = 0; i < KILN_REG_TABLE_COUNT; ++i) {
    const kiln_reg_info_t& e = kiln_reg_table[i];
    if (e.access != KILN_ACCESS_RW) continue;
    uint32_t v = 0;
    if (from.csr_access(false, e.offset, 0, &v) == kAxiOkay) to.csr_access(true, e.offset, v, nullptr);
  }
  uint32_t irq = 0;
  from.csr_access(false, KILN_REG_IRQ_STATUS, 0, &irq);
  if (irq) to.csr_access(true, KILN_REG_IRQ_SET, irq, nullptr);
  active_ = next;
  forward_irqs();
  return true;
}

}  // namespace kiln
