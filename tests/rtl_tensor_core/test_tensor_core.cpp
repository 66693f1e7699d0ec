// kiln_tensor_core: MATMUL + WRITEBACK over many shapes, bit-exact against
// the golden gemm (cosim/golden), with and without scratchpad refusals, with
// B given plainly (B[K][N]) or transposed (Bt[N][K], B_TRANSPOSED).
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdio>
#include <vector>

#include "golden_machine.h"
#include "kiln/golden/gemm.h"
#include "kiln/golden/numerics.h"
#include "tc_bench.h"

using namespace tc_test;
namespace g = kiln::golden;

namespace {

constexpr uint16_t kGarbage[] = {0x7FC1, 0xFF80, 0x7F80, 0x0001, 0x4321};

struct Shape {
  int m, n, k;
};

uint16_t rand_bf16(std::mt19937_64& rng, bool specials) {
  if (specials && rng() % 100 == 0) {
    const uint16_t s[] = {0x0000, 0x8000, 0x0001, 0x8040, 0x7F80, 0xFF80, 0x7FC0, 0x7F7F, 0xFF7F};
    return s[rng() % 9];
  }
  // Mostly O(1) values with a few larger/smaller exponents.
  const int e = 127 + static_cast<int>(rng() % 13) - 8;
  return static_cast<uint16_t>((rng() & 0x807Fu) | (static_cast<uint32_t>(e) << 7));
}

// One MATMUL (plus the WRITEBACKs that check it) at fixed scratchpad places.
class MatmulCase {
 public:
  MatmulCase(TcBench& tb, std::mt19937_64& rng, Shape s, bool int8, bool specials)
      : tb_(tb), rng_(rng), s_(s), int8_(int8), specials_(specials) {
    kw_ = (s.k + 15) / 16;
    nw_ = (s.n + 15) / 16;
    op_.dtype = int8 ? 1 : 0;
    op_.m = s.m;
    op_.n = s.n;
    op_.k = s.k;
    op_.a_addr = 3;
    op_.a_stride = kw_ + 1;  // one padding word per row, filled with garbage
    op_.b_addr = op_.a_addr + op_.a_stride * s.m + 5;
    // The B area holds either layout: B[K][N] with nw_+1 words per k row, or
    // Bt[N][K] with kw_+1 words per n row (rows padded to 16 in both).
    const uint32_t b_words = std::max<uint32_t>((nw_ + 1) * kw_ * 16, (kw_ + 1) * nw_ * 16);
    op_.acc_addr = 100;
    out_addr_ = op_.b_addr + b_words + 7;
    out_stride_ = 2 * nw_ + 1;
    C_.assign(static_cast<size_t>(s.m) * s.n, 0);
  }

  // Fills A and B (or Bt) with new values, runs MATMUL and updates the
  // golden C. The transposed golden is also checked against the plain one
  // on the explicitly transposed matrix.
  void matmul(bool accumulate, int refuse_pct, bool bt = false) {
    const int M = s_.m, N = s_.n, K = s_.k;
    std::vector<uint16_t> A(static_cast<size_t>(M) * K), B(static_cast<size_t>(K) * N);
    fill_operand(A.data(), M, K, op_.a_addr, op_.a_stride);
    op_.b_transposed = bt;
    op_.b_stride = bt ? kw_ + 1 : nw_ + 1;
    if (bt) {
      fill_operand(B.data(), N, K, op_.b_addr, op_.b_stride);  // B holds Bt[N][K]
    } else {
      fill_operand(B.data(), K, N, op_.b_addr, op_.b_stride);
    }
    std::vector<uint32_t> plain;  // gemm on B = Bt^T, for the bt cross-check
    if (int8_) {
      std::vector<int8_t> a8(A.size()), b8(B.size());
      for (size_t i = 0; i < A.size(); ++i) a8[i] = static_cast<int8_t>(A[i] & 0xFF);
      for (size_t i = 0; i < B.size(); ++i) b8[i] = static_cast<int8_t>(B[i] & 0xFF);
      if (bt) {
        std::vector<int8_t> t8(B.size());
        for (int n = 0; n < N; ++n)
          for (int k = 0; k < K; ++k) t8[static_cast<size_t>(k) * N + n] = b8[static_cast<size_t>(n) * K + k];
        plain = C_;
        g::gemm_int8(a8.data(), K, t8.data(), N, reinterpret_cast<int32_t*>(plain.data()), N, M, N,
                     K, accumulate);
        g::gemm_int8_bt(a8.data(), K, b8.data(), K, reinterpret_cast<int32_t*>(C_.data()), N, M,
                        N, K, accumulate);
      } else {
        g::gemm_int8(a8.data(), K, b8.data(), N, reinterpret_cast<int32_t*>(C_.data()), N, M, N,
                     K, accumulate);
      }
    } else if (bt) {
      std::vector<uint16_t> t(B.size());
      for (int n = 0; n < N; ++n)
        for (int k = 0; k < K; ++k) t[static_cast<size_t>(k) * N + n] = B[static_cast<size_t>(n) * K + k];
      plain = C_;
      g::gemm_bf16(A.data(), K, t.data(), N, plain.data(), N, M, N, K, accumulate);
      g::gemm_bf16_bt(A.data(), K, B.data(), K, C_.data(), N, M, N, K, accumulate);
    } else {
      g::gemm_bf16(A.data(), K, B.data(), N, C_.data(), N, M, N, K, accumulate);
    }
    if (bt) REQUIRE(plain == C_);
    op_.opcode = 0;
    op_.accumulate = accumulate;
    tb_.set_refusal(refuse_pct);
    const OpStats st = tb_.run(op_);
    REQUIRE(st.done);
    // Exactly one injected row per (column tile, K chunk, A row).
    REQUIRE(st.rows == static_cast<uint64_t>(nw_) * kw_ * M);
    last_ = st;
  }

  // WRITEBACK in one format and compare every lane, plus the untouched ones.
  void writeback(bool fp32, int refuse_pct) {
    const int M = s_.m, N = s_.n;
    const int words_per_row = fp32 ? 2 * nw_ : nw_;
    const Word sentinel = make_sentinel();
    for (int m = 0; m < M; ++m)
      for (uint32_t w = 0; w < out_stride_; ++w) tb_.spad.at(out_addr_ + m * out_stride_ + w) = sentinel;
    TcOp op = op_;
    op.opcode = 1;
    op.out_fp32 = fp32;
    op.out_addr = out_addr_;
    op.out_stride = out_stride_;
    tb_.set_refusal(refuse_pct);
    const OpStats st = tb_.run(op);
    REQUIRE(st.done);
    int bad = 0;
    for (int m = 0; m < M; ++m) {
      for (uint32_t w = 0; w < out_stride_; ++w) {
        const Word& got = tb_.spad.at(out_addr_ + m * out_stride_ + w);
        for (int i = 0; i < 16; ++i) {
          uint16_t want = sentinel[i];
          if (static_cast<int>(w) < words_per_row) {
            const int n = fp32 ? (static_cast<int>(w) / 2) * 16 + (static_cast<int>(w) % 2) * 8 + i / 2
                               : static_cast<int>(w) * 16 + i;
            if (n < N) {
              const uint32_t c = C_[static_cast<size_t>(m) * N + n];
              want = fp32 ? static_cast<uint16_t>(c >> (16 * (i % 2))) : g::fp32_to_bf16(c);
            }
          }
          if (got[i] != want && ++bad <= 5)
            UNSCOPED_INFO("m=" << m << " word=" << w << " lane=" << i << std::hex << " rtl=" << got[i]
                               << " want=" << want);
        }
      }
    }
    REQUIRE(bad == 0);
  }

  const OpStats& last() const { return last_; }
  const TcOp& op() const { return op_; }
  const std::vector<uint32_t>& golden_c() const { return C_; }

 private:
  Word make_sentinel() {
    Word w;
    for (auto& v : w) v = static_cast<uint16_t>(rng_());
    return w;
  }

  uint16_t rand_value() {
    if (int8_) return static_cast<uint16_t>(rng_());  // high byte ignored by the core
    return rand_bf16(rng_, specials_);
  }

  // rows x cols matrix into the scratchpad (16 lanes per word), padding
  // lanes and words filled with NaN/Inf/denormal garbage.
  void fill_operand(uint16_t* dst, int rows, int cols, uint32_t addr, uint32_t stride) {
    const int rows_padded = ((rows + 15) / 16) * 16;
    for (int r = 0; r < rows_padded; ++r) {
      for (uint32_t w = 0; w < stride; ++w) {
        Word& word = tb_.spad.at(addr + r * stride + w);
        for (int i = 0; i < 16; ++i) {
          const int c = static_cast<int>(w) * 16 + i;
          if (r < rows && c < cols && static_cast<int>(w) < (cols + 15) / 16) {
            dst[static_cast<size_t>(r) * cols + c] = word[i] = rand_value();
          } else {
            word[i] = kGarbage[rng_() % 5];
          }
        }
      }
    }
  }

  TcBench& tb_;
  std::mt19937_64& rng_;
  Shape s_;
  bool int8_, specials_;
  int kw_, nw_;
  TcOp op_;
  uint32_t out_addr_ = 0, out_stride_ = 0;
  std::vector<uint32_t> C_;
  OpStats last_;
};

// bt: the first MATMUL of every case reads a transposed B; the accumulating
// one alternates between the two layouts (the mode is per operation).
void run_shapes(int refuse_pct, uint64_t seed, bool all, bool bt = false) {
  const int Ms[] = {1, 2, 7, 16, 33, 128};
  const int Ns[] = {1, 16, 17, 77};
  const int Ks[] = {1, 15, 16, 300};
  TcBench tb(seed);
  std::mt19937_64 rng(seed);
  int idx = 0;
  for (int m : Ms)
    for (int n : Ns)
      for (int k : Ks)
        for (int int8 = 0; int8 < 2; ++int8) {
          ++idx;
          // The refusal run covers every third combination to stay quick.
          if (!all && idx % 3 != 0) continue;
          INFO("M=" << m << " N=" << n << " K=" << k << (int8 ? " int8" : " bf16"));
          MatmulCase c(tb, rng, {m, n, k}, int8 != 0, idx % 3 == 1);
          c.matmul(false, refuse_pct, bt);
          c.writeback(true, refuse_pct);
          c.matmul(true, refuse_pct, bt && idx % 2 == 0);
          c.writeback(true, refuse_pct);
          c.writeback(false, refuse_pct);
        }
}

}  // namespace

TEST_CASE("MATMUL and WRITEBACK over all shapes", "[matmul]") { run_shapes(0, 1, true); }

TEST_CASE("MATMUL and WRITEBACK with scratchpad refusals", "[refusals]") {
  run_shapes(30, 2, false);
  run_shapes(70, 3, false);
}

TEST_CASE("MATMUL with transposed B over all shapes", "[matmul_bt]") { run_shapes(0, 5, true, true); }

TEST_CASE("MATMUL with transposed B and scratchpad refusals", "[refusals_bt]") {
  run_shapes(30, 6, false, true);
  run_shapes(70, 7, false, true);
}

// The golden machine's matmul (cosim/machine) on the same scratchpad image,
// garbage padding included, must produce the golden gemm result in both
// layouts; the RTL is checked against the same result above.
TEST_CASE("golden machine matmul matches gemm, plain and transposed B", "[machine]") {
  TcBench tb(11);
  std::mt19937_64 rng(11);
  const Shape shapes[] = {{1, 1, 1}, {7, 17, 15}, {33, 77, 300}, {16, 16, 16}};
  for (const Shape& sh : shapes)
    for (int int8 = 0; int8 < 2; ++int8)
      for (int bt = 0; bt < 2; ++bt) {
        INFO("M=" << sh.m << " N=" << sh.n << " K=" << sh.k << (int8 ? " int8" : " bf16") << (bt ? " Bt" : " B"));
        MatmulCase c(tb, rng, sh, int8 != 0, true);
        c.matmul(false, 0, bt != 0);
        kiln::golden::Machine mach;
        uint8_t* sp = mach.spad_bytes();
        for (size_t w = 0; w < tb.spad.size(); ++w)
          for (int i = 0; i < 16; ++i) {
            sp[32 * w + 2 * i] = static_cast<uint8_t>(tb.spad[w][i]);
            sp[32 * w + 2 * i + 1] = static_cast<uint8_t>(tb.spad[w][i] >> 8);
          }
        const TcOp& op = c.op();
        mach.matmul(op.dtype, false, op.a_addr, op.a_stride, op.b_addr, op.b_stride, op.acc_addr, op.m, op.n,
                    op.k, op.b_transposed);
        int bad = 0;
        const int tiles = (sh.n + 15) / 16;
        for (int m = 0; m < sh.m; ++m)
          for (int t = 0; t < tiles; ++t)
            for (int l = 0; l < 16 && 16 * t + l < sh.n; ++l) {
              const uint32_t got =
                  mach.acc()[static_cast<size_t>((op.acc_addr + t * sh.m + m) % KILN_HW_TENSOR_CORE_ACC_ROWS) * 16 + l];
              if (got != c.golden_c()[static_cast<size_t>(m) * sh.n + 16 * t + l]) ++bad;
            }
        REQUIRE(bad == 0);
      }
}

TEST_CASE("128x128x256 BF16 throughput", "[perf]") {
  TcBench tb(9);
  std::mt19937_64 rng(9);
  uint64_t cycles[2] = {0, 0};
  for (int bt = 0; bt < 2; ++bt) {
    const char* name = bt ? "transposed B" : "plain B";
    MatmulCase c(tb, rng, {128, 128, 256}, false, false);
    c.matmul(false, 0, bt != 0);
    const OpStats& st = c.last();
    const uint64_t ideal = 8ull * 16 * 128;  // ceil(N/16) * ceil(K/16) * M rows
    std::printf("tensor core 128x128x256 BF16, %s: %llu cycles, ideal %llu, ratio %.4f, stalls %llu\n",
                name, static_cast<unsigned long long>(st.cycles), static_cast<unsigned long long>(ideal),
                static_cast<double>(ideal) / static_cast<double>(st.cycles),
                static_cast<unsigned long long>(st.stalls));
    CHECK(st.cycles < ideal + 64);  // fill + drain only
    cycles[bt] = st.cycles;
    c.writeback(false, 0);
    // GEMV-like small M: weight loading bounds the rate; report it.
    MatmulCase v(tb, rng, {1, 128, 256}, false, false);
    v.matmul(false, 0, bt != 0);
    std::printf("tensor core 1x128x256 BF16 (GEMV), %s: %llu cycles for %d rows\n", name,
                static_cast<unsigned long long>(v.last().cycles), 8 * 16);
    v.writeback(true, 0);
  }
  // The transposed layout costs no throughput: same one word per cycle.
  CHECK(cycles[1] <= cycles[0] + 4);
}

TEST_CASE("start while busy is ignored; abort returns to idle", "[control]") {
  TcBench tb(4);
  std::mt19937_64 rng(4);
  MatmulCase c(tb, rng, {33, 40, 70}, false, false);
  c.matmul(false, 0);  // reference result in the accumulator
  c.writeback(true, 0);
  // Start a long MATMUL on other accumulator rows and abort it midway.
  TcOp op;
  op.opcode = 0;
  op.m = 128;
  op.n = 64;
  op.k = 256;
  op.a_stride = 16;
  op.b_stride = 4;
  op.acc_addr = 1000;
  tb.set_cfg(op);
  auto& d = tb.dut();
  d.start_i = 1;
  tb.cycle();
  REQUIRE(d.busy_o);
  // A second start (a WRITEBACK over the reference output) must be ignored.
  op.opcode = 1;
  op.acc_addr = 100;
  tb.set_cfg(op);
  for (int i = 0; i < 200; ++i) tb.cycle();
  d.start_i = 0;
  REQUIRE(d.busy_o);
  d.abort_i = 1;
  tb.cycle();
  d.abort_i = 0;
  int n = 0;
  while (d.busy_o && n < 4) {
    tb.cycle();
    ++n;
  }
  REQUIRE_FALSE(d.busy_o);
  for (int i = 0; i < 50; ++i) {
    REQUIRE_FALSE(d.done_o);
    tb.cycle();
  }
  // The earlier result survived and a new operation runs normally.
  c.writeback(true, 0);
  c.matmul(true, 0);
  c.writeback(false, 0);
}
