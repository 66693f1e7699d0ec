// The control core: runs the firmware (host-compiled C) in an SC_THREAD and
// implements the firmware HAL (firmware/hal/kiln_hal.h) on the platform.
#pragma once

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>
#include <cstdint>
#include <memory>

#include "command_trace.h"
#include "npu.h"

namespace kiln {

using FwEntry = void (*)(void);

class ControlCore : public sc_core::sc_module {
 public:
  tlm_utils::simple_initiator_socket<ControlCore> mem;  // → router (device addresses)

  // `entry` is the firmware's main (kiln_fw_main on the platform); it is not
  // expected to return. Only one ControlCore may exist: the HAL is a C API.
  ControlCore(sc_core::sc_module_name name, Npu& npu, FwEntry entry);
  ~ControlCore() override;

  static ControlCore* instance();

  uint32_t reg_read(uint32_t offset);
  void reg_write(uint32_t offset, uint32_t value);
  int mem_read(uint64_t addr, void* dst, uint32_t bytes);
  void wait_event();
  uint64_t time_ns();
  bool firmware_returned() const { return returned_; }
  uint64_t bus_errors() const { return bus_errors_; }
  // Records the firmware's commands and fences into `w` (run traces).
  void attach_trace(TraceWriter& w) { trace_ = std::make_unique<CommandTrace>(w); }

 private:
  void run();
  Npu& npu_;  // the active NPU (a selector when the platform has two)
  FwEntry entry_;
  bool returned_ = false;
  uint64_t bus_errors_ = 0;
  std::unique_ptr<CommandTrace> trace_;
};

}  // namespace kiln
