// A small AXI4 slave memory for kiln_npu_top's m_axi_* master: INCR bursts of
// 32-byte beats, in-order responses, DECERR outside [base, base+size).
// Call drive() before the rising edge and commit() right after it.
#pragma once

#include <cstdint>
#include <cstring>
#include <deque>
#include <vector>

namespace kiln_test {

template <typename Model>
class AxiMem {
 public:
  AxiMem(Model& m, uint32_t base, uint32_t size) : m_(m), base_(base), mem_(size, 0) {}

  uint8_t* at(uint32_t addr) { return &mem_[addr - base_]; }
  uint64_t beats_read = 0, beats_written = 0;

  void drive() {
    m_.m_axi_arready = 1;
    m_.m_axi_awready = 1;
    m_.m_axi_wready = !aws_.empty();
    m_.m_axi_rvalid = !reads_.empty();
    if (!reads_.empty()) {
      Burst& r = reads_.front();
      const uint32_t a = r.addr + 32 * r.beat;
      const bool ok = in_range(r.addr, r.len);
      for (int i = 0; i < 8; ++i) {
        uint32_t w = 0;
        if (ok) std::memcpy(&w, at(a) + 4 * i, 4);
        m_.m_axi_rdata[i] = w;
      }
      m_.m_axi_rid = r.id;
      m_.m_axi_rresp = ok ? 0 : 3;
      m_.m_axi_rlast = r.beat == r.len;
    }
    m_.m_axi_bvalid = !bresps_.empty();
    if (!bresps_.empty()) {
      m_.m_axi_bid = bresps_.front().id;
      m_.m_axi_bresp = bresps_.front().resp;
    }
  }

  // Handshakes are sampled with the values seen before the edge.
  struct Sample {
    bool ar, aw, w, r, b;
    uint32_t araddr, awaddr;
    uint8_t arlen, awlen, arid, awid;
    bool wlast;
    uint32_t wstrb;
    uint32_t wdata[8];
  };
  Sample sample() const {
    Sample s{};
    s.ar = m_.m_axi_arvalid && m_.m_axi_arready;
    s.aw = m_.m_axi_awvalid && m_.m_axi_awready;
    s.w = m_.m_axi_wvalid && m_.m_axi_wready;
    s.r = m_.m_axi_rvalid && m_.m_axi_rready;
    s.b = m_.m_axi_bvalid && m_.m_axi_bready;
    s.araddr = m_.m_axi_araddr;
    s.arlen = m_.m_axi_arlen;
    s.arid = m_.m_axi_arid;
    s.awaddr = m_.m_axi_awaddr;
    s.awlen = m_.m_axi_awlen;
    s.awid = m_.m_axi_awid;
    s.wlast = m_.m_axi_wlast;
    s.wstrb = m_.m_axi_wstrb;
    for (int i = 0; i < 8; ++i) s.wdata[i] = m_.m_axi_wdata[i];
    return s;
  }

  void commit(const Sample& s) {
    if (s.r) {
      ++beats_read;
      Burst& r = reads_.front();
      if (r.beat++ == r.len) reads_.pop_front();
    }
    if (s.b) bresps_.pop_front();
    if (s.ar) reads_.push_back(Burst{s.araddr, s.arlen, s.arid, 0});
    if (s.aw) aws_.push_back(Burst{s.awaddr, s.awlen, s.awid, 0});
    if (s.w) {
      ++beats_written;
      Burst& w = aws_.front();
      const bool ok = in_range(w.addr, w.len);
      if (ok) {
        uint8_t* dst = at(w.addr + 32 * w.beat);
        const uint8_t* src = reinterpret_cast<const uint8_t*>(s.wdata);
        for (int i = 0; i < 32; ++i)
          if ((s.wstrb >> i) & 1) dst[i] = src[i];
      }
      if (w.beat++ == w.len) {
        bresps_.push_back(Resp{w.id, uint8_t(ok ? 0 : 3)});
        aws_.pop_front();
      }
    }
  }

 private:
  struct Burst {
    uint32_t addr;
    uint8_t len, id;
    uint32_t beat;
  };
  struct Resp {
    uint8_t id, resp;
  };
  bool in_range(uint32_t addr, uint32_t len) const {
    return addr >= base_ && uint64_t(addr) + 32ull * (len + 1) <= uint64_t(base_) + mem_.size();
  }
  Model& m_;
  uint32_t base_;
  std::vector<uint8_t> mem_;
  std::deque<Burst> reads_, aws_;
  std::deque<Resp> bresps_;
};

}  // namespace kiln_test
