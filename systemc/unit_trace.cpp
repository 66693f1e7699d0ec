#include "unit_trace.h"

#include "kiln_regs.h"
#include "kiln_vu_footprint.h"

namespace kiln {

unsigned UnitTrace::tc() { return KILN_DMA_COUNT; }
unsigned UnitTrace::vu() { return KILN_DMA_COUNT + 1; }

UnitTrace::UnitTrace(TraceWriter& w, const std::string& label) : w_(w) {
  const std::string pre = label.empty() ? std::string() : label + ": ";
  for (unsigned c = 0; c < KILN_DMA_COUNT; ++c) tracks_.push_back(w_.add_track(pre + "DMA ch" + std::to_string(c)));
  tracks_.push_back(w_.add_track(pre + "tensor core"));
  tracks_.push_back(w_.add_track(pre + "vector unit"));
}

void UnitTrace::begin(unsigned unit, uint64_t ns, const RegRead& reg) {
  if (unit >= tracks_.size()) return;
  TraceArgs a;
  if (unit < KILN_DMA_COUNT) {
    const unsigned ch = unit;
    const bool store = reg(KILN_REG_DMA_CTRL(ch)) & KILN_DMA_CTRL_DIR_MASK;
    const uint32_t row_bytes = reg(KILN_REG_DMA_ROW_BYTES(ch)), rows = reg(KILN_REG_DMA_ROWS(ch));
    a.num("bytes", uint64_t(row_bytes) * rows)
        .num("rows", rows)
        .num("row_bytes", row_bytes)
        .hex("dram_addr", reg(KILN_REG_DMA_DRAM_ADDR_LO(ch)))
        .hex("spad_addr", reg(KILN_REG_DMA_SPAD_ADDR(ch)));
    // load: device memory -> scratchpad; store: the other way (DMA CTRL.DIR).
    w_.begin(tracks_[unit], ns, store ? "store" : "load", "dma", a);
  } else if (unit == tc()) {
    const uint32_t op = reg(KILN_REG_TC_OP(0));
    const uint32_t opcode = (op & KILN_TC_OP_OPCODE_MASK) >> KILN_TC_OP_OPCODE_SHIFT;
    const uint32_t dtype = (op & KILN_TC_OP_DTYPE_MASK) >> KILN_TC_OP_DTYPE_SHIFT;
    a.num("m", reg(KILN_REG_TC_M(0))).num("n", reg(KILN_REG_TC_N(0)));
    if (opcode == 0) {
      a.num("k", reg(KILN_REG_TC_K(0)))
          .str("dtype", dtype == 1 ? "int8" : "bf16")
          .num("accumulate", (op & KILN_TC_OP_ACCUMULATE_MASK) ? 1 : 0);
    } else if (opcode == 1) {
      a.str("out", (op & KILN_TC_OP_OUT_FP32_MASK) ? "32-bit" : "bf16");
    }
    w_.begin(tracks_[unit], ns, opcode == 0 ? "GEMM" : opcode == 1 ? "WRITEBACK" : "reserved op", "tc", a);
  } else {
    const uint32_t op = reg(KILN_REG_VU_OP(0)) & KILN_VU_OP_CODE_MASK;
    a.num("rows", reg(KILN_REG_VU_ROWS(0))).num("cols", reg(KILN_REG_VU_COLS(0))).hex("flags", reg(KILN_REG_VU_FLAGS(0)));
    w_.begin(tracks_[unit], ns, kiln_vu_op_name(op), "vu", a);
  }
}

void UnitTrace::end(unsigned unit, uint64_t ns) {
  if (unit < tracks_.size()) w_.end(tracks_[unit], ns);
}

void UnitTrace::status_changed(uint32_t status, uint64_t ns, const RegRead& reg) {
  auto bit_of = [](unsigned unit) -> uint32_t {
    if (unit < KILN_DMA_COUNT) return 1u << (KILN_STATUS_DMA_BUSY_SHIFT + unit);
    return unit == tc() ? KILN_STATUS_TC_BUSY_MASK : KILN_STATUS_VU_BUSY_MASK;
  };
  for (unsigned u = 0; u < tracks_.size(); ++u) {
    const uint32_t b = bit_of(u);
    if ((status & b) == (last_status_ & b)) continue;
    if (status & b)
      begin(u, ns, reg);
    else
      end(u, ns);
  }
  last_status_ = status;
}

}  // namespace kiln
