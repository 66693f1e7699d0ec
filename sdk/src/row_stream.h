// Internal to the SDK: streaming rows through the scratchpad for the row and
// elementwise kernels (kernels_basic.cpp, rope.cpp, mlp.cpp). See docs/sdk.md,
// "Kernels".
//
// A kernel names its per-row streams (inputs and outputs, words per row),
// a fixed region (constants loaded once, e.g. a norm weight) and a number of
// packed per-row scalar arrays. plan_rows() chooses the rows per chunk and
// the addresses: two buffers per stream when two chunks fit (double
// buffering), else one.
//
// stream_rows() emits, for chunks i = 0..n-1 (double-buffered):
//   load(0)
//   per chunk i: BARRIER(DMA0|DMA1|VU); store(i-1) on DMA1; load(i+1) on DMA0; compute(i) on VU
//   BARRIER(VU); store(n-1); BARRIER(all)
// The barrier of step i shows chunk i landed (DMA0), chunk i-1 computed (VU:
// its buffers are free for load(i+1), its output ready to store) and the
// store of chunk i-2 drained (DMA1: compute(i) may overwrite its buffer).
// Loads are issued before the vector commands because the firmware blocks
// the command stream while a VECTOR waits for the busy vector unit.
// Single-buffered: load, barrier, compute, barrier, store, barrier per chunk.
// Every kernel starts and ends with BARRIER(all): kernels in one command
// buffer then never overlap (scratchpad regions and device-memory results).
#pragma once

#include <algorithm>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "kiln/kiln.hpp"
#include "kiln/sdk/matrix.h"
#include "kiln/sdk/vector.h"
#include "kiln_hw.h"

namespace kiln::sdk::detail {

constexpr uint32_t kWordBytes = KILN_HW_SCRATCHPAD_WORD_BYTES;
constexpr uint32_t kSpadWords = KILN_HW_SCRATCHPAD_WORDS;
constexpr uint32_t kLoadCh = 0;
constexpr uint32_t kStoreCh = 1;
constexpr uint32_t kMaxChunkRows = 256;  // per-row scalar arrays stay 32 words
constexpr uint32_t kAllUnits = KILN_UNIT_DMA(0) | KILN_UNIT_DMA(1) | KILN_UNIT_TC | KILN_UNIT_VU;

static_assert(KILN_HW_DMA_CHANNELS >= 2, "loads and stores use separate DMA channels");

struct RowPlan {
  uint32_t chunk = 0;  // rows per chunk; 0 = one row does not fit
  bool dbl = false;    // two buffers per stream
  std::vector<uint32_t> buf[2];  // per stream: word address of buffer 0 / 1
  uint32_t fixed = 0;            // word address of the fixed region
  std::vector<uint32_t> scalars; // word addresses of the per-row scalar arrays
  uint32_t words_needed_one_row = 0;
};

// stream_words: words per row of each stream; fixed_words: the fixed region;
// n_scalars: packed FP32 arrays of `chunk` elements. max_chunk caps the rows
// per chunk (e.g. kernels issuing a command per row).
inline RowPlan plan_rows(uint32_t rows, const std::vector<uint32_t> &stream_words,
                         uint32_t fixed_words, uint32_t n_scalars,
                         uint32_t max_chunk = kMaxChunkRows) {
  RowPlan p;
  uint32_t per_row = 0;
  for (uint32_t w : stream_words) per_row += w;
  p.words_needed_one_row = per_row + fixed_words + n_scalars;
  auto fits = [&](uint32_t chunk, uint32_t nbuf) {
    return uint64_t(per_row) * chunk * nbuf + fixed_words + n_scalars * vec_packed_words(chunk) <=
           kSpadWords;
  };
  const uint32_t want = std::min(std::max(rows, 1u), max_chunk);
  auto largest = [&](uint32_t nbuf) {
    uint32_t c = want;
    while (c > 0 && !fits(c, nbuf)) --c;
    return c;
  };
  // From 16 rows on: double buffering with at least 4 chunks (of 8 rows or
  // more), so loads and stores overlap the vector unit. Fewer rows: one chunk
  // if they fit. Else the largest chunk that fits twice, else single buffering.
  const uint32_t c1 = largest(1), c2 = largest(2);
  uint32_t chunk = 0, nbuf = 1;
  if (c2 > 0 && rows >= 16) chunk = std::min(c2, std::max((rows + 3) / 4, 8u)), nbuf = 2;
  else if (c1 >= rows) chunk = c1;
  else if (c2 > 0) chunk = c2, nbuf = 2;
  else chunk = c1;
  if (chunk == 0) return p;
  // Balance chunk sizes so the last one is not a sliver.
  const uint32_t n = (rows + chunk - 1) / chunk;
  if (n > 0) chunk = (rows + n - 1) / n;
  p.chunk = chunk;
  p.dbl = nbuf == 2;
  uint32_t a = 0;
  for (uint32_t b = 0; b < nbuf; ++b)
    for (uint32_t w : stream_words) {
      p.buf[b].push_back(a);
      a += w * chunk;
    }
  if (!p.dbl) p.buf[1] = p.buf[0];
  // Fixed region and scalars at the top of the scratchpad.
  uint32_t top = kSpadWords;
  for (uint32_t s = 0; s < n_scalars; ++s) {
    top -= vec_packed_words(chunk);
    p.scalars.push_back(top);
  }
  top -= fixed_words;
  p.fixed = top;
  return p;
}

struct ChunkOps {
  // buf: 0/1, r0: first row, nr: rows in this chunk
  std::function<void(uint32_t buf, uint32_t r0, uint32_t nr)> load, compute, store;
};

inline void stream_rows(kiln::CommandBuffer &cb, const RowPlan &p, uint32_t rows, const ChunkOps &ops) {
  const uint32_t n = (rows + p.chunk - 1) / p.chunk;
  auto r0 = [&](uint32_t i) { return i * p.chunk; };
  auto nr = [&](uint32_t i) { return std::min(p.chunk, rows - i * p.chunk); };
  if (!p.dbl) {
    for (uint32_t i = 0; i < n; ++i) {
      if (i) cb.barrier(KILN_UNIT_DMA(kStoreCh));
      ops.load(0, r0(i), nr(i));
      cb.barrier(KILN_UNIT_DMA(kLoadCh));
      ops.compute(0, r0(i), nr(i));
      cb.barrier(KILN_UNIT_VU);
      ops.store(0, r0(i), nr(i));
    }
    cb.barrier(kAllUnits);
    return;
  }
  ops.load(0, r0(0), nr(0));
  for (uint32_t i = 0; i < n; ++i) {
    cb.barrier(KILN_UNIT_DMA(kLoadCh) | KILN_UNIT_DMA(kStoreCh) | KILN_UNIT_VU);
    if (i > 0) ops.store((i - 1) % 2, r0(i - 1), nr(i - 1));
    if (i + 1 < n) ops.load((i + 1) % 2, r0(i + 1), nr(i + 1));
    ops.compute(i % 2, r0(i), nr(i));
  }
  cb.barrier(KILN_UNIT_VU);
  ops.store((n - 1) % 2, r0(n - 1), nr(n - 1));
  cb.barrier(kAllUnits);
}

// DMA of rows [r0, r0+nr) of m (all columns) to / from the scratchpad at
// word address `spad` with `words` words per row.
inline void dma_rows(kiln::CommandBuffer &cb, uint32_t ch, uint32_t dir, const DeviceMatrix &m,
                     uint32_t r0, uint32_t nr, uint32_t spad, uint32_t words) {
  cb.dma(ch, dir, m.addr(r0, 0), spad * kWordBytes, words * kWordBytes, nr, m.stride,
         words * kWordBytes);
}

inline uint32_t row_words(const DeviceMatrix &m) { return vec_row_words(m.cols, m.dtype); }

// "kernel: operand is RxC TYPE" for messages.
inline std::string describe(const DeviceMatrix &m) {
  return std::to_string(m.rows) + "x" + std::to_string(m.cols) + " " + dtype_name(m.dtype);
}

[[noreturn]] inline void refuse(const std::string &msg) {
  throw kiln::Error(KILN_ERR_INVALID_ARGUMENT, msg);
}

// Refuses a matrix whose rows the DMA cannot move as whole words.
inline void check_layout(const char *kernel, const char *name, const DeviceMatrix &m) {
  if (m.buf.addr() % kWordBytes || m.stride % kWordBytes ||
      m.stride < uint64_t(m.cols) * dtype_bytes(m.dtype))
    refuse(std::string(kernel) + ": " + name + " is not laid out in whole 32-byte rows (stride " +
           std::to_string(m.stride) + ")");
}

}  // namespace kiln::sdk::detail
