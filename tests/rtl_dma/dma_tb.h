// Drives a Verilated kiln_dma against the AXI slave, the protocol checker
// and the scratchpad model, one clock cycle per step().
#pragma once
#include <verilated.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include "Vkiln_dma.h"
#include "axi_protocol_checker.h"
#include "axi_slave_model.h"
#include "spad_model.h"

namespace kiln::tb {

struct DmaDesc {
  uint32_t dram = 0, spad = 0;  // byte addresses
  uint32_t row_bytes = 32, rows = 1, dram_stride = 0, spad_stride = 0;
  bool dir = false;             // false: DRAM -> scratchpad
};

struct ChannelStatus {
  bool busy, error;
  uint32_t resp, err_addr;
};

class DmaTb {
 public:
  static constexpr unsigned kChannels = 2;
  static constexpr size_t kSpadWords = 16384;

  DmaTb(const AxiSlaveConfig& axi_cfg, double spad_refuse, uint32_t seed,
        const AxiCheckerConfig& chk_cfg = {})
      : ctx_(std::make_unique<VerilatedContext>()),
        dut(std::make_unique<Vkiln_dma>(ctx_.get())),
        axi(axi_cfg), chk(chk_cfg), spad(kSpadWords, kChannels, spad_refuse, seed) {
    dut->clk_i = 0;
    dut->rst_ni = 0;
    dut->abort_i = 0;
    dut->start_i = 0;
    for (int i = 0; i < 4; ++i) step();
    dut->rst_ni = 1;
    done_count.assign(kChannels, 0);
  }
  ~DmaTb() { dut->final(); }

  // Presents a descriptor with a start pulse in the next step().
  void start(unsigned ch, const DmaDesc& d) {
    dut->cfg_dram_addr_i[ch] = d.dram;
    dut->cfg_spad_addr_i[ch] = d.spad;
    dut->cfg_row_bytes_i[ch] = d.row_bytes;
    dut->cfg_rows_i[ch] = d.rows;
    dut->cfg_dram_stride_i[ch] = d.dram_stride;
    dut->cfg_spad_stride_i[ch] = d.spad_stride;
    dut->cfg_dir_i = (dut->cfg_dir_i & ~(1u << ch)) | (uint32_t(d.dir) << ch);
    dut->start_i |= 1u << ch;
  }

  void step() {
    AxiPins p;
    axi.drive(p);
    axi_drive_slave_outputs(*dut, p);
    spad.begin_cycle();
    uint32_t rvalid = 0;
    for (unsigned c = 0; c < kChannels; ++c) {
      if (spad.rvalid(c)) rvalid |= 1u << c;
      for (int w = 0; w < 8; ++w) dut->spad_rdata_i[c][w] = spad.rdata(c)[w];
    }
    dut->spad_rvalid_i = rvalid;
    dut->spad_gnt_i = 0;
    dut->eval();
    // Grant depends on the request of this very cycle.
    uint32_t gnt = 0;
    for (unsigned c = 0; c < kChannels; ++c)
      if (spad.gnt(c, dut->spad_req_o >> c & 1)) gnt |= 1u << c;
    dut->spad_gnt_i = gnt;
    dut->eval();

    axi_sample_master_outputs(*dut, p);
    chk.observe(p);
    if (dut->perf_rd_beat_o) ++perf_rd;
    if (dut->perf_wr_beat_o) ++perf_wr;
    if (dut->perf_rd_beat_o != (p.rvalid && p.rready)) ++perf_mismatch;
    if (dut->perf_wr_beat_o != (p.wvalid && p.wready)) ++perf_mismatch;
    if (dut->rst_ni) {
      for (unsigned c = 0; c < kChannels; ++c)
        if (dut->done_o >> c & 1) ++done_count[c];
    }
    if (on_cycle) on_cycle(p);

    for (unsigned c = 0; c < kChannels; ++c) {
      Beat wd;
      for (int w = 0; w < 8; ++w) wd[w] = dut->spad_wdata_o[c][w];
      spad.clock(c, dut->spad_req_o >> c & 1, dut->spad_we_o >> c & 1, dut->spad_addr_o[c], wd,
                 dut->spad_wstrb_o[c]);
    }
    axi.tick(p);

    dut->clk_i = 1;
    dut->eval();
    dut->clk_i = 0;
    dut->start_i = 0;
    ++cycle;
  }

  // Steps until pred() holds; false after max_cycles.
  bool run_until(const std::function<bool()>& pred, uint64_t max_cycles) {
    for (uint64_t i = 0; i < max_cycles; ++i) {
      if (pred()) return true;
      step();
    }
    return pred();
  }
  bool busy(unsigned ch) const { return dut->busy_o >> ch & 1; }
  bool wait_idle(unsigned ch, uint64_t max_cycles = 2'000'000) {
    return run_until([&] { return !busy(ch); }, max_cycles);
  }
  ChannelStatus status(unsigned ch) const {
    return {busy(ch), bool(dut->error_o >> ch & 1), dut->resp_o[ch], dut->err_addr_o[ch]};
  }

 private:
  std::unique_ptr<VerilatedContext> ctx_;

 public:
  std::unique_ptr<Vkiln_dma> dut;
  AxiSlaveModel axi;
  AxiProtocolChecker chk;
  SpadModel spad;
  std::function<void(const AxiPins&)> on_cycle;
  std::vector<uint64_t> done_count;
  uint64_t cycle = 0, perf_rd = 0, perf_wr = 0, perf_mismatch = 0;
};

}  // namespace kiln::tb
