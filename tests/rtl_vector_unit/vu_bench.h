// Test bench for kiln_vector_unit: a cycle model of the scratchpad (grant
// in the request cycle, read data one cycle later; optional random
// refusals and a fixed-priority bank model: reads 0..2 then the write, one
// access per bank per cycle) and helpers to run one VECTOR operation.
#pragma once

#include <cstdint>
#include <random>
#include <vector>

#include "Vkiln_vector_unit.h"
#include "kiln/golden/vector.h"
#include "kiln_hw.h"

namespace vu_test {

constexpr uint32_t kWords = KILN_HW_SCRATCHPAD_WORDS;
constexpr uint32_t kBankWords = kWords / KILN_HW_SCRATCHPAD_BANKS;

struct RunStats {
  uint64_t cycles = 0, elems = 0, stalls = 0, writes = 0;
  uint64_t first_write = 0, last_write = 0;
  bool done = false;
};

class VuBench {
 public:
  explicit VuBench(uint64_t seed) : spad(8 * kWords, 0), rng_(seed) {
    dut_.rst_ni = 0;
    dut_.start_i = 0;
    dut_.abort_i = 0;
    for (int i = 0; i < 3; ++i) cycle();
    dut_.rst_ni = 1;
  }

  void set_refusal(int pct) { refuse_pct_ = pct; }
  void set_banks(bool on) { banks_ = on; }

  void set_cfg(const kiln::golden::VectorOp& op) {
    dut_.cfg_op_i = static_cast<uint8_t>(op.op);
    dut_.cfg_flags_i = op.flags;
    dut_.cfg_rows_i = op.rows;
    dut_.cfg_cols_i = op.cols;
    dut_.cfg_src0_addr_i = op.src0_addr;
    dut_.cfg_src0_stride_i = op.src0_stride;
    dut_.cfg_src1_addr_i = op.src1_addr;
    dut_.cfg_src1_stride_i = op.src1_stride;
    dut_.cfg_src2_addr_i = op.src2_addr;
    dut_.cfg_dst_addr_i = op.dst_addr;
    dut_.cfg_dst_stride_i = op.dst_stride;
    dut_.cfg_imm_i = op.imm;
    dut_.cfg_aux_i = op.aux;
  }

  void start(const kiln::golden::VectorOp& op) {
    set_cfg(op);
    dut_.start_i = 1;
    cycle();
    dut_.start_i = 0;
  }

  // Starts `op` and clocks until done_o (or max_cycles).
  RunStats run(const kiln::golden::VectorOp& op, uint64_t max_cycles = 4000000) {
    start(op);
    RunStats st;
    while (st.cycles < max_cycles) {
      ++st.cycles;
      const bool done = dut_.done_o;
      cycle();
      st.elems += last_elems_;
      st.stalls += last_stall_;
      if (last_write_) {
        ++st.writes;
        if (!st.first_write) st.first_write = st.cycles;
        st.last_write = st.cycles;
      }
      if (done) {
        st.done = true;
        break;
      }
    }
    return st;
  }

  // One clock: present last cycle's read data, let the unit request,
  // decide grants, serve the granted accesses, clock the edge.
  void cycle() {
    dut_.rd_rvalid_i = pend_;
    for (int p = 0; p < 3; ++p)
      for (int i = 0; i < 8; ++i) dut_.rd_rdata_i[p][i] = (pend_ >> p & 1) ? data_[p][i] : 0;
    dut_.rd_gnt_i = 0;
    dut_.wr_gnt_i = 0;
    dut_.clk_i = 0;
    dut_.eval();
    uint32_t used_banks = 0;
    uint8_t g = 0;
    for (int p = 0; p < 3; ++p) {
      if (!(dut_.rd_req_o >> p & 1)) continue;
      if (grant(dut_.rd_addr_o[p], used_banks)) g |= static_cast<uint8_t>(1u << p);
    }
    const bool gw = dut_.wr_req_o && grant(dut_.wr_addr_o, used_banks);
    dut_.rd_gnt_i = g;
    dut_.wr_gnt_i = gw;
    dut_.eval();
    last_elems_ = dut_.perf_elems_o;
    last_stall_ = dut_.perf_stall_o;
    last_write_ = gw;
    pend_ = g;
    for (int p = 0; p < 3; ++p) {
      if (!(g >> p & 1)) continue;
      const uint32_t a = dut_.rd_addr_o[p];
      for (int i = 0; i < 8; ++i) data_[p][i] = spad.at(8 * a + i);
    }
    if (gw) {
      const uint32_t a = dut_.wr_addr_o, strb = dut_.wr_wstrb_o;
      for (int i = 0; i < 8; ++i) {
        uint32_t mask = 0;
        for (int b = 0; b < 4; ++b)
          if (strb >> (4 * i + b) & 1u) mask |= 0xFFu << (8 * b);
        uint32_t& w = spad.at(8 * a + i);
        w = (w & ~mask) | (dut_.wr_wdata_o[i] & mask);
      }
    }
    dut_.clk_i = 1;
    dut_.eval();
  }

  Vkiln_vector_unit& dut() { return dut_; }

  std::vector<uint32_t> spad;  // 8 x 32-bit lanes per 256-bit word

 private:
  bool grant(uint32_t addr, uint32_t& used) {
    if (banks_) {
      const uint32_t bit = 1u << (addr / kBankWords);
      if (used & bit) return false;
      used |= bit;
    }
    return refuse_pct_ == 0 || static_cast<int>(rng_() % 100) >= refuse_pct_;
  }

  Vkiln_vector_unit dut_;
  std::mt19937_64 rng_;
  int refuse_pct_ = 0;
  bool banks_ = false;
  uint8_t pend_ = 0;
  uint32_t data_[3][8] = {};
  uint32_t last_elems_ = 0;
  bool last_stall_ = false, last_write_ = false;
};

}  // namespace vu_test
