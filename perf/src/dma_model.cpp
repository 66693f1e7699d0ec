// DMA timing per burst, as kiln_dma and the island's AXI bridge behave:
// AR/AW one per cycle in a slot shared by the channels, at most
// max_outstanding bursts per direction (a slot is free dma_slot_reuse cycles
// after the burst's last beat / B response), the DRAM claimed at issue
// (reads) or after the last W beat (writes): bytes / bytes_per_cycle of
// bandwidth, then dram_latency; R beats one per cycle on the shared R channel
// with dma_r_burst_gap idle cycles behind each burst.
#include "dma_model.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace kiln::perf {

namespace {
uint64_t div_up(uint64_t a, uint64_t b) { return (a + b - 1) / b; }
}  // namespace

std::vector<uint64_t> spad_bank_beats(const HwConfig& hw, uint32_t spad_addr, uint32_t row_bytes, uint32_t rows,
                                      uint32_t spad_stride) {
  return spad_bank_words(hw, spad_addr / hw.word_bytes, row_bytes / hw.word_bytes, rows, spad_stride / hw.word_bytes);
}

std::vector<uint64_t> spad_bank_words(const HwConfig& hw, uint64_t addr, uint64_t row_words, uint64_t rows,
                                      uint64_t stride) {
  std::vector<uint64_t> out(hw.spad_banks, 0);
  const uint64_t words = hw.spad_words(), bank_words = std::max<uint64_t>(1, words / hw.spad_banks);
  const uint64_t beats = row_words;
  for (uint64_t r = 0; r < rows; ++r) {
    uint64_t w = (addr + r * stride) % words;
    for (uint64_t left = beats; left;) {
      const uint64_t in_bank = std::min(left, bank_words - w % bank_words);
      out[w / bank_words] += in_bank;
      left -= in_bank;
      w = (w + in_bank) % words;
    }
  }
  return out;
}

uint64_t DmaModel::slot(MinHeap& q, uint64_t t, uint32_t limit) {
  while (!q.empty() && q.top() <= t) q.pop();
  while (q.size() >= limit) {
    t = std::max(t, q.top());
    q.pop();
  }
  return t;
}

uint64_t DmaModel::dram(uint64_t claim, uint64_t bytes) {
  const uint64_t busy = std::max<uint64_t>(1, uint64_t(std::ceil(double(bytes) / hw_.dram_bytes_per_cycle)));
  const uint64_t start = std::max(claim, dram_free_);
  dram_free_ = start + busy;
  claims_.emplace(claim, busy);
  return start + busy + hw_.dram_latency;
}

uint64_t DmaModel::fetch(uint64_t t) {
  const uint64_t claim = t + hw_.router_latency;
  // The DMA bursts claimed before this fetch, in claim order.
  while (!claims_.empty() && claims_.begin()->first <= claim) {
    fetch_free_ = std::max(fetch_free_, claims_.begin()->first) + claims_.begin()->second;
    claims_.erase(claims_.begin());
  }
  const uint64_t busy = std::max<uint64_t>(1, uint64_t(std::ceil(64.0 / hw_.dram_bytes_per_cycle)));
  const uint64_t start = std::max(claim, fetch_free_);
  fetch_free_ = start + busy;
  return start + busy + hw_.dram_latency;
}

DmaResult DmaModel::run(uint64_t start, bool store, uint64_t addr, uint32_t row_bytes, uint32_t rows,
                        uint32_t dram_stride) {
  DmaResult r;
  const uint32_t beat = hw_.axi_beat_bytes();
  const uint64_t first = start + hw_.dma_issue_delay;
  uint64_t last_end = start, beats_total = 0;
  const uint32_t row_beats = row_bytes / beat;
  for (uint32_t row = 0; row < rows && row_beats; ++row) {
    const uint64_t row_addr = addr + uint64_t(row) * dram_stride;
    for (uint32_t b = 0; b < row_beats;) {
      const uint64_t a = row_addr + uint64_t(b) * beat;
      const uint32_t to_page = static_cast<uint32_t>((hw_.page_bytes - a % hw_.page_bytes) / beat);
      const uint32_t n = std::min({row_beats - b, to_page, hw_.max_burst_beats});
      const uint64_t bytes = uint64_t(n) * beat;
      uint64_t end;
      if (!store) {
        const uint64_t issue = slot(rd_out_, std::max(first, ar_free_), hw_.max_outstanding_reads);
        ar_free_ = issue + 1;
        const uint64_t ready = dram(issue + hw_.router_latency, bytes);
        const uint64_t lat = std::max<uint64_t>(1, ready - issue);
        const uint64_t r_start = std::max(issue + lat + 1, r_free_);
        end = r_start + n;
        r_free_ = end + hw_.dma_r_burst_gap;
        rd_out_.push(end + hw_.dma_slot_reuse);
      } else {
        const uint64_t issue = slot(wr_out_, std::max(first, aw_free_), hw_.max_outstanding_writes);
        aw_free_ = issue + 1;
        const uint64_t w_start = std::max(issue + 1, w_free_);
        w_free_ = w_start + n;
        const uint64_t ready = dram(w_free_ + hw_.router_latency, bytes);
        end = w_free_ + std::max<uint64_t>(1, ready - w_free_) + 1;  // B response
        wr_out_.push(end + hw_.dma_slot_reuse);
      }
      last_end = std::max(last_end, end);
      beats_total += n;
      ++r.bursts;
      b += n;
    }
  }
  r.done = last_end + hw_.dma_done_delay;
  char buf[160];
  std::snprintf(buf, sizeof buf, "%llu beats in %llu bursts, DRAM latency %u + %s channel sharing",
                static_cast<unsigned long long>(beats_total), static_cast<unsigned long long>(r.bursts),
                hw_.dram_latency, store ? "W" : "R");
  r.why = buf;
  return r;
}

}  // namespace kiln::perf
