// The hardware the performance model predicts for: the architectural
// parameters of rtl/kiln_hw.toml (defaults come from the generated kiln_hw.h,
// so the model and the RTL cannot drift apart) plus the micro-architectural
// latencies of the RTL blocks and the platform, each measured on the RTL
// (docs/perf_model.md says where). `kiln-perf whatif` varies the former.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace kiln::perf {

struct HwConfig {
  // ---- architecture (rtl/kiln_hw.toml) ----
  double clock_mhz = 1000;
  uint32_t tc_rows = 16;           // R: reduction depth of a weight tile
  uint32_t tc_cols = 16;           // C: output columns of a tile
  uint32_t acc_rows = 2048;
  uint64_t spad_bytes = 512 * 1024;
  uint32_t spad_banks = 4;
  uint32_t word_bytes = 32;        // scratchpad word = AXI beat
  uint32_t axi_bytes = 32;         // DMA data path per cycle (the what-if may widen it beyond a word)
  uint32_t max_burst_beats = 256;
  uint32_t max_outstanding_reads = 16;
  uint32_t max_outstanding_writes = 16;
  uint32_t dma_channels = 2;
  uint32_t dram_latency = 100;     // cycles
  double dram_bytes_per_cycle = 64;

  // ---- micro-architecture (cycles; measured on the RTL) ----
  uint32_t csr_read = 2;           // AXI4-Lite read of kiln_csr_regs
  uint32_t csr_write = 3;          // AXI4-Lite write
  uint32_t start_delay = 2;        // START write issued -> unit busy
  uint32_t router_latency = 2;     // NPU / control core -> DRAM through the router
  uint32_t dma_issue_delay = 2;    // DMA start -> first AR/AW
  uint32_t dma_done_delay = 2;     // last R beat / B response -> channel idle
  uint32_t dma_r_burst_gap = 0;    // R cycles lost between read bursts
  uint32_t dma_slot_reuse = 2;     // finished burst -> its outstanding slot reusable
  uint32_t page_bytes = 4096;      // AXI bursts never cross a 4 KiB boundary
  uint32_t tc_wb_latency = 3;      // WRITEBACK accumulator read pipeline
  uint32_t vu_lanes = 8;           // FP32 lanes per vector beat
  uint32_t vu_latency = 17;        // vector pipeline fill
  uint32_t wake_latency = 1;       // unit done / doorbell -> firmware running again
  uint32_t irq_latency = 1;        // IRQ_SET write -> host interrupt seen

  // The build's configuration (generated kiln_hw.h).
  static HwConfig from_build();

  uint32_t axi_beat_bytes() const { return word_bytes; }
  uint64_t spad_words() const { return spad_bytes / word_bytes; }
  double peak_macs_per_cycle() const { return double(tc_rows) * tc_cols; }

  // "key=value" overrides, e.g. "tc=32x32", "spad_kib=1024", "dram_gbps=256",
  // "clock_mhz=1500", "dram_latency=80". false + *err on an unknown key or a
  // bad value. keys() lists them with their meaning.
  bool set(const std::string& key_value, std::string* err);
  static std::vector<std::pair<std::string, std::string>> keys();
  std::string summary() const;  // one line: "16x16 TC @ 1000 MHz, 512 KiB SRAM, 64 GB/s DRAM"
};

}  // namespace kiln::perf
