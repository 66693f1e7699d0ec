// What the platform needs from "an NPU", whatever implements it: the RTL
// island (Verilated kiln_npu_top) or the fast C++ model (fast/npu_fast.h).
// The platform binds the two sockets to the router, the control core calls
// csr_access() and waits on the firmware interrupt, the host port waits on the
// host interrupt.
#pragma once

#include <systemc>
#include <tlm>
#include <cstdint>

namespace kiln {

class Npu {
 public:
  virtual ~Npu() = default;
  // "rtl" or "fast".
  virtual const char* kind() const = 0;
  // MMIO from the router (offsets inside the CSR window).
  virtual tlm::tlm_target_socket<>& csr_target() = 0;
  // The NPU's DMA master into the router.
  virtual tlm::tlm_initiator_socket<>& dma_initiator() = 0;
  // One CSR access from another SC_THREAD (the control core): blocks the
  // caller for the access's duration, returns the AXI response code.
  virtual uint8_t csr_access(bool write, uint32_t offset, uint32_t wdata, uint32_t* rdata,
                             uint8_t strb = 0xF) = 0;
  // Interrupt levels and their change events.
  virtual bool irq_host() const = 0;
  virtual bool irq_fw() const = 0;
  virtual const sc_core::sc_event& irq_host_event() const = 0;
  virtual const sc_core::sc_event& irq_fw_event() const = 0;
  // Cycles the NPU clock ran (the RTL clock stops when idle; the fast model
  // counts the cycles the RTL would have run).
  virtual uint64_t rtl_cycles() const = 0;
  // No unit busy and no reset running: a safe point to switch NPUs.
  virtual bool idle() = 0;
  // The control core sleeps until irq_fw (true) or runs firmware again
  // (false). A model that runs ahead of SystemC time may do so only while
  // the core sleeps: an access the core posts while the model is ahead would
  // be served late, and firmware timing would depend on the run-ahead.
  virtual void set_core_sleeping(bool) {}
};

}  // namespace kiln
