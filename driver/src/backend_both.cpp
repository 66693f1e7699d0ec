// "both" and "lockstep" backends: the SystemC platform built with the RTL
// island and the fast model sharing DRAM (PlatformOptions::npu = "both",
// systemc/npu_selector.h). "both" lets the caller pick the NPU between
// submissions (kiln_select_npu); "lockstep" has Device run every command on
// each NPU and compare (lockstep.cpp). Built only with kiln_platform.
#include "backend.h"
#include "platform_host.h"

namespace kiln {

namespace {

class TwoNpuBackend final : public Backend {
 public:
  TwoNpuBackend(std::unique_ptr<PlatformHost> host, bool lockstep)
      : host_(std::move(host)), lockstep_(lockstep) {}
  const char* name() const override { return lockstep_ ? "lockstep" : "both"; }
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
  // Both NPUs' clocked cycles together (NpuSelector::rtl_cycles).
  uint64_t rtl_cycles() const override { return host_->rtl_cycles(); }

  // Lockstep runs every command on both, so "which one" has no single answer.
  std::string active_npu() const override { return lockstep_ ? "rtl+fast" : host_->active_npu(); }
  bool can_switch_npu() const override { return true; }
  bool select_npu(const std::string& kind, std::string* err) override {
    return host_->select_npu(kind, err);
  }
  bool lockstep() const override { return lockstep_; }

 private:
  std::unique_ptr<PlatformHost> host_;
  bool lockstep_;
};

std::unique_ptr<Backend> open_two(const BackendOptions& opts, bool lockstep, kiln_status* status,
                                  std::string* err) {
  PlatformOptions po;
  po.npu = "both";
  // "both" starts where a fast-forward would (the fast model); lockstep runs
  // each command on rtl first.
  po.first_active = lockstep ? "rtl" : "fast";
  po.wave_file = opts.wave_file;  // the RTL island's waveform
  std::string perr;
  std::unique_ptr<PlatformHost> host = PlatformHost::create(po, &perr);
  if (!host) {
    const bool twice = perr.find("once per process") != std::string::npos;
    *status = twice ? KILN_ERR_BUSY : KILN_ERR_BACKEND;
    *err = "creating the SystemC platform with both NPUs failed: " +
           (perr.empty() ? std::string("no reason given") : perr) +
           (twice ? " (use one device per process; run further tests in their own processes)" : "");
    return nullptr;
  }
  return std::unique_ptr<Backend>(new TwoNpuBackend(std::move(host), lockstep));
}

}  // namespace

BackendFactory both_backend_factory() {
  return [](const BackendOptions& o, kiln_status* s, std::string* e) { return open_two(o, false, s, e); };
}

BackendFactory lockstep_backend_factory() {
  return [](const BackendOptions& o, kiln_status* s, std::string* e) { return open_two(o, true, s, e); };
}

}  // namespace kiln
