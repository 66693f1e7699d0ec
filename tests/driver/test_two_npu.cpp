// The two-NPU backends on the real platform: "both" (kiln_select_npu between
// submissions) and "lockstep" (every command on rtl and fast, compared), plus
// the refusal on "rtl". SystemC elaborates once per process, so CMake runs
// each TEST_CASE as its own ctest (driver.<name>).
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdlib>
#include <cstdio>
#include <cstring>
#include <functional>
#include <string>
#include <vector>

#include "kiln/golden/gemm.h"
#include "kiln/kiln.hpp"
#include "kiln_cmds.h"

using Catch::Matchers::Contains;

namespace {

constexpr uint32_t kWord = 32;

uint32_t div_up(uint32_t a, uint32_t b) { return (a + b - 1) / b; }

// C = A x B (BF16 in, FP32 out) with raw commands, so the test depends on the
// command format only. Rows are padded to whole scratchpad words in DRAM.
struct Gemm {
  uint32_t M, N, K;
  std::vector<uint16_t> A, B;
  Gemm(uint32_t m, uint32_t n, uint32_t k, unsigned seed) : M(m), N(n), K(k), A(m * k), B(k * n) {
    for (size_t i = 0; i < A.size(); ++i) A[i] = uint16_t(0x3F80 + (i * 7 + seed) % 97);   // ~[1, 2)
    for (size_t i = 0; i < B.size(); ++i) B[i] = uint16_t(0xBF00 + (i * 13 + seed) % 89);  // ~(-1, -0.5]
  }
  std::vector<uint32_t> golden() const {
    std::vector<uint32_t> c(size_t(M) * N);
    kiln::golden::gemm_bf16(A.data(), K, B.data(), N, c.data(), N, M, N, K, false);
    return c;
  }
  void build(kiln::CommandBuffer& cb, const kiln::Buffer& a, const kiln::Buffer& b, const kiln::Buffer& c) const {
    const uint32_t kc = div_up(K, 16), nt = div_up(N, 16);
    const uint32_t b_word = M * kc, c_word = b_word + K * nt;
    cb.dma(0, 0, a.addr(), 0, kc * kWord, M, kc * kWord, kc * kWord)
        .dma(1, 0, b.addr(), b_word * kWord, nt * kWord, K, nt * kWord, nt * kWord)
        .barrier()
        .gemm(0, false, 0, kc, b_word, nt, 0, M, N, K)
        .barrier(KILN_UNIT_TC)
        .writeback(true, 0, c_word, nt * 2, M, N)
        .barrier(KILN_UNIT_TC)
        .dma(0, 1, c.addr(), c_word * kWord, nt * 2 * kWord, M, nt * 2 * kWord, nt * 2 * kWord);
  }
  // Index of the WRITEBACK in build()'s stream.
  static constexpr size_t kWritebackIndex = 5;

  std::vector<uint32_t> run(kiln::Device& dev) const {
    const uint32_t kc = div_up(K, 16), nt = div_up(N, 16);
    std::vector<uint16_t> ap(size_t(M) * kc * 16, 0), bp(size_t(K) * nt * 16, 0);
    for (uint32_t m = 0; m < M; ++m) std::memcpy(&ap[size_t(m) * kc * 16], &A[size_t(m) * K], K * 2);
    for (uint32_t k = 0; k < K; ++k) std::memcpy(&bp[size_t(k) * nt * 16], &B[size_t(k) * N], N * 2);
    kiln::Buffer a = dev.alloc(ap.size() * 2), b = dev.alloc(bp.size() * 2);
    kiln::Buffer c = dev.alloc(size_t(M) * nt * 16 * 4);
    a.write(ap);
    b.write(bp);
    kiln::CommandBuffer cb;
    build(cb, a, b, c);
    dev.run(cb);
    const auto cp = c.read<uint32_t>(size_t(M) * nt * 16);
    std::vector<uint32_t> out(size_t(M) * N);
    for (uint32_t m = 0; m < M; ++m) std::memcpy(&out[size_t(m) * N], &cp[size_t(m) * nt * 16], N * 4);
    return out;
  }
};

// A softmax over 9 rows of 40 BF16 with the vector unit: ROWMAX, EXP with row
// sums, RECIP, MUL by the per-row scalar. Returns the BF16 result.
constexpr uint32_t kRows = 9, kCols = 40;
constexpr size_t kExpIndex = 4;  // index of the EXP in the stream below

std::vector<uint16_t> run_softmax(kiln::Device& dev) {
  std::vector<uint16_t> x(kRows * 48, 0);  // rows padded to 3 words
  for (uint32_t r = 0; r < kRows; ++r)
    for (uint32_t c = 0; c < kCols; ++c) x[r * 48 + c] = uint16_t(0x3F00 + (r * 31 + c * 17) % 200);
  kiln::Buffer in = dev.alloc(x.size() * 2), out = dev.alloc(x.size() * 2);
  in.write(x);
  kiln::CommandBuffer cb;
  const uint32_t fp32 = KILN_VECTOR_SRC0_FP32 | KILN_VECTOR_DST_FP32;
  cb.dma(0, 0, in.addr(), 0, 3 * kWord, kRows, 3 * kWord, 3 * kWord)                          // 0
      .barrier()                                                                               // 1
      .vector(KILN_VECTOR_OP_ROWMAX, 0, kRows, kCols, 0, 3, 0, 0, 0, 100, 0)                   // 2
      .barrier(KILN_UNIT_VU)                                                                   // 3
      .vector(KILN_VECTOR_OP_EXP, KILN_VECTOR_SRC1_SCALAR | KILN_VECTOR_DST_FP32 | KILN_VECTOR_ROWSUM,
              kRows, kCols, 0, 3, 100, 0, 0, 110, 5, 0, 160)                                   // 4
      .barrier(KILN_UNIT_VU)
      .vector(KILN_VECTOR_OP_RECIP, fp32, 1, kRows, 160, 0, 0, 0, 0, 170, 0)
      .barrier(KILN_UNIT_VU)
      .vector(KILN_VECTOR_OP_MUL, KILN_VECTOR_SRC0_FP32 | KILN_VECTOR_SRC1_SCALAR, kRows, kCols, 110, 5, 170,
              0, 0, 200, 3)
      .barrier(KILN_UNIT_VU)
      .dma(1, 1, out.addr(), 200 * kWord, 3 * kWord, kRows, 3 * kWord, 3 * kWord);
  dev.run(cb);
  return out.read<uint16_t>(x.size());
}

float bf16(uint16_t v) {
  const uint32_t u = uint32_t(v) << 16;
  float f;
  std::memcpy(&f, &u, 4);
  return f;
}

void check_softmax_rows(const std::vector<uint16_t>& y) {
  for (uint32_t r = 0; r < kRows; ++r) {
    double s = 0;
    for (uint32_t c = 0; c < kCols; ++c) s += bf16(y[r * 48 + c]);
    INFO("row " << r);
    CHECK(std::fabs(s - 1.0) < 0.05);
  }
}

// Expects the failure lockstep reports at kiln_wait; returns its message.
std::string expect_lockstep_failure(kiln::Device& dev, const std::function<void()>& job) {
  try {
    job();
  } catch (const kiln::Error& e) {
    CHECK(e.status() == KILN_ERR_DEVICE);
    WARN(e.what());  // the message is the feature: keep it in the test log
    return e.what();
  }
  FAIL("lockstep did not report the injected fault");
  return "";
}

}  // namespace

TEST_CASE("both_switch") {
  kiln::Device dev("both");
  CHECK(std::string(dev.backend_name()) == "both");
  CHECK(dev.active_npu() == "fast");  // "both" starts on the fast model
  const Gemm g(20, 24, 40, 1);
  const auto gold = g.golden();
  const auto on_fast = g.run(dev);
  dev.select_npu("rtl");
  CHECK(dev.active_npu() == "rtl");
  const auto on_rtl = g.run(dev);
  dev.select_npu("fast");
  CHECK(dev.active_npu() == "fast");
  const auto again = g.run(dev);
  CHECK(on_fast == on_rtl);
  CHECK(on_rtl == again);
  CHECK(on_fast == gold);
  dev.select_npu("fast");  // already active: nothing to do
}

TEST_CASE("both_select_busy") {
  kiln::Device dev("both");
  kiln::Buffer big = dev.alloc(256 * 1024);
  kiln::CommandBuffer cb;
  for (int i = 0; i < 4; ++i) cb.dma(0, 0, big.addr(), 0, 256 * 1024, 1, 0, 0).barrier();  // ~33k cycles
  const uint64_t fence = dev.submit(cb);
  try {
    dev.select_npu("rtl");
    FAIL("select_npu switched with a submission in flight");
  } catch (const kiln::Error& e) {
    CHECK(e.status() == KILN_ERR_BUSY);
    CHECK_THAT(e.what(), Contains("in flight") && Contains("kiln_wait for fence " + std::to_string(fence)));
  }
  CHECK(dev.active_npu() == "fast");
  dev.wait(fence);
  dev.select_npu("rtl");
  CHECK(dev.active_npu() == "rtl");
  const Gemm g(17, 16, 32, 2);
  CHECK(g.run(dev) == g.golden());
}

TEST_CASE("rtl_select_refused") {
  kiln::Device dev("rtl");
  CHECK(dev.active_npu() == "rtl");
  try {
    dev.select_npu("fast");
    FAIL("the rtl backend switched NPUs");
  } catch (const kiln::Error& e) {
    CHECK(e.status() == KILN_ERR_INVALID_ARGUMENT);
    CHECK_THAT(e.what(), Contains("rtl backend has a single NPU") && Contains("\"both\""));
  }
  CHECK_THROWS_AS(dev.lockstep_stats(), kiln::Error);
}

TEST_CASE("lockstep_gemm") {
  kiln::Device dev("lockstep");
  CHECK(dev.active_npu() == "rtl+fast");
  CHECK(kiln_select_npu(dev.get(), "fast") == KILN_ERR_INVALID_ARGUMENT);
  CHECK_THAT(kiln_last_error(dev.get()), Contains("switches between them itself"));
  const Gemm g(20, 24, 40, 3);
  CHECK(g.run(dev) == g.golden());
  const kiln_lockstep_stats s = dev.lockstep_stats();
  CHECK(s.commands == 8);
  CHECK(s.compared == 4);  // two loads, the WRITEBACK, the store
  CHECK(s.differences == 0);
  CHECK(s.bytes_compared > 0);
}

TEST_CASE("lockstep_vector") {
  kiln::Device dev("lockstep");
  check_softmax_rows(run_softmax(dev));
  const kiln_lockstep_stats s = dev.lockstep_stats();
  CHECK(s.commands == 11);
  CHECK(s.compared == 6);
  CHECK(s.differences == 0);
}

// KILN_FAST_FAULT (systemc/fast/fault_inject.h) flips one bit of one fast-model
// result; lockstep must stop at that command and name it.
TEST_CASE("lockstep_fault_vector") {
  setenv("KILN_FAST_FAULT", "vector:1", 1);  // the EXP, the second VECTOR
  kiln::Device dev("lockstep");
  const std::string msg = expect_lockstep_failure(dev, [&] { run_softmax(dev); });
  INFO(msg);
  CHECK_THAT(msg, Contains("kiln_wait: lockstep: command 4 (VECTOR EXP rows=9 cols=40"));
  CHECK_THAT(msg, Contains("dst=0x6e") && Contains(") differs: rtl 0x"));
  CHECK_THAT(msg, Contains("at scratchpad byte 0xdc0 (word 0x6e), dst row 0 element 0; 1 of 360 elements differ;"));
  CHECK_THAT(msg, Contains("4 earlier command(s) matched"));
  const kiln_device_error_info e = dev.device_error();
  CHECK(e.code == KILN_DEVICE_ERR_LOCKSTEP_MISMATCH);
  CHECK(e.cmd_index == kExpIndex);
  CHECK(e.addr == 110 * kWord);
  CHECK(dev.lockstep_stats().differences == 1);
  CHECK(dev.lockstep_stats().commands == kExpIndex + 1);

  // Halted like after a device error; kiln_reset makes it usable again (the
  // fault fires once).
  kiln::CommandBuffer nop;
  nop.nop();
  try {
    dev.submit(nop);
    FAIL("submit accepted work after a lockstep difference");
  } catch (const kiln::Error& e2) {
    CHECK(e2.status() == KILN_ERR_HALTED);
    CHECK_THAT(e2.what(), Contains("lockstep: command 4"));
  }
  dev.reset();
  check_softmax_rows(run_softmax(dev));
  CHECK(dev.lockstep_stats().differences == 1);
}

TEST_CASE("lockstep_fault_matmul_seen_at_writeback") {
  setenv("KILN_FAST_FAULT", "matmul:0:20", 1);
  kiln::Device dev("lockstep");
  const Gemm g(20, 24, 40, 4);
  const std::string msg = expect_lockstep_failure(dev, [&] { g.run(dev); });
  INFO(msg);
  // The GEMM itself has no visible output; its WRITEBACK shows the flip.
  CHECK_THAT(msg, Contains("lockstep: command 5 (WRITEBACK fp32 m=20 n=24"));
  CHECK_THAT(msg, Contains(", WRITEBACK output row 0 element 0; 1 of 480 elements differ; 5 earlier"));
  const kiln_device_error_info e = dev.device_error();
  CHECK(e.cmd_index == Gemm::kWritebackIndex);
  dev.reset();
  CHECK(g.run(dev) == g.golden());
}

TEST_CASE("lockstep_fault_dma_store") {
  // Fast DMA operations: the load (0), its probe store (1), the store (2).
  setenv("KILN_FAST_FAULT", "dma:2:7", 1);
  kiln::Device dev("lockstep");
  kiln::Buffer src = dev.alloc(4096), dst = dev.alloc(4096);
  std::vector<uint32_t> v(1024);
  for (size_t i = 0; i < v.size(); ++i) v[i] = uint32_t(i * 2654435761u);
  src.write(v);
  kiln::CommandBuffer cb;
  cb.dma(0, 0, src.addr(), 0, 1024, 4, 1024, 1024).barrier().dma(1, 1, dst.addr(), 0, 1024, 4, 1024, 1024);
  const std::string msg = expect_lockstep_failure(dev, [&] { dev.run(cb); });
  INFO(msg);
  CHECK_THAT(msg, Contains("lockstep: command 2 (DMA ch1 spad->dram"));
  char want[128];
  std::snprintf(want, sizeof want, "rtl 0x%08x vs fast 0x%08x at device address 0x%llx", v[0], v[0] ^ 0x80u,
                static_cast<unsigned long long>(dst.addr()));
  CHECK_THAT(msg, Contains(want));
}
