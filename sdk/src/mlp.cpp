// SwiGLU FFN: out = (silu(x Wg^T) * (x Wu^T)) Wd^T with transposed-B GEMMs
// (weights stay in GGUF's [out][in] layout). See docs/sdk.md, "Kernels".
#include <string>

#include "kiln/sdk/gemm.h"
#include "kiln/sdk/kernels.h"
#include "kiln/sdk/vector.h"
#include "row_stream.h"

namespace kiln::sdk {

using namespace detail;

namespace {

// h = silu(g) * u, g and u FP32 [T][F], h BF16 [T][F]: one rounding (to BF16).
void silu_mul_rows(kiln::CommandBuffer &cb, const DeviceMatrix &g, const DeviceMatrix &u,
                   const DeviceMatrix &h, const RowPlan &p) {
  const uint32_t wg = row_words(g), wu = row_words(u), wh = row_words(h);
  cb.barrier(kAllUnits);
  ChunkOps ops;
  ops.load = [&](uint32_t b, uint32_t r0, uint32_t nr) {
    dma_rows(cb, kLoadCh, 0, g, r0, nr, p.buf[b][0], wg);
    dma_rows(cb, kLoadCh, 0, u, r0, nr, p.buf[b][1], wu);
  };
  ops.store = [&](uint32_t b, uint32_t r0, uint32_t nr) { dma_rows(cb, kStoreCh, 1, h, r0, nr, p.buf[b][2], wh); };
  ops.compute = [&](uint32_t b, uint32_t, uint32_t nr) {
    VecCmd v{VecOp::SiluMul, nr, g.cols};
    v.src0 = {p.buf[b][0], wg, g.dtype};
    v.src1 = Src1::rows(p.buf[b][1], wu, u.dtype);
    v.dst = {p.buf[b][2], wh, h.dtype};
    vector_command(cb, v);
  };
  stream_rows(cb, p, g.rows, ops);
}

void check_bf16(const char *name, const DeviceMatrix &m, uint32_t rows, uint32_t cols) {
  if (m.dtype != DType::BF16 || m.rows != rows || m.cols != cols || rows == 0 || cols == 0)
    refuse(std::string("mlp: ") + name + " must be BF16 " + std::to_string(rows) + "x" + std::to_string(cols) +
           ", got " + describe(m));
  check_layout("mlp", name, m);
}

}  // namespace

void mlp(kiln::CommandBuffer &cb, Workspace &ws, const DeviceMatrix &x, const DeviceMatrix &w_gate,
         const DeviceMatrix &w_up, const DeviceMatrix &w_down, const DeviceMatrix &out) {
  if (x.dtype != DType::BF16 || x.rows == 0 || x.cols == 0)
    refuse("mlp: x must be BF16 [T][H], got " + describe(x));
  check_layout("mlp", "x", x);
  const uint32_t T = x.rows, H = x.cols, F = w_gate.rows;
  check_bf16("w_gate", w_gate, F == 0 ? 1 : F, H);
  check_bf16("w_up", w_up, F, H);
  check_bf16("w_down", w_down, H, F);
  if (out.dtype != DType::FP32 || out.rows != T || out.cols != H)
    refuse("mlp: out must be FP32 " + std::to_string(T) + "x" + std::to_string(H) + ", got " + describe(out));
  check_layout("mlp", "out", out);
  const uint32_t wf32 = vec_row_words(F, DType::FP32), wf16 = vec_row_words(F, DType::BF16);
  const RowPlan p = plan_rows(T, {wf32, wf32, wf16}, 0, 0);
  if (p.chunk == 0)
    refuse("mlp: w_gate has " + std::to_string(F) + " rows: one intermediate row needs " +
           std::to_string(p.words_needed_one_row) + " scratchpad words, the scratchpad has " +
           std::to_string(kSpadWords));

  // Intermediates: gate and up projections in FP32 (no rounding before the
  // SiLU product), their product in BF16 (the down GEMM's input type).
  const DeviceMatrix &g = ws.matrix(T, F, DType::FP32);
  const DeviceMatrix &u = ws.matrix(T, F, DType::FP32);
  const DeviceMatrix &h = ws.matrix(T, F, DType::BF16);

  GemmOptions bt;
  bt.b_transposed = true;
  cb.barrier(kAllUnits);
  gemm_commands(cb, x, w_gate, g, bt);
  cb.barrier(kAllUnits);
  gemm_commands(cb, x, w_up, u, bt);
  silu_mul_rows(cb, g, u, h, p);  // starts and ends with BARRIER(all)
  gemm_commands(cb, h, w_down, out, bt);
  cb.barrier(kAllUnits);
}

}  // namespace kiln::sdk
