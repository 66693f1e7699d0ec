// Busy spans of one NPU's units (each DMA channel, the tensor core, the
// vector unit) in a run trace, named and described the same way whichever
// model (RTL island or fast model) feeds them. A span's name and args come
// from the unit's configuration registers as they were when it started.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "trace_json.h"

namespace kiln {

class UnitTrace {
 public:
  // Reads a CSR (window offset) as the unit saw it at its start.
  using RegRead = std::function<uint32_t(uint32_t offset)>;

  // Adds the tracks "DMA ch0".., "tensor core", "vector unit", each
  // prefixed by `label` + ": " when the platform has two NPUs (label = the
  // NPU kind) and unprefixed when it is empty.
  UnitTrace(TraceWriter& w, const std::string& label);

  // Unit indices: DMA channel c = c, then the tensor core, then the vector unit.
  static unsigned dma(unsigned ch) { return ch; }
  static unsigned tc();
  static unsigned vu();

  void begin(unsigned unit, uint64_t ns, const RegRead& reg);
  void end(unsigned unit, uint64_t ns);

  // From a STATUS value (its busy bits, one per unit): begins the spans of
  // units that turned busy, ends those that turned idle. Cheap when nothing
  // changed, so it can be called every cycle.
  void status(uint32_t status, uint64_t ns, const RegRead& reg) {
    if (status != last_status_) status_changed(status, ns, reg);
  }

 private:
  void status_changed(uint32_t status, uint64_t ns, const RegRead& reg);
  TraceWriter& w_;
  std::vector<int> tracks_;  // per unit index
  uint32_t last_status_ = 0;
};

}  // namespace kiln
