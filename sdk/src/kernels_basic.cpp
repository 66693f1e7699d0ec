// Elementwise and row kernels: rmsnorm, softmax, residual_add, argmax,
// embedding. Rows stream through the scratchpad (row_stream.h); the
// numerics (which op rounds where) are in docs/sdk.md, "Kernels".
#include <algorithm>
#include <cmath>
#include <string>

#include "kiln/sdk/kernels.h"
#include "kiln/sdk/vector.h"
#include "row_stream.h"

namespace kiln::sdk {

using namespace detail;

namespace {

bool is_float(DType t) { return t == DType::BF16 || t == DType::FP32; }

void check_rows_cols(const char *k, const char *name, const DeviceMatrix &m) {
  if (m.rows == 0 || m.cols == 0) refuse(std::string(k) + ": " + name + " is empty (" + describe(m) + ")");
  check_layout(k, name, m);
}

void check_same_shape(const char *k, const char *name, const DeviceMatrix &m, const char *ref_name,
                      const DeviceMatrix &ref) {
  if (m.rows != ref.rows || m.cols != ref.cols)
    refuse(std::string(k) + ": " + name + " is " + describe(m) + ", expected " + std::to_string(ref.rows) +
           "x" + std::to_string(ref.cols) + " like " + ref_name);
}

void check_fits(const char *k, const char *name, const DeviceMatrix &m, const RowPlan &p) {
  if (p.chunk == 0)
    refuse(std::string(k) + ": " + name + " is " + describe(m) + ": one row needs " +
           std::to_string(p.words_needed_one_row) + " scratchpad words with its operands, the scratchpad has " +
           std::to_string(kSpadWords));
}

// A packed FP32 array of n elements, as one row for elementwise ops.
SpadRows packed(uint32_t addr) { return {addr, 0, DType::FP32}; }

}  // namespace

void rmsnorm(kiln::CommandBuffer &cb, const DeviceMatrix &x, const DeviceMatrix &w, float eps,
             const DeviceMatrix &out) {
  const char *k = "rmsnorm";
  check_rows_cols(k, "x", x);
  if (x.dtype != DType::FP32) refuse(std::string(k) + ": x must be FP32, got " + describe(x));
  check_rows_cols(k, "w", w);
  if (!is_float(w.dtype) || w.rows != 1 || w.cols != x.cols)
    refuse(std::string(k) + ": w must be BF16 or FP32 1x" + std::to_string(x.cols) + ", got " + describe(w));
  check_rows_cols(k, "out", out);
  if (!is_float(out.dtype)) refuse(std::string(k) + ": out must be BF16 or FP32, got " + describe(out));
  check_same_shape(k, "out", out, "x", x);
  if (!(eps >= 0.0f) || !std::isfinite(eps))
    refuse(std::string(k) + ": eps must be finite and >= 0, got " + std::to_string(eps));

  const uint32_t H = x.cols, wx = row_words(x), wo = row_words(out), ww = row_words(w);
  const RowPlan p = plan_rows(x.rows, {wx, wo}, ww, 2);
  check_fits(k, "x", x, p);

  cb.barrier(kAllUnits);
  dma_rows(cb, kLoadCh, 0, w, 0, 1, p.fixed, ww);
  // 1/H rounded to FP32 (exact for powers of two).
  const float inv_h = float(1.0 / double(H));
  ChunkOps ops;
  ops.load = [&](uint32_t b, uint32_t r0, uint32_t nr) { dma_rows(cb, kLoadCh, 0, x, r0, nr, p.buf[b][0], wx); };
  ops.store = [&](uint32_t b, uint32_t r0, uint32_t nr) { dma_rows(cb, kStoreCh, 1, out, r0, nr, p.buf[b][1], wo); };
  ops.compute = [&](uint32_t b, uint32_t, uint32_t nr) {
    const SpadRows xs{p.buf[b][0], wx, DType::FP32};
    VecCmd v{VecOp::RowSumSq, nr, H};  // ss[r] = sum x^2
    v.src0 = xs;
    v.dst = packed(p.scalars[0]);
    vector_command(cb, v);
    v = VecCmd{VecOp::Mul, 1, nr};  // ms = ss * (1/H)
    v.src0 = packed(p.scalars[0]);
    v.src1 = Src1::immediate(inv_h);
    v.dst = packed(p.scalars[0]);
    vector_command(cb, v);
    v = VecCmd{VecOp::Rsqrt, 1, nr};  // rs = 1/sqrt(ms + eps)
    v.src0 = packed(p.scalars[0]);
    v.src1 = Src1::immediate(eps);
    v.dst = packed(p.scalars[1]);
    vector_command(cb, v);
    v = VecCmd{VecOp::Mul, nr, H};  // x *= rs (in place, FP32)
    v.src0 = xs;
    v.src1 = Src1::scalars(p.scalars[1]);
    v.dst = xs;
    vector_command(cb, v);
    v = VecCmd{VecOp::Mul, nr, H};  // out = x * w (rounded once to out's type)
    v.src0 = xs;
    v.src1 = Src1::broadcast(p.fixed, w.dtype);
    v.dst = {p.buf[b][1], wo, out.dtype};
    vector_command(cb, v);
  };
  stream_rows(cb, p, x.rows, ops);
}

void softmax(kiln::CommandBuffer &cb, const DeviceMatrix &x, const DeviceMatrix &out) {
  const char *k = "softmax";
  check_rows_cols(k, "x", x);
  if (x.dtype != DType::FP32) refuse(std::string(k) + ": x must be FP32, got " + describe(x));
  check_rows_cols(k, "out", out);
  if (!is_float(out.dtype)) refuse(std::string(k) + ": out must be BF16 or FP32, got " + describe(out));
  check_same_shape(k, "out", out, "x", x);

  const uint32_t C = x.cols, wx = row_words(x), wo = row_words(out);
  const RowPlan p = plan_rows(x.rows, {wx, wo}, 0, 2);
  check_fits(k, "x", x, p);

  cb.barrier(kAllUnits);
  ChunkOps ops;
  ops.load = [&](uint32_t b, uint32_t r0, uint32_t nr) { dma_rows(cb, kLoadCh, 0, x, r0, nr, p.buf[b][0], wx); };
  ops.store = [&](uint32_t b, uint32_t r0, uint32_t nr) { dma_rows(cb, kStoreCh, 1, out, r0, nr, p.buf[b][1], wo); };
  ops.compute = [&](uint32_t b, uint32_t, uint32_t nr) {
    const SpadRows xs{p.buf[b][0], wx, DType::FP32};
    VecCmd v{VecOp::RowMax, nr, C};  // m[r] = max x
    v.src0 = xs;
    v.dst = packed(p.scalars[0]);
    vector_command(cb, v);
    v = VecCmd{VecOp::Exp, nr, C};  // x = exp(x - m) in place, s[r] = row sums
    v.src0 = xs;
    v.src1 = Src1::scalars(p.scalars[0]);
    v.dst = xs;
    v.rowsum_addr = p.scalars[1];
    vector_command(cb, v);
    v = VecCmd{VecOp::Recip, 1, nr};  // s = 1/s
    v.src0 = packed(p.scalars[1]);
    v.dst = packed(p.scalars[1]);
    vector_command(cb, v);
    v = VecCmd{VecOp::Mul, nr, C};  // out = x * (1/s)
    v.src0 = xs;
    v.src1 = Src1::scalars(p.scalars[1]);
    v.dst = {p.buf[b][1], wo, out.dtype};
    vector_command(cb, v);
  };
  stream_rows(cb, p, x.rows, ops);
}

void residual_add(kiln::CommandBuffer &cb, const DeviceMatrix &a, const DeviceMatrix &b,
                  const DeviceMatrix &out) {
  const char *k = "residual_add";
  for (auto [name, m] : {std::pair<const char *, const DeviceMatrix *>{"a", &a}, {"b", &b}, {"out", &out}}) {
    check_rows_cols(k, name, *m);
    if (m->dtype != DType::FP32) refuse(std::string(k) + ": " + name + " must be FP32, got " + describe(*m));
  }
  check_same_shape(k, "b", b, "a", a);
  check_same_shape(k, "out", out, "a", a);

  const uint32_t w = row_words(a);
  const RowPlan p = plan_rows(a.rows, {w, w, w}, 0, 0);
  check_fits(k, "a", a, p);

  cb.barrier(kAllUnits);
  ChunkOps ops;
  ops.load = [&](uint32_t buf, uint32_t r0, uint32_t nr) {
    dma_rows(cb, kLoadCh, 0, a, r0, nr, p.buf[buf][0], w);
    dma_rows(cb, kLoadCh, 0, b, r0, nr, p.buf[buf][1], w);
  };
  ops.store = [&](uint32_t buf, uint32_t r0, uint32_t nr) { dma_rows(cb, kStoreCh, 1, out, r0, nr, p.buf[buf][2], w); };
  ops.compute = [&](uint32_t buf, uint32_t, uint32_t nr) {
    VecCmd v{VecOp::Add, nr, a.cols};
    v.src0 = {p.buf[buf][0], w, DType::FP32};
    v.src1 = Src1::rows(p.buf[buf][1], w, DType::FP32);
    v.dst = {p.buf[buf][2], w, DType::FP32};
    vector_command(cb, v);
  };
  stream_rows(cb, p, a.rows, ops);
}

void argmax(kiln::CommandBuffer &cb, const DeviceMatrix &x, const DeviceMatrix &out) {
  const char *k = "argmax";
  check_rows_cols(k, "x", x);
  if (x.dtype != DType::FP32) refuse(std::string(k) + ": x must be FP32, got " + describe(x));
  check_rows_cols(k, "out", out);
  if (out.dtype != DType::INT32 || out.rows != x.rows || out.cols != 1)
    refuse(std::string(k) + ": out must be INT32 " + std::to_string(x.rows) + "x1, got " + describe(out));

  // ROWARGMAX's UINT32 results can only leave through DMA (any vector op
  // would read them as FP32 denormals and flush them), and out has one
  // element per 32-byte row: so one ROWARGMAX per row, each into word 0 of
  // its own scratchpad word. A row must fit the scratchpad whole (49152
  // FP32 logits take 6144 of its 16384 words).
  const uint32_t wx = row_words(x);
  const RowPlan p = plan_rows(x.rows, {wx, 1}, 0, 0, 64);
  check_fits(k, "x", x, p);

  cb.barrier(kAllUnits);
  ChunkOps ops;
  ops.load = [&](uint32_t b, uint32_t r0, uint32_t nr) { dma_rows(cb, kLoadCh, 0, x, r0, nr, p.buf[b][0], wx); };
  ops.store = [&](uint32_t b, uint32_t r0, uint32_t nr) { dma_rows(cb, kStoreCh, 1, out, r0, nr, p.buf[b][1], 1); };
  ops.compute = [&](uint32_t b, uint32_t, uint32_t nr) {
    for (uint32_t r = 0; r < nr; ++r) {
      VecCmd v{VecOp::RowArgmax, 1, x.cols};
      v.src0 = {p.buf[b][0] + r * wx, wx, DType::FP32};
      v.dst = packed(p.buf[b][1] + r);
      vector_command(cb, v);
    }
  };
  stream_rows(cb, p, x.rows, ops);
}

void embedding(kiln::CommandBuffer &cb, const DeviceMatrix &table, const std::vector<uint32_t> &ids,
               const DeviceMatrix &out) {
  const char *k = "embedding";
  check_rows_cols(k, "table", table);
  if (table.dtype != DType::BF16) refuse(std::string(k) + ": table must be BF16, got " + describe(table));
  check_rows_cols(k, "out", out);
  if (out.dtype != DType::FP32 || out.cols != table.cols || out.rows != ids.size())
    refuse(std::string(k) + ": out must be FP32 " + std::to_string(ids.size()) + "x" + std::to_string(table.cols) +
           " (ids x table columns), got " + describe(out));
  for (size_t t = 0; t < ids.size(); ++t)
    if (ids[t] >= table.rows)
      refuse(std::string(k) + ": ids[" + std::to_string(t) + "] = " + std::to_string(ids[t]) +
             " is outside the table (" + std::to_string(table.rows) + " rows)");

  const uint32_t wi = row_words(table), wo = row_words(out);
  const RowPlan p = plan_rows(out.rows, {wi, wo}, 0, 0);
  check_fits(k, "table", table, p);

  cb.barrier(kAllUnits);
  ChunkOps ops;
  ops.load = [&](uint32_t b, uint32_t r0, uint32_t nr) {
    // One DMA per run of consecutive ids.
    for (uint32_t t = r0; t < r0 + nr;) {
      uint32_t n = 1;
      while (t + n < r0 + nr && ids[t + n] == ids[t] + n) ++n;
      dma_rows(cb, kLoadCh, 0, table, ids[t], n, p.buf[b][0] + (t - r0) * wi, wi);
      t += n;
    }
  };
  ops.store = [&](uint32_t b, uint32_t r0, uint32_t nr) { dma_rows(cb, kStoreCh, 1, out, r0, nr, p.buf[b][1], wo); };
  ops.compute = [&](uint32_t b, uint32_t, uint32_t nr) {
    VecCmd v{VecOp::Copy, nr, table.cols};
    v.src0 = {p.buf[b][0], wi, DType::BF16};
    v.dst = {p.buf[b][1], wo, DType::FP32};
    vector_command(cb, v);
  };
  stream_rows(cb, p, out.rows, ops);
}

}  // namespace kiln::sdk
