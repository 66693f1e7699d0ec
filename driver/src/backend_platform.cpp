// The SystemC-platform backends, all one class over kiln::PlatformHost: they
// differ only in which NPUs the platform builds and how the caller may use
// them.
//   rtl       the Verilated NPU island
//   fast      the bit-exact C++ NPU model (docs/fast_model.md)
//   both      both, sharing DRAM; kiln_select_npu switches between
//             submissions (systemc/npu_selector.h); fast is active at open
//   lockstep  both; Device runs every command on each and compares
//             (lockstep.cpp); rtl goes first
// Built only with kiln_platform.
#include <atomic>
#include <cstdlib>
#include <map>

#include "backend.h"
#include "platform_host.h"
#include "trace_json.h"

namespace kiln {

namespace {

// SystemC elaborates a design once per process and cannot elaborate another
// after sc_start, so a process gets exactly one platform, ever.
std::atomic<bool> g_platform_created{false};

struct Variant {
  const char* name;
  const char* npu;           // PlatformOptions::npu
  const char* first_active;  // PlatformOptions::first_active (two-NPU platforms)
  bool lockstep;
};

class PlatformBackend final : public Backend {
 public:
  PlatformBackend(const Variant& v, std::unique_ptr<PlatformHost> host) : v_(v), host_(std::move(host)) {}
  const char* name() const override { return v_.name; }
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
  // Cycles the NPU clock ran (fast: would have run; two NPUs: both together).
  uint64_t rtl_cycles() const override { return host_->rtl_cycles(); }

  // Lockstep runs every command on both, so "which one" has no single answer.
  std::string active_npu() const override {
    if (v_.lockstep) return "rtl+fast";
    return two_npus() ? host_->active_npu() : std::string(v_.name);
  }
  bool can_switch_npu() const override { return two_npus(); }
  bool select_npu(const std::string& kind, std::string* err) override {
    return two_npus() ? host_->select_npu(kind, err) : Backend::select_npu(kind, err);
  }
  bool lockstep() const override { return v_.lockstep; }

 private:
  bool two_npus() const { return std::string(v_.npu) == "both"; }
  Variant v_;
  std::unique_ptr<PlatformHost> host_;
};

BackendFactory factory(Variant v) {
  return [v](const BackendOptions& opts, kiln_status* status, std::string* err) -> std::unique_ptr<Backend> {
    if (g_platform_created.exchange(true)) {
      *status = KILN_ERR_BUSY;
      *err = std::string("a platform device was already opened in this process; SystemC elaborates the "
                         "platform once per process and cannot build a second one, so use one ") +
             v.name + " device per process (run further tests in their own processes)";
      return nullptr;
    }
    PlatformOptions po;
    po.npu = v.npu;
    if (v.first_active) po.first_active = v.first_active;
    po.wave_file = opts.wave_file;  // the RTL island's waveform (none on fast)
    if (!opts.wave_file.empty() && std::string(v.npu) == "fast") {
      *status = KILN_ERR_BACKEND;
      *err = "the fast backend has no waveform: it is a C++ model with no RTL signals (use the rtl backend)";
      return nullptr;
    }
    po.wave_from = opts.wave_from;
    po.wave_to = opts.wave_to;
    po.wave_cmd = opts.wave_cmd;
    // $KILN_TRACE lets any program (kiln-generate, the samples) write a trace
    // without code changes; an explicit option wins.
    po.trace_file = opts.trace_file;
    const char* env_trace = std::getenv("KILN_TRACE");
    if (po.trace_file.empty() && env_trace && *env_trace) po.trace_file = env_trace;
    // Checked before the platform is built: a bad path is the caller's
    // mistake, and the process may still open a platform with a good one.
    std::string terr;
    if (!po.trace_file.empty() && !TraceWriter::writable(po.trace_file, &terr)) {
      g_platform_created = false;
      *status = KILN_ERR_INVALID_ARGUMENT;
      *err = terr + (opts.trace_file.empty() ? " (from $KILN_TRACE)" : "");
      return nullptr;
    }
    std::string perr;
    std::unique_ptr<PlatformHost> host = PlatformHost::create(po, &perr);
    if (!host) {
      *status = perr.find("once per process") != std::string::npos ? KILN_ERR_BUSY : KILN_ERR_BACKEND;
      *err = std::string("creating the SystemC platform for the ") + v.name +
             " backend failed: " + (perr.empty() ? std::string("no reason given") : perr);
      return nullptr;
    }
    return std::unique_ptr<Backend>(new PlatformBackend(v, std::move(host)));
  };
}

}  // namespace

void register_platform_backends(std::map<std::string, BackendFactory>* factories) {
  for (const Variant& v : {Variant{"rtl", "rtl", nullptr, false}, Variant{"fast", "fast", nullptr, false},
                           Variant{"both", "both", "fast", false}, Variant{"lockstep", "both", "rtl", true}})
    (*factories)[v.name] = factory(v);
}

}  // namespace kiln
