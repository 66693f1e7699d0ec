// Scratchpad port model matching kiln_spad's timing: grant in the request
// cycle (here refused at random, as if a higher-priority unit won the bank),
// read data one cycle after a granted read with rvalid.
#pragma once
#include <cstdint>
#include <random>
#include <vector>

#include "axi_pins.h"

namespace kiln::tb {

class SpadModel {
 public:
  SpadModel(size_t words, unsigned ports, double refuse_prob, uint32_t seed)
      : mem(words), refuse_prob_(refuse_prob), rng_(seed), refuse_(ports, false),
        rvalid_(ports, false), rdata_(ports) {}

  void set_refuse_prob(double p) { refuse_prob_ = p; }

  // Decides this cycle's refusals; call before the model is evaluated.
  void begin_cycle() {
    for (size_t i = 0; i < refuse_.size(); ++i)
      refuse_[i] = refuse_prob_ > 0 && std::uniform_real_distribution<double>(0, 1)(rng_) < refuse_prob_;
  }
  bool gnt(unsigned port, bool req) const { return req && !refuse_[port]; }
  bool rvalid(unsigned port) const { return rvalid_[port]; }
  const Beat& rdata(unsigned port) const { return rdata_[port]; }

  // Applies one port's access at the clock edge.
  void clock(unsigned port, bool req, bool we, uint32_t addr, const Beat& wdata, uint32_t wstrb) {
    bool g = gnt(port, req);
    rvalid_[port] = g && !we;
    if (!g) return;
    if (addr >= mem.size()) {
      ++bad_addr;
      return;
    }
    if (we) {
      auto* dst = reinterpret_cast<uint8_t*>(mem[addr].data());
      auto* src = reinterpret_cast<const uint8_t*>(wdata.data());
      for (int i = 0; i < 32; ++i)
        if (wstrb >> i & 1) dst[i] = src[i];
      ++writes;
    } else {
      rdata_[port] = mem[addr];
      ++reads;
    }
  }

  std::vector<Beat> mem;
  uint64_t writes = 0, reads = 0, bad_addr = 0;

 private:
  double refuse_prob_;
  std::mt19937 rng_;
  std::vector<bool> refuse_, rvalid_;
  std::vector<Beat> rdata_;
};

}  // namespace kiln::tb
