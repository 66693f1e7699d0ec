#include "axil_master.h"

namespace kiln {

void AxiLiteMaster::reset() {
  state_ = State::kIdle;
  *p_.awvalid = *p_.wvalid = *p_.arvalid = 0;
  *p_.bready = *p_.rready = 0;
  ar_fire_ = aw_fire_ = w_fire_ = r_fire_ = b_fire_ = false;
}

void AxiLiteMaster::start_read(uint32_t offset) {
  state_ = State::kRead;
  *p_.araddr = static_cast<uint16_t>(offset);
  *p_.arvalid = 1;
  *p_.rready = 1;
}

void AxiLiteMaster::start_write(uint32_t offset, uint32_t value, uint8_t strb) {
  state_ = State::kWrite;
  aw_done_ = w_done_ = false;
  *p_.awaddr = static_cast<uint16_t>(offset);
  *p_.awvalid = 1;
  *p_.wdata = value;
  *p_.wstrb = strb;
  *p_.wvalid = 1;
  *p_.bready = 1;
}

void AxiLiteMaster::sample() {
  ar_fire_ = *p_.arvalid && *p_.arready;
  aw_fire_ = *p_.awvalid && *p_.awready;
  w_fire_ = *p_.wvalid && *p_.wready;
  r_fire_ = *p_.rvalid && *p_.rready;
  b_fire_ = *p_.bvalid && *p_.bready;
  if (r_fire_) {
    rdata_ = *p_.rdata;
    resp_ = *p_.rresp;
  }
  if (b_fire_) resp_ = *p_.bresp;
}

bool AxiLiteMaster::update() {
  switch (state_) {
    case State::kRead:
      if (ar_fire_) *p_.arvalid = 0;
      if (r_fire_) {
        *p_.rready = 0;
        state_ = State::kIdle;
        return true;
      }
      return false;
    case State::kWrite:
      if (aw_fire_) *p_.awvalid = 0;
      if (w_fire_) *p_.wvalid = 0;
      if (b_fire_) {
        *p_.bready = 0;
        state_ = State::kIdle;
        return true;
      }
      return false;
    default:
      return false;
  }
}

}  // namespace kiln
