// The island's view of a Verilated model: raw pointers to its AXI pins plus a
// few virtual hooks. Keeping the island code independent of the generated
// class lets the same island drive Vkiln_npu_top and the test RTL.
#pragma once

#include <cstdint>
#include <string>

namespace kiln {

// AXI4 master pins of the model (outputs are read, inputs are written).
// Widths follow kiln_dma: 4-bit IDs, 32-bit addresses, 256-bit data.
struct Axi4MasterPins {
  const uint8_t *awid, *awlen, *awsize, *awburst, *awvalid;
  const uint32_t* awaddr;
  const uint32_t* wdata;  // 8 words, little-endian word order
  const uint32_t* wstrb;
  const uint8_t *wlast, *wvalid, *bready;
  const uint8_t *arid, *arlen, *arsize, *arburst, *arvalid;
  const uint32_t* araddr;
  const uint8_t* rready;
  uint8_t *awready, *wready, *bid, *bresp, *bvalid, *arready, *rid, *rresp, *rlast, *rvalid;
  uint32_t* rdata;  // 8 words
};

// AXI4-Lite slave pins of the model (16-bit address, 32-bit data).
struct AxiLiteSlavePins {
  uint16_t* awaddr;
  uint8_t* awvalid;
  const uint8_t* awready;
  uint32_t* wdata;
  uint8_t *wstrb, *wvalid;
  const uint8_t* wready;
  const uint8_t *bresp, *bvalid;
  uint8_t* bready;
  uint16_t* araddr;
  uint8_t* arvalid;
  const uint8_t* arready;
  const uint32_t* rdata;
  const uint8_t *rresp, *rvalid;
  uint8_t* rready;
};

class RtlModel {
 public:
  virtual ~RtlModel() = default;
  virtual void set_clk(bool v) = 0;
  virtual void set_rst_n(bool v) = 0;
  virtual void eval() = 0;
  virtual bool irq_host() const = 0;
  virtual bool irq_fw() const = 0;
  virtual Axi4MasterPins& axi() = 0;
  virtual AxiLiteSlavePins& axil() = 0;
  // The STATUS register's value this cycle (kiln_npu_top's status_o), for
  // run traces; false if the model has no such port (test RTL).
  virtual bool status(uint32_t* value) const = 0;
  // Waveform: open a file (false if tracing is not compiled in), dump one
  // sample at time_ps, close.
  virtual bool trace_open(const std::string& file) = 0;
  virtual void trace_dump(uint64_t time_ps) = 0;
  virtual void trace_close() = 0;
  virtual void final() = 0;
};

}  // namespace kiln
