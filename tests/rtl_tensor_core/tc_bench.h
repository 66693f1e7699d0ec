// Test bench for kiln_tensor_core: a cycle model of the scratchpad ports
// (grant in the request cycle, read data one cycle later, optional random
// refusals) and helpers to run one operation.
#pragma once

#include <array>
#include <cstdint>
#include <random>
#include <vector>

#include "Vkiln_tensor_core.h"
#include "kiln_hw.h"

namespace tc_test {

constexpr int kWords = KILN_HW_SCRATCHPAD_WORDS;
using Word = std::array<uint16_t, 16>;  // lane i = bits [16i+15:16i]

struct TcOp {
  int opcode = 0, dtype = 0;
  bool accumulate = false, out_fp32 = false, b_transposed = false;
  uint32_t a_addr = 0, a_stride = 0, b_addr = 0, b_stride = 0, acc_addr = 0;
  uint32_t m = 0, n = 0, k = 0, out_addr = 0, out_stride = 0;
};

struct OpStats {
  uint64_t cycles = 0, rows = 0, stalls = 0;
  bool done = false;
};

class TcBench {
 public:
  explicit TcBench(uint64_t seed) : spad(kWords), rng_(seed) {
    for (auto& w : spad) w.fill(0);
    tc_.clk_i = 0;
    tc_.rst_ni = 0;
    tc_.eval();
    tick();
    tick();
    tc_.rst_ni = 1;
  }

  // Probability (percent) that a requesting port is refused in a cycle.
  void set_refusal(int pct) { refuse_pct_ = pct; }

  void set_cfg(const TcOp& op) {
    tc_.cfg_opcode_i = op.opcode;
    tc_.cfg_dtype_i = op.dtype;
    tc_.cfg_accumulate_i = op.accumulate;
    tc_.cfg_out_fp32_i = op.out_fp32;
    tc_.cfg_b_transposed_i = op.b_transposed;
    tc_.cfg_a_addr_i = op.a_addr;
    tc_.cfg_a_stride_i = op.a_stride;
    tc_.cfg_b_addr_i = op.b_addr;
    tc_.cfg_b_stride_i = op.b_stride;
    tc_.cfg_acc_addr_i = op.acc_addr;
    tc_.cfg_m_i = op.m;
    tc_.cfg_n_i = op.n;
    tc_.cfg_k_i = op.k;
    tc_.cfg_out_addr_i = op.out_addr;
    tc_.cfg_out_stride_i = op.out_stride;
  }

  // Starts `op` and clocks until done_o (or max_cycles).
  OpStats run(const TcOp& op, uint64_t max_cycles = 2000000) {
    set_cfg(op);
    tc_.start_i = 1;
    cycle();
    tc_.start_i = 0;
    // Config is latched at start: flipping the layout input must not matter.
    tc_.cfg_b_transposed_i = !op.b_transposed;
    OpStats st;
    while (st.cycles < max_cycles) {
      ++st.cycles;
      st.rows += tc_.perf_row_o;
      st.stalls += tc_.perf_stall_o;
      const bool done = tc_.done_o;
      cycle();
      if (done) {
        st.done = true;
        break;
      }
    }
    return st;
  }

  // One clock cycle: present last cycle's read data, let the core request,
  // decide grants, serve the granted accesses, clock the edge. Returns
  // done_o/busy_o as seen before the edge through the model's outputs.
  void cycle() {
    tc_.a_rvalid_i = a_pending_;
    tc_.b_rvalid_i = b_pending_;
    set_word(tc_.a_rdata_i, a_pending_ ? a_data_ : Word{});
    set_word(tc_.b_rdata_i, b_pending_ ? b_data_ : Word{});
    tc_.a_gnt_i = tc_.b_gnt_i = tc_.o_gnt_i = 0;
    tc_.clk_i = 0;
    tc_.eval();
    const bool ga = tc_.a_req_o && grant();
    const bool gb = tc_.b_req_o && grant();
    const bool go = tc_.o_req_o && grant();
    tc_.a_gnt_i = ga;
    tc_.b_gnt_i = gb;
    tc_.o_gnt_i = go;
    tc_.eval();
    a_pending_ = ga;
    b_pending_ = gb;
    if (ga) a_data_ = spad.at(tc_.a_addr_o);
    if (gb) b_data_ = spad.at(tc_.b_addr_o);
    if (go) {
      Word& w = spad.at(tc_.o_addr_o);
      const uint32_t strb = tc_.o_wstrb_o;
      for (int i = 0; i < 16; ++i) {
        const uint16_t v = static_cast<uint16_t>(tc_.o_wdata_o[i / 2] >> (16 * (i % 2)));
        uint16_t mask = 0;
        if (strb >> (2 * i) & 1u) mask |= 0x00FF;
        if (strb >> (2 * i + 1) & 1u) mask |= 0xFF00;
        w[i] = static_cast<uint16_t>((w[i] & ~mask) | (v & mask));
      }
    }
    ++total_cycles_;
    tc_.clk_i = 1;
    tc_.eval();
  }

  Vkiln_tensor_core& dut() { return tc_; }
  uint64_t total_cycles() const { return total_cycles_; }

  std::vector<Word> spad;

 private:
  static void set_word(VlWide<8>& dst, const Word& w) {
    for (int i = 0; i < 8; ++i)
      dst[i] = static_cast<uint32_t>(w[2 * i]) | (static_cast<uint32_t>(w[2 * i + 1]) << 16);
  }
  void tick() {
    tc_.clk_i = 0;
    tc_.eval();
    tc_.clk_i = 1;
    tc_.eval();
  }
  bool grant() { return refuse_pct_ == 0 || static_cast<int>(rng_() % 100) >= refuse_pct_; }

  Vkiln_tensor_core tc_;
  std::mt19937_64 rng_;
  int refuse_pct_ = 0;
  bool a_pending_ = false, b_pending_ = false;
  Word a_data_{}, b_data_{};
  uint64_t total_cycles_ = 0;
};

}  // namespace tc_test
