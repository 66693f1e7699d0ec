// Internal: the DMA engines and the memory path they share with the control
// core's command fetches (AR/AW issue slot, outstanding windows, R/W data
// channels, DRAM bandwidth and latency).
#pragma once

#include <cstdint>
#include <map>
#include <queue>
#include <string>
#include <vector>

#include "kiln/perf/hw_config.h"

namespace kiln::perf {

struct DmaResult {
  uint64_t done = 0;  // the channel is idle (STATUS.BUSY low, DMA_DONE event)
  uint64_t bursts = 0;
  std::string why;
};

// Scratchpad words a descriptor touches, per bank.
std::vector<uint64_t> spad_bank_beats(const HwConfig& hw, uint32_t spad_addr, uint32_t row_bytes, uint32_t rows,
                                      uint32_t spad_stride);

// The same for `rows` rows of `row_words` words, `stride` words apart from word `addr`.
std::vector<uint64_t> spad_bank_words(const HwConfig& hw, uint64_t addr, uint64_t row_words, uint64_t rows,
                                      uint64_t stride);

class DmaModel {
 public:
  explicit DmaModel(const HwConfig& hw) : hw_(hw) {}
  // A descriptor started at `start` (busy from then). Bursts are cut as the
  // RTL cuts them: row end, 4 KiB boundary, max_burst_beats.
  DmaResult run(uint64_t start, bool store, uint64_t addr, uint32_t row_bytes, uint32_t rows,
                uint32_t dram_stride);
  // The control core reads one 64-byte command at t; returns when it has it.
  uint64_t fetch(uint64_t t);

 private:
  using MinHeap = std::priority_queue<uint64_t, std::vector<uint64_t>, std::greater<uint64_t>>;
  uint64_t slot(MinHeap& q, uint64_t t, uint32_t limit);
  uint64_t dram(uint64_t claim, uint64_t bytes);  // -> data ready (DMA bursts)

  const HwConfig& hw_;
  uint64_t ar_free_ = 0, aw_free_ = 0, r_free_ = 0, w_free_ = 0, dram_free_ = 0;
  MinHeap rd_out_, wr_out_;
  // DRAM claims of DMA bursts by claim time, folded into the fetch's view of
  // the DRAM queue only once the fetch's own time has reached them.
  std::multimap<uint64_t, uint64_t> claims_;
  uint64_t fetch_free_ = 0;
};

}  // namespace kiln::perf
