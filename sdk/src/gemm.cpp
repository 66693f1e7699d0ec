// GEMM tiling and its command schedule. See docs/sdk.md for the scratchpad
// plan and why the barriers sit where they do.
#include "kiln/sdk/gemm.h"

#include <algorithm>
#include <sstream>
#include <vector>

#include "kiln_hw.h"

namespace kiln::sdk {
namespace {

constexpr uint32_t kWordBytes = KILN_HW_SCRATCHPAD_WORD_BYTES;
constexpr uint32_t kLanes = KILN_HW_TENSOR_CORE_COLS;  // 16-bit lanes per word, columns per tile
constexpr uint32_t kBankWords = KILN_HW_SCRATCHPAD_BYTES / kWordBytes / KILN_HW_SCRATCHPAD_BANKS;
constexpr uint32_t kLoadChannel = 0;
constexpr uint32_t kStoreChannel = 1;

static_assert(KILN_HW_SCRATCHPAD_BANKS >= 4, "the GEMM plan gives A, B and C banks of their own");
static_assert(KILN_HW_DMA_CHANNELS >= 2, "loads and stores use separate DMA channels");

uint32_t ceil_div(uint32_t a, uint32_t b) { return (a + b - 1) / b; }
uint32_t round_up(uint32_t a, uint32_t b) { return ceil_div(a, b) * b; }

// Block shape of one step: an M x N output block accumulated over K.
struct Blocks {
  uint32_t m, n, k;
};

// Scratchpad plan, in words.
//
// Large M (the general plan): the array streams A from one buffer every
// cycle and has priority in the bank arbiter, so anything else in that bank
// would starve: the two A buffers get a bank each (0, 1). The B buffers, read
// by the array only while it loads weights, share banks 2 and 3 with the C
// output buffers (B0 + C1 in bank 2, B1 + C0 in bank 3). During step i the
// loads for step i+1 and the store of the previous block then never meet the
// array's A stream.
//
// Small M (decode, M <= kSmallM): the array streams A for only M cycles per
// weight tile, so the time goes into loading B. Each B buffer gets a whole
// bank (0, 1) — twice the weights per step, so half the steps, commands and
// DMA bursts, and a whole weight row (K <= 1024) per burst — while A0/A1
// share bank 2 and C0/C1 bank 3.
struct SpadPlan {
  Blocks blk;
  uint32_t a[2], b[2], c[2];
  uint32_t a_stride, b_stride, c_stride;  // words between rows
  uint32_t acc[2];                        // accumulator regions, rows
};

constexpr uint32_t kSmallM = 32;
constexpr uint32_t kSmallMaxK = 1024;
constexpr uint32_t kSmallMaxN = 256;

Blocks choose_blocks(uint32_t M, uint32_t N, uint32_t K) {
  if (M > kSmallM) return Blocks{GemmPlan::kBlockM, GemmPlan::kBlockN, GemmPlan::kBlockK};
  // K in equal chunks of at most kSmallMaxK (whole tiles), then as many
  // output columns as fill a bank with B.
  const uint32_t k_chunks = ceil_div(K, kSmallMaxK);
  const uint32_t bk = round_up(ceil_div(K, k_chunks), kLanes);
  uint32_t bn = (kBankWords * kLanes / bk) / kLanes * kLanes;
  bn = std::min({bn, kSmallMaxN, round_up(N, kLanes)});
  return Blocks{kSmallM, bn, bk};
}

SpadPlan make_plan(bool out_fp32, bool b_transposed, const Blocks &blk) {
  const uint32_t M = blk.m, N = blk.n, K = blk.k;
  constexpr uint32_t kHalfBank = kBankWords / 2;
  SpadPlan p{};
  p.blk = blk;
  p.a_stride = K / kLanes;
  p.b_stride = b_transposed ? K / kLanes : N / kLanes;  // words between B (or Bt) rows
  p.c_stride = (N / kLanes) * (out_fp32 ? 2 : 1);
  p.acc[0] = 0;
  p.acc[1] = M * (N / kLanes);
  if (M > kSmallM) {
    static_assert(GemmPlan::kBlockM * (GemmPlan::kBlockK / kLanes) <= kBankWords, "an A tile fits one bank");
    static_assert(GemmPlan::kBlockK * (GemmPlan::kBlockN / kLanes) <= kHalfBank,
                  "a B tile (or a Bt tile, N x K) fits half a bank");
    static_assert(GemmPlan::kBlockM * (GemmPlan::kBlockN / kLanes) * 2 <= kHalfBank,
                  "an FP32 C tile fits half a bank");
    static_assert(2 * GemmPlan::kBlockM * (GemmPlan::kBlockN / kLanes) <= KILN_HW_TENSOR_CORE_ACC_ROWS,
                  "two C blocks fit the accumulator");
    p.a[0] = 0;
    p.a[1] = kBankWords;
    p.b[0] = 2 * kBankWords;
    p.c[1] = 2 * kBankWords + kHalfBank;
    p.b[1] = 3 * kBankWords;
    p.c[0] = 3 * kBankWords + kHalfBank;
  } else {
    static_assert(kSmallM * (kSmallMaxK / kLanes) <= kHalfBank, "a small-M A tile fits half a bank");
    static_assert(kSmallM * (kSmallMaxN / kLanes) * 2 <= kHalfBank, "a small-M FP32 C tile fits half a bank");
    static_assert(2 * kSmallM * (kSmallMaxN / kLanes) <= KILN_HW_TENSOR_CORE_ACC_ROWS,
                  "two small-M C blocks fit the accumulator");
    p.b[0] = 0;
    p.b[1] = kBankWords;
    p.a[0] = 2 * kBankWords;
    p.a[1] = 2 * kBankWords + kHalfBank;
    p.c[0] = 3 * kBankWords;
    p.c[1] = 3 * kBankWords + kHalfBank;
  }
  return p;
}

struct Step {
  uint32_t m0, n0, k0, mb, nb, kb;
  uint32_t block;  // index of the (m0, n0) output block
  bool first_k, last_k;
};

std::vector<Step> make_steps(uint32_t M, uint32_t N, uint32_t K, const Blocks &blk) {
  std::vector<Step> steps;
  uint32_t block = 0;
  for (uint32_t m0 = 0; m0 < M; m0 += blk.m) {
    for (uint32_t n0 = 0; n0 < N; n0 += blk.n, ++block) {
      for (uint32_t k0 = 0; k0 < K; k0 += blk.k) {
        Step s;
        s.m0 = m0;
        s.n0 = n0;
        s.k0 = k0;
        s.mb = std::min(blk.m, M - m0);
        s.nb = std::min(blk.n, N - n0);
        s.kb = std::min(blk.k, K - k0);
        s.block = block;
        s.first_k = k0 == 0;
        s.last_k = k0 + blk.k >= K;
        steps.push_back(s);
      }
    }
  }
  return steps;
}

uint32_t in_bytes(const DeviceMatrix &m) { return dtype_bytes(m.dtype); }

}  // namespace

std::string gemm_check(const DeviceMatrix &a, const DeviceMatrix &b, const DeviceMatrix &c,
                       const GemmOptions &opts) {
  const uint32_t b_k = opts.b_transposed ? b.cols : b.rows;  // B's reduction length
  const uint32_t b_n = opts.b_transposed ? b.rows : b.cols;  // B's output columns
  std::ostringstream os;
  const bool int8 = a.dtype == DType::INT8;
  if (a.dtype != DType::BF16 && a.dtype != DType::INT8)
    os << "gemm: A must be BF16 or INT8, got " << dtype_name(a.dtype);
  else if (b.dtype != a.dtype)
    os << "gemm: B must have A's type " << dtype_name(a.dtype) << ", got " << dtype_name(b.dtype);
  else if (int8 && c.dtype != DType::INT32)
    os << "gemm: INT8 inputs give INT32 output, C is " << dtype_name(c.dtype);
  else if (!int8 && c.dtype != DType::BF16 && c.dtype != DType::FP32)
    os << "gemm: C must be BF16 or FP32, got " << dtype_name(c.dtype);
  else if (a.rows == 0 || a.cols == 0 || b.rows == 0 || b.cols == 0)
    os << "gemm: empty operand (A " << a.rows << "x" << a.cols << ", B " << b.rows << "x" << b.cols << ")";
  else if (b_k != a.cols)
    os << "gemm: A is " << a.rows << "x" << a.cols << " but " << (opts.b_transposed ? "Bt" : "B") << " is "
       << b.rows << "x" << b.cols << (opts.b_transposed ? " (Bt columns must equal A columns)"
                                                         : " (B rows must equal A columns)");
  else if (c.rows != a.rows || c.cols != b_n)
    os << "gemm: C is " << c.rows << "x" << c.cols << ", expected " << a.rows << "x" << b_n;
  else {
    for (const DeviceMatrix *m : {&a, &b, &c})
      if (m->stride % kWordBytes || m->buf.addr() % kWordBytes)
        os << "gemm: operand at 0x" << std::hex << m->buf.addr() << " is not 32-byte aligned";
  }
  return os.str();
}

void gemm_commands(kiln::CommandBuffer &cb, const DeviceMatrix &a, const DeviceMatrix &b,
                   const DeviceMatrix &c, const GemmOptions &opts) {
  const std::string why = gemm_check(a, b, c, opts);
  if (!why.empty()) throw kiln::Error(KILN_ERR_INVALID_ARGUMENT, why);

  const bool out32 = dtype_bytes(c.dtype) == 4;
  const uint32_t dtype = a.dtype == DType::INT8 ? 1 : 0;
  const bool bt = opts.b_transposed;
  const uint32_t n_total = bt ? b.rows : b.cols;
  const SpadPlan p = make_plan(out32, bt, choose_blocks(a.rows, n_total, a.cols));
  const std::vector<Step> steps = make_steps(a.rows, n_total, a.cols, p.blk);
  const uint32_t ein = in_bytes(a), eout = dtype_bytes(c.dtype);

  auto load = [&](size_t i) {
    const Step &s = steps[i];
    const uint32_t buf = i % 2;
    cb.dma(kLoadChannel, 0, a.addr(s.m0, s.k0), p.a[buf] * kWordBytes,
           round_up(s.kb * ein, kWordBytes), s.mb, a.stride, p.a_stride * kWordBytes);
    if (bt)  // Bt tile: nb rows of kb elements
      cb.dma(kLoadChannel, 0, b.addr(s.n0, s.k0), p.b[buf] * kWordBytes,
             round_up(s.kb * ein, kWordBytes), s.nb, b.stride, p.b_stride * kWordBytes);
    else     // B tile: kb rows of nb elements
      cb.dma(kLoadChannel, 0, b.addr(s.k0, s.n0), p.b[buf] * kWordBytes,
             round_up(s.nb * ein, kWordBytes), s.kb, b.stride, p.b_stride * kWordBytes);
  };
  auto store = [&](const Step &s) {
    const uint32_t buf = s.block % 2;
    cb.dma(kStoreChannel, 1, c.addr(s.m0, s.n0), p.c[buf] * kWordBytes,
           round_up(s.nb * eout, kWordBytes), s.mb, c.stride, p.c_stride * kWordBytes);
  };
  auto writeback = [&](const Step &s) {
    const uint32_t buf = s.block % 2;
    cb.writeback(out32, p.acc[buf], p.c[buf], p.c_stride, s.mb, s.nb);
  };

  // Step i: wait for its operands and for the array to finish step i-1 (whose
  // buffers the next load overwrites), drain a finished block, compute, then
  // prefetch step i+1. A finished block's store is issued one step after its
  // writeback, when the barrier has shown the writeback done.
  load(0);
  const Step *wb_pending = nullptr;  // written back, not yet stored
  for (size_t i = 0; i < steps.size(); ++i) {
    const Step &s = steps[i];
    const Step *done_block = (i > 0 && steps[i - 1].last_k) ? &steps[i - 1] : nullptr;
    // Before writing back into C buffer x, its previous store (two blocks ago) must be done.
    cb.barrier(KILN_UNIT_DMA(kLoadChannel) | KILN_UNIT_TC |
               (done_block ? KILN_UNIT_DMA(kStoreChannel) : 0));
    if (wb_pending) {
      store(*wb_pending);
      wb_pending = nullptr;
    }
    if (done_block) {
      writeback(*done_block);
      wb_pending = done_block;
    }
    const uint32_t buf = i % 2;
    cb.gemm_flags(dtype | (s.first_k ? 0u : KILN_GEMM_ACCUMULATE) | (bt ? KILN_GEMM_B_TRANSPOSED : 0u),
                  p.a[buf], p.a_stride, p.b[buf], p.b_stride, p.acc[s.block % 2], s.mb, s.nb, s.kb);
    if (i + 1 < steps.size()) load(i + 1);
  }
  // The TC barrier is what makes an issued store safe: a store waits for the
  // writeback that fills its buffer.
  cb.barrier(KILN_UNIT_TC | KILN_UNIT_DMA(kStoreChannel));
  if (wb_pending) store(*wb_pending);
  writeback(steps.back());
  cb.barrier(KILN_UNIT_TC);
  store(steps.back());
}

void gemm(kiln::Device &dev, const DeviceMatrix &a, const DeviceMatrix &b, const DeviceMatrix &c,
          const GemmOptions &opts, uint64_t timeout_ns) {
  kiln::CommandBuffer cb;
  gemm_commands(cb, a, b, c, opts);
  dev.wait(dev.submit(cb), timeout_ns);
}

}  // namespace kiln::sdk
