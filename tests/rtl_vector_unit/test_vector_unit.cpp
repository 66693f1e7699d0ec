// kiln_vector_unit against the golden vector_run (cosim/golden): every op
// x operand types x SRC1_MODE x shapes on random data with special values,
// compared bit for bit over the whole scratchpad image; grant refusals and
// bank conflicts; abort; throughput.
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

#include "kiln/golden/vector.h"
#include "vu_bench.h"

using namespace vu_test;
namespace g = kiln::golden;

namespace {

const uint32_t kColsList[] = {1, 7, 8, 16, 17, 64, 100, 576};

uint32_t rand_fp32(std::mt19937_64& rng) {
  static const uint32_t kSpecial[] = {
      0x00000000u, 0x80000000u, 0x00000001u, 0x807FFFFFu, 0x7F800000u, 0xFF800000u,
      0x7FC00000u, 0xFFC12345u, 0x7F800001u, 0x7F7FFFFFu, 0xFF7FFFFFu, 0x00800000u,
      0x80800000u, 0x7F000000u, 0x00FFFFFFu, 0x42B00000u, 0xC2B00000u, 0x3F800000u};
  static const uint32_t kTies[] = {0x3F800000u, 0x40000000u, 0xBF800000u, 0x3F000000u,
                                   0x00000000u, 0x80000000u};
  const uint32_t p = static_cast<uint32_t>(rng() % 100);
  if (p < 5) return kSpecial[rng() % (sizeof(kSpecial) / 4)];
  if (p < 10) return static_cast<uint32_t>(rng());
  if (p < 16) return kTies[rng() % (sizeof(kTies) / 4)];
  const uint32_t e = 127 - 8 + static_cast<uint32_t>(rng() % 15);
  return (static_cast<uint32_t>(rng()) & 0x807FFFFFu) | (e << 23);
}

// Fills `words` words from `addr` with FP32 or BF16 values.
void fill(std::vector<uint32_t>& img, std::mt19937_64& rng, uint32_t addr, uint32_t words,
          bool fp32) {
  for (uint32_t w = 0; w < words; ++w)
    for (uint32_t i = 0; i < 8; ++i) {
      uint32_t v = rand_fp32(rng);
      if (!fp32) v = (v >> 16) | (rand_fp32(rng) & 0xFFFF0000u);
      img[8 * ((addr + w) % kWords) + i] = v;
    }
}

uint32_t wpr(uint32_t cols, bool fp32) { return fp32 ? (cols + 7) / 8 : (cols + 15) / 16; }

bool uses_src1(uint32_t op) {
  switch (op) {
    case g::kVuAdd: case g::kVuSub: case g::kVuMul: case g::kVuMax: case g::kVuExp:
    case g::kVuRsqrt: case g::kVuSiluMul: case g::kVuRope: case g::kVuAxpy: return true;
    default: return false;
  }
}

std::string describe(const g::VectorOp& op) {
  char b[256];
  std::snprintf(b, sizeof b,
                "op=%u flags=0x%x rows=%u cols=%u src0=%u/%u src1=%u/%u src2=%u dst=%u/%u "
                "imm=0x%08x aux=%u",
                op.op, op.flags, op.rows, op.cols, op.src0_addr, op.src0_stride, op.src1_addr,
                op.src1_stride, op.src2_addr, op.dst_addr, op.dst_stride, op.imm, op.aux);
  return b;
}

// Builds an op with non-overlapping, padded operand regions and fills them.
g::VectorOp make_case(std::mt19937_64& rng, std::vector<uint32_t>& img, uint32_t opc,
                      uint32_t flags, uint32_t rows, uint32_t cols) {
  g::VectorOp op;
  op.op = opc;
  op.flags = flags;
  op.cols = cols;
  const bool f0 = flags & g::kVuFlagSrc0Fp32, f1 = flags & g::kVuFlagSrc1Fp32;
  const bool fd = flags & g::kVuFlagDstFp32;
  const uint32_t mode = (flags >> g::kVuSrc1ModeShift) & 3u;
  const bool red = g::vu_is_reduction(opc);
  op.src0_stride = wpr(cols, f0) + static_cast<uint32_t>(rng() % 3);
  op.src1_stride = wpr(cols, f1) + static_cast<uint32_t>(rng() % 3);
  op.dst_stride = wpr(cols, fd) + static_cast<uint32_t>(rng() % 3);
  // Shrink rows until everything fits (big FP32 rows).
  for (;; rows = std::max(1u, rows * 3 / 4)) {
    uint32_t need = 40 + rows * op.src0_stride * 2 + rows * op.src1_stride + rows * op.dst_stride;
    if (need < kWords || rows == 1) break;
  }
  op.rows = rows;
  uint32_t cur = static_cast<uint32_t>(rng() % 8);
  auto place = [&](uint32_t words) {
    const uint32_t a = cur;
    cur += words + 1 + static_cast<uint32_t>(rng() % 4);
    return a;
  };
  op.src0_addr = place(rows * op.src0_stride);
  fill(img, rng, op.src0_addr, rows * op.src0_stride, f0);
  const uint32_t s1_words = mode == 0 ? rows * op.src1_stride
                            : mode == 1 ? wpr(cols, f1)
                            : mode == 2 ? (rows + 7) / 8
                                        : 0;
  op.src1_addr = place(s1_words);
  fill(img, rng, op.src1_addr, s1_words, mode >= 2 || f1);
  op.src2_addr = place(opc == g::kVuAxpy ? rows * op.src0_stride : 0);
  if (opc == g::kVuAxpy) fill(img, rng, op.src2_addr, rows * op.src0_stride, f0);
  op.dst_addr = place(red ? (rows + 7) / 8 : rows * op.dst_stride);
  op.aux = place((rows + 7) / 8);
  if (opc == g::kVuMaskCausal) op.aux = static_cast<uint32_t>(static_cast<int>(rng() % 40) - 10);
  if (opc == g::kVuMaskCausal && rng() % 4 == 0) op.aux = 0x80000000u + (rng() % 5);
  op.imm = rand_fp32(rng);
  if (opc == g::kVuSiluMul && rng() % 2) op.imm = 0x3F800000u;
  if (opc == g::kVuRsqrt && rng() % 2) op.imm = 0x3727C5ACu;  // 1e-5
  return op;
}

// Runs `op` on the bench and the golden model from the same image.
void check_case(VuBench& tb, std::mt19937_64& rng, uint32_t opc, uint32_t flags, uint32_t rows,
                uint32_t cols) {
  std::vector<uint32_t> img(8 * kWords);
  for (auto& w : img) w = static_cast<uint32_t>(rng());
  const g::VectorOp op = make_case(rng, img, opc, flags, rows, cols);
  tb.spad = img;
  g::vector_run(op, img.data(), kWords);
  const RunStats st = tb.run(op);
  INFO(describe(op));
  REQUIRE(st.done);
  REQUIRE_FALSE(tb.dut().busy_o);
  for (uint32_t i = 0; i < 8 * kWords; ++i) {
    if (tb.spad[i] != img[i]) {
      FAIL("word " << i / 8 << " lane " << i % 8 << ": rtl 0x" << std::hex << tb.spad[i]
                   << " golden 0x" << img[i]);
    }
  }
}

// Every type / mode combination of `opc`, shapes taken in turn from
// kColsList, rows 1, 70, then random in 1..70.
void sweep_op(VuBench& tb, std::mt19937_64& rng, uint32_t opc, int& n) {
  std::vector<uint32_t> flag_sets;
  const bool red = g::vu_is_reduction(opc);
  for (uint32_t f0 = 0; f0 < 2; ++f0)
    for (uint32_t fd = 0; fd < (red ? 1u : 2u); ++fd) {
      const uint32_t base = f0 * g::kVuFlagSrc0Fp32 | fd * g::kVuFlagDstFp32;
      if (!uses_src1(opc)) {
        flag_sets.push_back(base | static_cast<uint32_t>(rng() % 4) << g::kVuSrc1ModeShift);
        continue;
      }
      for (uint32_t mode = 0; mode < 4; ++mode)
        for (uint32_t f1 = 0; f1 < (mode < 2 ? 2u : 1u); ++f1) {
          const uint32_t fl = base | f1 * g::kVuFlagSrc1Fp32 | mode << g::kVuSrc1ModeShift;
          flag_sets.push_back(fl);
          if (opc == g::kVuExp) flag_sets.push_back(fl | g::kVuFlagRowSum);
        }
    }
  // At least one case per cols value.
  for (size_t i = 0; flag_sets.size() < 8; ++i) flag_sets.push_back(flag_sets[i]);
  for (size_t i = 0; i < flag_sets.size(); ++i) {
    const uint32_t cols = kColsList[(n + i) % 8];
    const uint32_t rows = i == 0 ? 1 : i == 1 ? 70 : 1 + static_cast<uint32_t>(rng() % 70);
    check_case(tb, rng, opc, flag_sets[i], rows, cols);
  }
  n += static_cast<int>(flag_sets.size());
}

}  // namespace

TEST_CASE("elementwise ops, all types and modes, no refusals", "[elementwise]") {
  VuBench tb(1);
  std::mt19937_64 rng(11);
  int n = 0;
  for (uint32_t opc : {0u, 1u, 2u, 3u, 4u, 5u, 6u, 7u, 8u, 13u, 14u, 15u}) {
    SECTION("op " + std::to_string(opc)) { sweep_op(tb, rng, opc, n); }
  }
}

TEST_CASE("row reductions, no refusals", "[reduce]") {
  VuBench tb(2);
  std::mt19937_64 rng(22);
  int n = 0;
  for (uint32_t opc : {9u, 10u, 11u, 12u}) {
    for (int rep = 0; rep < 4; ++rep) sweep_op(tb, rng, opc, n);  // every cols value
  }
}

TEST_CASE("all ops with grant refusals and bank conflicts", "[refusals]") {
  VuBench tb(3);
  tb.set_refusal(30);
  tb.set_banks(true);
  std::mt19937_64 rng(33);
  int n = 3;
  for (uint32_t opc = 0; opc < 16; ++opc) sweep_op(tb, rng, opc, n);
}

TEST_CASE("operands sharing one bank and in-place ops", "[refusals]") {
  VuBench tb(4);
  tb.set_banks(true);
  std::mt19937_64 rng(44);
  for (int rep = 0; rep < 12; ++rep) {
    tb.set_refusal(rep % 2 ? 20 : 0);
    std::vector<uint32_t> img(8 * kWords);
    for (auto& w : img) w = static_cast<uint32_t>(rng());
    // AXPY with src0, src1, src2 and dst all in bank 0; then in place.
    g::VectorOp op = make_case(rng, img, g::kVuAxpy, (rep % 4) * 0x5u, 9 + rep, kColsList[rep % 8]);
    if (rep >= 6) {
      op.dst_addr = op.src0_addr;
      op.dst_stride = op.src0_stride;
      op.flags = (op.flags & ~g::kVuFlagDstFp32) | ((op.flags & 1u) << 2);
    }
    tb.spad = img;
    g::vector_run(op, img.data(), kWords);
    const RunStats st = tb.run(op);
    INFO(describe(op));
    REQUIRE(st.done);
    REQUIRE(tb.spad == img);
  }
}

TEST_CASE("abort, empty ops, start while busy", "[control]") {
  VuBench tb(5);
  std::mt19937_64 rng(55);
  std::vector<uint32_t> img(8 * kWords);
  for (auto& w : img) w = static_cast<uint32_t>(rng());
  g::VectorOp big = make_case(rng, img, g::kVuSiluMul, 0x37u, 60, 576);
  tb.spad = img;
  tb.start(big);
  for (int i = 0; i < 300; ++i) tb.cycle();
  REQUIRE(tb.dut().busy_o);
  tb.dut().abort_i = 1;
  tb.cycle();
  tb.dut().abort_i = 0;
  REQUIRE_FALSE(tb.dut().busy_o);
  for (int i = 0; i < 50; ++i) {
    tb.cycle();
    REQUIRE_FALSE(tb.dut().wr_req_o);
    REQUIRE(tb.dut().rd_req_o == 0);
  }
  // Zero rows / zero cols / unknown op: done without any access.
  for (int k = 0; k < 3; ++k) {
    g::VectorOp e = big;
    if (k == 0) e.rows = 0;
    if (k == 1) e.cols = 0;
    if (k == 2) e.op = 0x23;
    const std::vector<uint32_t> before = tb.spad;
    const RunStats st = tb.run(e, 100);
    REQUIRE(st.done);
    REQUIRE(st.cycles < 5);
    REQUIRE(tb.spad == before);
  }
  // The unit works normally after the abort, and ignores a second start.
  check_case(tb, rng, g::kVuRope, 0x07u, 13, 100);
  g::VectorOp op = make_case(rng, img, g::kVuAdd, 0x05u, 20, 64);
  tb.spad = img;
  std::vector<uint32_t> gold = img;
  g::vector_run(op, gold.data(), kWords);
  tb.start(op);
  g::VectorOp other = op;
  other.op = g::kVuMul;
  tb.set_cfg(other);
  tb.dut().start_i = 1;
  tb.cycle();
  tb.dut().start_i = 0;
  for (int i = 0; i < 2000 && tb.dut().busy_o; ++i) tb.cycle();
  REQUIRE(tb.spad == gold);
}

TEST_CASE("throughput", "[perf]") {
  for (int bf16 = 0; bf16 < 2; ++bf16) {
    VuBench tb(6);
    std::mt19937_64 rng(66);
    std::vector<uint32_t> img(8 * kWords);
    g::VectorOp op;
    op.op = g::kVuExp;
    op.flags = bf16 ? 0u : 0x7u | (3u << g::kVuSrc1ModeShift);
    op.rows = 64;
    op.cols = 64;
    op.src0_addr = 0;
    op.src0_stride = wpr(64, !bf16);
    op.dst_addr = 4096;  // another bank
    op.dst_stride = op.src0_stride;
    op.imm = 0x3F800000u;
    fill(img, rng, 0, 64 * op.src0_stride, !bf16);
    tb.spad = img;
    g::vector_run(op, img.data(), kWords);
    const RunStats st = tb.run(op);
    REQUIRE(st.done);
    REQUIRE(tb.spad == img);
    const double words = 64.0 * op.dst_stride;
    // BF16 destination words take two half-word writes (8 lanes per beat).
    const double steady = words / (st.last_write - st.first_write + 1);
    std::printf("EXP 64x64 %s: %llu cycles start..done, %.0f dst words, %.3f words/cycle "
                "overall, %.3f words/cycle steady, %.2f elements/cycle, latency %llu\n",
                bf16 ? "BF16->BF16" : "FP32->FP32", static_cast<unsigned long long>(st.cycles),
                words, words / st.cycles, steady, 4096.0 / (st.last_write - st.first_write + 1),
                static_cast<unsigned long long>(st.first_write));
    REQUIRE(st.elems == 4096);
    // Cycle counts are deterministic: one beat (8 elements) per cycle.
    CHECK(steady > (bf16 ? 0.49 : 0.99));
  }
}

TEST_CASE("random ops, shapes, reserved flag bits and refusal rates", "[random]") {
  VuBench tb(7);
  std::mt19937_64 rng(77);
  for (int i = 0; i < 250; ++i) {
    tb.set_refusal(static_cast<int>(rng() % 4) * 15);
    tb.set_banks(rng() % 2);
    const uint32_t opc = static_cast<uint32_t>(rng() % 16);
    // reserved bits (3, 7:6, 31:9) set at random must be ignored
    const uint32_t flags = static_cast<uint32_t>(rng()) & 0xFFFFFFFFu;
    const uint32_t rows = 1 + static_cast<uint32_t>(rng() % 70);
    const uint32_t cols = 1 + static_cast<uint32_t>(rng() % 600);
    check_case(tb, rng, opc, flags, rows, cols);
  }
}
