// RoPE (llama "normal" mode: adjacent pairs) with a device-resident cos/sin
// table. See docs/sdk.md, "Kernels".
#include <cmath>
#include <string>
#include <vector>

#include "kiln/sdk/kernels.h"
#include "kiln/sdk/vector.h"
#include "row_stream.h"

namespace kiln::sdk {

using namespace detail;

RopeTable make_rope_table(kiln::Device &dev, uint32_t max_pos, uint32_t head_dim, float theta) {
  if (max_pos == 0) refuse("make_rope_table: max_pos must be > 0");
  if (head_dim == 0 || head_dim % 2)
    refuse("make_rope_table: head_dim must be even and > 0, got " + std::to_string(head_dim));
  if (!(theta > 0.0f) || !std::isfinite(theta))
    refuse("make_rope_table: theta must be finite and > 0, got " + std::to_string(theta));
  // cos/sin of pos * theta^(-2i/head_dim), computed in FP64 and rounded once to FP32.
  std::vector<float> cs(size_t(max_pos) * head_dim);
  std::vector<double> inv_freq(head_dim / 2);
  for (uint32_t i = 0; i < head_dim / 2; ++i) inv_freq[i] = std::pow(double(theta), -2.0 * i / head_dim);
  for (uint32_t p = 0; p < max_pos; ++p)
    for (uint32_t i = 0; i < head_dim / 2; ++i) {
      const double a = double(p) * inv_freq[i];
      cs[size_t(p) * head_dim + 2 * i] = float(std::cos(a));
      cs[size_t(p) * head_dim + 2 * i + 1] = float(std::sin(a));
    }
  RopeTable t;
  t.cs = upload_matrix(dev, cs.data(), max_pos, head_dim, DType::FP32);
  t.head_dim = head_dim;
  t.theta = theta;
  return t;
}

void rope(kiln::CommandBuffer &cb, const RopeTable &table, const DeviceMatrix &x, uint32_t pos0,
          const DeviceMatrix &out) {
  const char *k = "rope";
  const uint32_t hd = table.head_dim;
  if (hd == 0 || table.cs.dtype != DType::FP32 || table.cs.cols != hd || table.cs.rows == 0)
    refuse("rope: table is not a RoPE table (cs " + describe(table.cs) + ", head_dim " + std::to_string(hd) + ")");
  check_layout(k, "table", table.cs);
  if (hd % 16)
    refuse("rope: head_dim " + std::to_string(hd) +
           " is not a multiple of 16 (a head must start on a scratchpad word in BF16)");
  if (x.dtype != DType::BF16 || x.rows == 0 || x.cols == 0 || x.cols % hd)
    refuse("rope: x must be BF16 [T][n_heads*" + std::to_string(hd) + "], got " + describe(x));
  check_layout(k, "x", x);
  if (out.dtype != DType::BF16 || out.rows != x.rows || out.cols != x.cols)
    refuse("rope: out must be BF16 " + std::to_string(x.rows) + "x" + std::to_string(x.cols) + " like x, got " +
           describe(out));
  check_layout(k, "out", out);
  if (uint64_t(pos0) + x.rows > table.cs.rows)
    refuse("rope: positions " + std::to_string(pos0) + ".." + std::to_string(uint64_t(pos0) + x.rows - 1) +
           " exceed the table (" + std::to_string(table.cs.rows) + " positions)");

  const uint32_t heads = x.cols / hd, hw = hd / 16;  // words per head (BF16)
  const uint32_t wx = row_words(x), wt = row_words(table.cs);
  const RowPlan p = plan_rows(x.rows, {wx, wt, wx}, 0, 0);
  if (p.chunk == 0)
    refuse("rope: x is " + describe(x) + ": one row needs " + std::to_string(p.words_needed_one_row) +
           " scratchpad words, the scratchpad has " + std::to_string(kSpadWords));

  cb.barrier(kAllUnits);
  ChunkOps ops;
  ops.load = [&](uint32_t b, uint32_t r0, uint32_t nr) {
    dma_rows(cb, kLoadCh, 0, x, r0, nr, p.buf[b][0], wx);
    dma_rows(cb, kLoadCh, 0, table.cs, pos0 + r0, nr, p.buf[b][1], wt);
  };
  ops.store = [&](uint32_t b, uint32_t r0, uint32_t nr) { dma_rows(cb, kStoreCh, 1, out, r0, nr, p.buf[b][2], wx); };
  ops.compute = [&](uint32_t b, uint32_t, uint32_t nr) {
    const uint32_t xs = p.buf[b][0], ts = p.buf[b][1], os = p.buf[b][2];
    if (nr < heads) {
      // Few tokens (decode): one command per token over its heads, the
      // token's table row broadcast.
      for (uint32_t t = 0; t < nr; ++t) {
        VecCmd v{VecOp::Rope, heads, hd};
        v.src0 = {xs + t * wx, hw, DType::BF16};
        v.src1 = Src1::broadcast(ts + t * wt, DType::FP32);
        v.dst = {os + t * wx, hw, DType::BF16};
        vector_command(cb, v);
      }
    } else {
      // One command per head over the chunk's tokens, a table row per token.
      for (uint32_t h = 0; h < heads; ++h) {
        VecCmd v{VecOp::Rope, nr, hd};
        v.src0 = {xs + h * hw, wx, DType::BF16};
        v.src1 = Src1::rows(ts, wt, DType::FP32);
        v.dst = {os + h * hw, wx, DType::BF16};
        vector_command(cb, v);
      }
    }
  };
  stream_rows(cb, p, x.rows, ops);
}

}  // namespace kiln::sdk
