// Durations of single unit operations: tensor core (GEMM, WRITEBACK) and
// vector unit. Closed forms from the RTL's structure; the constants are in
// HwConfig and docs/perf_model.md gives the RTL measurement behind each.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <vector>

#include "kiln/perf/model.h"
#include "kiln/perf/unit_costs.h"

namespace kiln::perf {

namespace {
uint64_t div_up(uint64_t a, uint64_t b) { return (a + b - 1) / b; }
}  // namespace

// The array holds one R x C weight tile; A rows stream through it one per
// cycle. The next tile's weights (R rows + 1 handover) load while the
// current tile streams, but only from the middle of its A stream on, so a
// tile costs max(M, (M + 2R + 1) / 2) cycles: M for M >= 2R + 1, else
// weight-load bound. Then the fill: the first weight load, the skewed array
// and the accumulator adder, 2R + 4 cycles for M <= R growing with M up to
// 3R + 5. Fitted on the RTL (kiln-correlate tc_gemm_* cases, M = 1..64: exact
// to the cycle); docs/perf_model.md.
OpCost gemm_cost(const HwConfig& hw, uint32_t m, uint32_t n, uint32_t k) {
  OpCost c;
  const uint64_t r = hw.tc_rows;
  const uint64_t tiles = div_up(n, hw.tc_cols) * div_up(k, hw.tc_rows);
  const uint64_t twice = std::max<uint64_t>(2 * uint64_t(m), m + 2 * r + 1);  // 2 x cycles per tile
  c.compute = div_up(tiles * twice, 2);
  c.fill = std::clamp<uint64_t>(m + r + 4, 2 * r + 4, 3 * r + 5);
  c.cycles = c.compute + c.fill;
  char buf[160];
  std::snprintf(buf, sizeof buf, "%llu tiles x %s%.1f + fill %llu", static_cast<unsigned long long>(tiles),
                2 * uint64_t(m) >= m + 2 * r + 1 ? "M = " : "(M + 2R + 1)/2 = ", double(twice) / 2,
                static_cast<unsigned long long>(c.fill));
  c.why = buf;
  return c;
}

// One scratchpad word per cycle: BF16 packs C lanes a word, 32-bit lanes
// half as many.
OpCost writeback_cost(const HwConfig& hw, uint32_t m, uint32_t n, bool out_fp32) {
  OpCost c;
  const uint32_t lanes_per_word = out_fp32 ? hw.word_bytes / 4 : hw.word_bytes / 2;
  // Words are per tile: a tile's live lanes land in whole words.
  const uint64_t full_tiles = n / hw.tc_cols, rem = n % hw.tc_cols;
  const uint64_t words_per_row = full_tiles * div_up(hw.tc_cols, lanes_per_word) +
                                 (rem ? div_up(rem, lanes_per_word) : 0);
  c.compute = uint64_t(m) * words_per_row;
  c.fill = hw.tc_wb_latency;
  c.cycles = c.compute + c.fill;
  char buf[128];
  std::snprintf(buf, sizeof buf, "%u rows x %llu words + %u", m,
                static_cast<unsigned long long>(words_per_row), hw.tc_wb_latency);
  c.why = buf;
  return c;
}

// A beat is vu_lanes elements of a row. Every operand the op streams reads
// (or writes) one scratchpad word per beat: FP32 a word, BF16 the same word
// on two beats (the address generator does not keep it), a BF16 destination
// as two half-word writes. A bank serves one access per cycle, so a beat
// costs as many cycles as the busiest bank has operands on it. Operands are
// placed row by row (their strides move them between banks), so the count is
// taken per beat. Reductions write their row result with the row's last beat
// (one more access); EXP with ROW SUM writes the row sum after it.
OpCost vector_cost(const HwConfig& hw, const VectorShape& v, std::vector<uint8_t>* hot) {
  OpCost c;
  const uint64_t words = hw.spad_words();
  const uint64_t bank_words = std::max<uint64_t>(1, words / hw.spad_banks);
  const uint32_t beats = static_cast<uint32_t>(div_up(v.cols, hw.vu_lanes));
  struct Stream {
    uint64_t base;
    uint64_t stride;
    bool half;      // two beats per word
    bool fixed;     // the same word for every beat of the row (scalar per row)
  };
  std::vector<Stream> st;
  st.push_back({v.src0_addr, v.src0_stride, !v.src0_fp32, false});
  if (v.uses_src1 && v.src1_mode != 3) {
    if (v.src1_mode == 2) st.push_back({v.src1_addr, 0, false, true});
    else st.push_back({v.src1_addr, v.src1_mode == 1 ? 0 : v.src1_stride, !v.src1_fp32, false});
  }
  if (v.axpy) st.push_back({v.src2_addr, v.src0_stride, !v.src0_fp32, false});
  if (!v.reduction) st.push_back({v.dst_addr, v.dst_stride, !v.dst_fp32, false});
  std::vector<uint32_t> load(hw.spad_banks);
  uint64_t total = 0, conflicted = 0;
  for (uint32_t r = 0; r < v.rows; ++r) {
    uint64_t row_cycles = 0;
    uint64_t last_bank0 = 0;
    for (uint32_t b = 0; b < beats; ++b) {
      std::fill(load.begin(), load.end(), 0);
      uint32_t worst = 0;
      for (size_t i = 0; i < st.size(); ++i) {
        const Stream& s = st[i];
        const uint64_t w = s.fixed ? s.base + r / 8 : s.base + uint64_t(r) * s.stride + (s.half ? b / 2 : b);
        const uint64_t bank = (w % words) / bank_words;
        if (i == 0) last_bank0 = bank;
        worst = std::max(worst, ++load[bank]);
      }
      row_cycles += worst;
      if (hot && r == v.rows / 2 && b == 0) {
        hot->assign(hw.spad_banks, 0);
        for (uint32_t k = 0; k < hw.spad_banks; ++k) (*hot)[k] = load[k] == worst;
      }
    }
    if (v.reduction) {
      const uint64_t res_bank = ((uint64_t(v.dst_addr) + r / 8) % words) / bank_words;
      if (res_bank == last_bank0) ++row_cycles;  // the result write meets the last read
    }
    if (v.rowsum) ++row_cycles;
    conflicted += row_cycles - beats;
    total += row_cycles;
  }
  c.compute = total;
  c.fill = hw.vu_latency;
  c.cycles = c.compute + c.fill;
  char buf[192];
  std::snprintf(buf, sizeof buf, "%u rows x %u beats + %llu bank-conflict cycles + fill %u", v.rows, beats,
                static_cast<unsigned long long>(conflicted), hw.vu_latency);
  c.why = buf;
  return c;
}

}  // namespace kiln::perf
