#include "reg_file.h"

#include "kiln_hw.h"

namespace kiln {

namespace {
constexpr uint8_t kOkay = 0, kSlvErr = 2;
}

RegFile::RegFile(ReadHw ro, WritePulse wo)
    : ro_(std::move(ro)), wo_(std::move(wo)), row_of_word_(KILN_HW_CSR_SIZE / 4, -1), q_(KILN_REG_TABLE_COUNT, 0) {
  for (int i = 0; i < KILN_REG_TABLE_COUNT; ++i) row_of_word_[kiln_reg_table[i].offset / 4] = static_cast<int16_t>(i);
  reset();
}

void RegFile::reset() {
  for (int i = 0; i < KILN_REG_TABLE_COUNT; ++i)
    q_[i] = kiln_reg_table[i].access == KILN_ACCESS_RW ? kiln_reg_table[i].reset : 0;
}

int RegFile::row(uint32_t offset) const {
  // The slave decodes address bits [15:2]: the byte lane bits are ignored.
  const uint32_t w = (offset & (KILN_HW_CSR_SIZE - 1)) / 4;
  return row_of_word_[w];
}

const kiln_reg_info_t* RegFile::info(uint32_t offset) const {
  const int r = row(offset);
  return r < 0 ? nullptr : &kiln_reg_table[r];
}

uint8_t RegFile::read(uint32_t offset, uint32_t* value) {
  *value = 0;
  const int r = row(offset);
  if (r < 0) return kSlvErr;
  const kiln_reg_info_t& e = kiln_reg_table[r];
  switch (e.access) {
    case KILN_ACCESS_CONST: *value = e.reset; break;
    case KILN_ACCESS_RW:
    case KILN_ACCESS_W1C: *value = q_[r]; break;
    case KILN_ACCESS_WO: *value = 0; break;
    default:  // ro
      *value = e.latched_by != 0xFFFFFFFFu ? q_[r] : ro_(e.offset);
      break;
  }
  // Reading X_LO snapshots X_HI so LO-then-HI is one 64-bit value.
  if (e.access == KILN_ACCESS_RO) {
    for (int h = r + 1; h < KILN_REG_TABLE_COUNT && h <= r + 2; ++h)
      if (kiln_reg_table[h].latched_by == e.offset) q_[h] = ro_(kiln_reg_table[h].offset);
  }
  return kOkay;
}

uint8_t RegFile::write(uint32_t offset, uint32_t wdata, uint8_t strb) {
  const int r = row(offset);
  if (r < 0) return kSlvErr;
  const kiln_reg_info_t& e = kiln_reg_table[r];
  uint32_t mask = 0;
  for (unsigned i = 0; i < 4; ++i)
    if (strb >> i & 1) mask |= 0xFFu << (8 * i);
  const uint32_t bits = wdata & mask;
  switch (e.access) {
    case KILN_ACCESS_RW: q_[r] = ((q_[r] & ~mask) | bits) & e.impl_mask; break;
    case KILN_ACCESS_W1C: q_[r] = (q_[r] & ~bits) & e.impl_mask; break;
    case KILN_ACCESS_WO: wo_(e.offset, bits); break;
    default: break;  // const, ro: ignored, OKAY
  }
  return kOkay;
}

void RegFile::hw_set(uint32_t offset, uint32_t bits) {
  const int r = row(offset);
  if (r >= 0 && kiln_reg_table[r].access == KILN_ACCESS_W1C) q_[r] = (q_[r] | bits) & kiln_reg_table[r].impl_mask;
}

uint32_t RegFile::q(uint32_t offset) const {
  const int r = row(offset);
  return r < 0 ? 0 : q_[r];
}

}  // namespace kiln
