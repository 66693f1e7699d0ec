#include "control_core.h"

#include <stdexcept>

#include "kiln_hal.h"
#include "axi4_slave.h"
#include "timing.h"

namespace kiln {

using namespace sc_core;

namespace {
ControlCore* g_core = nullptr;

ControlCore& core() {
  if (!g_core) SC_REPORT_FATAL("kiln/hal", "HAL called without a ControlCore");
  return *g_core;
}
}  // namespace

ControlCore::ControlCore(sc_module_name name, Npu& npu, FwEntry entry)
    : sc_module(name), mem("mem"), npu_(npu), entry_(entry) {
  if (g_core) throw std::logic_error("ControlCore: only one instance per process");
  g_core = this;
  SC_HAS_PROCESS(ControlCore);
  SC_THREAD(run);
  // Firmware runs on this coroutine's stack; give it room for C locals.
  set_stack_size(1 << 20);
}

ControlCore::~ControlCore() {
  if (g_core == this) g_core = nullptr;
}

ControlCore* ControlCore::instance() { return g_core; }

void ControlCore::run() {
  if (!entry_) return;
  entry_();
  returned_ = true;
  SC_REPORT_WARNING("kiln/control_core", "firmware main returned; the control core halts");
}

uint32_t ControlCore::reg_read(uint32_t offset) {
  uint32_t v = 0;
  if (npu_.csr_access(false, offset, 0, &v) != kAxiOkay) {
    ++bus_errors_;
    return 0xFFFFFFFFu;
  }
  return v;
}

namespace {
uint64_t now_ns() { return sc_time_stamp().value() / sc_time(1, SC_NS).value(); }
}  // namespace

void ControlCore::reg_write(uint32_t offset, uint32_t value) {
  if (npu_.csr_access(true, offset, value, nullptr) != kAxiOkay) ++bus_errors_;
  if (trace_) trace_->reg_write(now_ns(), offset, value);
}

int ControlCore::mem_read(uint64_t addr, void* dst, uint32_t bytes) {
  tlm::tlm_generic_payload t;
  t.set_command(tlm::TLM_READ_COMMAND);
  t.set_address(addr);
  t.set_data_ptr(static_cast<unsigned char*>(dst));
  t.set_data_length(bytes);
  t.set_streaming_width(bytes);
  t.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
  sc_time d = SC_ZERO_TIME;
  const uint64_t begin = trace_ ? now_ns() : 0;  // the fetch's start, for the run trace only
  mem->b_transport(t, d);
  // The core stalls on its load: the firmware sees the data after the delay.
  wait(d);
  if (!t.is_response_ok()) {
    ++bus_errors_;
    return -1;
  }
  if (trace_) trace_->mem_read(begin, addr, dst, bytes);
  return 0;
}

void ControlCore::wait_event() {
  if (npu_.irq_fw()) return;
  npu_.set_core_sleeping(true);
  while (!npu_.irq_fw()) wait(npu_.irq_fw_event());
  npu_.set_core_sleeping(false);
}

uint64_t ControlCore::time_ns() {
  // A timer read costs a cycle, so polling loops on the timer advance time.
  wait(clock_period());
  return now_ns();
}

}  // namespace kiln

extern "C" {
uint32_t hal_reg_read(uint32_t offset) { return kiln::core().reg_read(offset); }
void hal_reg_write(uint32_t offset, uint32_t value) { kiln::core().reg_write(offset, value); }
int hal_mem_read(uint64_t addr, void* dst, uint32_t bytes) { return kiln::core().mem_read(addr, dst, bytes); }
void hal_wait_event(void) { kiln::core().wait_event(); }
uint64_t hal_time_ns(void) { return kiln::core().time_ns(); }
}
