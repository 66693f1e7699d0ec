// Unit operation costs shared by the performance model and the fast C++ NPU
// model (systemc/fast), so both time the tensor core and the vector unit by
// one definition. gemm_cost / writeback_cost are in model.h.
#pragma once

#include <cstdint>
#include <vector>

#include "kiln/perf/model.h"

namespace kiln::perf {

struct VectorShape {
  uint32_t rows = 0, cols = 0;
  uint32_t src0_addr = 0, src1_addr = 0, src2_addr = 0, dst_addr = 0;
  uint32_t src0_stride = 0, src1_stride = 0, dst_stride = 0;
  bool uses_src1 = false;
  bool src0_fp32 = false, src1_fp32 = false, dst_fp32 = false;
  uint32_t src1_mode = 0;
  bool reduction = false, axpy = false, rowsum = false;
};
// hot (optional): per bank, 1 if the op keeps that bank busy every cycle
// (the busiest bank of a middle row), so any other access there delays it.
OpCost vector_cost(const HwConfig& hw, const VectorShape& v, std::vector<uint8_t>* hot = nullptr);

}  // namespace kiln::perf
