// "fast" backend: the same SystemC platform as "rtl" (DRAM, router, host link,
// control core running the firmware) with the C++ NPU model instead of the
// Verilated RTL (systemc/fast, docs/fast_model.md). Bit-exact with the RTL and
// timed by the RTL's rules, so workloads, firmware and driver run unchanged.
//
// Registration: the driver is a static library and backend.cpp only knows
// "rtl", so this file registers itself from a static initialiser; kiln_platform
// adds `--undefined=kiln_backend_fast_anchor` to every program that links it,
// which keeps this object in the link.
#include "backend.h"
#include "platform_host.h"

extern "C" {
int kiln_backend_fast_anchor = 0;
}

namespace kiln {

namespace {

class FastBackend final : public Backend {
 public:
  explicit FastBackend(std::unique_ptr<PlatformHost> host) : host_(std::move(host)) {}
  const char* name() const override { return "fast"; }
  uint32_t mmio_read32(uint32_t offset) override { return host_->mmio_read32(offset); }
  void mmio_write32(uint32_t offset, uint32_t v) override { host_->mmio_write32(offset, v); }
  bool mem_write(uint64_t addr, const void* src, size_t n, std::string* err) override {
    return host_->mem_write(addr, src, n, err);
  }
  bool mem_read(uint64_t addr, void* dst, size_t n, std::string* err) override {
    return host_->mem_read(addr, dst, n, err);
  }
  bool wait_irq(uint64_t timeout_ns) override { return host_->wait_irq(timeout_ns); }
  uint64_t now_ns() const override { return host_->now_ns(); }
  // Cycles the RTL clock would have run (the fast model's PERF_CYCLES).
  uint64_t rtl_cycles() const override { return host_->rtl_cycles(); }

 private:
  std::unique_ptr<PlatformHost> host_;
};

std::unique_ptr<Backend> open_fast(const BackendOptions& opts, kiln_status* status, std::string* err) {
  PlatformOptions po;
  po.npu = "fast";
  po.wave_file = opts.wave_file;  // ignored: the fast model has no waveform
  std::string perr;
  std::unique_ptr<PlatformHost> host = PlatformHost::create(po, &perr);
  if (!host) {
    // SystemC elaborates once per process: a second device (rtl or fast)
    // is refused by PlatformHost::create.
    const bool twice = perr.find("once per process") != std::string::npos;
    *status = twice ? KILN_ERR_BUSY : KILN_ERR_BACKEND;
    *err = "creating the SystemC platform with the fast NPU failed: " +
           (perr.empty() ? std::string("no reason given") : perr) +
           (twice ? " (use one device per process; run further tests in their own processes)" : "");
    return nullptr;
  }
  return std::unique_ptr<Backend>(new FastBackend(std::move(host)));
}

const bool registered = [] {
  register_backend("fast", &open_fast);
  return true;
}();

}  // namespace

}  // namespace kiln
