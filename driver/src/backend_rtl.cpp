// "rtl" backend: the Verilated NPU inside the SystemC platform, reached through
// kiln::PlatformHost. Built only when the platform target kiln_platform exists.
#include <atomic>

#include "backend.h"
#include "platform_host.h"

namespace kiln {

namespace {

// SystemC elaborates a design once per process and cannot elaborate another
// after sc_start, so a process gets exactly one platform, ever.
std::atomic<bool> g_platform_created{false};

class RtlBackend final : public Backend {
 public:
  explicit RtlBackend(std::unique_ptr<PlatformHost> host) : host_(std::move(host)) {}
  const char* name() const override { return "rtl"; }
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
  uint64_t rtl_cycles() const override { return host_->rtl_cycles(); }

 private:
  std::unique_ptr<PlatformHost> host_;
};

}  // namespace

BackendFactory rtl_backend_factory() {
  return [](const BackendOptions& opts, kiln_status* status,
            std::string* err) -> std::unique_ptr<Backend> {
    if (g_platform_created.exchange(true)) {
      *status = KILN_ERR_BUSY;
      *err = "an rtl device was already opened in this process; SystemC elaborates the platform "
             "once per process and cannot build a second one, so use one rtl device per process "
             "(run further tests in their own processes)";
      return nullptr;
    }
    PlatformOptions po;
    po.wave_file = opts.wave_file;
    std::string perr;
    std::unique_ptr<PlatformHost> host = PlatformHost::create(po, &perr);
    if (!host) {
      // Another backend ("fast", "both") may have built the platform already.
      *status = perr.find("once per process") != std::string::npos ? KILN_ERR_BUSY : KILN_ERR_BACKEND;
      *err = "creating the SystemC platform failed: " + (perr.empty() ? std::string("no reason given") : perr);
      return nullptr;
    }
    return std::unique_ptr<Backend>(new RtlBackend(std::move(host)));
  };
}

}  // namespace kiln
