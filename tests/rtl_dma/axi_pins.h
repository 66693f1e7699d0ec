// Plain snapshot of one AXI4 interface (256-bit data) in one clock cycle,
// so the slave model and the protocol checker work with any Verilated top.
#pragma once
#include <array>
#include <cstdint>

namespace kiln::tb {

using Beat = std::array<uint32_t, 8>;  // 256 bits, word 0 = bytes 0..3

struct AxiPins {
  // master -> slave
  bool awvalid = false;
  uint32_t awid = 0, awaddr = 0, awlen = 0, awsize = 0, awburst = 0;
  bool wvalid = false, wlast = false;
  Beat wdata{};
  uint32_t wstrb = 0;
  bool bready = false;
  bool arvalid = false;
  uint32_t arid = 0, araddr = 0, arlen = 0, arsize = 0, arburst = 0;
  bool rready = false;
  // slave -> master
  bool awready = false, wready = false, arready = false;
  bool bvalid = false;
  uint32_t bid = 0, bresp = 0;
  bool rvalid = false, rlast = false;
  uint32_t rid = 0, rresp = 0;
  Beat rdata{};
};

enum : uint32_t { kRespOkay = 0, kRespExOkay = 1, kRespSlvErr = 2, kRespDecErr = 3 };

// Copies between a Verilated model with m_axi_* ports and AxiPins.
template <typename M>
void axi_drive_slave_outputs(M& m, const AxiPins& p) {
  m.m_axi_awready = p.awready;
  m.m_axi_wready = p.wready;
  m.m_axi_arready = p.arready;
  m.m_axi_bvalid = p.bvalid;
  m.m_axi_bid = p.bid;
  m.m_axi_bresp = p.bresp;
  m.m_axi_rvalid = p.rvalid;
  m.m_axi_rlast = p.rlast;
  m.m_axi_rid = p.rid;
  m.m_axi_rresp = p.rresp;
  for (int i = 0; i < 8; ++i) m.m_axi_rdata[i] = p.rdata[i];
}

template <typename M>
void axi_sample_master_outputs(const M& m, AxiPins& p) {
  p.awvalid = m.m_axi_awvalid;
  p.awid = m.m_axi_awid;
  p.awaddr = m.m_axi_awaddr;
  p.awlen = m.m_axi_awlen;
  p.awsize = m.m_axi_awsize;
  p.awburst = m.m_axi_awburst;
  p.wvalid = m.m_axi_wvalid;
  p.wlast = m.m_axi_wlast;
  p.wstrb = m.m_axi_wstrb;
  for (int i = 0; i < 8; ++i) p.wdata[i] = m.m_axi_wdata[i];
  p.bready = m.m_axi_bready;
  p.arvalid = m.m_axi_arvalid;
  p.arid = m.m_axi_arid;
  p.araddr = m.m_axi_araddr;
  p.arlen = m.m_axi_arlen;
  p.arsize = m.m_axi_arsize;
  p.arburst = m.m_axi_arburst;
  p.rready = m.m_axi_rready;
}

}  // namespace kiln::tb
