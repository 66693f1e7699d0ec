// The correlation sweep: SDK kernels at the shapes SmolLM2-135M runs (and a
// spread around them), each one submission. Timing does not depend on the
// data, so operands are only allocated (zeroed device memory).
#include "correlate_cases.h"

#include <cstdio>

#include "kiln/sdk/gemm.h"
#include "kiln/sdk/kernels.h"

namespace kiln::perf {

namespace sdk = kiln::sdk;
using sdk::DeviceMatrix;
using sdk::DType;

namespace {

std::string str(const char* f, unsigned a, unsigned b, unsigned c) {
  char buf[96];
  std::snprintf(buf, sizeof buf, f, a, b, c);
  return buf;
}

Case gemm_case(uint32_t m, uint32_t n, uint32_t k, bool bt, DType in, DType out) {
  std::string name = str("gemm_%ux%ux%u", m, n, k);
  if (bt) name += "_bt";
  if (in == DType::INT8) name += "_int8";
  else if (out == DType::FP32) name += "_fp32";
  const char* kind = m == 1 ? "gemv" : "gemm";
  return {name, kind, [=](Ctx& x) {
            const DeviceMatrix& a = x.ws.matrix(m, k, in);
            const DeviceMatrix& b = bt ? x.ws.matrix(n, k, in) : x.ws.matrix(k, n, in);
            const DeviceMatrix& c = x.ws.matrix(m, n, out);
            sdk::GemmOptions o;
            o.b_transposed = bt;
            sdk::gemm_commands(x.cb, a, b, c, o);
          }};
}

Case attention_case(uint32_t tokens, uint32_t pos0) {
  const char* kind = tokens == 1 ? "attention_decode" : "attention_prefill";
  std::string name = tokens == 1 ? str("attention_decode_pos%u", pos0, 0, 0)
                                 : str("attention_prefill_%u", tokens, 0, 0);
  return {name, kind, [=](Ctx& x) {
            const sdk::AttentionShape s;  // SmolLM2: 9 heads, 3 KV heads, head_dim 64
            const uint32_t qd = s.n_heads * s.head_dim, kd = s.n_kv_heads * s.head_dim;
            x.kv.push_back(sdk::make_kv_cache(x.dev, s, pos0 + tokens));
            const DeviceMatrix& q = x.ws.matrix(tokens, qd, DType::BF16);
            const DeviceMatrix& k = x.ws.matrix(tokens, kd, DType::BF16);
            const DeviceMatrix& v = x.ws.matrix(tokens, kd, DType::BF16);
            const DeviceMatrix& o = x.ws.matrix(tokens, qd, DType::BF16);
            sdk::attention(x.cb, x.ws, s, q, k, v, x.kv.back(), pos0, o);
          }};
}

Case vector_case(const std::string& op, uint32_t rows, uint32_t cols) {
  return {op + "_" + std::to_string(rows) + "x" + std::to_string(cols), "vector", [=](Ctx& x) {
            const DeviceMatrix& a = x.ws.matrix(rows, cols, DType::FP32);
            if (op == "rmsnorm") {
              const DeviceMatrix& w = x.ws.matrix(1, cols, DType::BF16);
              sdk::rmsnorm(x.cb, a, w, 1e-5f, x.ws.matrix(rows, cols, DType::BF16));
            } else if (op == "softmax") {
              sdk::softmax(x.cb, a, x.ws.matrix(rows, cols, DType::BF16));
            } else if (op == "residual_add") {
              sdk::residual_add(x.cb, a, x.ws.matrix(rows, cols, DType::FP32), a);
            } else if (op == "argmax") {
              sdk::argmax(x.cb, a, x.ws.matrix(rows, 1, DType::INT32));
            } else if (op == "rope") {
              x.rope.push_back(sdk::make_rope_table(x.dev, rows, 64, 100000.0f));
              const DeviceMatrix& b = x.ws.matrix(rows, cols, DType::BF16);
              sdk::rope(x.cb, x.rope.back(), b, 0, x.ws.matrix(rows, cols, DType::BF16));
            }
          }};
}

Case mlp_case(uint32_t tokens) {
  return {"mlp_" + std::to_string(tokens), "mlp", [=](Ctx& x) {
            const uint32_t h = 576, f = 1536;
            const DeviceMatrix& in = x.ws.matrix(tokens, h, DType::BF16);
            sdk::mlp(x.cb, x.ws, in, x.ws.matrix(f, h, DType::BF16), x.ws.matrix(f, h, DType::BF16),
                     x.ws.matrix(h, f, DType::BF16), x.ws.matrix(tokens, h, DType::FP32));
          }};
}

Case decoder_case(uint32_t tokens, uint32_t pos0) {
  std::string name = tokens == 1 ? "decoder_layer_decode_pos" + std::to_string(pos0)
                                 : "decoder_layer_prefill_" + std::to_string(tokens);
  return {name, "decoder_layer", [=](Ctx& x) {
            const sdk::LlamaConfig cfg;  // SmolLM2-135M
            const uint32_t h = cfg.hidden, qd = cfg.n_heads * cfg.head_dim, kd = cfg.n_kv_heads * cfg.head_dim;
            x.layers.emplace_back();
            sdk::LlamaLayerWeights& w = x.layers.back();
            auto m = [&](uint32_t r, uint32_t c) { return sdk::alloc_matrix(x.dev, r, c, DType::BF16); };
            w.attn_norm = m(1, h);
            w.ffn_norm = m(1, h);
            w.wq = m(qd, h);
            w.wk = m(kd, h);
            w.wv = m(kd, h);
            w.wo = m(h, qd);
            w.w_gate = m(cfg.ffn, h);
            w.w_up = m(cfg.ffn, h);
            w.w_down = m(h, cfg.ffn);
            x.rope.push_back(sdk::make_rope_table(x.dev, pos0 + tokens, cfg.head_dim, cfg.rope_theta));
            x.kv.push_back(sdk::make_kv_cache(x.dev, {cfg.n_heads, cfg.n_kv_heads, cfg.head_dim}, pos0 + tokens));
            sdk::decoder_layer(x.cb, x.ws, cfg, w, x.rope.back(), x.kv.back(), pos0,
                               x.ws.matrix(tokens, h, DType::FP32));
          }};
}

// Hand-built streams that isolate one mechanism: firmware control alone,
// one DMA direction, both channels, one vector op.
Case micro_case(const std::string& name, std::function<void(Ctx&)> f) { return {name, "micro", std::move(f)}; }

std::vector<Case> micro_cases() {
  std::vector<Case> c;
  c.push_back(micro_case("nop_x40", [](Ctx& x) {
    for (int i = 0; i < 40; ++i) x.cb.nop();
  }));
  c.push_back(micro_case("dma_load_64x2304", [](Ctx& x) {
    const DeviceMatrix& m = x.ws.matrix(64, 576, DType::FP32);
    x.cb.dma(0, 0, m.addr(0, 0), 0, m.stride, 64, m.stride, m.stride);
  }));
  c.push_back(micro_case("dma_store_64x2304", [](Ctx& x) {
    const DeviceMatrix& m = x.ws.matrix(64, 576, DType::FP32);
    x.cb.dma(1, 1, m.addr(0, 0), 0, m.stride, 64, m.stride, m.stride);
  }));
  c.push_back(micro_case("dma_load_512x64", [](Ctx& x) {
    const DeviceMatrix& m = x.ws.matrix(512, 32, DType::BF16);
    x.cb.dma(0, 0, m.addr(0, 0), 0, 64, 512, m.stride, 64);
  }));
  c.push_back(micro_case("dma_load_2ch_32x4608", [](Ctx& x) {
    const DeviceMatrix& a = x.ws.matrix(32, 2304, DType::BF16);
    const DeviceMatrix& b = x.ws.matrix(32, 2304, DType::BF16);
    x.cb.dma(0, 0, a.addr(0, 0), 0, a.stride, 32, a.stride, a.stride);
    x.cb.dma(1, 0, b.addr(0, 0), 256 * 1024, b.stride, 32, b.stride, b.stride);
  }));
  c.push_back(micro_case("dma_load_store_x8", [](Ctx& x) {
    const DeviceMatrix& a = x.ws.matrix(16, 576, DType::FP32);
    for (int i = 0; i < 8; ++i) {
      x.cb.dma(0, 0, a.addr(0, 0), 0, a.stride, 16, a.stride, a.stride);
      x.cb.dma(1, 1, a.addr(0, 0), 64 * 1024, a.stride, 16, a.stride, a.stride);
    }
  }));
  // A VECTOR op (twice, so the case outlasts the host's first polling reads),
  // 64 rows x 512 columns, operands placed in banks to
  // exercise the scratchpad's per-bank arbitration. Bank b starts at word
  // 4096*b; "a" and "b" are two regions of bank 0.
  struct V {
    const char* name;
    uint32_t op, flags, src0, src1, src2, dst;
  };
  const uint32_t F0 = KILN_VECTOR_SRC0_FP32, F1 = KILN_VECTOR_SRC1_FP32, FD = KILN_VECTOR_DST_FP32;
  const uint32_t A = 0, B = 2048, B1 = 4096, B2 = 8192, B3 = 12288;
  const V vs[] = {
      {"add_f32_3banks", KILN_VECTOR_OP_ADD, F0 | F1 | FD, A, B1, 0, B2},
      {"add_f32_inplace", KILN_VECTOR_OP_ADD, F0 | F1 | FD, A, B1, 0, A},
      {"add_bf16_inplace", KILN_VECTOR_OP_ADD, 0, A, B1, 0, A},
      {"add_f32_1bank", KILN_VECTOR_OP_ADD, F0 | F1 | FD, A, B, 0, A + 1024},
      {"copy_f32_1bank", KILN_VECTOR_OP_COPY, F0 | FD | KILN_VECTOR_SRC1_IMM, A, 0, 0, B},
      {"copy_bf16_1bank", KILN_VECTOR_OP_COPY, KILN_VECTOR_SRC1_IMM, A, 0, 0, B},
      {"copy_f32_to_bf16_1bank", KILN_VECTOR_OP_COPY, F0 | KILN_VECTOR_SRC1_IMM, A, 0, 0, B},
      {"exp_f32_inplace_src1", KILN_VECTOR_OP_EXP, F0 | FD, A, A, 0, A},
      {"exp_f32_rowsum_2banks", KILN_VECTOR_OP_EXP, F0 | FD | KILN_VECTOR_SRC1_SCALAR | KILN_VECTOR_ROWSUM, A, B3, 0, B1},
      {"mul_bcast_bf16_1bank", KILN_VECTOR_OP_MUL, F0 | FD | KILN_VECTOR_SRC1_BCAST, A, B, 0, A},
      {"rowsum_f32", KILN_VECTOR_OP_ROWSUM, F0 | KILN_VECTOR_SRC1_IMM, A, 0, 0, B1},
      {"rowsumsq_bf16_1bank", KILN_VECTOR_OP_ROWSUMSQ, KILN_VECTOR_SRC1_IMM, A, 0, 0, B},
      {"axpy_f32_1bank", KILN_VECTOR_OP_AXPY, F0 | F1 | FD, A, B, A + 1024, B + 1024},
      {"axpy_f32_4banks", KILN_VECTOR_OP_AXPY, F0 | F1 | FD, A, B1, B2, B3},
  };
  // One GEMM command, operands in banks of their own (A bank 2, B bank 0):
  // the tensor core's own timing, plain and with transposed B.
  for (uint32_t m : {1u, 8u, 17u, 24u, 32u, 64u})
    for (bool bt : {false, true})
      if (!bt || m == 24)
      c.push_back(micro_case("tc_gemm_" + std::to_string(m) + "x256x256" + (bt ? "_bt" : ""), [m, bt](Ctx& x) {
        x.cb.gemm_flags(bt ? KILN_GEMM_B_TRANSPOSED : 0, 8192, 16, 0, 16, 0, m, 256, 256);
      }));
  for (const V& v : vs)
    c.push_back(micro_case(std::string("vector_") + v.name, [v](Ctx& x) {
      const uint32_t stride = (v.flags & F0) ? 64 : 32;
      for (int i = 0; i < 2; ++i)
        x.cb.vector(v.op, v.flags, 64, 512, v.src0, stride, v.src1, (v.flags & F1) ? 64 : 32, v.src2, v.dst,
                    (v.flags & FD) ? 64 : 32, 0x3f800000u, v.op == KILN_VECTOR_OP_EXP ? 16000 : 0);
    }));
  return c;
}

}  // namespace

std::vector<Case> correlation_cases() {
  std::vector<Case> c = micro_cases();
  const DType bf = DType::BF16;
  // Decode GEMVs (SmolLM2 projections and head slices), then growing M.
  for (auto [n, k] : {std::pair{576u, 576u}, {192u, 576u}, {1536u, 576u}, {576u, 1536u}, {2048u, 576u}})
    c.push_back(gemm_case(1, n, k, true, bf, bf));
  for (auto [m, n, k] : {std::tuple{4u, 576u, 576u}, {8u, 256u, 256u}, {16u, 576u, 576u}, {32u, 576u, 576u},
                         {16u, 1536u, 576u}})
    c.push_back(gemm_case(m, n, k, true, bf, bf));
  for (auto [m, n, k] : {std::tuple{64u, 64u, 64u}, {33u, 128u, 128u}, {64u, 256u, 128u}, {100u, 77u, 300u},
                         {128u, 128u, 128u}, {128u, 128u, 256u}, {200u, 64u, 512u}, {128u, 512u, 256u},
                         {256u, 256u, 256u}})
    c.push_back(gemm_case(m, n, k, false, bf, bf));
  c.push_back(gemm_case(64, 576, 576, true, bf, bf));
  c.push_back(gemm_case(64, 48, 80, false, bf, DType::FP32));
  c.push_back(gemm_case(48, 80, 160, false, DType::INT8, DType::INT32));
  // Attention: prefill and decode against caches of growing length.
  for (uint32_t t : {16u, 32u, 64u}) c.push_back(attention_case(t, 0));
  for (uint32_t pos : {63u, 255u, 1023u}) c.push_back(attention_case(1, pos));
  // Vector kernels.
  c.push_back(vector_case("rmsnorm", 16, 576));
  c.push_back(vector_case("rmsnorm", 64, 576));
  c.push_back(vector_case("softmax", 64, 256));
  c.push_back(vector_case("softmax", 16, 1024));
  c.push_back(vector_case("residual_add", 64, 576));
  c.push_back(vector_case("rope", 64, 576));
  c.push_back(vector_case("argmax", 8, 4096));
  // Layers.
  c.push_back(mlp_case(1));
  c.push_back(mlp_case(16));
  c.push_back(decoder_case(1, 32));
  c.push_back(decoder_case(8, 0));
  return c;
}

}  // namespace kiln::perf
