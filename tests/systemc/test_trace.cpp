// Run traces: the Trace Event Format writer (times, tracks, open spans at
// close, bad paths) and the unit tracks fed from STATUS values.
#include <catch2/catch.hpp>

#include <cstdio>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <unistd.h>

#include "kiln_regs.h"
#include "trace_json.h"
#include "unit_trace.h"

using namespace kiln;

namespace {

std::string temp_path() {
  char p[] = "/tmp/kiln_trace_XXXXXX";
  const int fd = mkstemp(p);
  REQUIRE(fd >= 0);
  close(fd);
  return p;
}

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

size_t count(const std::string& s, const std::string& what) {
  size_t n = 0;
  for (size_t at = s.find(what); at != std::string::npos; at = s.find(what, at + 1)) ++n;
  return n;
}

}  // namespace

TEST_CASE("trace_writer") {
  const std::string path = temp_path();
  std::string err;
  auto w = TraceWriter::open(path, &err);
  REQUIRE(w);
  const int a = w->add_track("DMA ch0");
  const int b = w->add_track("quote \" track");
  w->begin(a, 1234, "load", "dma", TraceArgs().num("bytes", 4096).hex("dram_addr", 0x80001000));
  w->end(a, 1244);
  w->span(b, 2001, 2001, "zero", "x");
  w->instant(b, 5, "fence 7", "fence", TraceArgs().num("value", 7));
  w->begin(a, 3000, "store", "dma");
  w->begin(b, 90, "late", "x");
  w->end(b, 80);  // before its begin: clamped to zero length
  CHECK(w->open_span(a));
  CHECK(w->events() == 4);
  REQUIRE(w->close(4000, &err));
  CHECK(w->close(5000, &err));  // a second close does nothing
  const std::string s = slurp(path);
  std::remove(path.c_str());
  CHECK(s.rfind("{\"displayTimeUnit\":\"ns\",\"traceEvents\":[\n", 0) == 0);
  CHECK(s.find("\"name\":\"thread_name\",\"args\":{\"name\":\"DMA ch0\"}") != std::string::npos);
  CHECK(s.find("{\"name\":\"quote \\\" track\"}") != std::string::npos);
  // Microseconds with exact nanoseconds.
  CHECK(s.find("\"tid\":1,\"ts\":1.234,\"dur\":0.010,\"cat\":\"dma\",\"name\":\"load\",\"args\":{\"bytes\":4096,"
               "\"dram_addr\":\"0x80001000\"}}") != std::string::npos);
  CHECK(s.find("\"ts\":2.001,\"dur\":0.000") != std::string::npos);
  CHECK(s.find("{\"ph\":\"i\",\"s\":\"t\",\"pid\":1,\"tid\":2,\"ts\":0.005,\"cat\":\"fence\",\"name\":\"fence 7\","
               "\"args\":{\"value\":7}}") != std::string::npos);
  CHECK(s.find("\"ts\":0.090,\"dur\":0.000,\"cat\":\"x\",\"name\":\"late\"") != std::string::npos);
  // The span open at close ends there, marked.
  CHECK(s.find("\"ts\":3.000,\"dur\":1.000,\"cat\":\"dma\",\"name\":\"store\",\"args\":{\"unfinished\":true}}") !=
        std::string::npos);
  CHECK(s.find("\"otherData\":{\"generator\":\"kiln\"") != std::string::npos);
  CHECK(s.find("\"end_ns\":4000,\"events\":5}}\n") != std::string::npos);
  CHECK(count(s, "\"ph\":\"X\"") == 4);
}

TEST_CASE("trace_writer_bad_path") {
  std::string err;
  CHECK_FALSE(TraceWriter::open("/nonexistent-dir/t.json", &err));
  CHECK(err == "cannot write the trace file '/nonexistent-dir/t.json': No such file or directory");
  CHECK_FALSE(TraceWriter::writable("/tmp", &err));
  CHECK(err == "cannot write the trace file '/tmp': Is a directory");
  CHECK_FALSE(TraceWriter::open("", &err));
  CHECK(err.find("empty") != std::string::npos);
}

TEST_CASE("trace_unit_status") {
  const std::string path = temp_path();
  std::string err;
  auto w = TraceWriter::open(path, &err);
  REQUIRE(w);
  std::map<uint32_t, uint32_t> regs{{KILN_REG_DMA_ROW_BYTES(1), 256}, {KILN_REG_DMA_ROWS(1), 3},
                                    {KILN_REG_DMA_CTRL(1), KILN_DMA_CTRL_DIR_MASK},
                                    {KILN_REG_TC_M(0), 64}, {KILN_REG_TC_N(0), 48}, {KILN_REG_TC_K(0), 80},
                                    {KILN_REG_VU_OP(0), 4}, {KILN_REG_VU_ROWS(0), 9}};
  const UnitTrace::RegRead reg = [&](uint32_t off) { return regs.count(off) ? regs[off] : 0u; };
  {
    UnitTrace u(*w, "rtl");
    const uint32_t ch1 = 1u << (KILN_STATUS_DMA_BUSY_SHIFT + 1);
    u.status(ch1, 100, reg);
    u.status(ch1 | KILN_STATUS_TC_BUSY_MASK, 120, reg);
    u.status(ch1 | KILN_STATUS_TC_BUSY_MASK, 130, reg);  // unchanged: nothing
    u.status(KILN_STATUS_TC_BUSY_MASK | KILN_STATUS_VU_BUSY_MASK, 250, reg);
    u.status(0, 400, reg);
  }
  REQUIRE(w->close(400, &err));
  const std::string s = slurp(path);
  std::remove(path.c_str());
  CHECK(s.find("\"args\":{\"name\":\"rtl: DMA ch1\"}") != std::string::npos);
  CHECK(s.find("\"args\":{\"name\":\"rtl: vector unit\"}") != std::string::npos);
  CHECK(s.find("\"ts\":0.100,\"dur\":0.150,\"cat\":\"dma\",\"name\":\"store\",\"args\":{\"bytes\":768,\"rows\":3,") !=
        std::string::npos);
  CHECK(s.find("\"ts\":0.120,\"dur\":0.280,\"cat\":\"tc\",\"name\":\"GEMM\",\"args\":{\"m\":64,\"n\":48,\"k\":80,") !=
        std::string::npos);
  CHECK(s.find("\"ts\":0.250,\"dur\":0.150,\"cat\":\"vu\",\"name\":\"EXP\",\"args\":{\"rows\":9,") != std::string::npos);
  CHECK(count(s, "\"ph\":\"X\"") == 3);
}
