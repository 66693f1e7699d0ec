// Directed kiln_dma cases: burst splitting, single-beat rows, errors, abort.
#include <catch2/catch.hpp>

#include "dma_test_util.h"

using namespace kiln::tb;

namespace {

constexpr size_t kRegion = 1u << 20;

AxiSlaveConfig noisy_slave(uint32_t seed) {
  AxiSlaveConfig c;
  c.read_latency = 17;
  c.ar_ready_prob = c.aw_ready_prob = c.w_ready_prob = 0.7;
  c.r_valid_prob = c.b_valid_prob = 0.8;
  c.reorder = c.interleave = true;
  c.seed = seed;
  return c;
}

std::vector<uint32_t> lens_of(const std::vector<AxiBurstLog>& log, std::vector<uint32_t>* addrs) {
  std::vector<uint32_t> lens;
  for (const auto& b : log) {
    lens.push_back(b.len);
    if (addrs) addrs->push_back(b.addr);
  }
  return lens;
}

}  // namespace

TEST_CASE("burst splitting at 4 KiB boundaries", "[split]") {
  for (bool dir : {false, true}) {
    DmaTb tb(noisy_slave(11), 0.25, 7);
    RefState ref(kDramBase, kRegion);
    fill(tb, ref, 1);
    // Rows start 4 beats before a 4 KiB boundary and run 10 beats.
    DmaDesc d{kDramBase + 0x0F80, 0x100, 10 * 32, 3, 0x1000, 0x400, dir};
    REQUIRE(run_desc(tb, 0, d));
    ref.apply(d);
    std::vector<uint32_t> addrs;
    auto lens = lens_of(dir ? tb.axi.aw_log : tb.axi.ar_log, &addrs);
    std::vector<uint32_t> want_lens{3, 5, 3, 5, 3, 5};
    std::vector<uint32_t> want_addrs{kDramBase + 0x0F80, kDramBase + 0x1000, kDramBase + 0x1F80,
                                     kDramBase + 0x2000, kDramBase + 0x2F80, kDramBase + 0x3000};
    CHECK(lens == want_lens);
    CHECK(addrs == want_addrs);
    CHECK(count_dram_mismatch(tb, ref) == 0);
    CHECK(count_spad_mismatch(tb, ref) == 0);
    CHECK(tb.done_count[0] == 1);
    CHECK_FALSE(tb.status(0).error);
    INFO(tb.chk.report());
    CHECK(tb.chk.errors().empty());
  }
}

TEST_CASE("longest bursts: a 4 KiB-aligned 16 KiB row", "[maxburst]") {
  for (bool dir : {false, true}) {
    DmaTb tb(noisy_slave(12), 0.1, 8);
    RefState ref(kDramBase, kRegion);
    fill(tb, ref, 2);
    // 512 beats: 256-beat bursts would cross 4 KiB with 32-byte beats, so the
    // longest legal burst is 128 beats (4 KiB).
    DmaDesc d{kDramBase + 0x4000, 0x2000, 16384, 2, 0x8000, 16384, dir};
    REQUIRE(run_desc(tb, 1, d));
    ref.apply(d);
    auto lens = lens_of(dir ? tb.axi.aw_log : tb.axi.ar_log, nullptr);
    CHECK(lens == std::vector<uint32_t>(8, 127));
    for (const auto& b : dir ? tb.axi.aw_log : tb.axi.ar_log) CHECK(b.id == 1);
    CHECK(count_dram_mismatch(tb, ref) == 0);
    CHECK(count_spad_mismatch(tb, ref) == 0);
    INFO(tb.chk.report());
    CHECK(tb.chk.errors().empty());
  }
}

TEST_CASE("single-beat rows and empty descriptors", "[single]") {
  DmaTb tb(noisy_slave(13), 0.4, 9);
  RefState ref(kDramBase, kRegion);
  fill(tb, ref, 3);
  DmaDesc ld{kDramBase + 0x20, 0x40, 32, 50, 96, 64, false};
  DmaDesc st{kDramBase + 0x10000, 0x8000, 32, 40, 160, 32, true};
  REQUIRE(run_desc(tb, 0, ld));
  ref.apply(ld);
  REQUIRE(run_desc(tb, 1, st));
  ref.apply(st);
  for (const auto& b : tb.axi.ar_log) CHECK(b.len == 0);
  for (const auto& b : tb.axi.aw_log) CHECK(b.len == 0);
  CHECK(tb.axi.ar_log.size() == 50);
  CHECK(tb.axi.aw_log.size() == 40);
  // Zero rows: finishes at once without bus traffic.
  REQUIRE(run_desc(tb, 0, DmaDesc{kDramBase, 0, 64, 0, 64, 64, false}));
  CHECK(tb.done_count[0] == 2);
  CHECK(tb.done_count[1] == 1);
  CHECK(tb.axi.ar_log.size() == 50);
  CHECK(count_dram_mismatch(tb, ref) == 0);
  CHECK(count_spad_mismatch(tb, ref) == 0);
  INFO(tb.chk.report());
  CHECK(tb.chk.errors().empty());
}

TEST_CASE("error responses are reported, bad data dropped, descriptor finishes", "[error]") {
  struct Case {
    bool dir;
    uint32_t resp;
  };
  for (Case k : {Case{false, kRespSlvErr}, Case{false, kRespDecErr}, Case{true, kRespSlvErr},
                 Case{true, kRespDecErr}}) {
    INFO("dir " << k.dir << " resp " << k.resp);
    DmaTb tb(noisy_slave(14 + k.resp), 0.3, 10);
    RefState ref(kDramBase, kRegion);
    fill(tb, ref, 4);
    // 4 rows of 40 beats, each crossing a 4 KiB page, so each row is two bursts.
    DmaDesc d{kDramBase + 0x0E00, 0x800, 40 * 32, 4, 0x2000, 40 * 32, k.dir};
    // Row 1 starts at 0x2E00: bursts 0x2E00 (16 beats) and 0x3000 (24 beats).
    uint64_t lo = kDramBase + 0x3040, hi = lo + 3 * 32;
    // A second, later error of the other kind must not overwrite the first.
    uint64_t lo2 = kDramBase + 0x6E00, hi2 = lo2 + 32;
    uint32_t other = k.resp == kRespSlvErr ? kRespDecErr : kRespSlvErr;
    tb.axi.add_error_range(lo, hi, k.resp);
    tb.axi.add_error_range(lo2, hi2, other);
    auto in_err = [&](uint32_t a) { return (a >= lo && a < hi) || (a >= lo2 && a < hi2); };
    REQUIRE(run_desc(tb, 1, d));
    ref.apply(d, in_err);
    auto st = tb.status(1);
    CHECK(st.error);
    CHECK(st.resp == k.resp);
    CHECK(st.err_addr == kDramBase + 0x3000);
    CHECK(tb.done_count[1] == 1);
    CHECK(count_dram_mismatch(tb, ref) == 0);
    CHECK(count_spad_mismatch(tb, ref) == 0);
    CHECK_FALSE(tb.status(0).error);
    // The next START clears the status.
    tb.axi.clear_error_ranges();
    DmaDesc ok{kDramBase + 0x40000, 0x10000, 64, 2, 64, 64, k.dir};
    REQUIRE(run_desc(tb, 1, ok));
    ref.apply(ok);
    CHECK_FALSE(tb.status(1).error);
    CHECK(tb.status(1).resp == 0);
    CHECK(tb.done_count[1] == 2);
    CHECK(count_dram_mismatch(tb, ref) == 0);
    CHECK(count_spad_mismatch(tb, ref) == 0);
    INFO(tb.chk.report());
    CHECK(tb.chk.errors().empty());
  }
}

TEST_CASE("abort drains outstanding bursts and the next descriptor works", "[abort]") {
  for (bool dir : {false, true}) {
    INFO("dir " << dir);
    AxiSlaveConfig cfg = noisy_slave(20 + dir);
    cfg.read_latency = 60;
    cfg.write_latency = 30;
    DmaTb tb(cfg, 0.3, 11);
    RefState ref(kDramBase, kRegion);
    fill(tb, ref, 5);
    // Both channels run long transfers; abort hits both mid-flight.
    DmaDesc a{kDramBase, 0, 512, 256, 512, 512, dir};
    DmaDesc b{kDramBase + 0x80000, 0x20000, 1024, 128, 1024, 1024, !dir};
    tb.start(0, a);
    tb.start(1, b);
    tb.run_until([] { return false; }, 600);
    REQUIRE(tb.busy(0));
    REQUIRE(tb.busy(1));
    REQUIRE(tb.axi.ar_log.size() + tb.axi.aw_log.size() > 4);
    size_t ars = tb.axi.ar_log.size(), aws = tb.axi.aw_log.size();
    tb.dut->abort_i = 1;
    tb.step();
    tb.dut->abort_i = 0;
    REQUIRE(tb.run_until([&] { return !tb.busy(0) && !tb.busy(1); }, 100000));
    tb.step();
    // At most the burst already waiting in each AR/AW register goes out.
    CHECK(tb.axi.ar_log.size() <= ars + 1);
    CHECK(tb.axi.aw_log.size() <= aws + 1);
    CHECK(tb.done_count[0] == 0);
    CHECK(tb.done_count[1] == 0);
    CHECK(tb.chk.reads_outstanding() == 0);
    CHECK(tb.chk.writes_outstanding() == 0);
    CHECK(tb.axi.idle());
    // Everything written must be a correct copy of its source (a prefix of
    // the descriptor; which one depends on timing).
    size_t wrote = tb.axi.w_beats;
    CHECK(wrote == [&] {
      size_t n = 0;
      for (const auto& l : tb.axi.aw_log) n += l.len + 1;
      return n;
    }());
    for (int i = 0; i < 20; ++i) tb.step();
    CHECK_FALSE(tb.busy(0));

    // A fresh descriptor on each channel completes correctly.
    fill(tb, ref, 6);
    DmaDesc c{kDramBase + 0xC0000, 0x30000, 96, 20, 160, 128, dir};
    DmaDesc e{kDramBase + 0xE0000, 0x38000, 64, 30, 64, 64, !dir};
    tb.start(0, c);
    tb.start(1, e);
    tb.step();
    REQUIRE(tb.run_until([&] { return !tb.busy(0) && !tb.busy(1); }, 200000));
    tb.step();
    ref.apply(c);
    ref.apply(e);
    CHECK(tb.done_count[0] == 1);
    CHECK(tb.done_count[1] == 1);
    CHECK(count_dram_mismatch(tb, ref) == 0);
    CHECK(count_spad_mismatch(tb, ref) == 0);
    INFO(tb.chk.report());
    CHECK(tb.chk.errors().empty());
  }
}
