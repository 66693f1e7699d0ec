// Pin-level AXI4-Lite master: performs one CSR access at a time on the
// model's s_axil_* port. Same sample()/update() protocol as Axi4SlaveAdapter.
#pragma once

#include <cstdint>

#include "rtl_model.h"

namespace kiln {

class AxiLiteMaster {
 public:
  explicit AxiLiteMaster(AxiLiteSlavePins& pins) : p_(pins) {}

  void reset();
  bool idle() const { return state_ == State::kIdle; }
  // Starts an access; the pins change now and are seen at the next edge.
  void start_read(uint32_t offset);
  void start_write(uint32_t offset, uint32_t value, uint8_t strb = 0xF);
  void sample();
  // True once, at the update in which the access completed.
  bool update();
  uint32_t rdata() const { return rdata_; }
  uint8_t resp() const { return resp_; }

 private:
  enum class State { kIdle, kRead, kWrite };
  AxiLiteSlavePins& p_;
  State state_ = State::kIdle;
  bool aw_done_ = false, w_done_ = false;
  bool ar_fire_ = false, aw_fire_ = false, w_fire_ = false, r_fire_ = false, b_fire_ = false;
  uint32_t rdata_ = 0;
  uint8_t resp_ = 0;
};

}  // namespace kiln
