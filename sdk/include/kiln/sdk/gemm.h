// GEMM on the NPU: C = A x B for any M, N, K. A and B are BF16 (or INT8 in
// 16-bit lanes); C is BF16 (RNE) or FP32 (INT32 for INT8 inputs).
//
// The kernel tiles the problem over the scratchpad (see docs/sdk.md):
// M x N x K blocks of kBlockM x kBlockN x kBlockK, A and B tiles double-
// buffered in their own banks, loads on DMA channel 0, stores on channel 1,
// so the next tile loads and the previous result drains while the tensor core
// computes. Results are bit-exact with kiln::golden::gemm_*.
#pragma once

#include <cstdint>
#include <string>

#include "kiln/kiln.hpp"
#include "kiln/sdk/matrix.h"

namespace kiln::sdk {

struct GemmPlan {
  static constexpr uint32_t kBlockM = 128;
  static constexpr uint32_t kBlockN = 128;
  static constexpr uint32_t kBlockK = 256;
};

struct GemmOptions {
  // B is given transposed, as Bt [N][K] (row n holds column n of B): the
  // layout of GGUF weights ([out][in]) and of a K cache (Q x K^T). The tensor
  // core loads weight tiles column-wise, so no transpose pass is needed.
  bool b_transposed = false;
};

// Checks shapes and types; returns an empty string when the GEMM is
// supported, else a message naming the offending operand.
std::string gemm_check(const DeviceMatrix &a, const DeviceMatrix &b, const DeviceMatrix &c,
                       const GemmOptions &opts = {});

// Appends the GEMM's commands to `cb` (no fence; submit adds one).
// Throws kiln::Error(KILN_ERR_INVALID_ARGUMENT) when gemm_check fails.
void gemm_commands(kiln::CommandBuffer &cb, const DeviceMatrix &a, const DeviceMatrix &b,
                   const DeviceMatrix &c, const GemmOptions &opts = {});

// Builds, submits and waits. timeout_ns is simulated time (0 = device default).
void gemm(kiln::Device &dev, const DeviceMatrix &a, const DeviceMatrix &b, const DeviceMatrix &c,
          const GemmOptions &opts = {}, uint64_t timeout_ns = 0);

}  // namespace kiln::sdk
