// Passive AXI4 checker: call observe() once per cycle with the settled pins
// (after the model's combinational evaluation, before the clock edge).
// Records every violation as text; tests require the list to be empty.
#pragma once
#include <cstdint>
#include <algorithm>
#include <deque>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "axi_pins.h"

namespace kiln::tb {

struct AxiCheckerConfig {
  unsigned max_reads = 16;   // outstanding AR (accepted, last R not yet seen)
  unsigned max_writes = 16;  // outstanding AW (accepted, B not yet seen)
  unsigned size = 5;         // expected AxSIZE (32-byte beats)
  bool full_strobes = true;  // every W beat writes all bytes
  unsigned max_errors = 20;  // stop recording after this many
};

class AxiProtocolChecker {
 public:
  explicit AxiProtocolChecker(const AxiCheckerConfig& cfg = {}) : cfg_(cfg) {}

  void observe(const AxiPins& p) {
    check_stable(p);
    if (p.arvalid && p.arready) on_ar(p);
    if (p.awvalid && p.awready) on_aw(p);  // before W: same-cycle W may belong to it
    if (p.rvalid && p.rready) on_r(p);
    if (p.wvalid && p.wready) on_w(p);
    if (p.bvalid && p.bready) on_b(p);
    prev_ = p;
    have_prev_ = true;
    ++cycle_;
  }

  const std::vector<std::string>& errors() const { return errors_; }
  std::string report() const {
    std::string s;
    for (const auto& e : errors_) s += e + "\n";
    return s;
  }
  unsigned reads_outstanding() const { return reads_; }
  unsigned writes_outstanding() const { return writes_; }
  unsigned max_reads_seen() const { return max_reads_seen_; }
  unsigned max_writes_seen() const { return max_writes_seen_; }

 private:
  void fail(const std::string& what) {
    if (errors_.size() < cfg_.max_errors) {
      std::ostringstream os;
      os << "cycle " << cycle_ << ": " << what;
      errors_.push_back(os.str());
    }
  }

  // VALID may not drop and the payload may not change until READY.
  void check_stable(const AxiPins& p) {
    if (!have_prev_) return;
    const AxiPins& q = prev_;
    if (q.arvalid && !q.arready) {
      if (!p.arvalid) fail("ARVALID dropped before ARREADY");
      else if (p.arid != q.arid || p.araddr != q.araddr || p.arlen != q.arlen ||
               p.arsize != q.arsize || p.arburst != q.arburst)
        fail("AR payload changed while stalled");
    }
    if (q.awvalid && !q.awready) {
      if (!p.awvalid) fail("AWVALID dropped before AWREADY");
      else if (p.awid != q.awid || p.awaddr != q.awaddr || p.awlen != q.awlen ||
               p.awsize != q.awsize || p.awburst != q.awburst)
        fail("AW payload changed while stalled");
    }
    if (q.wvalid && !q.wready) {
      if (!p.wvalid) fail("WVALID dropped before WREADY");
      else if (p.wdata != q.wdata || p.wstrb != q.wstrb || p.wlast != q.wlast)
        fail("W payload changed while stalled");
    }
    if (q.rvalid && !q.rready) {
      if (!p.rvalid) fail("RVALID dropped before RREADY");
      else if (p.rid != q.rid || p.rdata != q.rdata || p.rresp != q.rresp || p.rlast != q.rlast)
        fail("R payload changed while stalled");
    }
    if (q.bvalid && !q.bready) {
      if (!p.bvalid) fail("BVALID dropped before BREADY");
      else if (p.bid != q.bid || p.bresp != q.bresp) fail("B payload changed while stalled");
    }
  }

  void check_addr(const char* ch, uint32_t addr, uint32_t len, uint32_t size, uint32_t burst) {
    std::ostringstream os;
    os << ch << " addr=0x" << std::hex << addr << std::dec << " len=" << len << ": ";
    if (burst != 1) fail(os.str() + "burst type is not INCR");
    if (size != cfg_.size) fail(os.str() + "unexpected size");
    if (len > 255) fail(os.str() + "len > 255");
    uint64_t bytes = uint64_t(len + 1) << size;
    if ((addr & ((1u << size) - 1)) != 0) fail(os.str() + "address not aligned to the beat");
    if ((addr & 0xFFFu) + bytes > 4096) fail(os.str() + "burst crosses a 4 KiB boundary");
  }

  void on_ar(const AxiPins& p) {
    check_addr("AR", p.araddr, p.arlen, p.arsize, p.arburst);
    rd_[p.arid].push_back({p.arlen, 0});
    if (++reads_ > cfg_.max_reads) fail("more reads outstanding than allowed");
    max_reads_seen_ = std::max(max_reads_seen_, reads_);
  }

  void on_r(const AxiPins& p) {
    auto& q = rd_[p.rid];
    if (q.empty()) {
      fail("R beat with ID " + std::to_string(p.rid) + " that has no outstanding read");
      return;
    }
    Burst& b = q.front();
    bool last = b.beat == b.len;
    if (p.rlast != last) fail("RLAST wrong on beat " + std::to_string(b.beat));
    if (last) {
      q.pop_front();
      --reads_;
    } else {
      ++b.beat;
    }
  }

  void on_aw(const AxiPins& p) {
    check_addr("AW", p.awaddr, p.awlen, p.awsize, p.awburst);
    wq_.push_back({p.awid, p.awlen, 0});
    if (++writes_ > cfg_.max_writes) fail("more writes outstanding than allowed");
    max_writes_seen_ = std::max(max_writes_seen_, writes_);
  }

  void on_w(const AxiPins& p) {
    if (wq_.empty()) {
      fail("W beat before its AW");
      return;
    }
    WBurst& w = wq_.front();
    bool last = w.beat == w.len;
    if (p.wlast != last) fail("WLAST wrong on beat " + std::to_string(w.beat));
    if (cfg_.full_strobes && p.wstrb != 0xFFFFFFFFu) fail("partial WSTRB");
    if (last) {
      b_due_[w.id]++;
      wq_.pop_front();
    } else {
      ++w.beat;
    }
  }

  void on_b(const AxiPins& p) {
    auto it = b_due_.find(p.bid);
    if (it == b_due_.end() || it->second == 0) {
      fail("B with ID " + std::to_string(p.bid) + " before all its W beats");
      return;
    }
    --it->second;
    --writes_;
  }

  struct Burst {
    uint32_t len, beat;
  };
  struct WBurst {
    uint32_t id, len, beat;
  };

  AxiCheckerConfig cfg_;
  AxiPins prev_;
  bool have_prev_ = false;
  uint64_t cycle_ = 0;
  std::map<uint32_t, std::deque<Burst>> rd_;
  std::deque<WBurst> wq_;
  std::map<uint32_t, unsigned> b_due_;
  unsigned reads_ = 0, writes_ = 0, max_reads_seen_ = 0, max_writes_seen_ = 0;
  std::vector<std::string> errors_;
};

}  // namespace kiln::tb
