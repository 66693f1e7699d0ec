// The device behind a kiln_device*: ring, fences, allocator, error state.
// Not thread-safe: one thread per device at a time (documented in docs/driver.md).
#ifndef KILN_DRIVER_DEVICE_H
#define KILN_DRIVER_DEVICE_H

#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "allocator.h"
#include "backend.h"
#include "kiln/kiln.h"

namespace kiln {

struct Probe;  // lockstep_probe.h

struct CommandBuffer {
  std::vector<uint32_t> words;  // 16 words per command
  std::string last_error;
  size_t count() const { return words.size() / 16; }
};

class Device {
 public:
  static constexpr uint64_t kRingBytes = 64 * 1024;  // 1024 commands
  static constexpr uint64_t kDefaultTimeoutNs = 10'000'000;

  // Opens the backend and brings the device up; nullptr + *err on failure.
  static std::unique_ptr<Device> open(const char* backend, const kiln_open_options* opts,
                                      kiln_status* status, std::string* err);
  ~Device();  // a lockstep device prints its totals to stderr

  kiln_status alloc(uint64_t size, uint64_t align, kiln_buffer* out);
  kiln_status free(kiln_buffer buf);
  kiln_status write(uint64_t addr, const void* src, size_t n);
  kiln_status read(uint64_t addr, void* dst, size_t n);
  kiln_status memory_info(uint64_t* base, uint64_t* size, uint64_t* free_bytes);
  kiln_status submit(const CommandBuffer& cb, uint32_t flags, uint64_t* fence);
  kiln_status wait(uint64_t fence, uint64_t timeout_ns);
  kiln_status device_error(kiln_device_error_info* out);
  kiln_status reset();
  kiln_status read_counters(kiln_counters* out);
  kiln_status sim_time(uint64_t* now_ns, uint64_t* rtl_cycles);
  kiln_status timestamps(kiln_timestamps* out);
  kiln_status select_npu(const char* kind);
  kiln_status lockstep_stats(kiln_lockstep_stats* out);

  const char* backend_name() const { return backend_->name(); }
  const char* active_npu() const { return active_npu_.c_str(); }
  const std::string& last_error() const { return last_error_; }
  kiln_status fail(kiln_status s, std::string msg) {
    last_error_ = std::move(msg);
    return s;
  }

 private:
  struct Submission {
    uint64_t fence;      // also the submission number in messages
    uint32_t ring_begin; // ring byte offset of its first command
    uint32_t commands;   // including the trailing FENCE
    std::vector<uint32_t> opcodes;
  };

  Device(std::unique_ptr<Backend> be, uint64_t timeout_ns);
  kiln_status bring_up();
  kiln_status program_queue(uint32_t tail);
  kiln_status wait_fw_ready(const char* who);
  kiln_status validate(const CommandBuffer& cb);
  kiln_status check_range(const char* who, uint64_t addr, size_t n);
  // Blocks until `slots` commands fit in the ring.
  kiln_status wait_ring_space(uint64_t deadline, uint32_t* free_slots);
  kiln_status ring_write(uint32_t offset, const uint32_t* words, uint32_t commands);
  // Reads ERR_*, records the halt, returns KILN_ERR_DEVICE with the message.
  kiln_status take_device_error(const char* who);
  kiln_status halted_error(const char* who);
  // Queues `count` commands plus a FENCE (no checks); *fence = its value.
  kiln_status enqueue(const uint32_t* words, uint32_t count, uint64_t* fence);
  // Waits until the last submission completed and the firmware has moved
  // QUEUE_HEAD past it, then makes `kind` active (BUSY if still in flight).
  kiln_status switch_npu(const char* who, const std::string& kind);
  // lockstep.cpp: runs cb one command at a time on rtl, then fast, comparing.
  kiln_status submit_lockstep(const CommandBuffer& cb, uint32_t flags, uint64_t* fence);
  kiln_status lockstep_fail(size_t index, uint32_t code, uint64_t addr, std::string msg, uint64_t* fence);
  bool read_rows(const Probe& p, uint8_t* out, std::string* err);  // device memory, packed
  // true (and the device failed like on a device error) at the first difference.
  bool compare_outputs(const std::vector<Probe>& probes, const std::vector<uint8_t> snap[2], size_t index,
                       const std::string& label, uint64_t* fence);
  bool fence_done(uint64_t fence);
  void retire_completed();
  uint64_t deadline_after(uint64_t timeout_ns) const;

  std::unique_ptr<Backend> backend_;
  DeviceAllocator alloc_;
  uint64_t timeout_ns_;
  uint64_t ring_addr_ = 0;
  uint32_t ring_tail_ = 0;       // what we last wrote to QUEUE_TAIL
  uint64_t next_fence_ = 1;
  uint64_t reset_floor_ = 0;     // fences <= this were discarded by a reset
  uint64_t completed_ = 0;       // highest fence seen complete
  std::deque<Submission> in_flight_;
  bool halted_ = false;
  kiln_device_error_info dev_err_{};
  std::string dev_err_msg_;
  std::string last_error_;
  kiln_timestamps times_{};  // kiln_read_timestamps
  void note_irq(uint64_t wait_began_ns);
  std::string active_npu_;        // cached for kiln_active_npu's const char*
  kiln_lockstep_stats lockstep_{};
};

// Shared with cmdbuf.cpp: records a builder error on the command buffer and as
// kiln_last_error(NULL).
kiln_status cmdbuf_fail(kiln_cmdbuf* cb, kiln_status s, std::string msg);

}  // namespace kiln

struct kiln_cmdbuf {
  kiln::CommandBuffer impl;
};

#endif  // KILN_DRIVER_DEVICE_H
