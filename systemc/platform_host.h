// PlatformHost: the driver's `rtl` backend entry into the SystemC platform.
// Callable from ordinary code; each call runs the SystemC kernel until the
// request is done. See docs/design.md "SystemC platform".
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

namespace kiln {

struct PlatformOptions {
  std::string wave_file;  // FST waveform of the NPU; empty = none
  uint64_t wave_from = 0, wave_to = 0, wave_cmd = 0;  // window, see IslandConfig
  // Which NPU model: "rtl" (Verilated RTL island), "fast" (C++ model,
  // bit-exact, docs/fast_model.md) or "both" (both built, "rtl" active
  // first; switch with select_npu between submissions).
  std::string npu = "rtl";
  // With npu = "both": the NPU active at start, "rtl" or "fast". Choosing it
  // here rather than with select_npu() after create() avoids moving registers
  // while the firmware is still booting on the first one.
  std::string first_active = "rtl";
  // Run trace (Trace Event Format JSON, docs/debugging.md "Traces"): the
  // firmware's commands, the host's transfers, each unit's busy spans and
  // the fences, in simulated time. Written as the run goes, finished when
  // the PlatformHost is destroyed (or by finish_trace). Empty = none.
  std::string trace_file;
};

class PlatformHost {
 public:
  // Once per process (SystemC elaborates once); a second call fails.
  static std::unique_ptr<PlatformHost> create(const PlatformOptions&, std::string* err);
  ~PlatformHost();

  uint32_t mmio_read32(uint32_t offset);  // CSR window offset; 0xFFFFFFFF on a bus error
  void mmio_write32(uint32_t offset, uint32_t value);
  bool mem_write(uint64_t dev_addr, const void* src, size_t n, std::string* err);
  bool mem_read(uint64_t dev_addr, void* dst, size_t n, std::string* err);
  bool wait_irq(uint64_t timeout_ns);  // true: irq_host_o high
  uint64_t now_ns() const;
  uint64_t rtl_cycles() const;  // cycles the NPU clocked (fast: would have clocked)

  // Beyond the design.md API: the last MMIO error (empty if the last MMIO
  // access succeeded).
  const std::string& last_mmio_error() const;

  // The NPU the host and firmware talk to: "rtl" or "fast".
  std::string active_npu() const;
  // With npu = "both": waits until the device is idle (call it between
  // submissions, after the fence), moves the register state and makes `kind`
  // the active NPU. false + *err if `kind` is not in this platform.
  bool select_npu(const std::string& kind, std::string* err);

  // Ends the spans still open at the current time and completes the trace
  // file. true if there is no trace or it was written; false + *err if the
  // file could not be written. Recording stops here.
  bool finish_trace(std::string* err);

  struct Impl;
  explicit PlatformHost(std::unique_ptr<Impl> impl);
  Impl& impl() { return *impl_; }

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace kiln
