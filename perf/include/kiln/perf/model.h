// Analytical per-command performance model of the Kiln NPU.
//
// Input: a command stream in the device format (firmware/kiln_commands.toml,
// 64-byte commands, exactly what kiln_submit puts in the ring). Output: for
// every command when the firmware fetched it, when its unit started and
// finished, and why it took that long, split into
//   control  - firmware: command fetch from device memory, decode, CSR
//              programming (each access at the AXI4-Lite cost);
//   wait     - firmware blocked until the unit (or a barrier's units) was idle;
//   compute  - tensor-core / vector-unit streaming cycles;
//   fill     - pipeline fill and drain;
//   memory   - DMA: DRAM latency, AXI beats, burst gaps, outstanding limit;
//   contention - cycles lost to a higher-priority unit on a shared
//              scratchpad bank (DMA over the vector unit, DMA channel 0
//              over channel 1).
// The stream runs as the firmware runs it: in order, each command waiting
// only for its own unit, so DMA channels, tensor core and vector unit overlap
// exactly as far as the stream's BARRIERs allow. Total = doorbell to the
// host interrupt of the final FENCE (what kiln_read_timestamps measures).
//
// Every formula is in docs/perf_model.md with the RTL measurement behind it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "kiln/perf/hw_config.h"

namespace kiln::perf {

enum class Unit : uint8_t { kNone, kDma0, kDma1, kDma2, kDma3, kTensor, kVector };
const char* unit_name(Unit u);

struct CommandPrediction {
  uint32_t index = 0;        // position in the stream
  uint8_t opcode = 0;
  Unit unit = Unit::kNone;   // the unit it starts (kNone: NOP, BARRIER, FENCE)
  uint64_t fetch = 0;        // firmware starts the fetch (cycles after the doorbell)
  uint64_t issue = 0;        // firmware done with it (QUEUE_HEAD written)
  uint64_t start = 0;        // unit busy from ..
  uint64_t end = 0;          // .. to (start == end: no unit work)
  uint64_t control = 0;      // firmware cycles spent on it, waits excluded
  uint64_t wait = 0;         // firmware cycles blocked on busy units
  uint64_t compute = 0;
  uint64_t fill = 0;
  uint64_t memory = 0;
  uint64_t contention = 0;   // cycles lost to other units on shared scratchpad banks
  uint64_t bytes = 0;        // DMA bytes
  uint64_t macs = 0;         // tensor-core MACs (array slots used, R x C per row per tile)
  std::string what;          // "GEMM 64x64x64 bf16" ...
  std::string why;           // the formula with its numbers
};

struct Prediction {
  uint64_t cycles = 0;       // doorbell -> final fence interrupt
  double ns = 0;
  std::vector<CommandPrediction> commands;
  // sums over the commands
  uint64_t control = 0, wait = 0, tc_busy = 0, vu_busy = 0, dma_busy = 0;
  uint64_t macs = 0, dma_bytes = 0;
  std::string error;         // non-empty: the stream could not be modelled (bad command)
};

struct PredictOptions {
  bool keep_commands = true;  // fill Prediction::commands (large streams: off)
};

// count commands of 64 bytes each. Appends nothing: if the stream does not
// end with a FENCE, the total is when the last unit went idle.
Prediction predict(const HwConfig& hw, const void* commands, size_t count,
                   const PredictOptions& opt = {});

// Durations of single unit operations on idle hardware (the building blocks
// of predict(), also used by the what-if projection).
struct OpCost {
  uint64_t cycles = 0, compute = 0, fill = 0;
  std::string why;
};
OpCost gemm_cost(const HwConfig& hw, uint32_t m, uint32_t n, uint32_t k);
OpCost writeback_cost(const HwConfig& hw, uint32_t m, uint32_t n, bool out_fp32);

// Per-command report as text (one line per command) and JSON.
std::string format_prediction(const Prediction& p, size_t max_lines = 200);
std::string prediction_json(const Prediction& p, bool with_commands);

}  // namespace kiln::perf
