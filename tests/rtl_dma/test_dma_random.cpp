// Random 2-D descriptors on both channels at once, fairness, concurrency,
// and throughput measurement.
#include <catch2/catch.hpp>

#include <cstdio>

#include "dma_test_util.h"

using namespace kiln::tb;

namespace {

constexpr uint32_t kChanDram = 1u << 20;  // device bytes per channel
constexpr uint32_t kChanSpadWords = DmaTb::kSpadWords / 2;

DmaDesc random_desc(std::mt19937& rng, unsigned ch) {
  auto pick = [&](uint32_t lo, uint32_t hi) { return std::uniform_int_distribution<uint32_t>(lo, hi)(rng); };
  DmaDesc d;
  uint32_t beats = pick(0, 9) == 0 ? pick(100, 300) : pick(1, 40);
  d.rows = pick(1, 8);
  d.row_bytes = beats * 32;
  d.dram_stride = d.row_bytes + 32 * pick(0, 6);
  d.spad_stride = d.row_bytes + 32 * pick(0, 4);
  uint32_t dram_span = (d.rows - 1) * d.dram_stride + d.row_bytes;
  uint32_t spad_span = ((d.rows - 1) * d.spad_stride + d.row_bytes) / 32;
  d.dram = kDramBase + ch * kChanDram + 32 * pick(0, (kChanDram - dram_span) / 32);
  d.spad = 32 * (ch * kChanSpadWords + pick(0, kChanSpadWords - spad_span));
  d.dir = pick(0, 1);
  return d;
}

struct Scenario {
  const char* name;
  AxiSlaveConfig axi;
  double spad_refuse;
};

std::vector<Scenario> scenarios() {
  std::vector<Scenario> s;
  AxiSlaveConfig ideal;
  ideal.read_latency = 1;
  ideal.write_latency = 1;
  s.push_back({"ideal", ideal, 0.0});
  AxiSlaveConfig noisy;
  noisy.read_latency = 23;
  noisy.ar_ready_prob = noisy.aw_ready_prob = 0.6;
  noisy.w_ready_prob = 0.7;
  noisy.r_valid_prob = noisy.b_valid_prob = 0.7;
  noisy.reorder = noisy.interleave = true;
  noisy.seed = 77;
  s.push_back({"noisy", noisy, 0.3});
  AxiSlaveConfig slow;
  slow.read_latency = 100;
  slow.write_latency = 40;
  slow.beats_per_cycle = 0.5;
  slow.reorder = true;
  slow.max_reads = 6;
  slow.seed = 78;
  s.push_back({"slow-reorder", slow, 0.5});
  AxiSlaveConfig stingy;  // writes starved: W and B trickle, AW rarely ready
  stingy.read_latency = 5;
  stingy.write_latency = 60;
  stingy.aw_ready_prob = 0.2;
  stingy.w_ready_prob = 0.3;
  stingy.b_valid_prob = 0.3;
  stingy.r_valid_prob = 0.5;
  stingy.reorder = true;
  stingy.max_writes = 3;
  stingy.seed = 79;
  s.push_back({"stingy-write", stingy, 0.6});
  return s;
}

}  // namespace

TEST_CASE("random 2-D descriptors on both channels", "[random]") {
  for (const Scenario& sc : scenarios()) {
    INFO("scenario " << sc.name);
    DmaTb tb(sc.axi, sc.spad_refuse, 1234);
    RefState ref(kDramBase, 2 * kChanDram);
    fill(tb, ref, 42);
    std::mt19937 rng(2024);
    const unsigned per_channel = 120;
    unsigned started[2] = {0, 0};
    uint64_t both_beats = 0;  // cycles with an R and a W beat at once
    tb.on_cycle = [&](const AxiPins& p) {
      if (p.rvalid && p.rready && p.wvalid && p.wready) ++both_beats;
    };
    bool ok = tb.run_until(
        [&] {
          bool all = true;
          for (unsigned c = 0; c < 2; ++c) {
            if (tb.busy(c) || (tb.dut->start_i >> c & 1)) {
              all = false;
              continue;
            }
            if (started[c] < per_channel) {
              DmaDesc d = random_desc(rng, c);
              ref.apply(d);  // channels own disjoint regions: order within one is enough
              tb.start(c, d);
              ++started[c];
              all = false;
            }
          }
          return all;
        },
        5'000'000);
    REQUIRE(ok);
    tb.step();
    CHECK(tb.done_count[0] == per_channel);
    CHECK(tb.done_count[1] == per_channel);
    CHECK(count_dram_mismatch(tb, ref) == 0);
    CHECK(count_spad_mismatch(tb, ref) == 0);
    CHECK(tb.spad.bad_addr == 0);
    CHECK(tb.perf_mismatch == 0);
    CHECK(tb.perf_rd == tb.axi.r_beats);
    CHECK(tb.perf_wr == tb.axi.w_beats);
    CHECK(both_beats > 0);
    CHECK(tb.chk.max_reads_seen() <= 16);
    INFO(tb.chk.report());
    CHECK(tb.chk.errors().empty());
    std::printf("[rtl.dma_random] %-13s cycles=%llu rd_beats=%llu wr_beats=%llu overlap=%llu max_out r/w=%u/%u\n",
                sc.name, (unsigned long long)tb.cycle, (unsigned long long)tb.perf_rd,
                (unsigned long long)tb.perf_wr, (unsigned long long)both_beats, tb.chk.max_reads_seen(),
                tb.chk.max_writes_seen());
  }
}

TEST_CASE("a load and a store run concurrently", "[concurrent]") {
  AxiSlaveConfig cfg;
  cfg.read_latency = 30;
  cfg.write_latency = 10;
  DmaTb tb(cfg, 0.0, 5);
  RefState ref(kDramBase, 2 * kChanDram);
  fill(tb, ref, 7);
  DmaDesc ld{kDramBase, 0, 1024, 64, 1024, 1024, false};
  DmaDesc st{kDramBase + kChanDram, 32 * kChanSpadWords, 1024, 64, 1024, 1024, true};
  uint64_t both = 0;
  tb.on_cycle = [&](const AxiPins& p) {
    if (p.rvalid && p.rready && p.wvalid && p.wready) ++both;
  };
  tb.start(0, ld);
  tb.start(1, st);
  tb.step();
  REQUIRE(tb.run_until([&] { return !tb.busy(0) && !tb.busy(1); }, 100000));
  tb.step();
  ref.apply(ld);
  ref.apply(st);
  CHECK(count_dram_mismatch(tb, ref) == 0);
  CHECK(count_spad_mismatch(tb, ref) == 0);
  // 2048 beats each way; the two directions share no resource, so most beats overlap.
  CHECK(both > 1500);
  std::printf("[rtl.dma_concurrent] cycles=%llu beats each way=2048 overlapping=%llu\n",
              (unsigned long long)tb.cycle, (unsigned long long)both);
  INFO(tb.chk.report());
  CHECK(tb.chk.errors().empty());
}

TEST_CASE("AR issue is round-robin between channels", "[fair]") {
  for (bool dir : {false, true}) {
    INFO("dir " << dir);
    AxiSlaveConfig cfg;
    cfg.read_latency = 50;
    cfg.write_latency = 50;
    cfg.ar_ready_prob = cfg.aw_ready_prob = 0.5;
    cfg.seed = 3;
    DmaTb tb(cfg, 0.0, 6);
    RefState ref(kDramBase, 2 * kChanDram);
    fill(tb, ref, 8);
    // 16-beat bursts, many more than can be outstanding.
    DmaDesc a{kDramBase, 0, 512, 96, 512, 512, dir};
    DmaDesc b{kDramBase + kChanDram, 32 * kChanSpadWords, 512, 96, 512, 512, dir};
    tb.start(0, a);
    tb.start(1, b);
    tb.step();
    REQUIRE(tb.run_until([&] { return !tb.busy(0) && !tb.busy(1); }, 200000));
    const auto& log = dir ? tb.axi.aw_log : tb.axi.ar_log;
    REQUIRE(log.size() == 192);
    // While both channels still have bursts to issue, grants alternate.
    size_t repeats = 0;
    for (size_t i = 1; i < 180; ++i)
      if (log[i].id == log[i - 1].id) ++repeats;
    CHECK(repeats == 0);
    ref.apply(a);
    ref.apply(b);
    CHECK(count_dram_mismatch(tb, ref) == 0);
    CHECK(count_spad_mismatch(tb, ref) == 0);
    INFO(tb.chk.report());
    CHECK(tb.chk.errors().empty());
  }
}

TEST_CASE("throughput with 100-cycle latency (printed, not asserted)", "[perf]") {
  AxiSlaveConfig cfg;
  cfg.read_latency = 100;
  cfg.write_latency = 100;
  cfg.max_reads = 64;
  struct Shape {
    const char* name;
    uint32_t row_bytes, rows;
  };
  for (Shape sh : {Shape{"16-beat bursts", 512, 1024}, Shape{"128-beat bursts", 4096, 128}}) {
    for (bool dir : {false, true}) {
      DmaTb tb(cfg, 0.0, 4);
      RefState ref(kDramBase, kChanDram);
      fill(tb, ref, 9);
      DmaDesc d{kDramBase, 0, sh.row_bytes, sh.rows, sh.row_bytes, sh.row_bytes, dir};
      uint64_t first = 0, last = 0;
      tb.on_cycle = [&](const AxiPins& p) {
        bool beat = dir ? (p.wvalid && p.wready) : (p.rvalid && p.rready);
        bool req = dir ? (p.awvalid && p.awready) : (p.arvalid && p.arready);
        if (req && first == 0) first = tb.cycle;
        if (beat) last = tb.cycle;
      };
      REQUIRE(run_desc(tb, 0, d));
      ref.apply(d);
      CHECK(count_dram_mismatch(tb, ref) == 0);
      CHECK(count_spad_mismatch(tb, ref) == 0);
      uint64_t beats = dir ? tb.perf_wr : tb.perf_rd;
      CHECK(beats == uint64_t(sh.row_bytes / 32) * sh.rows);
      // The engine must use its whole window to hide the latency.
      CHECK((dir ? tb.chk.max_writes_seen() : tb.chk.max_reads_seen()) == 16);
      double bpc = double(beats) / double(last - first + 1);
      std::printf("[rtl.dma_throughput] %s %-15s %llu beats in %llu cycles: %.3f beats/cycle (max outstanding %u)\n",
                  dir ? "write" : "read ", sh.name, (unsigned long long)beats,
                  (unsigned long long)(last - first + 1), bpc,
                  dir ? tb.chk.max_writes_seen() : tb.chk.max_reads_seen());
      INFO(tb.chk.report());
      CHECK(tb.chk.errors().empty());
    }
  }
}
