// Test-only fault injection for the fast NPU (docs/fast_model.md, "Fault
// injection"). The lockstep backend (docs/driver.md) must prove that it finds
// a wrong result; the RTL and the model agree bit for bit, so the only honest
// way to get a difference is to break one side on purpose:
//
//   KILN_FAST_FAULT=<unit>:<n>[:<bit>]
//
// flips bit <bit> (default 0, < 32) of the first 32-bit lane of the output of
// the n-th (0-based) operation of <unit> that this NpuFast performs:
//   dma        first lane the descriptor writes (scratchpad or device memory)
//   matmul     lane 0 of accumulator row ACC_ADDR (seen at the next WRITEBACK;
//              pick bit >= 16 for a BF16 WRITEBACK, lower bits round away)
//   writeback  lane 0 of scratchpad word OUT_ADDR (column 0)
//   vector     lane 0 of scratchpad word DST_ADDR (element 0 / row 0's result)
// Unset or empty: no fault. Read once when the model is built.
#pragma once

#include <cstdint>
#include <cstdlib>
#include <string>

namespace kiln {

class FaultPlan {
 public:
  enum Unit { kDma = 0, kMatmul, kWriteback, kVector, kUnits };

  // Parses `spec` (the variable's value); false + *err if malformed, and
  // then no fault is armed.
  bool parse(const char* spec, std::string* err) {
    unit_ = -1;
    if (!spec || !*spec) return true;
    static const char* const names[kUnits] = {"dma", "matmul", "writeback", "vector"};
    const std::string s(spec);
    const size_t c1 = s.find(':');
    const std::string name = s.substr(0, c1);
    int u = -1;
    for (int i = 0; i < kUnits; ++i)
      if (name == names[i]) u = i;
    const auto number = [](const std::string& t, uint64_t* out) {
      if (t.empty() || t.find_first_not_of("0123456789") != std::string::npos) return false;
      *out = std::strtoull(t.c_str(), nullptr, 10);
      return true;
    };
    const size_t c2 = c1 == std::string::npos ? c1 : s.find(':', c1 + 1);
    uint64_t n = 0, bit = 0;
    const bool ok = u >= 0 && c1 != std::string::npos &&
                    number(s.substr(c1 + 1, c2 == std::string::npos ? c2 : c2 - c1 - 1), &n) &&
                    (c2 == std::string::npos || (number(s.substr(c2 + 1), &bit) && bit < 32));
    if (!ok) {
      if (err)
        *err = "KILN_FAST_FAULT=\"" + s +
               "\" is not <dma|matmul|writeback|vector>:<n>[:<bit < 32>]; no fault injected";
      return false;
    }
    unit_ = u;
    n_ = n;
    bit_ = static_cast<unsigned>(bit);
    return true;
  }

  // Counts one operation of `u`; true if it is the one to corrupt.
  bool take(Unit u) {
    const uint64_t i = seen_[u]++;
    return unit_ == u && i == n_;
  }
  uint32_t mask() const { return 1u << bit_; }
  unsigned bit() const { return bit_; }

 private:
  int unit_ = -1;
  uint64_t n_ = 0;
  unsigned bit_ = 0;
  uint64_t seen_[kUnits] = {};
};

}  // namespace kiln
