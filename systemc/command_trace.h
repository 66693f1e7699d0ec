// The firmware's side of a run trace: one span per command it executes,
// fences and errors as instants. Fed by the control core's HAL, which sees
// every device-memory read and register write the firmware makes, so it
// works the same whichever NPU model runs the units.
//
// A command span runs from the fetch (the firmware reads each command with
// one 64-byte hal_mem_read, docs/firmware.md "Ring walk") to its QUEUE_HEAD
// write, which the firmware makes once the command is issued. Units keep
// working after that: their own tracks show how long.
#pragma once

#include <cstdint>

#include "trace_json.h"

namespace kiln {

class CommandTrace {
 public:
  explicit CommandTrace(TraceWriter& w);

  // The firmware read `bytes` at `addr` between begin_ns and now; a
  // 64-byte read is a command fetch and starts that command's span.
  void mem_read(uint64_t begin_ns, uint64_t addr, const void* data, uint32_t bytes);
  // QUEUE_HEAD ends the open command; FENCE_VALUE is a fence; a non-zero
  // ERR_CODE ends the open command as failed.
  void reg_write(uint64_t ns, uint32_t offset, uint32_t value);

  uint64_t commands() const { return count_; }

 private:
  TraceWriter& w_;
  int track_;
  uint64_t count_ = 0;  // commands fetched in the run, numbered from 1 as in --wave-cmd
};

}  // namespace kiln
