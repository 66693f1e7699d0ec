// fast::pe_column_sums / acc_add against the golden pe_mac / fp32_add, with
// operands drawn from normal values and every special class (denormals,
// zeros of both signs, Inf, NaN, values whose products under- or overflow).
#include <catch2/catch.hpp>

#include <cstring>
#include <random>
#include <vector>

#include "fast/fast_math.h"
#include "kiln/golden/numerics.h"

namespace {
uint16_t pick(std::mt19937& g, int special_pct) {
  static const uint16_t specials[] = {0x0000, 0x8000, 0x0001, 0x807F, 0x7F80, 0xFF80, 0x7FC1, 0xFFFF,
                                      0x0080, 0x8080, 0x7F7F, 0xFF7F, 0x1000, 0x9000, 0x6F00, 0xEF00};
  if (int(g() % 100) < special_pct) return specials[g() % 16];
  return static_cast<uint16_t>(0x3C00 + g() % 0x0800) ^ static_cast<uint16_t>((g() & 1) << 15);
}
}  // namespace

static void check_strip_kernel();

TEST_CASE("fast_tc_math_vs_golden") {
  std::mt19937 g(7);
  for (int pct : {0, 1, 2, 20, 80}) {
    for (int iter = 0; iter < 3000; ++iter) {
      uint16_t a[16], w[16][16];
      for (auto& x : a) x = pick(g, pct);
      for (auto& row : w)
        for (auto& x : row) x = pick(g, pct);
      for (bool int8 : {false, true}) {
        uint32_t got[16], acc16[16], want16[16];
        kiln::fast::pe_column_sums(a, w, int8, got);
        for (unsigned c = 0; c < 16; ++c) {
          uint32_t want = 0;
          for (unsigned r = 0; r < 16; ++r) want = kiln::golden::pe_mac(want, a[r], w[r][c], int8);
          INFO("pct " << pct << " iter " << iter << " col " << c << " int8 " << int8);
          REQUIRE(got[c] == want);
          const uint32_t acc = (uint32_t(pick(g, pct)) << 16) | (g() & 0xFFFF);
          const uint32_t sum = int8 ? acc + want : kiln::golden::fp32_add(acc, want);
          REQUIRE(kiln::fast::acc_add(acc, want, int8) == sum);
          acc16[c] = acc;
          want16[c] = sum;
        }
        // The whole-row add (vector fast path, golden fallback per row).
        kiln::fast::acc_add16(acc16, got, int8);
        for (unsigned c = 0; c < 16; ++c) REQUIRE(acc16[c] == want16[c]);
        // The caller-known tile flag gives the same sums.
        uint32_t got2[16];
        kiln::fast::pe_column_sums(a, w, int8, got2, int8 ? 0 : int(kiln::fast::tame_bf16(&w[0][0], 256)));
        for (unsigned c = 0; c < 16; ++c) REQUIRE(got2[c] == got[c]);
      }
    }
  }
  check_strip_kernel();
}

// gather_tile and the M = 1 strip kernel (strip_bf16) against the scalar
// gather and pe_column_sums + acc_add16, chunk by chunk, in both layouts:
// same accumulator bits, and it must stop exactly at the first chunk whose
// operands are not tame.
static void check_strip_kernel() {
  std::mt19937 g(11);
  // row_bf16 (tame tile, one A row) against pe_column_sums + acc_add16.
  for (int pct : {0, 1, 2, 20}) {
    for (int iter = 0; iter < 20000; ++iter) {
      uint16_t a[16], w[16][16];
      for (auto& x : a) x = pick(g, pct);
      for (auto& row : w)
        for (auto& x : row) x = pick(g, pct / 4);
      if (!kiln::fast::tame_bf16(&w[0][0], 256)) continue;
      uint32_t acc[16], want[16], p[16];
      for (unsigned c = 0; c < 16; ++c) acc[c] = want[c] = (uint32_t(pick(g, pct)) << 16) | (g() & 0xFFFF);
      const bool overwrite = g() & 1;
      kiln::fast::pe_column_sums(a, w, false, p);
      if (overwrite)
        std::memcpy(want, p, sizeof p);
      else
        kiln::fast::acc_add16(want, p, false);
      const bool done = kiln::fast::row_bf16(w, a, acc, overwrite);
      INFO("row_bf16 pct " << pct << " iter " << iter);
      REQUIRE(done == (kiln::fast::tame_bf16(a, 16) && __builtin_cpu_supports("avx2")));
      if (done)
        for (unsigned c = 0; c < 16; ++c) REQUIRE(acc[c] == want[c]);
    }
  }
  constexpr unsigned kChunks = 6;
  for (int pct : {0, 1, 2, 20}) {
    for (int iter = 0; iter < 2000; ++iter) {
      for (bool transposed : {false, true}) {
        // Scratch "scratchpad": chunk j of source word i at words[i + 16 * jstep * j], jstep = 2.
        constexpr size_t jstep = 2;
        std::vector<uint16_t> mem(16 * (16 + 16 * jstep * kChunks));
        for (auto& x : mem) x = pick(g, pct);
        std::vector<uint16_t> av(16 * kChunks);
        for (auto& x : av) x = pick(g, pct);
        const uint16_t* src[16];
        for (unsigned i = 0; i < 16; ++i) src[i] = &mem[16 * i];
        uint32_t acc[16], want[16];
        for (unsigned c = 0; c < 16; ++c) acc[c] = want[c] = (uint32_t(pick(g, pct)) << 16) | (g() & 0xFFFF);
        const bool overwrite = g() & 1;
        // Reference: chunk by chunk until one is not tame.
        unsigned stop = kChunks;
        for (unsigned j = 0; j < kChunks; ++j) {
          const uint16_t* s[16];
          for (unsigned i = 0; i < 16; ++i) s[i] = src[i] + 16 * jstep * j;
          uint16_t w[16][16], w2[16][16];
          for (unsigned r = 0; r < 16; ++r)
            for (unsigned c = 0; c < 16; ++c) w[r][c] = transposed ? s[c][r] : s[r][c];
          kiln::fast::gather_tile(s, transposed, w2);
          for (unsigned r = 0; r < 16; ++r)
            for (unsigned c = 0; c < 16; ++c) REQUIRE(w2[r][c] == w[r][c]);
          if (!kiln::fast::tame_bf16(&w[0][0], 256) || !kiln::fast::tame_bf16(&av[16 * j], 16)) {
            stop = j;
            break;
          }
          uint32_t p[16];
          kiln::fast::pe_column_sums(&av[16 * j], w, false, p);
          if (j == 0 && overwrite)
            std::memcpy(want, p, sizeof p);
          else
            kiln::fast::acc_add16(want, p, false);
        }
        const unsigned got = kiln::fast::strip_bf16(src, jstep, transposed, av.data(), acc, 0, kChunks, overwrite);
        INFO("pct " << pct << " iter " << iter << " transposed " << transposed << " overwrite " << overwrite);
        if (got == 0) {  // no host kernel on this CPU (or chunk 0 not tame)
          REQUIRE((stop == 0 || !__builtin_cpu_supports("avx2")));
          continue;
        }
        REQUIRE(got == stop);
        for (unsigned c = 0; c < 16; ++c) REQUIRE(acc[c] == want[c]);
      }
    }
  }
}
