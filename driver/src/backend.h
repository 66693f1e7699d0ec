// Backend interface: what the driver needs from "a device" (MMIO, memory copy,
// interrupt wait, time). The API code (device.cpp) only talks to this, so
// "rtl", "fast", "remote" and the tests' "mock" are interchangeable.
#ifndef KILN_DRIVER_BACKEND_H
#define KILN_DRIVER_BACKEND_H

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "kiln/kiln.h"

namespace kiln {

class Backend {
 public:
  virtual ~Backend();
  virtual const char* name() const = 0;
  // offset: byte offset inside the CSR window.
  virtual uint32_t mmio_read32(uint32_t offset) = 0;
  virtual void mmio_write32(uint32_t offset, uint32_t v) = 0;
  // Device (AXI) addresses. false + *err on a bus error.
  virtual bool mem_write(uint64_t addr, const void* src, size_t n, std::string* err) = 0;
  virtual bool mem_read(uint64_t addr, void* dst, size_t n, std::string* err) = 0;
  // Lets the device run for up to timeout_ns of its time; true as soon as the
  // host interrupt line is high (immediately if it already is).
  virtual bool wait_irq(uint64_t timeout_ns) = 0;
  virtual uint64_t now_ns() const = 0;
  virtual uint64_t rtl_cycles() const = 0;

  // Two-NPU backends ("both", "lockstep", docs/driver.md "Backends"). The
  // NPU that runs the next submission: "rtl" or "fast" there; a single-NPU
  // backend answers its own name.
  virtual std::string active_npu() const { return name(); }
  virtual bool can_switch_npu() const { return false; }
  // Makes `kind` the active NPU; the caller (Device) has made sure nothing
  // is in flight. The default refuses: this backend has a single NPU.
  virtual bool select_npu(const std::string& kind, std::string* err);
  // true: Device runs every command on both NPUs and compares their
  // outputs (driver/src/lockstep.cpp) instead of queueing the buffer.
  virtual bool lockstep() const { return false; }
};

struct BackendOptions {
  std::string wave_file;
  uint64_t wave_from = 0, wave_to = 0, wave_cmd = 0;  // see kiln_open_options
  std::string trace_file;  // kiln_open_options.trace_file; empty = $KILN_TRACE (platform backends)
};

// A factory returns nullptr and fills *status (KILN_ERR_BACKEND or
// KILN_ERR_BUSY) and *err when the backend cannot be opened.
using BackendFactory = std::function<std::unique_ptr<Backend>(
    const BackendOptions& opts, kiln_status* status, std::string* err)>;

// Registers (or replaces) a backend under `name`. Built-in backends register
// themselves on first use of the registry; tests add their own ("mock").
void register_backend(const std::string& name, BackendFactory factory);
bool unregister_backend(const std::string& name);
// nullptr if unknown.
const BackendFactory* find_backend(const std::string& name);
std::vector<std::string> backend_names();

}  // namespace kiln

#endif  // KILN_DRIVER_BACKEND_H
