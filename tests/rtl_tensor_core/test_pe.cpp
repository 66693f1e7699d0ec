// One processing element (kiln_tc_pe) driven with a new operand set every
// cycle and compared bit for bit with the golden pe_mac().
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>

#include <cstdint>
#include <random>
#include <vector>

#include "Vkiln_tc_pe.h"
#include "kiln/golden/numerics.h"

namespace {

struct Op {
  uint16_t a, w;
  uint32_t psum;
};

const uint16_t kBf16Special[] = {
    0x0000, 0x8000, 0x0001, 0x807F, 0x0040, 0x7F80, 0xFF80, 0x7FC0, 0xFFC1, 0x7F81,
    0x7F7F, 0xFF7F, 0x0080, 0x8080, 0x3F80, 0xBF80, 0x3F81, 0x4000, 0x0100, 0x7F00,
    0x1F80, 0x6000, 0x3FFF, 0xC0FF};
const uint32_t kFp32Special[] = {
    0x00000000u, 0x80000000u, 0x00000001u, 0x807FFFFFu, 0x7F800000u, 0xFF800000u,
    0x7FC00000u, 0xFF800001u, 0x7F7FFFFFu, 0xFF7FFFFFu, 0x00800000u, 0x80800000u,
    0x3F800000u, 0xBF800000u, 0x3F800001u, 0xBF7FFFFFu, 0x33800000u, 0xB3800000u,
    0x00800001u, 0x3F808000u, 0x40000000u, 0xC0100000u};

uint16_t rand_bf16(std::mt19937_64& rng, int exp_center) {
  const uint32_t kind = static_cast<uint32_t>(rng() % 8);
  if (kind == 0) return static_cast<uint16_t>(rng());  // any class
  if (kind == 1) return kBf16Special[rng() % (sizeof kBf16Special / 2)];
  int e = exp_center + static_cast<int>(rng() % 17) - 8;
  e = e < 1 ? 1 : (e > 254 ? 254 : e);
  return static_cast<uint16_t>((rng() & 0x807Fu) | (static_cast<uint32_t>(e) << 7));
}

// psum near the product's magnitude so additions cancel and round.
uint32_t rand_psum(std::mt19937_64& rng, uint32_t prod) {
  const uint32_t kind = static_cast<uint32_t>(rng() % 8);
  if (kind == 0) return static_cast<uint32_t>(rng());
  if (kind == 1) return kFp32Special[rng() % (sizeof kFp32Special / 4)];
  if (kind == 2) return prod ^ 0x80000000u;                       // exact cancel
  if (kind == 3) return (prod ^ 0x80000000u) + static_cast<uint32_t>(rng() % 5) - 2u;
  int e = static_cast<int>((prod >> 23) & 0xFF) + static_cast<int>(rng() % 51) - 25;
  e = e < 1 ? 1 : (e > 254 ? 254 : e);
  return static_cast<uint32_t>((rng() & 0x807FFFFFu) | (static_cast<uint32_t>(e) << 23));
}

class PeBench {
 public:
  PeBench() {
    pe_.clk_i = 0;
    pe_.rst_ni = 0;
    pe_.eval();
    tick();
    pe_.rst_ni = 1;
  }
  // Streams ops through the PE: cycle t writes op t's weight, presents op
  // t-1's activation and op t-2's partial sum; after the edge psum_o holds
  // op t-2's result. Returns the number of mismatches (first few reported).
  int run(const std::vector<Op>& ops, bool int8) {
    pe_.int8_i = int8;
    int bad = 0;
    const size_t n = ops.size();
    for (size_t t = 0; t < n + 2; ++t) {
      pe_.w_we_i = t < n;
      pe_.w_buf_i = t & 1;
      pe_.w_data_i = t < n ? ops[t].w : 0;
      pe_.a_data_i = (t >= 1 && t - 1 < n) ? ops[t - 1].a : 0;
      pe_.a_buf_i = (t - 1) & 1;
      pe_.psum_i = t >= 2 ? ops[t - 2].psum : 0;
      tick();
      if (t >= 1 && t - 1 < n) {
        if (pe_.a_data_o != ops[t - 1].a || pe_.a_buf_o != ((t - 1) & 1)) ++bad;
      }
      if (t >= 2) {
        const Op& o = ops[t - 2];
        const uint32_t want = kiln::golden::pe_mac(o.psum, o.a, o.w, int8);
        if (pe_.psum_o != want) {
          if (++bad <= 5)
            UNSCOPED_INFO(std::hex << "a=" << o.a << " w=" << o.w << " psum=" << o.psum
                                   << " rtl=" << pe_.psum_o << " golden=" << want);
        }
      }
    }
    return bad;
  }

 private:
  void tick() {
    pe_.clk_i = 0;
    pe_.eval();
    pe_.clk_i = 1;
    pe_.eval();
  }
  Vkiln_tc_pe pe_;
};

}  // namespace

TEST_CASE("PE random BF16 operands", "[random]") {
  std::mt19937_64 rng(2024);
  std::vector<Op> ops(1000000);
  for (auto& o : ops) {
    const int center = static_cast<int>(rng() % 4) == 0 ? static_cast<int>(rng() % 256) : 127;
    o.a = rand_bf16(rng, center);
    o.w = rand_bf16(rng, 254 - center + static_cast<int>(rng() % 5));
    o.psum = rand_psum(rng, kiln::golden::bf16_mul(o.a, o.w));
  }
  PeBench pe;
  REQUIRE(pe.run(ops, false) == 0);
}

TEST_CASE("PE random INT8 operands", "[random]") {
  std::mt19937_64 rng(77);
  std::vector<Op> ops(300000);
  for (auto& o : ops) {
    o.a = static_cast<uint16_t>(rng());  // high byte is garbage: must be ignored
    o.w = static_cast<uint16_t>(rng());
    o.psum = (rng() % 4 == 0) ? (0x7FFFFF00u + static_cast<uint32_t>(rng() % 512))
                              : static_cast<uint32_t>(rng());
  }
  PeBench pe;
  REQUIRE(pe.run(ops, true) == 0);
}

TEST_CASE("PE directed edge cases", "[edge]") {
  std::vector<Op> ops;
  for (uint16_t a : kBf16Special)
    for (uint16_t w : kBf16Special)
      for (uint32_t p : kFp32Special) ops.push_back({a, w, p});
  // Rounding ties and cancellation around the product 1.0 * 1.0.
  for (uint32_t d = 0; d < 64; ++d) {
    ops.push_back({0x3F80, 0x3F80, 0x33800000u + d});
    ops.push_back({0x3F81, 0x3F80, 0xBF810000u ^ d});
    ops.push_back({0x3F80, 0xBF80, 0x3F800000u + d});
  }
  PeBench pe;
  REQUIRE(pe.run(ops, false) == 0);
  std::vector<Op> iops;
  const uint16_t i8[] = {0x0000, 0x0001, 0x007F, 0x0080, 0x00FF, 0xFF80, 0x1234, 0xAB01};
  const uint32_t ip[] = {0u, 1u, 0x7FFFFFFFu, 0x80000000u, 0xFFFFFFFFu, 0x12345678u};
  for (uint16_t a : i8)
    for (uint16_t w : i8)
      for (uint32_t p : ip) iops.push_back({a, w, p});
  REQUIRE(pe.run(iops, true) == 0);
}
