// Choosing the NPU on the two-NPU backends: kiln_select_npu ("both") and the
// switch lockstep.cpp makes around every command.
#include "device.h"
#include "kiln_regs.h"
#include "util.h"

namespace kiln {

kiln_status Device::select_npu(const char* kind) {
  if (!kind) return fail(KILN_ERR_INVALID_ARGUMENT, "kiln_select_npu: kind is NULL");
  const std::string k = kind;
  if (k != "rtl" && k != "fast")
    return fail(KILN_ERR_INVALID_ARGUMENT,
                "kiln_select_npu: unknown NPU \"" + k +
                    "\": use \"rtl\" (the Verilated RTL) or \"fast\" (the C++ model)");
  if (backend_->lockstep())
    return fail(KILN_ERR_INVALID_ARGUMENT,
                "kiln_select_npu: the lockstep backend runs every command on both NPUs and switches "
                "between them itself; open the \"both\" backend to choose one");
  if (!backend_->can_switch_npu()) {
    std::string err;
    backend_->select_npu(k, &err);  // refuses, and says why
    return fail(KILN_ERR_INVALID_ARGUMENT, "kiln_select_npu: " + err);
  }
  if (k == active_npu_) return KILN_OK;  // nothing moves, so nothing needs to be idle
  if (halted_) return halted_error("kiln_select_npu");
  return switch_npu("kiln_select_npu", k);
}

kiln_status Device::switch_npu(const char* who, const std::string& kind) {
  // The register state moves to the other NPU: a unit still working on the
  // old one would finish with nobody listening, and its fence would be lost.
  if (!in_flight_.empty() && !fence_done(in_flight_.back().fence)) {
    const unsigned long long last = in_flight_.back().fence;
    return fail(KILN_ERR_BUSY,
                fmt("%s: cannot switch to the %s NPU: submissions up to fence %llu are still in "
                    "flight on the %s NPU; kiln_wait for fence %llu first",
                    who, kind.c_str(), last, active_npu_.c_str(), last));
  }
  // The firmware publishes a fence and only then moves QUEUE_HEAD past it; a
  // switch in between would leave HEAD behind on the old NPU. Every MMIO read
  // is a host-link round trip, so the device runs while we look.
  const uint64_t deadline = deadline_after(0);
  for (;;) {
    const uint32_t head = backend_->mmio_read32(KILN_REG_QUEUE_HEAD);
    if (head == ring_tail_) break;
    if (backend_->now_ns() >= deadline)
      return fail(KILN_ERR_TIMEOUT,
                  fmt("%s: the firmware did not catch up with the ring within %llu ns (QUEUE_HEAD=%s, "
                      "QUEUE_TAIL=%s) although every fence completed",
                      who, static_cast<unsigned long long>(timeout_ns_), hex(head).c_str(),
                      hex(ring_tail_).c_str()));
  }
  std::string err;
  if (!backend_->select_npu(kind, &err))
    return fail(KILN_ERR_BACKEND, std::string(who) + ": " + err);
  active_npu_ = backend_->active_npu();
  return KILN_OK;
}

}  // namespace kiln
