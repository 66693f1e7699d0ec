// kiln_spad at the configuration of kiln_hw.toml: directed checks of
// priority, bank independence, strobes and latency, then a seeded random run
// against a reference model of the same rules.
#include <catch2/catch.hpp>

#include <array>
#include <cstring>
#include <map>
#include <memory>
#include <random>
#include <vector>

#include "Vkiln_spad.h"
#include "kiln_hw.h"
#include "verilated.h"

namespace {

constexpr int kPorts = 3 + KILN_HW_DMA_CHANNELS;
constexpr uint32_t kWords = KILN_HW_SCRATCHPAD_WORDS;
constexpr uint32_t kBankWords = kWords / KILN_HW_SCRATCHPAD_BANKS;
using Word = std::array<uint32_t, 8>;

struct Req {
  bool valid = false, we = false;
  uint32_t addr = 0, strb = 0;
  Word wdata{};
};

struct Spad {
  VerilatedContext ctx;
  std::unique_ptr<Vkiln_spad> m{new Vkiln_spad{&ctx}};
  Spad() {
    m->clk_i = 0;
    m->rst_ni = 0;
    drive({});
    for (int i = 0; i < 3; ++i) edge();
    m->rst_ni = 1;
    edge();
  }
  void drive(const std::array<Req, kPorts>& r) {
    uint32_t req = 0, we = 0;
    for (int p = 0; p < kPorts; ++p) {
      req |= uint32_t(r[p].valid) << p;
      we |= uint32_t(r[p].we) << p;
      m->addr_i[p] = r[p].addr;
      m->wstrb_i[p] = r[p].strb;
      for (int w = 0; w < 8; ++w) m->wdata_i[p].at(w) = r[p].wdata[w];
    }
    m->req_i = req;
    m->we_i = we;
    m->eval();
  }
  void edge() {
    m->clk_i = 1;
    m->eval();
    m->clk_i = 0;
    m->eval();
  }
  bool gnt(int p) const { return (m->gnt_o >> p) & 1; }
  bool rvalid(int p) const { return (m->rvalid_o >> p) & 1; }
  Word rdata(int p) const {
    Word w;
    for (int i = 0; i < 8; ++i) w[i] = m->rdata_o[p].at(i);
    return w;
  }
  // One request on one port, held until granted (it is alone, so at once).
  void write(int p, uint32_t addr, const Word& d, uint32_t strb = 0xFFFFFFFFu) {
    std::array<Req, kPorts> r{};
    r[p] = Req{true, true, addr, strb, d};
    drive(r);
    REQUIRE(gnt(p));
    edge();
    drive({});
  }
};

Word pattern(uint32_t seed) {
  Word w;
  for (int i = 0; i < 8; ++i) w[i] = seed * 0x9E3779B9u + uint32_t(i) * 0x01010101u;
  return w;
}

}  // namespace

TEST_CASE("write then read: data one cycle after the grant", "[spad]") {
  Spad s;
  const Word d = pattern(1);
  s.write(3, 0x123, d);
  std::array<Req, kPorts> r{};
  r[0] = Req{true, false, 0x123, 0, {}};
  s.drive(r);
  CHECK(s.gnt(0));
  CHECK_FALSE(s.rvalid(0));  // not in the request cycle
  s.edge();
  s.drive({});
  CHECK(s.rvalid(0));
  CHECK(s.rdata(0) == d);
  s.edge();
  s.drive({});
  CHECK_FALSE(s.rvalid(0));
}

TEST_CASE("byte strobes write only their lanes", "[spad]") {
  Spad s;
  s.write(4, 7, pattern(2));
  s.write(4, 7, pattern(3), 0x0000F00Fu);
  std::array<Req, kPorts> r{};
  r[1] = Req{true, false, 7, 0, {}};
  s.drive(r);
  s.edge();
  s.drive({});
  REQUIRE(s.rvalid(1));
  const Word got = s.rdata(1), a = pattern(2), b = pattern(3);
  uint8_t ga[32], ea[32], eb[32];
  std::memcpy(ga, got.data(), 32);
  std::memcpy(ea, a.data(), 32);
  std::memcpy(eb, b.data(), 32);
  for (int i = 0; i < 32; ++i) {
    INFO("byte " << i);
    CHECK(ga[i] == (((0x0000F00Fu >> i) & 1) ? eb[i] : ea[i]));
  }
}

TEST_CASE("same bank: the lower port index wins", "[spad]") {
  Spad s;
  std::array<Req, kPorts> r{};
  r[1] = Req{true, false, 5, 0, {}};
  r[2] = Req{true, true, 6, 0xFFFFFFFFu, pattern(9)};
  r[4] = Req{true, false, kBankWords - 1, 0, {}};
  s.drive(r);
  CHECK(s.gnt(1));
  CHECK_FALSE(s.gnt(2));
  CHECK_FALSE(s.gnt(4));
  s.edge();
  // The loser's write did not happen: read word 6 alone.
  r = {};
  r[0] = Req{true, false, 6, 0, {}};
  s.drive(r);
  s.edge();
  s.drive({});
  CHECK(s.rvalid(0));
  CHECK_FALSE(s.rvalid(2));
  CHECK(s.rdata(0) != pattern(9));
}

TEST_CASE("different banks are served in the same cycle", "[spad]") {
  Spad s;
  for (uint32_t b = 0; b < KILN_HW_SCRATCHPAD_BANKS; ++b) s.write(3, b * kBankWords + 10, pattern(20 + b));
  std::array<Req, kPorts> r{};
  for (int p = 0; p < kPorts && p < int(KILN_HW_SCRATCHPAD_BANKS); ++p)
    r[p] = Req{true, false, uint32_t(KILN_HW_SCRATCHPAD_BANKS - 1 - p) * kBankWords + 10, 0, {}};
  s.drive(r);
  for (int p = 0; p < kPorts && p < int(KILN_HW_SCRATCHPAD_BANKS); ++p) CHECK(s.gnt(p));
  s.edge();
  s.drive({});
  for (int p = 0; p < kPorts && p < int(KILN_HW_SCRATCHPAD_BANKS); ++p) {
    CHECK(s.rvalid(p));
    CHECK(s.rdata(p) == pattern(20 + KILN_HW_SCRATCHPAD_BANKS - 1 - p));
  }
}

TEST_CASE("random traffic matches the reference model", "[spad]") {
  Spad s;
  std::mt19937 rng(12345);
  // A few words per bank so requests collide and reads hit written data.
  std::vector<uint32_t> addrs;
  for (uint32_t b = 0; b < KILN_HW_SCRATCHPAD_BANKS; ++b)
    for (uint32_t i = 0; i < 4; ++i) addrs.push_back(b * kBankWords + i * 97);
  std::map<uint32_t, Word> ref;
  for (uint32_t a : addrs) {
    ref[a] = pattern(a);
    s.write(3, a, ref[a]);
  }
  std::array<bool, kPorts> want_valid{};
  std::array<Word, kPorts> want_data{};
  int grants = 0, conflicts = 0;
  for (int cyc = 0; cyc < 3000; ++cyc) {
    std::array<Req, kPorts> r{};
    for (int p = 0; p < kPorts; ++p) {
      if (rng() % 3 == 0) continue;
      r[p].valid = true;
      r[p].we = rng() % 2;
      r[p].addr = addrs[rng() % addrs.size()];
      r[p].strb = rng();
      for (auto& w : r[p].wdata) w = rng();
    }
    s.drive(r);
    // Results of last cycle's reads are visible now.
    for (int p = 0; p < kPorts; ++p) {
      INFO("cycle " << cyc << " port " << p);
      REQUIRE(s.rvalid(p) == want_valid[p]);
      if (want_valid[p]) REQUIRE(s.rdata(p) == want_data[p]);
    }
    std::array<bool, KILN_HW_SCRATCHPAD_BANKS> taken{};
    for (int p = 0; p < kPorts; ++p) {
      const uint32_t bank = r[p].addr / kBankWords;
      const bool g = r[p].valid && !taken[bank];
      if (r[p].valid && taken[bank]) ++conflicts;
      INFO("cycle " << cyc << " port " << p);
      REQUIRE(s.gnt(p) == g);
      want_valid[p] = g && !r[p].we;
      if (!g) continue;
      ++grants;
      taken[bank] = true;
      Word& w = ref[r[p].addr];
      if (r[p].we) {
        uint8_t* dst = reinterpret_cast<uint8_t*>(w.data());
        const uint8_t* src = reinterpret_cast<const uint8_t*>(r[p].wdata.data());
        for (int i = 0; i < 32; ++i)
          if ((r[p].strb >> i) & 1) dst[i] = src[i];
      } else {
        want_data[p] = w;
      }
    }
    s.edge();
  }
  CHECK(grants > 3000);
  CHECK(conflicts > 300);
}
