// The CSR block's register semantics, driven by the generated table
// (kiln_regs_table.h from rtl/csr/kiln_regs.toml) so that it matches the
// generated RTL slave (kiln_csr_regs.sv) register for register:
//   const  reads the reset value, writes ignored
//   rw     ((q & ~strobe_mask) | (wdata & strobe_mask)) & implemented bits
//   ro     reads the hardware value (callback); X_HI of a 64-bit counter reads
//          the snapshot taken when X_LO was read
//   w1c    hardware sets bits, a written 1 clears
//   wo     reads 0; a write is a pulse to the hardware (callback)
// Offsets with no register answer SLVERR for reads and writes (data 0).
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "kiln_regs_table.h"

namespace kiln {

class RegFile {
 public:
  using ReadHw = std::function<uint32_t(uint32_t offset)>;
  using WritePulse = std::function<void(uint32_t offset, uint32_t bits)>;

  RegFile(ReadHw ro, WritePulse wo);

  // Hardware reset (rst_ni): rw to reset values, w1c and latches to 0.
  void reset();
  // AXI response codes (0 OKAY, 2 SLVERR).
  uint8_t read(uint32_t offset, uint32_t* value);
  uint8_t write(uint32_t offset, uint32_t wdata, uint8_t strb = 0xF);
  // The `_set_i` input of a w1c register.
  void hw_set(uint32_t offset, uint32_t bits);
  // Stored value of a rw or w1c register (what the hardware sees as `_q`).
  uint32_t q(uint32_t offset) const;
  // Table row of the register at `offset`, nullptr if none.
  const kiln_reg_info_t* info(uint32_t offset) const;

 private:
  int row(uint32_t offset) const;
  ReadHw ro_;
  WritePulse wo_;
  std::vector<int16_t> row_of_word_;  // CSR window word -> table row, -1 = hole
  std::vector<uint32_t> q_;           // per row: rw/w1c value or HI latch
};

}  // namespace kiln
