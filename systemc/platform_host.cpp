#include "platform_host.h"

#include <cinttypes>
#include <cstdio>
#include <limits>

#include "kiln_hw.h"
#include "platform.h"

namespace kiln {

using namespace sc_core;

namespace {

std::string hex(uint64_t v) {
  char b[32];
  std::snprintf(b, sizeof b, "0x%" PRIx64, v);
  return b;
}

const char* status_text(tlm::tlm_response_status s) {
  switch (s) {
    case tlm::TLM_ADDRESS_ERROR_RESPONSE: return "address error (unmapped or outside device memory)";
    case tlm::TLM_BURST_ERROR_RESPONSE: return "burst error (size or alignment not supported there)";
    case tlm::TLM_COMMAND_ERROR_RESPONSE: return "command error";
    case tlm::TLM_INCOMPLETE_RESPONSE: return "no target answered";
    default: return "slave error";
  }
}

}  // namespace

PlatformHost::PlatformHost(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
PlatformHost::~PlatformHost() {
  std::string err;
  if (!finish_trace(&err)) std::fprintf(stderr, "kiln: %s\n", err.c_str());
}

bool PlatformHost::finish_trace(std::string* err) {
  if (!impl_ || !impl_->trace) return true;
  return impl_->trace->close(now_ns(), err);
}

const std::string& PlatformHost::last_mmio_error() const { return impl_->mmio_error; }

uint32_t PlatformHost::mmio_read32(uint32_t offset) {
  uint8_t b[4] = {0xFF, 0xFF, 0xFF, 0xFF};
  HostPort::Request r{HostPort::Op::kRead, KILN_HW_CSR_BASE + uint64_t(offset), b, 4};
  impl_->mmio_error.clear();
  if (!impl_->platform->host->execute(r) || r.status != tlm::TLM_OK_RESPONSE) {
    impl_->mmio_error = "mmio_read32 at CSR offset " + hex(offset) + ": " + status_text(r.status);
    return 0xFFFFFFFFu;
  }
  return uint32_t(b[0]) | uint32_t(b[1]) << 8 | uint32_t(b[2]) << 16 | uint32_t(b[3]) << 24;
}

void PlatformHost::mmio_write32(uint32_t offset, uint32_t value) {
  uint8_t b[4] = {uint8_t(value), uint8_t(value >> 8), uint8_t(value >> 16), uint8_t(value >> 24)};
  HostPort::Request r{HostPort::Op::kWrite, KILN_HW_CSR_BASE + uint64_t(offset), b, 4};
  impl_->mmio_error.clear();
  if (!impl_->platform->host->execute(r) || r.status != tlm::TLM_OK_RESPONSE)
    impl_->mmio_error = "mmio_write32 at CSR offset " + hex(offset) + ": " + status_text(r.status);
}

static bool mem_access(PlatformHost::Impl& impl, HostPort::Op op, uint64_t addr, uint8_t* p, size_t n,
                       std::string* err) {
  const char* what = op == HostPort::Op::kWrite ? "mem_write" : "mem_read";
  if (n == 0) return true;
  if (n > std::numeric_limits<unsigned>::max()) {
    if (err) *err = std::string(what) + " at device address " + hex(addr) + ": transfer too large";
    return false;
  }
  HostPort::Request r{op, addr, p, n};
  if (!impl.platform->host->execute(r) || r.status != tlm::TLM_OK_RESPONSE) {
    if (err)
      *err = std::string(what) + " of " + std::to_string(n) + " bytes at device address " + hex(addr) + ": " +
             status_text(r.status);
    return false;
  }
  return true;
}

bool PlatformHost::mem_write(uint64_t dev_addr, const void* src, size_t n, std::string* err) {
  // The payload is only read for writes; TLM's pointer is non-const by design.
  return mem_access(*impl_, HostPort::Op::kWrite, dev_addr, static_cast<uint8_t*>(const_cast<void*>(src)), n, err);
}

bool PlatformHost::mem_read(uint64_t dev_addr, void* dst, size_t n, std::string* err) {
  return mem_access(*impl_, HostPort::Op::kRead, dev_addr, static_cast<uint8_t*>(dst), n, err);
}

bool PlatformHost::wait_irq(uint64_t timeout_ns) {
  HostPort::Request r{HostPort::Op::kWaitIrq};
  r.timeout = sc_time(static_cast<double>(timeout_ns), SC_NS);
  impl_->platform->host->execute(r);
  return r.irq;
}

uint64_t PlatformHost::now_ns() const { return sc_time_stamp().value() / sc_time(1, SC_NS).value(); }

uint64_t PlatformHost::rtl_cycles() const { return impl_->platform->npu().rtl_cycles(); }

std::string PlatformHost::active_npu() const { return impl_->platform->npu().kind(); }

bool PlatformHost::select_npu(const std::string& kind, std::string* err) {
  Platform& p = *impl_->platform;
  if (!p.selector) {
    if (kind == p.npu().kind()) return true;
    if (err) *err = "select_npu(\"" + kind + "\"): this platform has only the " + p.npu().kind() +
                    " NPU; create it with PlatformOptions::npu = \"both\" to switch";
    return false;
  }
  bool ok = false;
  HostPort::Request r{HostPort::Op::kCall};
  r.call = [&] { ok = p.selector->select(kind, err); };
  if (!p.host->execute(r)) {
    if (err) *err = "select_npu: the simulation stopped";
    return false;
  }
  return ok;
}

}  // namespace kiln
