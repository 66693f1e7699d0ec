#include "kiln/perf/hw_config.h"

#include <cstdio>
#include <cstdlib>
#include <functional>

#include "kiln_hw.h"

namespace kiln::perf {

HwConfig HwConfig::from_build() {
  HwConfig h;
  h.clock_mhz = KILN_HW_CLOCK_MHZ;
  h.tc_rows = KILN_HW_TENSOR_CORE_ROWS;
  h.tc_cols = KILN_HW_TENSOR_CORE_COLS;
  h.acc_rows = KILN_HW_TENSOR_CORE_ACC_ROWS;
  h.spad_bytes = KILN_HW_SCRATCHPAD_BYTES;
  h.spad_banks = KILN_HW_SCRATCHPAD_BANKS;
  h.word_bytes = KILN_HW_SCRATCHPAD_WORD_BYTES;
  h.axi_bytes = KILN_HW_AXI_DATA_BITS / 8;
  h.max_burst_beats = KILN_HW_AXI_MAX_BURST_BEATS;
  h.max_outstanding_reads = KILN_HW_AXI_MAX_OUTSTANDING_READS;
  h.max_outstanding_writes = KILN_HW_AXI_MAX_OUTSTANDING_WRITES;
  h.dma_channels = KILN_HW_DMA_CHANNELS;
  h.dram_latency = KILN_HW_DRAM_LATENCY_CYCLES;
  h.dram_bytes_per_cycle = KILN_HW_DRAM_BYTES_PER_CYCLE;
  return h;
}

namespace {
struct Key {
  const char* name;
  const char* meaning;
  std::function<bool(HwConfig&, const std::string&)> set;
};

bool parse_u(const std::string& s, uint64_t lo, uint64_t hi, uint64_t* out) {
  char* end = nullptr;
  const unsigned long long v = std::strtoull(s.c_str(), &end, 10);
  if (s.empty() || *end || v < lo || v > hi) return false;
  *out = v;
  return true;
}
bool parse_d(const std::string& s, double lo, double hi, double* out) {
  char* end = nullptr;
  const double v = std::strtod(s.c_str(), &end);
  if (s.empty() || *end || !(v >= lo && v <= hi)) return false;
  *out = v;
  return true;
}

const std::vector<Key>& table() {
  static const std::vector<Key> t = {
      {"tc", "tensor-core array RxC, e.g. 32x32 (R = C = 4..256, the scratchpad word grows to C BF16 lanes)",
       [](HwConfig& h, const std::string& v) {
         const size_t x = v.find('x');
         uint64_t r, c;
         if (x == std::string::npos || !parse_u(v.substr(0, x), 4, 256, &r) || !parse_u(v.substr(x + 1), 4, 256, &c))
           return false;
         h.tc_rows = uint32_t(r);
         h.tc_cols = uint32_t(c);
         h.word_bytes = uint32_t(2 * c);  // a word holds a tile row of BF16
         h.vu_lanes = uint32_t(c / 2);
         return true;
       }},
      {"spad_kib", "scratchpad (on-chip SRAM) in KiB, 64..65536",
       [](HwConfig& h, const std::string& v) {
         uint64_t k;
         if (!parse_u(v, 64, 65536, &k)) return false;
         h.spad_bytes = k * 1024;
         return true;
       }},
      {"dram_gbps", "DRAM bandwidth in GB/s (bytes per cycle follow from the clock), 1..100000",
       [](HwConfig& h, const std::string& v) {
         double g;
         if (!parse_d(v, 1, 1e5, &g)) return false;
         h.dram_bytes_per_cycle = g * 1000.0 / h.clock_mhz;
         return true;
       }},
      {"clock_mhz", "NPU clock in MHz, 10..10000 (DRAM GB/s kept: its bytes per cycle are rescaled)",
       [](HwConfig& h, const std::string& v) {
         double m;
         if (!parse_d(v, 10, 1e4, &m)) return false;
         const double gbps = h.dram_bytes_per_cycle * h.clock_mhz / 1000.0;
         h.clock_mhz = m;
         h.dram_bytes_per_cycle = gbps * 1000.0 / m;
         return true;
       }},
      {"axi_bits", "DMA data path width in bits, 64..8192 (what-if only: the command model moves one word a beat)",
       [](HwConfig& h, const std::string& v) {
         uint64_t b;
         if (!parse_u(v, 64, 8192, &b) || b % 64) return false;
         h.axi_bytes = uint32_t(b / 8);
         return true;
       }},
      {"dram_latency", "DRAM latency in cycles, 1..10000",
       [](HwConfig& h, const std::string& v) {
         uint64_t l;
         if (!parse_u(v, 1, 10000, &l)) return false;
         h.dram_latency = uint32_t(l);
         return true;
       }},
      {"dma_channels", "DMA channels, 1..4",
       [](HwConfig& h, const std::string& v) {
         uint64_t n;
         if (!parse_u(v, 1, 4, &n)) return false;
         h.dma_channels = uint32_t(n);
         return true;
       }},
  };
  return t;
}
}  // namespace

bool HwConfig::set(const std::string& kv, std::string* err) {
  const size_t eq = kv.find('=');
  const std::string key = kv.substr(0, eq);
  for (const Key& k : table()) {
    if (key != k.name) continue;
    if (eq == std::string::npos || !k.set(*this, kv.substr(eq + 1))) {
      if (err) *err = "bad value in '" + kv + "': " + k.name + " is " + k.meaning;
      return false;
    }
    return true;
  }
  if (err) {
    *err = "unknown hardware key '" + key + "' (known:";
    for (const Key& k : table()) *err += std::string(" ") + k.name;
    *err += ")";
  }
  return false;
}

std::vector<std::pair<std::string, std::string>> HwConfig::keys() {
  std::vector<std::pair<std::string, std::string>> out;
  for (const Key& k : table()) out.emplace_back(k.name, k.meaning);
  return out;
}

std::string HwConfig::summary() const {
  char buf[200];
  std::snprintf(buf, sizeof buf, "%ux%u TC @ %.0f MHz, %llu KiB SRAM, %.0f GB/s DRAM (latency %u)", tc_rows,
                tc_cols, clock_mhz, static_cast<unsigned long long>(spad_bytes / 1024),
                dram_bytes_per_cycle * clock_mhz / 1000.0, dram_latency);
  return buf;
}

}  // namespace kiln::perf
