// One Llama-family decoder layer from the kernel library: RMSNorm, the Q/K/V
// projections (weights as transposed B), RoPE, cached causal GQA attention,
// the output projection with the residual add, then RMSNorm + SwiGLU FFN with
// the second residual add. x (FP32, the residual stream) is updated in place.
#include <sstream>

#include "attention_plan.h"
#include "kiln/sdk/gemm.h"
#include "kiln/sdk/kernels.h"

namespace kiln::sdk {
namespace {

std::string decoder_check(const LlamaConfig &cfg, const LlamaLayerWeights &w, const RopeTable &rt,
                          uint32_t pos0, const DeviceMatrix &x) {
  std::ostringstream os;
  const uint32_t H = cfg.hidden, D = cfg.head_dim, QD = cfg.n_heads * D, KD = cfg.n_kv_heads * D;
  auto mat = [&](const char *name, const DeviceMatrix &m, uint32_t r, uint32_t c, bool fp32_ok) {
    const bool type_ok = m.dtype == DType::BF16 || (fp32_ok && m.dtype == DType::FP32);
    if (!type_ok || m.rows != r || m.cols != c) {
      os << "decoder_layer: " << name << " is " << attn::shape_of(m) << ", expected " << r << "x" << c
         << (fp32_ok ? " BF16 or FP32" : " BF16");
      return false;
    }
    return true;
  };
  if (H == 0 || D == 0 || cfg.ffn == 0 || cfg.n_heads == 0 || cfg.n_kv_heads == 0)
    os << "decoder_layer: hidden, head_dim, ffn, n_heads and n_kv_heads must be > 0";
  else if (x.dtype != DType::FP32 || x.cols != H || x.rows == 0)
    os << "decoder_layer: x is " << attn::shape_of(x) << ", expected T x " << H << " FP32 with T > 0";
  else if (!mat("attn_norm", w.attn_norm, 1, H, true) || !mat("wq", w.wq, QD, H, false) ||
           !mat("wk", w.wk, KD, H, false) || !mat("wv", w.wv, KD, H, false) || !mat("wo", w.wo, H, QD, false) ||
           !mat("ffn_norm", w.ffn_norm, 1, H, true) || !mat("w_gate", w.w_gate, cfg.ffn, H, false) ||
           !mat("w_up", w.w_up, cfg.ffn, H, false) || !mat("w_down", w.w_down, H, cfg.ffn, false)) {
  } else if (rt.head_dim != D || rt.cs.rows < uint64_t(pos0) + x.rows)
    os << "decoder_layer: the RoPE table covers " << rt.cs.rows << " positions of head_dim " << rt.head_dim
       << ", the layer needs " << uint64_t(pos0) + x.rows << " of head_dim " << D;
  return os.str();
}

}  // namespace

void decoder_layer(kiln::CommandBuffer &cb, Workspace &ws, const LlamaConfig &cfg, const LlamaLayerWeights &w,
                   const RopeTable &rope_table, KvCache &cache, uint32_t pos0, const DeviceMatrix &x) {
  std::string why = decoder_check(cfg, w, rope_table, pos0, x);
  const uint32_t T = x.rows, H = cfg.hidden, D = cfg.head_dim;
  const uint32_t QD = cfg.n_heads * D, KD = cfg.n_kv_heads * D;
  const AttentionShape shape{cfg.n_heads, cfg.n_kv_heads, D};
  if (why.empty()) {
    // Attention's own checks, on stand-ins of the right shapes (no allocation yet).
    DeviceMatrix q, k, o;
    q.rows = k.rows = o.rows = T;
    q.cols = o.cols = QD;
    k.cols = KD;
    q.stride = k.stride = o.stride = 32;
    why = attention_check(shape, q, k, k, cache, pos0, o);
  }
  if (!why.empty()) throw kiln::Error(KILN_ERR_INVALID_ARGUMENT, why);

  const GemmOptions bt{true};
  auto &n1 = ws.matrix(T, H, DType::BF16);
  auto &q = ws.matrix(T, QD, DType::BF16);
  auto &k = ws.matrix(T, KD, DType::BF16);
  auto &v = ws.matrix(T, KD, DType::BF16);
  auto &qr = ws.matrix(T, QD, DType::BF16);
  auto &kr = ws.matrix(T, KD, DType::BF16);
  auto &att = ws.matrix(T, QD, DType::BF16);
  auto &proj = ws.matrix(T, H, DType::FP32);
  auto &n2 = ws.matrix(T, H, DType::BF16);
  auto &ffn = ws.matrix(T, H, DType::FP32);

  // Each kernel reads what the previous one stored to device memory: a full
  // barrier between kernels makes those stores visible (and hands over the
  // scratchpad). Barriers cost a few cycles when the units are already idle.
  auto next = [&cb] { cb.barrier(KILN_UNIT_ALL); };
  rmsnorm(cb, x, w.attn_norm, cfg.rms_eps, n1);
  next();
  gemm_commands(cb, n1, w.wq, q, bt);
  next();
  gemm_commands(cb, n1, w.wk, k, bt);
  next();
  gemm_commands(cb, n1, w.wv, v, bt);
  next();
  rope(cb, rope_table, q, pos0, qr);
  next();
  rope(cb, rope_table, k, pos0, kr);
  next();
  attention(cb, ws, shape, qr, kr, v, cache, pos0, att);
  next();
  gemm_commands(cb, att, w.wo, proj, bt);
  next();
  residual_add(cb, x, proj, x);
  next();
  rmsnorm(cb, x, w.ffn_norm, cfg.rms_eps, n2);
  next();
  mlp(cb, ws, n2, w.w_gate, w.w_up, w.w_down, ffn);
  next();
  residual_add(cb, x, ffn, x);
  next();
}

}  // namespace kiln::sdk
