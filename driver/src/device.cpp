#include "device.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>

#include "cmd_check.h"
#include "kiln_cmds.h"
#include "kiln_hw.h"
#include "kiln_regs.h"
#include "util.h"

namespace kiln {

namespace {

constexpr uint32_t kCmdBytes = KILN_CMD_BYTES;
constexpr uint32_t kCmdWords = KILN_CMD_WORDS;
// Polling granularity for conditions that raise no interrupt (FW_STATUS.READY,
// ring space): long enough to let the simulation make progress per call.
constexpr uint64_t kPollSliceNs = 1000;
constexpr uint32_t kIrqAll = KILN_IRQ_STATUS_FENCE_MASK | KILN_IRQ_STATUS_ERROR_MASK |
                             KILN_IRQ_STATUS_RESET_DONE_MASK;

std::string known_backends() {
  std::string s;
  for (const auto& n : backend_names()) s += (s.empty() ? "" : ", ") + n;
  return s.empty() ? "none" : s;
}

}  // namespace

Device::Device(std::unique_ptr<Backend> be, uint64_t timeout_ns)
    : backend_(std::move(be)),
      alloc_(KILN_HW_DRAM_BASE, KILN_HW_DRAM_SIZE),
      timeout_ns_(timeout_ns ? timeout_ns : kDefaultTimeoutNs),
      active_npu_(backend_->active_npu()) {}

std::unique_ptr<Device> Device::open(const char* backend, const kiln_open_options* opts,
                                     kiln_status* status, std::string* err) {
  std::string name = backend ? backend : "";
  if (name.empty()) {
    const char* env = std::getenv("KILN_BACKEND");
    name = (env && *env) ? env : "rtl";
  }
  const BackendFactory* factory = find_backend(name);
  if (!factory) {
    *status = KILN_ERR_BACKEND;
    *err = "kiln_open: unknown backend \"" + name + "\" (known: " + known_backends() + ")";
    if (name == "rtl")
      *err += "; the rtl backend is built only when the SystemC platform (target kiln_platform) exists";
    return nullptr;
  }
  BackendOptions bo;
  if (opts && opts->wave_file) bo.wave_file = opts->wave_file;
  if (opts && opts->trace_file) {
    if (!*opts->trace_file) {
      *status = KILN_ERR_INVALID_ARGUMENT;
      *err = "kiln_open: trace_file is an empty string (NULL means no trace)";
      return nullptr;
    }
    bo.trace_file = opts->trace_file;
  }
  if (opts) {
    bo.wave_from = opts->wave_from;
    bo.wave_to = opts->wave_to;
    bo.wave_cmd = opts->wave_cmd;
    if (opts->wave_to && opts->wave_from > opts->wave_to) {
      *status = KILN_ERR_INVALID_ARGUMENT;
      *err = "kiln_open: wave_from (" + std::to_string(opts->wave_from) + ") is after wave_to (" +
             std::to_string(opts->wave_to) + ")";
      return nullptr;
    }
  }
  kiln_status st = KILN_ERR_BACKEND;
  std::string berr;
  std::unique_ptr<Backend> be = (*factory)(bo, &st, &berr);
  if (!be) {
    *status = st == KILN_OK ? KILN_ERR_BACKEND : st;
    *err = "kiln_open: backend \"" + name + "\": " + (berr.empty() ? "failed to open" : berr);
    return nullptr;
  }
  std::unique_ptr<Device> dev(new Device(std::move(be), opts ? opts->default_timeout_ns : 0));
  *status = dev->bring_up();
  if (*status != KILN_OK) {
    *err = dev->last_error();
    return nullptr;
  }
  return dev;
}

kiln_status Device::bring_up() {
  const uint32_t id = backend_->mmio_read32(KILN_REG_ID);
  if (id != KILN_ID_RESET_VALUE)
    return fail(KILN_ERR_BACKEND, fmt("kiln_open: ID register reads %s, expected %s ('KILN'): "
                                      "not a Kiln device", hex(id).c_str(),
                                      hex(KILN_ID_RESET_VALUE).c_str()));
  const uint32_t ver = backend_->mmio_read32(KILN_REG_VERSION);
  const uint32_t major = (ver & KILN_VERSION_MAJOR_MASK) >> KILN_VERSION_MAJOR_SHIFT;
  const uint32_t want = (KILN_VERSION_RESET_VALUE & KILN_VERSION_MAJOR_MASK) >> KILN_VERSION_MAJOR_SHIFT;
  if (major != want)
    return fail(KILN_ERR_BACKEND,
                fmt("kiln_open: hardware version %u.%u (VERSION=%s), this driver supports %u.x",
                    major, ver & KILN_VERSION_MINOR_MASK, hex(ver).c_str(), want));
  // HWCFG of 0 means "not reported"; otherwise the build must match our headers.
  const uint32_t hw = backend_->mmio_read32(KILN_REG_HWCFG);
  if (hw) {
    const uint32_t ch = (hw & KILN_HWCFG_DMA_CHANNELS_MASK) >> KILN_HWCFG_DMA_CHANNELS_SHIFT;
    const uint32_t rows = (hw & KILN_HWCFG_TC_ROWS_MASK) >> KILN_HWCFG_TC_ROWS_SHIFT;
    const uint32_t cols = (hw & KILN_HWCFG_TC_COLS_MASK) >> KILN_HWCFG_TC_COLS_SHIFT;
    if (ch != KILN_HW_DMA_CHANNELS || rows != KILN_HW_TENSOR_CORE_ROWS ||
        cols != KILN_HW_TENSOR_CORE_COLS)
      return fail(KILN_ERR_BACKEND,
                  fmt("kiln_open: device reports %u DMA channels and a %ux%u tensor core "
                      "(HWCFG=%s), the driver was built for %u and %ux%u (rtl/kiln_hw.toml)",
                      ch, rows, cols, hex(hw).c_str(), static_cast<unsigned>(KILN_HW_DMA_CHANNELS),
                      static_cast<unsigned>(KILN_HW_TENSOR_CORE_ROWS),
                      static_cast<unsigned>(KILN_HW_TENSOR_CORE_COLS)));
  }
  uint64_t rounded = 0;
  std::string err;
  kiln_status st = alloc_.alloc(kRingBytes, 4096, true, &ring_addr_, &rounded, &err);
  if (st != KILN_OK) return fail(st, "kiln_open: command ring: " + err);
  // A device that was left running keeps its HEAD: continue from there.
  const uint32_t head = backend_->mmio_read32(KILN_REG_QUEUE_HEAD);
  st = program_queue(head < kRingBytes && head % kCmdBytes == 0 ? head : 0);
  if (st != KILN_OK) return st;
  if ((st = wait_fw_ready("kiln_open")) != KILN_OK) return st;
  if (backend_->mmio_read32(KILN_REG_FW_STATUS) & KILN_FW_STATUS_HALTED_MASK) return reset();
  return KILN_OK;
}

kiln_status Device::program_queue(uint32_t tail) {
  backend_->mmio_write32(KILN_REG_IRQ_STATUS, kIrqAll);  // drop stale causes
  backend_->mmio_write32(KILN_REG_QUEUE_BASE_LO, static_cast<uint32_t>(ring_addr_));
  backend_->mmio_write32(KILN_REG_QUEUE_BASE_HI, static_cast<uint32_t>(ring_addr_ >> 32));
  backend_->mmio_write32(KILN_REG_QUEUE_SIZE, static_cast<uint32_t>(kRingBytes));
  backend_->mmio_write32(KILN_REG_QUEUE_TAIL, tail);
  ring_tail_ = tail;
  backend_->mmio_write32(KILN_REG_IRQ_ENABLE, kIrqAll);
  return KILN_OK;
}

uint64_t Device::deadline_after(uint64_t timeout_ns) const {
  return backend_->now_ns() + (timeout_ns ? timeout_ns : timeout_ns_);
}

kiln_status Device::wait_fw_ready(const char* who) {
  const uint64_t deadline = deadline_after(0);
  for (;;) {
    const uint32_t fw = backend_->mmio_read32(KILN_REG_FW_STATUS);
    if (fw & KILN_FW_STATUS_READY_MASK) return KILN_OK;
    const uint64_t now = backend_->now_ns();
    if (now >= deadline)
      return fail(KILN_ERR_TIMEOUT,
                  fmt("%s: firmware did not set FW_STATUS.READY within %llu ns (FW_STATUS=%s)",
                      who, static_cast<unsigned long long>(timeout_ns_), hex(fw).c_str()));
    // Causes we are not waiting for would keep the line high and stop time.
    backend_->mmio_write32(KILN_REG_IRQ_STATUS,
                           KILN_IRQ_STATUS_FENCE_MASK | KILN_IRQ_STATUS_RESET_DONE_MASK);
    backend_->wait_irq(std::min(kPollSliceNs, deadline - now));
  }
}

kiln_status Device::alloc(uint64_t size, uint64_t align, kiln_buffer* out) {
  if (!out) return fail(KILN_ERR_INVALID_ARGUMENT, "kiln_alloc: out is NULL");
  std::string err;
  uint64_t addr = 0, rounded = 0;
  kiln_status st = alloc_.alloc(size, align, false, &addr, &rounded, &err);
  if (st != KILN_OK) return fail(st, err);
  out->addr = addr;
  out->size = rounded;
  return KILN_OK;
}

kiln_status Device::free(kiln_buffer buf) {
  std::string err;
  kiln_status st = alloc_.free(buf.addr, buf.size, &err);
  return st == KILN_OK ? st : fail(st, err);
}

kiln_status Device::check_range(const char* who, uint64_t addr, size_t n) {
  const uint64_t base = alloc_.base(), end = base + alloc_.size();
  if (addr >= base && addr <= end && n <= end - addr) return KILN_OK;
  const uint64_t last = addr + n < addr ? UINT64_MAX : addr + n;
  return fail(KILN_ERR_OUT_OF_RANGE, fmt("%s: range %s lies outside device memory %s", who,
                                         hex_range(addr, last).c_str(),
                                         hex_range(base, end).c_str()));
}

kiln_status Device::write(uint64_t addr, const void* src, size_t n) {
  if (!src && n) return fail(KILN_ERR_INVALID_ARGUMENT, "kiln_write: src is NULL");
  kiln_status st = check_range("kiln_write", addr, n);
  if (st != KILN_OK || n == 0) return st;
  std::string err;
  if (!backend_->mem_write(addr, src, n, &err))
    return fail(KILN_ERR_BACKEND, "kiln_write: " + hex_range(addr, addr + n) + ": " + err);
  return KILN_OK;
}

kiln_status Device::read(uint64_t addr, void* dst, size_t n) {
  if (!dst && n) return fail(KILN_ERR_INVALID_ARGUMENT, "kiln_read: dst is NULL");
  kiln_status st = check_range("kiln_read", addr, n);
  if (st != KILN_OK || n == 0) return st;
  std::string err;
  if (!backend_->mem_read(addr, dst, n, &err))
    return fail(KILN_ERR_BACKEND, "kiln_read: " + hex_range(addr, addr + n) + ": " + err);
  return KILN_OK;
}

kiln_status Device::memory_info(uint64_t* base, uint64_t* size, uint64_t* free_bytes) {
  if (base) *base = alloc_.base();
  if (size) *size = alloc_.size();
  if (free_bytes) *free_bytes = alloc_.free_bytes();
  return KILN_OK;
}

kiln_status Device::validate(const CommandBuffer& cb) {
  const uint64_t mem_base = alloc_.base(), mem_end = mem_base + alloc_.size();
  for (size_t i = 0; i < cb.count(); ++i) {
    const uint32_t* w = &cb.words[i * kCmdWords];
    const std::string where = fmt("kiln_submit: command %zu (%s): ", i, opcode_label(w[0]).c_str());
    CmdCheck c = check_command(w, false);
    if (c.status != KILN_OK) return fail(c.status, where + c.msg);
    for (const Footprint& f : c.footprints) {
      if (f.space != Footprint::kDeviceMemory) continue;
      if (f.begin < mem_base || f.end > mem_end)
        return fail(KILN_ERR_OUT_OF_RANGE, where + f.what + " " + hex_range(f.begin, f.end) +
                                               " lies outside device memory " +
                                               hex_range(mem_base, mem_end));
      uint64_t ab = 0, as = 0;
      if (!alloc_.owner_of(f.begin, f.end, &ab, &as)) {
        std::string near;
        if (alloc_.nearest(f.begin, &ab, &as)) near = " (nearest buffer " + hex_range(ab, ab + as) + ")";
        return fail(KILN_ERR_OUT_OF_RANGE, where + f.what + " " + hex_range(f.begin, f.end) +
                                               " lies outside every allocated buffer" + near);
      }
    }
  }
  return KILN_OK;
}

}  // namespace kiln
