// The submission path: command ring, doorbell, fences, device errors, reset.
#include <algorithm>
#include <cstring>

#include "cmd_check.h"
#include "device.h"
#include "kiln_cmds.h"
#include "kiln_regs.h"
#include "util.h"

namespace kiln {

namespace {
constexpr uint32_t kCmdBytes = KILN_CMD_BYTES;
constexpr uint32_t kCmdWords = KILN_CMD_WORDS;
constexpr uint32_t kRing = static_cast<uint32_t>(Device::kRingBytes);
constexpr uint64_t kPollSliceNs = 1000;
constexpr uint32_t kIrqAll = KILN_IRQ_STATUS_FENCE_MASK | KILN_IRQ_STATUS_ERROR_MASK |
                             KILN_IRQ_STATUS_RESET_DONE_MASK;
}  // namespace

bool Device::fence_done(uint64_t fence) {
  if (fence <= completed_) return true;
  // FENCE_VALUE is 32 bit: compare modulo 2^32 so numbering may wrap.
  const uint32_t v = backend_->mmio_read32(KILN_REG_FENCE_VALUE);
  if (static_cast<int32_t>(v - static_cast<uint32_t>(fence)) < 0) return false;
  completed_ = fence;
  retire_completed();
  return true;
}

void Device::retire_completed() {
  while (!in_flight_.empty() && in_flight_.front().fence <= completed_) in_flight_.pop_front();
}

kiln_status Device::take_device_error(const char* who) {
  dev_err_.code = backend_->mmio_read32(KILN_REG_ERR_CODE);
  dev_err_.addr = backend_->mmio_read32(KILN_REG_ERR_ADDR_LO) |
                  (static_cast<uint64_t>(backend_->mmio_read32(KILN_REG_ERR_ADDR_HI)) << 32);
  dev_err_.cmd_offset = backend_->mmio_read32(KILN_REG_ERR_CMD_OFFSET);
  dev_err_.cmd_index = UINT32_MAX;
  std::string where = fmt("ring offset %s (no submission in flight there)",
                          hex(dev_err_.cmd_offset).c_str());
  for (const Submission& s : in_flight_) {
    const uint32_t rel = (dev_err_.cmd_offset + kRing - s.ring_begin) % kRing;
    if (rel % kCmdBytes || rel / kCmdBytes >= s.commands) continue;
    dev_err_.cmd_index = rel / kCmdBytes;
    const bool fence = dev_err_.cmd_index + 1 == s.commands;
    where = fence ? fmt("the FENCE kiln_submit appended to submission %llu",
                        static_cast<unsigned long long>(s.fence))
                  : fmt("command %u (%s) of submission %llu", dev_err_.cmd_index,
                        opcode_label(s.opcodes[dev_err_.cmd_index]).c_str(),
                        static_cast<unsigned long long>(s.fence));
    break;
  }
  dev_err_msg_ = fmt("device error %s (%u) at address %s, %s",
                     kiln_device_error_name(dev_err_.code), dev_err_.code,
                     hex(dev_err_.addr).c_str(), where.c_str());
  halted_ = true;
  backend_->mmio_write32(KILN_REG_IRQ_STATUS, KILN_IRQ_STATUS_ERROR_MASK);
  return fail(KILN_ERR_DEVICE, std::string(who) + ": " + dev_err_msg_);
}

kiln_status Device::halted_error(const char* who) {
  return fail(KILN_ERR_HALTED, std::string(who) + ": the device halted on an earlier error (" +
                                   dev_err_msg_ + "); call kiln_reset()");
}

kiln_status Device::wait_ring_space(uint64_t deadline, uint32_t* free_slots) {
  for (;;) {
    const uint32_t head = backend_->mmio_read32(KILN_REG_QUEUE_HEAD);
    if (head >= kRing || head % kCmdBytes)
      return fail(KILN_ERR_BACKEND, fmt("kiln_submit: device QUEUE_HEAD %s is not a command "
                                        "offset inside the %u-byte ring", hex(head).c_str(), kRing));
    // One slot stays empty so that HEAD == TAIL always means "empty".
    const uint32_t used = (ring_tail_ + kRing - head) % kRing;
    const uint32_t slots = (kRing - kCmdBytes - used) / kCmdBytes;
    if (slots) {
      *free_slots = slots;
      return KILN_OK;
    }
    if (backend_->mmio_read32(KILN_REG_IRQ_STATUS) & KILN_IRQ_STATUS_ERROR_MASK)
      return take_device_error("kiln_submit");
    const uint64_t now = backend_->now_ns();
    if (now >= deadline)
      return fail(KILN_ERR_TIMEOUT,
                  fmt("kiln_submit: command ring stayed full for %llu ns (QUEUE_HEAD=%s, "
                      "QUEUE_TAIL=%s)", static_cast<unsigned long long>(timeout_ns_),
                      hex(head).c_str(), hex(ring_tail_).c_str()));
    backend_->mmio_write32(KILN_REG_IRQ_STATUS,
                           KILN_IRQ_STATUS_FENCE_MASK | KILN_IRQ_STATUS_RESET_DONE_MASK);
    if (backend_->wait_irq(std::min(kPollSliceNs, deadline - now))) note_irq(now);
  }
}

kiln_status Device::ring_write(uint32_t offset, const uint32_t* words, uint32_t commands) {
  const uint32_t first = std::min(commands, (kRing - offset) / kCmdBytes);
  std::string err;
  if (!backend_->mem_write(ring_addr_ + offset, words, size_t{first} * kCmdBytes, &err) ||
      (commands > first &&
       !backend_->mem_write(ring_addr_, words + size_t{first} * kCmdWords,
                            size_t{commands - first} * kCmdBytes, &err)))
    return fail(KILN_ERR_BACKEND, "kiln_submit: writing the command ring at " +
                                      hex(ring_addr_ + offset) + ": " + err);
  return KILN_OK;
}

kiln_status Device::submit(const CommandBuffer& cb, uint32_t flags, uint64_t* fence) {
  if (flags & ~KILN_SUBMIT_NO_VALIDATE)
    return fail(KILN_ERR_INVALID_ARGUMENT, fmt("kiln_submit: unknown flags %s", hex(flags).c_str()));
  if (!halted_ && (backend_->mmio_read32(KILN_REG_FW_STATUS) & KILN_FW_STATUS_HALTED_MASK)) {
    // Halted since the last wait: fetch the cause so the message can name it.
    take_device_error("kiln_submit");
  }
  if (halted_) return halted_error("kiln_submit");
  if (!(flags & KILN_SUBMIT_NO_VALIDATE)) {
    kiln_status st = validate(cb);
    if (st != KILN_OK) return st;
  }
  if (backend_->lockstep()) return submit_lockstep(cb, flags, fence);
  return enqueue(cb.words.data(), static_cast<uint32_t>(cb.count()), fence);
}

kiln_status Device::enqueue(const uint32_t* cmds, uint32_t count, uint64_t* fence) {
  const uint32_t total = count + 1;
  std::vector<uint32_t> words(size_t{total} * kCmdWords, 0);
  if (count) std::memcpy(words.data(), cmds, size_t{count} * kCmdBytes);
  kiln_cmd_fence_t f{};
  f.header = kiln_cmd_header(KILN_OP_FENCE);
  f.flags = 1;  // raise IRQ_STATUS.FENCE so kiln_wait sleeps instead of polling
  f.value = static_cast<uint32_t>(next_fence_);
  std::memcpy(&words[size_t{total - 1} * kCmdWords], &f, sizeof f);

  Submission sub{next_fence_, ring_tail_, total, {}};
  for (uint32_t i = 0; i < total; ++i) sub.opcodes.push_back(words[size_t{i} * kCmdWords]);
  in_flight_.push_back(std::move(sub));
  const uint64_t my_fence = next_fence_++;

  // Larger than the ring: stream it in chunks as firmware consumes commands.
  const uint64_t deadline = deadline_after(0);
  for (uint32_t done = 0; done < total;) {
    uint32_t slots = 0;
    kiln_status st = wait_ring_space(deadline, &slots);
    if (st != KILN_OK) return st;
    const uint32_t n = std::min(slots, total - done);
    if ((st = ring_write(ring_tail_, &words[size_t{done} * kCmdWords], n)) != KILN_OK) return st;
    ring_tail_ = (ring_tail_ + n * kCmdBytes) % kRing;
    done += n;
    backend_->mmio_write32(KILN_REG_QUEUE_TAIL, ring_tail_);
    backend_->mmio_write32(KILN_REG_DOORBELL, 1);
    times_.doorbell_ns = backend_->now_ns();  // the write has reached the device
  }
  if (fence) *fence = my_fence;
  return KILN_OK;
}

kiln_status Device::wait(uint64_t fence, uint64_t timeout_ns) {
  if (fence == 0 || fence >= next_fence_)
    return fail(KILN_ERR_INVALID_ARGUMENT,
                fmt("kiln_wait: fence %llu was never returned by kiln_submit (last fence %llu)",
                    static_cast<unsigned long long>(fence),
                    static_cast<unsigned long long>(next_fence_ - 1)));
  if (fence <= completed_) return KILN_OK;
  if (fence <= reset_floor_)
    return fail(KILN_ERR_INVALID_ARGUMENT,
                fmt("kiln_wait: fence %llu was discarded by kiln_reset before it completed",
                    static_cast<unsigned long long>(fence)));
  const uint64_t deadline = deadline_after(timeout_ns);
  for (;;) {
    // Clear before reading FENCE_VALUE: a fence landing in between re-raises it.
    backend_->mmio_write32(KILN_REG_IRQ_STATUS,
                           KILN_IRQ_STATUS_FENCE_MASK | KILN_IRQ_STATUS_RESET_DONE_MASK);
    if (fence_done(fence)) return KILN_OK;
    if (halted_) return fail(KILN_ERR_DEVICE, "kiln_wait: " + dev_err_msg_);
    if (backend_->mmio_read32(KILN_REG_IRQ_STATUS) & KILN_IRQ_STATUS_ERROR_MASK) {
      // Commands before the failing one completed; the fence may be among them.
      if (fence_done(fence)) return KILN_OK;
      return take_device_error("kiln_wait");
    }
    const uint64_t now = backend_->now_ns();
    if (now >= deadline)
      return fail(KILN_ERR_TIMEOUT,
                  fmt("kiln_wait: fence %llu did not complete within %llu ns (device FENCE_VALUE=%u, "
                      "QUEUE_HEAD=%s, QUEUE_TAIL=%s)", static_cast<unsigned long long>(fence),
                      static_cast<unsigned long long>(timeout_ns ? timeout_ns : timeout_ns_),
                      backend_->mmio_read32(KILN_REG_FENCE_VALUE),
                      hex(backend_->mmio_read32(KILN_REG_QUEUE_HEAD)).c_str(),
                      hex(ring_tail_).c_str()));
    if (backend_->wait_irq(deadline - now)) note_irq(now);
  }
}

kiln_status Device::device_error(kiln_device_error_info* out) {
  if (!out) return fail(KILN_ERR_INVALID_ARGUMENT, "kiln_device_error: out is NULL");
  if (!halted_ && (backend_->mmio_read32(KILN_REG_IRQ_STATUS) & KILN_IRQ_STATUS_ERROR_MASK))
    take_device_error("kiln_device_error");
  *out = dev_err_;
  return KILN_OK;
}

kiln_status Device::reset() {
  for (const Submission& s : in_flight_) fence_done(s.fence);  // keep what did finish
  backend_->mmio_write32(KILN_REG_CTRL, KILN_CTRL_SOFT_RESET_MASK);
  const uint64_t deadline = deadline_after(0);
  for (;;) {
    const uint32_t irq = backend_->mmio_read32(KILN_REG_IRQ_STATUS);
    if (irq & KILN_IRQ_STATUS_RESET_DONE_MASK) break;
    const uint64_t now = backend_->now_ns();
    if (now >= deadline)
      return fail(KILN_ERR_TIMEOUT,
                  fmt("kiln_reset: IRQ_STATUS.RESET_DONE not raised within %llu ns (STATUS=%s, "
                      "FW_STATUS=%s)", static_cast<unsigned long long>(timeout_ns_),
                      hex(backend_->mmio_read32(KILN_REG_STATUS)).c_str(),
                      hex(backend_->mmio_read32(KILN_REG_FW_STATUS)).c_str()));
    // A pending ERROR/FENCE would keep the line high and stop time.
    backend_->mmio_write32(KILN_REG_IRQ_STATUS,
                           KILN_IRQ_STATUS_FENCE_MASK | KILN_IRQ_STATUS_ERROR_MASK);
    backend_->wait_irq(deadline - now);
  }
  backend_->mmio_write32(KILN_REG_IRQ_STATUS, kIrqAll);
  // Firmware zeroes QUEUE_HEAD on reset; the ring restarts at offset 0.
  kiln_status st = program_queue(0);
  if (st == KILN_OK) st = wait_fw_ready("kiln_reset");
  reset_floor_ = next_fence_ - 1;
  in_flight_.clear();
  halted_ = false;
  dev_err_ = kiln_device_error_info{};
  dev_err_msg_.clear();
  return st;
}

kiln_status Device::read_counters(kiln_counters* out) {
  if (!out) return fail(KILN_ERR_INVALID_ARGUMENT, "kiln_read_counters: out is NULL");
  auto rd = [this](uint32_t lo) {
    const uint64_t l = backend_->mmio_read32(lo);  // latches HI
    return l | (static_cast<uint64_t>(backend_->mmio_read32(lo + 4)) << 32);
  };
  out->cycles = rd(KILN_REG_PERF_CYCLES_LO);
  out->tc_busy_cycles = rd(KILN_REG_PERF_TC_BUSY_LO);
  out->tc_stall_cycles = rd(KILN_REG_PERF_TC_STALL_LO);
  out->macs = rd(KILN_REG_PERF_MACS_LO);
  out->dma_read_bytes = rd(KILN_REG_PERF_DMA_RD_BYTES_LO);
  out->dma_write_bytes = rd(KILN_REG_PERF_DMA_WR_BYTES_LO);
  out->dma_busy_cycles = rd(KILN_REG_PERF_DMA_BUSY_LO);
  out->vu_busy_cycles = rd(KILN_REG_PERF_VU_BUSY_LO);
  static_assert(KILN_DMA_PERF_COUNT <= KILN_COUNTERS_MAX_DMA_CHANNELS,
                "kiln_counters' per-channel arrays are smaller than the channel count");
  for (unsigned c = 0; c < KILN_COUNTERS_MAX_DMA_CHANNELS; ++c) {
    const bool has = c < KILN_DMA_PERF_COUNT;
    out->dma_ch_read_bytes[c] = has ? rd(KILN_REG_DMA_PERF_RD_BYTES_LO(c)) : 0;
    out->dma_ch_write_bytes[c] = has ? rd(KILN_REG_DMA_PERF_WR_BYTES_LO(c)) : 0;
    out->dma_ch_busy_cycles[c] = has ? rd(KILN_REG_DMA_PERF_BUSY_LO(c)) : 0;
    out->dma_ch_stall_cycles[c] = has ? rd(KILN_REG_DMA_PERF_STALL_LO(c)) : 0;
  }
  out->vu_stall_cycles = rd(KILN_REG_PERF_VU_STALL_LO);
  return KILN_OK;
}

// An interrupt that was already raised when the wait began arrived at an
// unknown time: record 0 rather than the host's time.
void Device::note_irq(uint64_t wait_began_ns) {
  const uint64_t t = backend_->now_ns();
  times_.irq_ns = t > wait_began_ns ? t : 0;
}

kiln_status Device::timestamps(kiln_timestamps* out) {
  if (!out) return fail(KILN_ERR_INVALID_ARGUMENT, "kiln_read_timestamps: out is NULL");
  *out = times_;
  return KILN_OK;
}

kiln_status Device::sim_time(uint64_t* now_ns, uint64_t* rtl_cycles) {
  if (now_ns) *now_ns = backend_->now_ns();
  if (rtl_cycles) *rtl_cycles = backend_->rtl_cycles();
  return KILN_OK;
}

}  // namespace kiln
