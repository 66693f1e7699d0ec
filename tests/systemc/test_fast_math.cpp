// fast::pe_column_sums / acc_add against the golden pe_mac / fp32_add, with
// operands drawn from normal values and every special class (denormals,
// zeros of both signs, Inf, NaN, values whose products under- or overflow).
#include <catch2/catch.hpp>

#include <random>

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

TEST_CASE("fast_tc_math_vs_golden") {
  std::mt19937 g(7);
  for (int pct : {0, 2, 20, 80}) {
    for (int iter = 0; iter < 3000; ++iter) {
      uint16_t a[16], w[16][16];
      for (auto& x : a) x = pick(g, pct);
      for (auto& row : w)
        for (auto& x : row) x = pick(g, pct);
      for (bool int8 : {false, true}) {
        uint32_t got[16];
        kiln::fast::pe_column_sums(a, w, int8, got);
        for (unsigned c = 0; c < 16; ++c) {
          uint32_t want = 0;
          for (unsigned r = 0; r < 16; ++r) want = kiln::golden::pe_mac(want, a[r], w[r][c], int8);
          INFO("pct " << pct << " iter " << iter << " col " << c << " int8 " << int8);
          REQUIRE(got[c] == want);
          const uint32_t acc = (uint32_t(pick(g, pct)) << 16) | (g() & 0xFFFF);
          const uint32_t sum = int8 ? acc + want : kiln::golden::fp32_add(acc, want);
          REQUIRE(kiln::fast::acc_add(acc, want, int8) == sum);
        }
      }
    }
  }
}
