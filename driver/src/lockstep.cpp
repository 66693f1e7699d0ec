// Lockstep submission (backend "lockstep", docs/driver.md "Backends"): the
// buffer runs in steps, each on the RTL NPU and on the fast model, and after
// each step probes copy what its command wrote to host memory; the first
// command whose copies differ fails the submission and is named.
//
// A step is one command with an output (DMA, VECTOR, WRITEBACK) plus the
// output-less commands (GEMM, BARRIER, NOP) before it. Why so small: the two
// NPUs share DRAM but not their scratchpads, so running the whole buffer on
// one and then the other would let the second's DMA stores overwrite what the
// first's later commands read. Per step, each NPU computes from its own
// scratchpad, and a DRAM write is compared before the other NPU repeats it
// with (if equal) the same bytes. The cost: the stream is serialised at every
// output, and each step pays two submissions and one NPU switch.
#include <algorithm>
#include <cstdio>
#include <cstring>

#include "device.h"
#include "kiln_cmds.h"
#include "kiln_hw.h"
#include "lockstep_probe.h"
#include "util.h"

namespace kiln {

namespace {

constexpr uint32_t kCmdWords = KILN_CMD_WORDS;
constexpr uint32_t kAllUnits = KILN_UNIT_VU | KILN_UNIT_TC | ((1u << KILN_HW_DMA_CHANNELS) - 1u);
const char* const kSides[2] = {"rtl", "fast"};

void append_barrier(std::vector<uint32_t>* w) {
  kiln_cmd_barrier_t b{};
  b.header = kiln_cmd_header(KILN_OP_BARRIER);
  b.unit_mask = kAllUnits;
  const auto* p = reinterpret_cast<const uint32_t*>(&b);
  w->insert(w->end(), p, p + kCmdWords);
}

// A store only: the DMA reads the probed scratchpad rows and writes them,
// packed, to the probe buffer; nothing the stream uses is overwritten.
void append_probe_store(std::vector<uint32_t>* w, const Probe& p, uint64_t dram) {
  kiln_cmd_dma_t d{};
  d.header = kiln_cmd_header(KILN_OP_DMA);
  d.channel = 0 | (1u << 8);
  d.dram_addr_lo = static_cast<uint32_t>(dram);
  d.dram_addr_hi = static_cast<uint32_t>(dram >> 32);
  d.spad_addr = static_cast<uint32_t>(p.addr);
  d.row_bytes = p.row_bytes;
  d.rows = p.rows;
  d.dram_stride = p.row_bytes;
  d.spad_stride = p.stride;
  const auto* q = reinterpret_cast<const uint32_t*>(&d);
  w->insert(w->end(), q, q + kCmdWords);
}

// Frees the probe buffer however the submission ends.
struct ProbeBuffer {
  DeviceAllocator& alloc;
  uint64_t addr = 0, size = 0;
  ~ProbeBuffer() {
    std::string ignored;
    if (size) alloc.free(addr, size, &ignored);
  }
};

}  // namespace

bool Device::read_rows(const Probe& p, uint8_t* out, std::string* err) {
  const uint64_t span = uint64_t(p.rows - 1) * p.stride + p.row_bytes;
  if (p.stride == p.row_bytes) return backend_->mem_read(p.addr, out, p.bytes(), err);
  // Few host-link transfers beat exact ones: read across small gaps.
  if (p.stride > p.row_bytes && span <= 4 * p.bytes()) {
    std::vector<uint8_t> all(span);
    if (!backend_->mem_read(p.addr, all.data(), span, err)) return false;
    for (uint32_t r = 0; r < p.rows; ++r)
      std::memcpy(out + size_t(r) * p.row_bytes, &all[size_t(r) * p.stride], p.row_bytes);
    return true;
  }
  for (uint32_t r = 0; r < p.rows; ++r)
    if (!backend_->mem_read(p.addr + uint64_t(r) * p.stride, out + size_t(r) * p.row_bytes, p.row_bytes, err))
      return false;
  return true;
}

Device::~Device() {
  if (!backend_ || !backend_->lockstep()) return;
  // Said where a cosim run or a test log shows it, without asking.
  std::fprintf(stderr,
               "kiln lockstep: %llu commands run on rtl and fast, %llu outputs compared (%llu bytes), %s\n",
               static_cast<unsigned long long>(lockstep_.commands),
               static_cast<unsigned long long>(lockstep_.compared),
               static_cast<unsigned long long>(lockstep_.bytes_compared),
               lockstep_.differences ? "stopped at a difference" : "no difference");
}

kiln_status Device::lockstep_stats(kiln_lockstep_stats* out) {
  if (!out) return fail(KILN_ERR_INVALID_ARGUMENT, "kiln_read_lockstep_stats: out is NULL");
  if (!backend_->lockstep())
    return fail(KILN_ERR_INVALID_ARGUMENT,
                std::string("kiln_read_lockstep_stats: the ") + backend_->name() +
                    " backend does not run in lockstep (open the \"lockstep\" backend)");
  *out = lockstep_;
  return KILN_OK;
}

kiln_status Device::lockstep_fail(size_t index, uint32_t code, uint64_t addr, std::string msg,
                                  uint64_t* fence) {
  // Reported like a device error, so lockstep is a drop-in backend: the
  // submission is accepted, kiln_wait on its fence fails with KILN_ERR_DEVICE
  // and this message, later submissions get KILN_ERR_HALTED, kiln_reset
  // recovers. The fence is never queued, so it never completes.
  halted_ = true;
  dev_err_.code = code;
  dev_err_.addr = addr;
  dev_err_.cmd_index = static_cast<uint32_t>(index);
  dev_err_msg_ = std::move(msg);
  const uint64_t f = next_fence_++;
  if (fence) *fence = f;
  return KILN_OK;
}

kiln_status Device::submit_lockstep(const CommandBuffer& cb, uint32_t /*flags*/, uint64_t* fence) {
  const size_t n = cb.count();
  if (n == 0) return enqueue(nullptr, 0, fence);  // a bare fence: nothing to compare
  std::vector<std::vector<Probe>> probes(n);
  uint64_t need = 0;
  for (size_t i = 0; i < n; ++i) {
    probes[i] = output_probes(&cb.words[i * kCmdWords]);
    uint64_t bytes = 0;
    for (const Probe& p : probes[i])
      if (p.where == Probe::kScratchpad) bytes += p.bytes();
    need = std::max(need, bytes);
  }
  // From the driver's allocator, so no buffer of the stream can overlap it.
  ProbeBuffer pb{alloc_};
  if (need) {
    std::string err;
    const kiln_status st = alloc_.alloc(need, 32, false, &pb.addr, &pb.size, &err);
    if (st != KILN_OK)
      return fail(st, fmt("kiln_submit: lockstep: no device memory for the %llu-byte probe buffer: %s",
                          static_cast<unsigned long long>(need), err.c_str()));
  }
  uint64_t last_fence = 0;
  std::vector<uint32_t> words;
  std::vector<uint8_t> snap[2];
  for (size_t begin = 0, step = 0; begin < n; ++step) {
    // A step: the commands with no output of their own (GEMM, BARRIER, NOP)
    // up to and including the next command with one, whose output is then
    // compared. Differences can only show in outputs, so this names the same
    // command as running one at a time would, in fewer submissions.
    size_t last = begin;
    while (last + 1 < n && probes[last].empty()) ++last;
    const size_t end = last + 1;
    words.assign(cb.words.begin() + begin * kCmdWords, cb.words.begin() + end * kCmdWords);
    bool spad_probes = false;
    uint64_t off = 0, dram_bytes = 0;
    for (const Probe& p : probes[last]) {
      if (p.where == Probe::kDeviceMemory) {
        dram_bytes += p.bytes();
        continue;
      }
      if (!spad_probes) append_barrier(&words);  // the command's result is complete
      spad_probes = true;
      append_probe_store(&words, p, pb.addr + off);
      off += p.bytes();
    }
    auto label = [&](size_t i) {
      return fmt("command %zu (%s)", i, describe_command(&cb.words[i * kCmdWords]).c_str());
    };
    // The NPU that ran last goes first in the next step: one switch per step.
    for (int k = 0; k < 2; ++k) {
      const int side = static_cast<int>((step + k) % 2);
      kiln_status st = switch_npu("kiln_submit: lockstep", kSides[side]);
      if (st != KILN_OK) return st;
      uint64_t f = 0;
      if ((st = enqueue(words.data(), static_cast<uint32_t>(words.size() / kCmdWords), &f)) != KILN_OK)
        return st;
      last_fence = f;
      st = wait(f, 0);
      if (st == KILN_ERR_DEVICE) {
        const bool in_probe = dev_err_.cmd_index >= end - begin;
        const size_t at = in_probe ? last : begin + dev_err_.cmd_index;
        lockstep_.commands += at - begin + 1;
        return lockstep_fail(
            at, dev_err_.code, dev_err_.addr,
            fmt("lockstep: %s failed on the %s NPU: device error %s (%u) at address %s%s",
                label(at).c_str(), kSides[side], kiln_device_error_name(dev_err_.code), dev_err_.code,
                hex(dev_err_.addr).c_str(), in_probe ? " (in the probe that stores its output)" : ""),
            fence);
      }
      if (st != KILN_OK)
        return fail(st, fmt("kiln_submit: lockstep: commands %zu-%zu on the %s NPU: %s", begin, last,
                            kSides[side], last_error_.c_str()));
      // Snapshot: the probe buffer, then the device memory a store wrote.
      snap[side].resize(off + dram_bytes);
      std::string err;
      bool ok = !off || backend_->mem_read(pb.addr, snap[side].data(), off, &err);
      uint64_t at = off;
      for (const Probe& p : probes[last]) {
        if (!ok || p.where != Probe::kDeviceMemory) continue;
        ok = read_rows(p, &snap[side][at], &err);
        at += p.bytes();
      }
      if (!ok)
        return fail(KILN_ERR_BACKEND, fmt("kiln_submit: lockstep: reading the output of %s from the %s "
                                          "NPU: %s", label(last).c_str(), kSides[side], err.c_str()));
    }
    lockstep_.commands += end - begin;
    if (!probes[last].empty()) ++lockstep_.compared;
    if (compare_outputs(probes[last], snap, last, label(last), fence)) return KILN_OK;
    begin = end;
  }
  // Between submissions the RTL NPU is active: kiln_read_counters reads it.
  kiln_status st = switch_npu("kiln_submit: lockstep", "rtl");
  if (st != KILN_OK) return st;
  if (fence) *fence = last_fence;
  return KILN_OK;
}

bool Device::compare_outputs(const std::vector<Probe>& probes, const std::vector<uint8_t> snap[2],
                             size_t index, const std::string& label, uint64_t* fence) {
  // Same order as the snapshot: scratchpad probes first, then device memory.
  uint64_t at = 0;
  for (int pass = 0; pass < 2; ++pass) {
    for (const Probe& p : probes) {
      if ((p.where == Probe::kDeviceMemory) != (pass == 1)) continue;
      const Difference d = compare_probe(p, &snap[0][at], &snap[1][at]);
      at += p.bytes();
      lockstep_.bytes_compared += d.compared * p.elem;
      if (!d.found) continue;
      ++lockstep_.differences;
      const int digits = static_cast<int>(p.elem * 2);
      const std::string where =
          p.where == Probe::kScratchpad
              ? fmt("scratchpad byte %s (word %s)", hex(d.addr).c_str(),
                    hex(d.addr / KILN_HW_SCRATCHPAD_WORD_BYTES).c_str())
              : fmt("device address %s", hex(d.addr).c_str());
      lockstep_fail(index, KILN_DEVICE_ERR_LOCKSTEP_MISMATCH, d.addr,
                    fmt("lockstep: %s differs: rtl 0x%0*x vs fast 0x%0*x at %s, %s row %u element %u; "
                        "%llu of %llu elements differ; %zu earlier command(s) matched",
                        label.c_str(), digits, d.rtl, digits, d.fast, where.c_str(), p.what, d.row, d.elem,
                        static_cast<unsigned long long>(d.count),
                        static_cast<unsigned long long>(d.compared), index),
                    fence);
      const std::string keep = last_error_;
      switch_npu("kiln_submit: lockstep", "rtl");  // the state lockstep starts from; both are idle
      last_error_ = keep;
      return true;
    }
  }
  return false;
}

}  // namespace kiln
