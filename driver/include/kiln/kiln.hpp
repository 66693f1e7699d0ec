// C++ RAII layer over the C API (header-only). Failures throw kiln::Error
// carrying the kiln_status and the driver's message.
#ifndef KILN_KILN_HPP
#define KILN_KILN_HPP

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "kiln/kiln.h"

namespace kiln {

class Error : public std::runtime_error {
 public:
  Error(kiln_status status, const std::string& msg) : std::runtime_error(msg), status_(status) {}
  kiln_status status() const { return status_; }

 private:
  kiln_status status_;
};

namespace detail {
inline void check(kiln_status s, const kiln_device* dev) {
  if (s != KILN_OK) throw Error(s, kiln_last_error(dev));
}
}  // namespace detail

class CommandBuffer {
 public:
  CommandBuffer() : cb_(kiln_cmdbuf_create()) {
    if (!cb_) throw Error(KILN_ERR_OUT_OF_MEMORY, "kiln_cmdbuf_create: host out of memory");
  }
  ~CommandBuffer() { kiln_cmdbuf_destroy(cb_); }
  CommandBuffer(CommandBuffer&& o) noexcept : cb_(std::exchange(o.cb_, nullptr)) {}
  CommandBuffer& operator=(CommandBuffer&& o) noexcept {
    std::swap(cb_, o.cb_);
    return *this;
  }
  CommandBuffer(const CommandBuffer&) = delete;
  CommandBuffer& operator=(const CommandBuffer&) = delete;

  CommandBuffer& dma(uint32_t channel, uint32_t dir, uint64_t dram_addr, uint32_t spad_addr,
                     uint32_t row_bytes, uint32_t rows, uint32_t dram_stride, uint32_t spad_stride) {
    return ok(kiln_cmd_dma(cb_, channel, dir, dram_addr, spad_addr, row_bytes, rows, dram_stride,
                           spad_stride));
  }
  // flags: dtype | KILN_GEMM_ACCUMULATE | KILN_GEMM_B_TRANSPOSED
  CommandBuffer& gemm_flags(uint32_t flags, uint32_t a_addr, uint32_t a_stride, uint32_t b_addr,
                            uint32_t b_stride, uint32_t acc_addr, uint32_t m, uint32_t n, uint32_t k) {
    return ok(kiln_cmd_gemm_flags(cb_, flags, a_addr, a_stride, b_addr, b_stride, acc_addr, m, n, k));
  }
  CommandBuffer& gemm(uint32_t dtype, bool accumulate, uint32_t a_addr, uint32_t a_stride,
                      uint32_t b_addr, uint32_t b_stride, uint32_t acc_addr, uint32_t m, uint32_t n,
                      uint32_t k) {
    return ok(kiln_cmd_gemm(cb_, dtype, accumulate, a_addr, a_stride, b_addr, b_stride, acc_addr,
                            m, n, k));
  }
  CommandBuffer& writeback(bool out_fp32, uint32_t acc_addr, uint32_t out_addr,
                           uint32_t out_stride, uint32_t m, uint32_t n) {
    return ok(kiln_cmd_writeback(cb_, out_fp32, acc_addr, out_addr, out_stride, m, n));
  }
  CommandBuffer& vector(uint32_t op, uint32_t flags, uint32_t rows, uint32_t cols,
                        uint32_t src0_addr, uint32_t src0_stride, uint32_t src1_addr,
                        uint32_t src1_stride, uint32_t src2_addr, uint32_t dst_addr,
                        uint32_t dst_stride, uint32_t imm = 0, uint32_t aux = 0) {
    return ok(kiln_cmd_vector(cb_, op, flags, rows, cols, src0_addr, src0_stride, src1_addr,
                              src1_stride, src2_addr, dst_addr, dst_stride, imm, aux));
  }
  CommandBuffer& barrier(uint32_t unit_mask = KILN_UNIT_ALL) {
    return ok(kiln_cmd_barrier(cb_, unit_mask));
  }
  CommandBuffer& nop() { return ok(kiln_cmd_nop(cb_)); }
  CommandBuffer& raw(const void* cmd64) { return ok(kiln_cmd_raw(cb_, cmd64)); }
  void reset() { kiln_cmdbuf_reset(cb_); }
  size_t size() const { return kiln_cmdbuf_count(cb_); }
  const void* data() const { return kiln_cmdbuf_data(cb_); }  // size() * 64 bytes
  const kiln_cmdbuf* get() const { return cb_; }

 private:
  CommandBuffer& ok(kiln_status s) {
    if (s != KILN_OK) throw Error(s, kiln_cmdbuf_last_error(cb_));
    return *this;
  }
  kiln_cmdbuf* cb_;
};

// A device-memory allocation, freed when it goes out of scope. Must not
// outlive its Device.
class Buffer {
 public:
  Buffer() = default;
  Buffer(kiln_device* dev, kiln_buffer b) : dev_(dev), buf_(b) {}
  ~Buffer() { release(); }
  Buffer(Buffer&& o) noexcept : dev_(std::exchange(o.dev_, nullptr)), buf_(o.buf_) {}
  Buffer& operator=(Buffer&& o) noexcept {
    if (this != &o) {
      release();
      dev_ = std::exchange(o.dev_, nullptr);
      buf_ = o.buf_;
    }
    return *this;
  }
  Buffer(const Buffer&) = delete;
  Buffer& operator=(const Buffer&) = delete;

  uint64_t addr() const { return buf_.addr; }
  uint64_t size() const { return buf_.size; }
  const kiln_buffer& raw() const { return buf_; }
  explicit operator bool() const { return dev_ != nullptr; }

  void write(const void* src, size_t bytes, uint64_t offset = 0) {
    detail::check(kiln_write(dev_, buf_.addr + offset, src, bytes), dev_);
  }
  void read(void* dst, size_t bytes, uint64_t offset = 0) const {
    detail::check(kiln_read(dev_, buf_.addr + offset, dst, bytes), dev_);
  }
  template <typename T>
  void write(const std::vector<T>& v, uint64_t offset = 0) { write(v.data(), v.size() * sizeof(T), offset); }
  template <typename T>
  std::vector<T> read(size_t count, uint64_t offset = 0) const {
    std::vector<T> v(count);
    read(v.data(), count * sizeof(T), offset);
    return v;
  }

 private:
  // Destructors cannot report; a failed free here can only be a driver bug.
  void release() noexcept {
    if (dev_) kiln_free(dev_, buf_);
    dev_ = nullptr;
  }
  kiln_device* dev_ = nullptr;
  kiln_buffer buf_{0, 0};
};

class Device {
 public:
  // backend: nullptr = $KILN_BACKEND or "rtl".
  explicit Device(const char* backend = nullptr, const kiln_open_options* opts = nullptr) {
    detail::check(kiln_open(backend, opts, &dev_), nullptr);
  }
  ~Device() { kiln_close(dev_); }
  Device(Device&& o) noexcept : dev_(std::exchange(o.dev_, nullptr)) {}
  Device& operator=(Device&& o) noexcept {
    std::swap(dev_, o.dev_);
    return *this;
  }
  Device(const Device&) = delete;
  Device& operator=(const Device&) = delete;

  Buffer alloc(uint64_t size, uint64_t align = 0) {
    kiln_buffer b;
    check(kiln_alloc(dev_, size, align, &b));
    return Buffer(dev_, b);
  }
  void write(uint64_t dev_addr, const void* src, size_t bytes) { check(kiln_write(dev_, dev_addr, src, bytes)); }
  void read(uint64_t dev_addr, void* dst, size_t bytes) { check(kiln_read(dev_, dev_addr, dst, bytes)); }
  template <typename T>
  void write(uint64_t dev_addr, const std::vector<T>& v) { write(dev_addr, v.data(), v.size() * sizeof(T)); }
  template <typename T>
  std::vector<T> read(uint64_t dev_addr, size_t count) {
    std::vector<T> v(count);
    read(dev_addr, v.data(), count * sizeof(T));
    return v;
  }
  uint64_t submit(const CommandBuffer& cb, uint32_t flags = 0) {
    uint64_t fence = 0;
    check(kiln_submit(dev_, cb.get(), flags, &fence));
    return fence;
  }
  void wait(uint64_t fence, uint64_t timeout_ns = 0) { check(kiln_wait(dev_, fence, timeout_ns)); }
  void run(const CommandBuffer& cb, uint64_t timeout_ns = 0) { wait(submit(cb), timeout_ns); }
  kiln_device_error_info device_error() {
    kiln_device_error_info e;
    check(kiln_device_error(dev_, &e));
    return e;
  }
  void reset() { check(kiln_reset(dev_)); }
  kiln_counters counters() {
    kiln_counters c;
    check(kiln_read_counters(dev_, &c));
    return c;
  }
  kiln_timestamps timestamps() {
    kiln_timestamps t;
    check(kiln_read_timestamps(dev_, &t));
    return t;
  }
  uint64_t now_ns() {
    uint64_t t = 0;
    check(kiln_sim_time(dev_, &t, nullptr));
    return t;
  }
  uint64_t free_bytes() {
    uint64_t f = 0;
    check(kiln_memory_info(dev_, nullptr, nullptr, &f));
    return f;
  }
  const char* backend_name() const { return kiln_backend_name(dev_); }
  // "both" backend: switch NPUs between submissions (wait for their fences first).
  void select_npu(const char* kind) { check(kiln_select_npu(dev_, kind)); }
  std::string active_npu() const { return kiln_active_npu(dev_); }
  kiln_lockstep_stats lockstep_stats() {
    kiln_lockstep_stats s;
    check(kiln_read_lockstep_stats(dev_, &s));
    return s;
  }
  kiln_device* get() const { return dev_; }

 private:
  void check(kiln_status s) const { detail::check(s, dev_); }
  kiln_device* dev_ = nullptr;
};

// Field-by-field arithmetic on counter sets: every kiln_counters field is a
// uint64_t counter, so one loop keeps up when the struct grows.
namespace detail {
template <typename F>
kiln_counters counters_zip(const kiln_counters& x, const kiln_counters& y, F f) {
  static_assert(sizeof(kiln_counters) % sizeof(uint64_t) == 0, "kiln_counters holds uint64_t fields only");
  constexpr size_t n = sizeof(kiln_counters) / sizeof(uint64_t);
  uint64_t a[n], b[n];
  std::memcpy(a, &x, sizeof a);
  std::memcpy(b, &y, sizeof b);
  for (size_t i = 0; i < n; ++i) a[i] = f(a[i], b[i]);
  kiln_counters r;
  std::memcpy(&r, a, sizeof r);
  return r;
}
}  // namespace detail
// after - before.
inline kiln_counters counters_delta(const kiln_counters& after, const kiln_counters& before) {
  return detail::counters_zip(after, before, [](uint64_t a, uint64_t b) { return a - b; });
}
// x + y (totals over several runs).
inline kiln_counters counters_sum(const kiln_counters& x, const kiln_counters& y) {
  return detail::counters_zip(x, y, [](uint64_t a, uint64_t b) { return a + b; });
}

// "1.2 MB", "512 B": reports print many byte counts side by side.
inline std::string format_bytes(uint64_t b) {
  static const char* const unit[] = {"B", "kB", "MB", "GB", "TB"};
  double v = double(b);
  size_t u = 0;
  while (v >= 1000.0 && u + 1 < sizeof unit / sizeof unit[0]) {
    v /= 1000.0;
    ++u;
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, u ? "%.1f %s" : "%.0f %s", v, unit[u]);
  return buf;
}

// One line per DMA channel ("dma ch0 rd 1.2 MB wr 0 B busy 12345 stall 678")
// and one for the vector unit's stalls, each after `indent` and ending in a
// newline. channels: the device's count (KILN_HW_DMA_CHANNELS), at most
// KILN_COUNTERS_MAX_DMA_CHANNELS.
inline std::string format_unit_counters(const kiln_counters& c, unsigned channels, const char* indent = "  ") {
  std::string s;
  for (unsigned ch = 0; ch < channels && ch < KILN_COUNTERS_MAX_DMA_CHANNELS; ++ch)
    s += std::string(indent) + "dma ch" + std::to_string(ch) + " rd " + format_bytes(c.dma_ch_read_bytes[ch]) +
         " wr " + format_bytes(c.dma_ch_write_bytes[ch]) + " busy " + std::to_string(c.dma_ch_busy_cycles[ch]) +
         " stall " + std::to_string(c.dma_ch_stall_cycles[ch]) + "\n";
  s += std::string(indent) + "vu busy " + std::to_string(c.vu_busy_cycles) + " stall " +
       std::to_string(c.vu_stall_cycles) + "\n";
  return s;
}

}  // namespace kiln

#endif  // KILN_KILN_HPP
