// The test models themselves: the checker must flag violations, and the
// slave must honour latency, ordering and error ranges.
#include <catch2/catch.hpp>

#include "axi_protocol_checker.h"
#include <algorithm>

#include "axi_slave_model.h"

using namespace kiln::tb;

namespace {

AxiPins ar(uint32_t id, uint32_t addr, uint32_t len, bool ready) {
  AxiPins p;
  p.arvalid = true;
  p.arid = id;
  p.araddr = addr;
  p.arlen = len;
  p.arsize = 5;
  p.arburst = 1;
  p.arready = ready;
  return p;
}

}  // namespace

TEST_CASE("protocol checker flags violations", "[models]") {
  SECTION("4 KiB crossing and len") {
    AxiProtocolChecker c;
    c.observe(ar(0, 0x80000FE0, 1, true));
    CHECK(c.errors().size() == 1);
  }
  SECTION("AR payload change while stalled, VALID drop") {
    AxiProtocolChecker c;
    c.observe(ar(0, 0x1000, 3, false));
    c.observe(ar(0, 0x1020, 3, false));
    c.observe(AxiPins{});
    CHECK(c.errors().size() == 2);
  }
  SECTION("outstanding limit, unknown R ID, wrong RLAST") {
    AxiCheckerConfig cfg;
    cfg.max_reads = 1;
    AxiProtocolChecker c(cfg);
    c.observe(ar(0, 0x0, 1, true));
    c.observe(ar(1, 0x100, 0, true));  // second outstanding read: too many
    AxiPins r;
    r.rvalid = r.rready = true;
    r.rid = 2;  // never issued
    c.observe(r);
    r.rid = 0;
    r.rlast = true;  // burst has 2 beats: RLAST early
    c.observe(r);
    CHECK(c.errors().size() == 3);
  }
  SECTION("W before AW, WLAST, B before W done") {
    AxiProtocolChecker c;
    AxiPins w;
    w.wvalid = w.wready = true;
    w.wstrb = 0xFFFFFFFFu;
    c.observe(w);  // no AW yet
    AxiPins aw;
    aw.awvalid = aw.awready = true;
    aw.awlen = 1;
    aw.awsize = 5;
    aw.awburst = 1;
    c.observe(aw);
    AxiPins b;
    b.bvalid = b.bready = true;
    c.observe(b);  // W not done
    w.wlast = true;  // first of two beats
    c.observe(w);
    CHECK(c.errors().size() == 3);
  }
}

TEST_CASE("slave model: latency, per-ID order, reorder, errors", "[models]") {
  AxiSlaveConfig cfg;
  cfg.read_latency = 7;
  cfg.reorder = true;
  cfg.seed = 5;
  AxiSlaveModel s(cfg);
  std::vector<uint32_t> data(64);
  for (uint32_t i = 0; i < 64; ++i) data[i] = i * 3 + 1;
  s.mem_write(0x1000, data.data(), data.size() * 4);
  s.add_error_range(0x1040, 0x1060, kRespDecErr);
  AxiProtocolChecker chk;
  // Two bursts on ID 0, one on ID 1, issued in that order.
  std::vector<AxiPins> ars{ar(0, 0x1000, 1, true), ar(1, 0x1080, 1, true), ar(0, 0x1040, 0, true)};
  std::vector<std::pair<uint32_t, uint32_t>> beats;  // (id, first word)
  std::vector<uint32_t> resps;
  uint64_t first_beat = 0;
  for (int cyc = 0; cyc < 200; ++cyc) {
    AxiPins p;
    s.drive(p);
    if (cyc < 3) {
      AxiPins a = ars[cyc];
      p.arvalid = true;
      p.arid = a.arid;
      p.araddr = a.araddr;
      p.arlen = a.arlen;
      p.arsize = 5;
      p.arburst = 1;
    }
    p.rready = cyc % 3 != 0;
    chk.observe(p);
    if (p.rvalid && p.rready) {
      if (beats.empty()) first_beat = s.now();
      beats.push_back({p.rid, p.rdata[0]});
      resps.push_back(p.rresp);
    }
    s.tick(p);
  }
  REQUIRE(beats.size() == 5);
  CHECK(first_beat >= 7);
  CHECK(chk.errors().empty());
  // ID 0 stays in order: 0x1000, 0x1020, then the DECERR beat at 0x1040.
  std::vector<uint32_t> id0;
  for (size_t i = 0; i < beats.size(); ++i)
    if (beats[i].first == 0) id0.push_back(beats[i].second);
  REQUIRE(id0.size() == 3);
  CHECK(id0[0] == data[0]);
  CHECK(id0[1] == data[8]);
  CHECK(id0[2] == 0xBAD0BAD0u);
  CHECK(std::count(resps.begin(), resps.end(), kRespDecErr) == 1);
}
