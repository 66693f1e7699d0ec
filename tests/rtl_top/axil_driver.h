// AXI4-Lite master for Verilated models that carry the kiln_csr_regs slave
// ports (s_axil_*): kiln_csr_regs itself and kiln_npu_top.
#pragma once

#include <cstdint>
#include <cstdio>
#include <functional>
#include <stdexcept>
#include <string>

namespace kiln_test {

constexpr uint8_t kRespOkay = 0;
constexpr uint8_t kRespSlvErr = 2;

// Drives the clock and calls `on_cycle` once per cycle, before the rising
// edge, so tests can watch pulses the bus transfer does not show.
template <typename Model>
class Clock {
 public:
  explicit Clock(Model& m) : m_(m) {}
  std::function<void()> on_cycle;    // before the rising edge
  std::function<void()> after_edge;  // after it, to update other models' outputs
  uint64_t cycles = 0;

  void tick() {
    m_.eval();
    if (on_cycle) on_cycle();
    m_.clk_i = 1;
    m_.eval();
    m_.clk_i = 0;
    m_.eval();
    if (after_edge) after_edge();
    ++cycles;
  }
  void reset(int n = 4) {
    m_.rst_ni = 0;
    for (int i = 0; i < n; ++i) tick();
    m_.rst_ni = 1;
    tick();
  }

 private:
  Model& m_;
};

template <typename Model>
class AxilMaster {
 public:
  AxilMaster(Model& m, Clock<Model>& clk) : m_(m), clk_(clk) { idle(); }

  struct ReadResult {
    uint32_t data;
    uint8_t resp;
  };

  void idle() {
    m_.s_axil_awvalid = 0;
    m_.s_axil_wvalid = 0;
    m_.s_axil_bready = 0;
    m_.s_axil_arvalid = 0;
    m_.s_axil_rready = 0;
  }

  // aw_delay/w_delay: cycles before AWVALID/WVALID go up; b_delay: cycles
  // BREADY stays low once BVALID is seen.
  uint8_t write(uint32_t addr, uint32_t data, uint8_t strb = 0xF, int aw_delay = 0,
                int w_delay = 0, int b_delay = 0) {
    bool aw_done = false, w_done = false;
    int b_wait = 0;
    m_.s_axil_awaddr = static_cast<uint16_t>(addr);
    m_.s_axil_wdata = data;
    m_.s_axil_wstrb = strb;
    for (int cyc = 0; cyc < kTimeout; ++cyc) {
      m_.s_axil_awvalid = !aw_done && cyc >= aw_delay;
      m_.s_axil_wvalid = !w_done && cyc >= w_delay;
      m_.eval();
      if (m_.s_axil_bvalid && b_wait++ >= b_delay) m_.s_axil_bready = 1;
      m_.eval();
      const bool aw_hs = m_.s_axil_awvalid && m_.s_axil_awready;
      const bool w_hs = m_.s_axil_wvalid && m_.s_axil_wready;
      const bool b_hs = m_.s_axil_bvalid && m_.s_axil_bready;
      const uint8_t resp = m_.s_axil_bresp;
      if (b_hs && !(aw_done && w_done)) throw std::runtime_error("BVALID before AW and W were accepted");
      clk_.tick();
      aw_done |= aw_hs;
      w_done |= w_hs;
      if (b_hs) {
        idle();
        return resp;
      }
    }
    throw std::runtime_error("AXI4-Lite write to 0x" + hex(addr) + " timed out");
  }

  ReadResult read(uint32_t addr, int r_delay = 0) {
    bool ar_done = false;
    int r_wait = 0;
    m_.s_axil_araddr = static_cast<uint16_t>(addr);
    for (int cyc = 0; cyc < kTimeout; ++cyc) {
      m_.s_axil_arvalid = !ar_done;
      m_.eval();
      if (m_.s_axil_rvalid && r_wait++ >= r_delay) m_.s_axil_rready = 1;
      m_.eval();
      const bool ar_hs = m_.s_axil_arvalid && m_.s_axil_arready;
      const bool r_hs = m_.s_axil_rvalid && m_.s_axil_rready;
      const ReadResult r{m_.s_axil_rdata, m_.s_axil_rresp};
      clk_.tick();
      ar_done |= ar_hs;
      if (r_hs) {
        idle();
        return r;
      }
    }
    throw std::runtime_error("AXI4-Lite read of 0x" + hex(addr) + " timed out");
  }

  uint32_t read32(uint32_t addr) {
    const ReadResult r = read(addr);
    if (r.resp != kRespOkay) throw std::runtime_error("read of 0x" + hex(addr) + " answered an error");
    return r.data;
  }

 private:
  static constexpr int kTimeout = 64;
  static std::string hex(uint32_t v) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "%x", v);
    return buf;
  }
  Model& m_;
  Clock<Model>& clk_;
};

}  // namespace kiln_test
