// C entry points. Nothing may throw across this boundary: every call is
// wrapped, and an escaping exception (e.g. std::bad_alloc) becomes a status.
#include <cstring>
#include <exception>
#include <new>
#include <string>

#include "cmd_check.h"
#include "device.h"
#include "kiln/kiln.h"

struct kiln_device {
  std::unique_ptr<kiln::Device> impl;
};

namespace {

// Errors with no device to hang them on (kiln_open, command-buffer builders).
thread_local std::string g_last_error;

template <typename F>
kiln_status guarded(kiln_device* dev, const char* who, F&& f) {
  if (!dev) {
    g_last_error = std::string(who) + ": dev is NULL";
    return KILN_ERR_INVALID_ARGUMENT;
  }
  try {
    return f(*dev->impl);
  } catch (const std::bad_alloc&) {
    return dev->impl->fail(KILN_ERR_OUT_OF_MEMORY, std::string(who) + ": host out of memory");
  } catch (const std::exception& e) {
    return dev->impl->fail(KILN_ERR_BACKEND, std::string(who) + ": " + e.what());
  } catch (...) {
    return dev->impl->fail(KILN_ERR_BACKEND, std::string(who) + ": unknown exception");
  }
}

}  // namespace

namespace kiln {
kiln_status cmdbuf_fail(kiln_cmdbuf* cb, kiln_status s, std::string msg) {
  if (cb) cb->impl.last_error = msg;
  g_last_error = std::move(msg);
  return s;
}
}  // namespace kiln

extern "C" {

kiln_status kiln_open(const char* backend, const kiln_open_options* opts, kiln_device** out) {
  if (!out) {
    g_last_error = "kiln_open: out is NULL";
    return KILN_ERR_INVALID_ARGUMENT;
  }
  *out = nullptr;
  try {
    kiln_status st = KILN_OK;
    std::string err;
    std::unique_ptr<kiln::Device> d = kiln::Device::open(backend, opts, &st, &err);
    if (!d) {
      g_last_error = err;
      return st;
    }
    *out = new kiln_device{std::move(d)};
    return KILN_OK;
  } catch (const std::exception& e) {
    g_last_error = std::string("kiln_open: ") + e.what();
  } catch (...) {
    g_last_error = "kiln_open: unknown exception";
  }
  return KILN_ERR_BACKEND;
}

void kiln_close(kiln_device* dev) {
  try {
    delete dev;
  } catch (...) {
  }
}

const char* kiln_last_error(const kiln_device* dev) {
  return dev ? dev->impl->last_error().c_str() : g_last_error.c_str();
}

const char* kiln_status_name(kiln_status s) {
  switch (s) {
    case KILN_OK: return "KILN_OK";
    case KILN_ERR_INVALID_ARGUMENT: return "KILN_ERR_INVALID_ARGUMENT";
    case KILN_ERR_OUT_OF_MEMORY: return "KILN_ERR_OUT_OF_MEMORY";
    case KILN_ERR_OUT_OF_RANGE: return "KILN_ERR_OUT_OF_RANGE";
    case KILN_ERR_TIMEOUT: return "KILN_ERR_TIMEOUT";
    case KILN_ERR_DEVICE: return "KILN_ERR_DEVICE";
    case KILN_ERR_BACKEND: return "KILN_ERR_BACKEND";
    case KILN_ERR_BUSY: return "KILN_ERR_BUSY";
    case KILN_ERR_HALTED: return "KILN_ERR_HALTED";
  }
  return "KILN_ERR_UNKNOWN";
}

const char* kiln_backend_name(const kiln_device* dev) { return dev ? dev->impl->backend_name() : ""; }

kiln_status kiln_alloc(kiln_device* dev, uint64_t size, uint64_t align, kiln_buffer* out) {
  return guarded(dev, "kiln_alloc", [&](kiln::Device& d) { return d.alloc(size, align, out); });
}
kiln_status kiln_free(kiln_device* dev, kiln_buffer buf) {
  return guarded(dev, "kiln_free", [&](kiln::Device& d) { return d.free(buf); });
}
kiln_status kiln_write(kiln_device* dev, uint64_t addr, const void* src, size_t bytes) {
  return guarded(dev, "kiln_write", [&](kiln::Device& d) { return d.write(addr, src, bytes); });
}
kiln_status kiln_read(kiln_device* dev, uint64_t addr, void* dst, size_t bytes) {
  return guarded(dev, "kiln_read", [&](kiln::Device& d) { return d.read(addr, dst, bytes); });
}
kiln_status kiln_memory_info(kiln_device* dev, uint64_t* base, uint64_t* size, uint64_t* free_bytes) {
  return guarded(dev, "kiln_memory_info",
                 [&](kiln::Device& d) { return d.memory_info(base, size, free_bytes); });
}
kiln_status kiln_submit(kiln_device* dev, const kiln_cmdbuf* cb, uint32_t flags, uint64_t* fence) {
  return guarded(dev, "kiln_submit", [&](kiln::Device& d) {
    if (!cb) return d.fail(KILN_ERR_INVALID_ARGUMENT, "kiln_submit: cb is NULL");
    return d.submit(cb->impl, flags, fence);
  });
}
kiln_status kiln_wait(kiln_device* dev, uint64_t fence, uint64_t timeout_ns) {
  return guarded(dev, "kiln_wait", [&](kiln::Device& d) { return d.wait(fence, timeout_ns); });
}
kiln_status kiln_device_error(kiln_device* dev, kiln_device_error_info* out) {
  return guarded(dev, "kiln_device_error", [&](kiln::Device& d) { return d.device_error(out); });
}
kiln_status kiln_reset(kiln_device* dev) {
  return guarded(dev, "kiln_reset", [&](kiln::Device& d) { return d.reset(); });
}
kiln_status kiln_read_counters(kiln_device* dev, kiln_counters* out) {
  return guarded(dev, "kiln_read_counters", [&](kiln::Device& d) { return d.read_counters(out); });
}
kiln_status kiln_read_timestamps(kiln_device* dev, kiln_timestamps* out) {
  return guarded(dev, "kiln_read_timestamps", [&](kiln::Device& d) { return d.timestamps(out); });
}
kiln_status kiln_sim_time(kiln_device* dev, uint64_t* now_ns, uint64_t* rtl_cycles) {
  return guarded(dev, "kiln_sim_time",
                 [&](kiln::Device& d) { return d.sim_time(now_ns, rtl_cycles); });
}

kiln_status kiln_select_npu(kiln_device* dev, const char* kind) {
  return guarded(dev, "kiln_select_npu", [&](kiln::Device& d) { return d.select_npu(kind); });
}
const char* kiln_active_npu(const kiln_device* dev) { return dev ? dev->impl->active_npu() : ""; }
kiln_status kiln_read_lockstep_stats(kiln_device* dev, kiln_lockstep_stats* out) {
  return guarded(dev, "kiln_read_lockstep_stats", [&](kiln::Device& d) { return d.lockstep_stats(out); });
}

}  // extern "C"
