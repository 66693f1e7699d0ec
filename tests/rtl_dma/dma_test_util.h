// Reference model and helpers shared by the kiln_dma tests.
#pragma once
#include <cstdint>
#include <cstring>
#include <random>
#include <vector>

#include "dma_tb.h"

namespace kiln::tb {

constexpr uint32_t kDramBase = 0x80000000u;

inline uint32_t pattern(uint32_t a, uint32_t salt) {
  uint32_t x = a * 0x9E3779B1u ^ salt;
  x ^= x >> 15;
  x *= 0x85EBCA77u;
  return x ^ (x >> 13);
}

// Byte-exact copy of device memory [base, base+bytes) plus the scratchpad,
// updated the way a descriptor should update them.
struct RefState {
  uint32_t base;
  std::vector<uint8_t> dram;
  std::vector<Beat> spad;

  RefState(uint32_t b, size_t bytes) : base(b), dram(bytes), spad(DmaTb::kSpadWords) {}

  Beat dram_beat(uint32_t addr) const {
    Beat b;
    std::memcpy(b.data(), &dram[addr - base], 32);
    return b;
  }

  // Applies d; beats for which skip(dram address) is true are not moved
  // (error responses leave the destination untouched).
  template <typename Skip>
  void apply(const DmaDesc& d, Skip skip) {
    uint32_t beats = d.row_bytes / 32;
    for (uint32_t r = 0; r < d.rows; ++r) {
      for (uint32_t i = 0; i < beats; ++i) {
        uint32_t a = d.dram + r * d.dram_stride + i * 32;
        uint32_t w = (d.spad / 32 + r * (d.spad_stride / 32) + i) % DmaTb::kSpadWords;
        if (skip(a)) continue;
        if (d.dir) std::memcpy(&dram[a - base], spad[w].data(), 32);
        else spad[w] = dram_beat(a);
      }
    }
  }
  void apply(const DmaDesc& d) {
    apply(d, [](uint32_t) { return false; });
  }
};

// Fills device memory and the scratchpad with distinct patterns, in both the
// testbench and the reference.
inline void fill(DmaTb& tb, RefState& ref, uint32_t salt) {
  for (size_t i = 0; i < ref.dram.size(); i += 4) {
    uint32_t v = pattern(ref.base + uint32_t(i), salt);
    std::memcpy(&ref.dram[i], &v, 4);
  }
  tb.axi.mem_write(ref.base, ref.dram.data(), ref.dram.size());
  for (size_t w = 0; w < ref.spad.size(); ++w)
    for (int k = 0; k < 8; ++k) ref.spad[w][k] = pattern(uint32_t(w * 8 + k), salt ^ 0x5A5A5A5Au);
  tb.spad.mem = ref.spad;
}

inline size_t count_dram_mismatch(const DmaTb& tb, const RefState& ref) {
  std::vector<uint8_t> got(ref.dram.size());
  tb.axi.mem_read(ref.base, got.data(), got.size());
  size_t bad = 0;
  for (size_t i = 0; i < got.size(); i += 32)
    if (std::memcmp(&got[i], &ref.dram[i], 32) != 0) ++bad;
  return bad;
}

inline size_t count_spad_mismatch(const DmaTb& tb, const RefState& ref) {
  size_t bad = 0;
  for (size_t w = 0; w < ref.spad.size(); ++w)
    if (tb.spad.mem[w] != ref.spad[w]) ++bad;
  return bad;
}

// Runs one descriptor on channel ch to completion (no other traffic).
inline bool run_desc(DmaTb& tb, unsigned ch, const DmaDesc& d, uint64_t max_cycles = 1'000'000) {
  tb.start(ch, d);
  tb.step();
  bool ok = tb.wait_idle(ch, max_cycles);
  tb.step();  // done_o is registered: it pulses the cycle after busy falls
  return ok;
}

}  // namespace kiln::tb
