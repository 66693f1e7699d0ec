// The LLM kernel library: each kernel appends commands to a command buffer
// (no fence; kiln_submit adds one) so several kernels batch into one
// submission. Every kernel first checks its shapes and throws
// kiln::Error(KILN_ERR_INVALID_ARGUMENT) with a message naming the operand
// before it appends anything.
//
// Conventions (docs/sdk.md):
// - the residual stream is FP32 [T][hidden]; inputs of GEMMs are BF16;
// - weights are BF16 in GGUF's layout [out][in], used as transposed B;
// - the scratchpad and accumulator belong to one kernel at a time: a kernel
//   never relies on what an earlier kernel left there.
#pragma once

#include <cstdint>
#include <deque>
#include <vector>

#include "kiln/kiln.hpp"
#include "kiln/sdk/gemm.h"
#include "kiln/sdk/matrix.h"

namespace kiln::sdk {

// Device-memory scratch for intermediate tensors. Kernels take their
// temporaries from it; the caller keeps it alive until the submission that
// uses them has completed (freeing earlier would hand the memory to someone
// else while the device still writes it).
class Workspace {
 public:
  explicit Workspace(kiln::Device &dev) : dev_(dev) {}
  kiln::Device &device() { return dev_; }
  // A new matrix that lives as long as the workspace.
  const DeviceMatrix &matrix(uint32_t rows, uint32_t cols, DType t) {
    owned_.push_back(alloc_matrix(dev_, rows, cols, t));
    return owned_.back();
  }

 private:
  kiln::Device &dev_;
  std::deque<DeviceMatrix> owned_;  // deque: references stay valid
};

// ---- elementwise and row kernels (sdk/src/kernels_basic.cpp) -----------------
// out = x / sqrt(mean(x^2) + eps) * w. x FP32 [T][H]; w BF16 or FP32 [1][H]; out BF16 or FP32 [T][H].
void rmsnorm(kiln::CommandBuffer &cb, const DeviceMatrix &x, const DeviceMatrix &w, float eps,
             const DeviceMatrix &out);
// Row softmax: x FP32 [R][C] -> out BF16 or FP32 [R][C].
void softmax(kiln::CommandBuffer &cb, const DeviceMatrix &x, const DeviceMatrix &out);
// out = a + b, all FP32 [R][C] (out may alias a).
void residual_add(kiln::CommandBuffer &cb, const DeviceMatrix &a, const DeviceMatrix &b,
                  const DeviceMatrix &out);
// out[r] = index of the first maximum of x[r] (x FP32 [R][C], out INT32 [R][1]).
void argmax(kiln::CommandBuffer &cb, const DeviceMatrix &x, const DeviceMatrix &out);
// out[t] = table[ids[t]] widened to FP32 (table BF16 [V][H], out FP32 [T][H]).
void embedding(kiln::CommandBuffer &cb, const DeviceMatrix &table, const std::vector<uint32_t> &ids,
               const DeviceMatrix &out);

// RoPE in llama.cpp's "normal" mode for the llama architecture: adjacent
// pairs (x[2i], x[2i+1]) of every head rotated by pos * theta^(-2i/head_dim).
// The cos/sin table lives in device memory: FP32 [max_pos][head_dim] holding
// (cos, sin) interleaved per pair, computed on the host in FP64 and rounded.
struct RopeTable {
  DeviceMatrix cs;  // FP32 [max_pos][head_dim]
  uint32_t head_dim = 0;
  float theta = 0;
};
RopeTable make_rope_table(kiln::Device &dev, uint32_t max_pos, uint32_t head_dim, float theta);
// x BF16 [T][n_heads*head_dim] at positions pos0..pos0+T-1 -> out (same shape, BF16).
void rope(kiln::CommandBuffer &cb, const RopeTable &table, const DeviceMatrix &x, uint32_t pos0,
          const DeviceMatrix &out);

// SwiGLU FFN: out = (silu(x Wgᵀ) * (x Wuᵀ)) Wdᵀ. x BF16 [T][H]; w_gate, w_up BF16 [F][H];
// w_down BF16 [H][F]; out FP32 [T][H]. Intermediates come from `ws`.
void mlp(kiln::CommandBuffer &cb, Workspace &ws, const DeviceMatrix &x, const DeviceMatrix &w_gate,
         const DeviceMatrix &w_up, const DeviceMatrix &w_down, const DeviceMatrix &out);

// ---- attention (sdk/src/attention.cpp) --------------------------------------
struct AttentionShape {
  uint32_t n_heads = 9;
  uint32_t n_kv_heads = 3;
  uint32_t head_dim = 64;
};

// KV cache in device memory, BF16: k and v are [n_kv_heads * max_len][head_dim],
// head h's rows at h*max_len .. h*max_len + max_len - 1.
struct KvCache {
  DeviceMatrix k, v;
  uint32_t max_len = 0;
  uint32_t n_kv_heads = 0;
  uint32_t head_dim = 0;
};
KvCache make_kv_cache(kiln::Device &dev, const AttentionShape &s, uint32_t max_len);

// Causal grouped-query attention of T new tokens at positions pos0..pos0+T-1:
// appends k_new/v_new (BF16 [T][n_kv_heads*head_dim], RoPE already applied to
// k_new) to the cache, then out = softmax(q kᵀ / sqrt(head_dim) + causal mask) v
// with q BF16 [T][n_heads*head_dim] (RoPE applied) and out BF16 [T][n_heads*head_dim].
// Flash-style: KV blocks with online softmax, so any length up to max_len works.
// T == 1 is decode.
void attention(kiln::CommandBuffer &cb, Workspace &ws, const AttentionShape &s, const DeviceMatrix &q,
               const DeviceMatrix &k_new, const DeviceMatrix &v_new, KvCache &cache, uint32_t pos0,
               const DeviceMatrix &out);

// ---- a Llama-family decoder layer (sdk/src/decoder.cpp) ----------------------
struct LlamaConfig {  // SmolLM2-135M by default
  uint32_t hidden = 576;
  uint32_t n_heads = 9;
  uint32_t n_kv_heads = 3;
  uint32_t head_dim = 64;
  uint32_t ffn = 1536;
  float rms_eps = 1e-5f;
  float rope_theta = 100000.0f;
};
struct LlamaLayerWeights {  // BF16, GGUF layouts ([out][in] for projections)
  DeviceMatrix attn_norm, wq, wk, wv, wo, ffn_norm, w_gate, w_up, w_down;
};
// x (FP32 [T][hidden], the residual stream) is updated in place:
// x += wo(attention(rope(wq n1), rope(wk n1), wv n1)); x += mlp(rmsnorm(x)), n1 = rmsnorm(x).
void decoder_layer(kiln::CommandBuffer &cb, Workspace &ws, const LlamaConfig &cfg,
                   const LlamaLayerWeights &w, const RopeTable &rope_table, KvCache &cache,
                   uint32_t pos0, const DeviceMatrix &x);

}  // namespace kiln::sdk
