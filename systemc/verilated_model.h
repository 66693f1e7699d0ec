// RtlModel over any Verilated class with kiln_npu_top's port names. Included
// only by code that links the Verilated library (it needs its headers).
#pragma once

#include <verilated.h>
#include <verilated_fst_c.h>

#include <memory>
#include <type_traits>
#include <utility>

#include "rtl_model.h"

namespace kiln {

// Whether a Verilated class has kiln_npu_top's status_o port (test tops do not).
template <class M, class = void>
struct HasStatusPort : std::false_type {};
template <class M>
struct HasStatusPort<M, std::void_t<decltype(std::declval<M&>().status_o)>> : std::true_type {};

template <class M>
class VerilatedRtlModel : public RtlModel {
 public:
  VerilatedRtlModel() : ctx_(std::make_unique<VerilatedContext>()) {
    // Tracing must be allowed before the model is built to be usable later.
    ctx_->traceEverOn(true);
    m_ = std::make_unique<M>(ctx_.get(), "top");
    bind();
  }
  ~VerilatedRtlModel() override { trace_close(); }

  void set_clk(bool v) override { m_->clk_i = v; }
  void set_rst_n(bool v) override { m_->rst_ni = v; }
  void eval() override { m_->eval(); }
  bool irq_host() const override { return m_->irq_host_o; }
  bool irq_fw() const override { return m_->irq_fw_o; }
  Axi4MasterPins& axi() override { return axi_; }
  AxiLiteSlavePins& axil() override { return axil_; }
  bool status(uint32_t* value) const override {
    if constexpr (HasStatusPort<M>::value) {
      *value = m_->status_o;
      return true;
    } else {
      (void)value;
      return false;
    }
  }
  bool trace_open(const std::string& file) override {
    fst_ = std::make_unique<VerilatedFstC>();
    m_->trace(fst_.get(), 99);
    fst_->open(file.c_str());
    return fst_->isOpen();
  }
  void trace_dump(uint64_t time_ps) override {
    if (fst_) fst_->dump(time_ps);
  }
  void trace_close() override {
    if (fst_) fst_->close();
    fst_.reset();
  }
  void final() override { m_->final(); }
  M& model() { return *m_; }

 private:
  template <class P, class T>
  static P* pin(T& port) {
    static_assert(sizeof(T) == sizeof(P), "Verilated port width differs from the expected AXI width");
    return reinterpret_cast<P*>(&port);
  }

  void bind() {
    M& m = *m_;
    axi_.awid = pin<const uint8_t>(m.m_axi_awid);
    axi_.awlen = pin<const uint8_t>(m.m_axi_awlen);
    axi_.awsize = pin<const uint8_t>(m.m_axi_awsize);
    axi_.awburst = pin<const uint8_t>(m.m_axi_awburst);
    axi_.awvalid = pin<const uint8_t>(m.m_axi_awvalid);
    axi_.awaddr = pin<const uint32_t>(m.m_axi_awaddr);
    axi_.wdata = m.m_axi_wdata.data();
    static_assert(sizeof(m.m_axi_wdata) == 32, "m_axi_wdata must be 256 bits");
    axi_.wstrb = pin<const uint32_t>(m.m_axi_wstrb);
    axi_.wlast = pin<const uint8_t>(m.m_axi_wlast);
    axi_.wvalid = pin<const uint8_t>(m.m_axi_wvalid);
    axi_.bready = pin<const uint8_t>(m.m_axi_bready);
    axi_.arid = pin<const uint8_t>(m.m_axi_arid);
    axi_.arlen = pin<const uint8_t>(m.m_axi_arlen);
    axi_.arsize = pin<const uint8_t>(m.m_axi_arsize);
    axi_.arburst = pin<const uint8_t>(m.m_axi_arburst);
    axi_.arvalid = pin<const uint8_t>(m.m_axi_arvalid);
    axi_.araddr = pin<const uint32_t>(m.m_axi_araddr);
    axi_.rready = pin<const uint8_t>(m.m_axi_rready);
    axi_.awready = pin<uint8_t>(m.m_axi_awready);
    axi_.wready = pin<uint8_t>(m.m_axi_wready);
    axi_.bid = pin<uint8_t>(m.m_axi_bid);
    axi_.bresp = pin<uint8_t>(m.m_axi_bresp);
    axi_.bvalid = pin<uint8_t>(m.m_axi_bvalid);
    axi_.arready = pin<uint8_t>(m.m_axi_arready);
    axi_.rid = pin<uint8_t>(m.m_axi_rid);
    axi_.rresp = pin<uint8_t>(m.m_axi_rresp);
    axi_.rlast = pin<uint8_t>(m.m_axi_rlast);
    axi_.rvalid = pin<uint8_t>(m.m_axi_rvalid);
    axi_.rdata = m.m_axi_rdata.data();
    static_assert(sizeof(m.m_axi_rdata) == 32, "m_axi_rdata must be 256 bits");

    axil_.awaddr = pin<uint16_t>(m.s_axil_awaddr);
    axil_.awvalid = pin<uint8_t>(m.s_axil_awvalid);
    axil_.awready = pin<const uint8_t>(m.s_axil_awready);
    axil_.wdata = pin<uint32_t>(m.s_axil_wdata);
    axil_.wstrb = pin<uint8_t>(m.s_axil_wstrb);
    axil_.wvalid = pin<uint8_t>(m.s_axil_wvalid);
    axil_.wready = pin<const uint8_t>(m.s_axil_wready);
    axil_.bresp = pin<const uint8_t>(m.s_axil_bresp);
    axil_.bvalid = pin<const uint8_t>(m.s_axil_bvalid);
    axil_.bready = pin<uint8_t>(m.s_axil_bready);
    axil_.araddr = pin<uint16_t>(m.s_axil_araddr);
    axil_.arvalid = pin<uint8_t>(m.s_axil_arvalid);
    axil_.arready = pin<const uint8_t>(m.s_axil_arready);
    axil_.rdata = pin<const uint32_t>(m.s_axil_rdata);
    axil_.rresp = pin<const uint8_t>(m.s_axil_rresp);
    axil_.rvalid = pin<const uint8_t>(m.s_axil_rvalid);
    axil_.rready = pin<uint8_t>(m.s_axil_rready);
  }

  std::unique_ptr<VerilatedContext> ctx_;
  std::unique_ptr<M> m_;
  std::unique_ptr<VerilatedFstC> fst_;
  Axi4MasterPins axi_{};
  AxiLiteSlavePins axil_{};
};

}  // namespace kiln
