// kiln_select_npu / kiln_active_npu against the mock device (single NPU, and
// a two-NPU stand-in that records switches), and the lockstep probe rules
// (what is compared after each command), without a simulation.
#include <cstring>
#include <vector>

#include "kiln/kiln.hpp"
#include "kiln_cmds.h"
#include "lockstep_probe.h"
#include "test_util.h"

using Catch::Matchers::Contains;

namespace {

// The mock device with two NPU names: enough to test the driver's rules
// (busy, halted, arguments); the platform tests switch real NPUs.
class TwoNpuMock final : public kiln_test::MockBackend {
 public:
  using MockBackend::MockBackend;
  std::string active_npu() const override { return active_; }
  bool can_switch_npu() const override { return true; }
  bool select_npu(const std::string& kind, std::string* err) override {
    if (kind != "rtl" && kind != "fast") {
      *err = "no NPU " + kind;
      return false;
    }
    active_ = kind;
    ++switches;
    return true;
  }
  int switches = 0;

 private:
  std::string active_ = "fast";
};

TwoNpuMock* open_two(kiln_device** dev) {
  kiln::register_backend("mock2", [](const kiln::BackendOptions&, kiln_status*, std::string*) {
    return std::unique_ptr<kiln::Backend>(new TwoNpuMock(kiln_test::next_mock_config()));
  });
  kiln_test::next_mock_config() = kiln_test::MockConfig{};
  REQUIRE(kiln_open("mock2", nullptr, dev) == KILN_OK);
  return static_cast<TwoNpuMock*>(kiln_test::last_mock());
}

}  // namespace

TEST_CASE("select: a single-NPU backend refuses, naming why", "[select]") {
  MockDevice d;
  CHECK(std::string(kiln_active_npu(d)) == "mock");
  CHECK(kiln_select_npu(d, "fast") == KILN_ERR_INVALID_ARGUMENT);
  CHECK_THAT(d.err(), Contains("kiln_select_npu") && Contains("single NPU") && Contains("\"both\""));
  CHECK(kiln_select_npu(d, "gpu") == KILN_ERR_INVALID_ARGUMENT);
  CHECK_THAT(d.err(), Contains("unknown NPU \"gpu\"") && Contains("\"rtl\"") && Contains("\"fast\""));
  CHECK(kiln_select_npu(d, nullptr) == KILN_ERR_INVALID_ARGUMENT);
  CHECK(kiln_select_npu(nullptr, "rtl") == KILN_ERR_INVALID_ARGUMENT);
  CHECK(std::string(kiln_active_npu(nullptr)).empty());
  kiln_lockstep_stats s;
  CHECK(kiln_read_lockstep_stats(d, &s) == KILN_ERR_INVALID_ARGUMENT);
  CHECK_THAT(d.err(), Contains("lockstep"));
}

TEST_CASE("select: refused while a submission is in flight, allowed after its fence", "[select]") {
  kiln_device* dev = nullptr;
  TwoNpuMock* m = open_two(&dev);
  CHECK(std::string(kiln_active_npu(dev)) == "fast");
  REQUIRE(kiln_select_npu(dev, "rtl") == KILN_OK);
  CHECK(std::string(kiln_active_npu(dev)) == "rtl");
  CHECK(m->switches == 1);

  m->config().stalled = true;  // the firmware does not get to the fence
  CmdBuf cb;
  REQUIRE(kiln_cmd_nop(cb) == KILN_OK);
  uint64_t fence = 0;
  REQUIRE(kiln_submit(dev, cb, 0, &fence) == KILN_OK);
  CHECK(kiln_select_npu(dev, "rtl") == KILN_OK);  // already active: nothing to wait for
  CHECK(kiln_select_npu(dev, "fast") == KILN_ERR_BUSY);
  const std::string msg = kiln_last_error(dev);
  CHECK_THAT(msg, Contains("in flight") && Contains("kiln_wait for fence " + std::to_string(fence)));
  CHECK(m->switches == 1);
  CHECK(std::string(kiln_active_npu(dev)) == "rtl");

  m->config().stalled = false;
  REQUIRE(kiln_wait(dev, fence, 0) == KILN_OK);
  REQUIRE(kiln_select_npu(dev, "fast") == KILN_OK);
  CHECK(m->switches == 2);
  CHECK(std::string(kiln_active_npu(dev)) == "fast");
  kiln_close(dev);
}

TEST_CASE("select: C++ wrappers", "[select]") {
  kiln_device* raw = nullptr;
  open_two(&raw);
  kiln_close(raw);
  kiln::Device dev("mock2");
  CHECK(dev.active_npu() == "fast");
  dev.select_npu("rtl");
  CHECK(dev.active_npu() == "rtl");
  try {
    dev.select_npu("tpu");
    FAIL("select_npu accepted an unknown kind");
  } catch (const kiln::Error& e) {
    CHECK(e.status() == KILN_ERR_INVALID_ARGUMENT);
  }
  CHECK_THROWS_AS(dev.lockstep_stats(), kiln::Error);
}

// ---- lockstep probes ---------------------------------------------------------

namespace {
std::vector<uint32_t> words_of(kiln_cmdbuf* cb, size_t i) {
  const auto* w = static_cast<const uint32_t*>(kiln_cmdbuf_data(cb)) + i * 16;
  return std::vector<uint32_t>(w, w + 16);
}
}  // namespace

TEST_CASE("lockstep probes: what each command's output is", "[lockstep_probe]") {
  CmdBuf cb;
  REQUIRE(kiln_cmd_dma(cb, 1, 0, 0x80010000, 0x400, 96, 3, 128, 256) == KILN_OK);    // 0: load
  REQUIRE(kiln_cmd_dma(cb, 0, 1, 0x80020000, 0x800, 64, 2, 4096, 64) == KILN_OK);    // 1: store
  REQUIRE(kiln_cmd_gemm(cb, 0, 0, 0, 3, 100, 2, 0, 20, 24, 40) == KILN_OK);          // 2
  REQUIRE(kiln_cmd_writeback(cb, 0, 0, 200, 2, 20, 24) == KILN_OK);                  // 3: BF16
  REQUIRE(kiln_cmd_writeback(cb, 1, 0, 300, 4, 20, 24) == KILN_OK);                  // 4: FP32
  REQUIRE(kiln_cmd_vector(cb, KILN_VECTOR_OP_EXP, KILN_VECTOR_DST_FP32 | KILN_VECTOR_SRC1_SCALAR | KILN_VECTOR_ROWSUM,
                          9, 40, 0, 3, 50, 0, 0, 60, 5, 0, 120) == KILN_OK);          // 5
  REQUIRE(kiln_cmd_vector(cb, KILN_VECTOR_OP_ROWMAX, 0, 9, 40, 0, 3, 0, 0, 0, 130, 0, 0, 0) == KILN_OK);  // 6
  REQUIRE(kiln_cmd_barrier(cb, KILN_UNIT_ALL) == KILN_OK);                           // 7

  auto p = kiln::output_probes(words_of(cb, 0).data());
  REQUIRE(p.size() == 1);
  CHECK(p[0].where == kiln::Probe::kScratchpad);
  CHECK((p[0].addr == 0x400 && p[0].rows == 3 && p[0].row_bytes == 96 && p[0].stride == 256));
  p = kiln::output_probes(words_of(cb, 1).data());
  REQUIRE(p.size() == 1);
  CHECK(p[0].where == kiln::Probe::kDeviceMemory);
  CHECK((p[0].addr == 0x80020000 && p[0].rows == 2 && p[0].row_bytes == 64 && p[0].stride == 4096));
  CHECK(kiln::output_probes(words_of(cb, 2).data()).empty());  // seen at the WRITEBACK
  p = kiln::output_probes(words_of(cb, 3).data());
  REQUIRE(p.size() == 1);  // 24 BF16 columns: 2 words a row, 24 live elements
  CHECK((p[0].addr == 200 * 32 && p[0].rows == 20 && p[0].row_bytes == 64 && p[0].stride == 64 &&
         p[0].elem == 2 && p[0].live == 24));
  p = kiln::output_probes(words_of(cb, 4).data());
  REQUIRE(p.size() == 1);  // 32-bit lanes: 2 tiles x 2 words
  CHECK((p[0].row_bytes == 128 && p[0].stride == 128 && p[0].elem == 4 && p[0].live == 24));
  p = kiln::output_probes(words_of(cb, 5).data());
  REQUIRE(p.size() == 2);
  CHECK((p[0].addr == 60 * 32 && p[0].rows == 9 && p[0].row_bytes == 5 * 32 && p[0].elem == 4 && p[0].live == 40));
  CHECK((p[1].addr == 120 * 32 && p[1].rows == 1 && p[1].row_bytes == 64 && p[1].live == 9));
  p = kiln::output_probes(words_of(cb, 6).data());
  REQUIRE(p.size() == 1);
  CHECK((p[0].addr == 130 * 32 && p[0].rows == 1 && p[0].row_bytes == 64 && p[0].elem == 4 && p[0].live == 9));
  CHECK(kiln::output_probes(words_of(cb, 7).data()).empty());

  const std::string v = kiln::describe_command(words_of(cb, 5).data());
  CHECK_THAT(v, Contains("VECTOR EXP rows=9 cols=40") && Contains("dst=0x3c") && Contains("aux=0x78"));
  CHECK_THAT(kiln::describe_command(words_of(cb, 1).data()),
             Contains("DMA ch0 spad->dram dram=0x80020000 spad=0x800 rows=2 row_bytes=64"));
  CHECK_THAT(kiln::describe_command(words_of(cb, 2).data()), Contains("GEMM bf16 m=20 n=24 k=40"));
}

TEST_CASE("lockstep probes: only written elements are compared", "[lockstep_probe]") {
  // BF16 WRITEBACK of 24 columns: bytes 48..63 of each row are columns >= N,
  // which WRITEBACK leaves alone: a difference there is not the command's.
  const kiln::Probe p{kiln::Probe::kScratchpad, "WRITEBACK output", 0x1000, 2, 64, 256, 2, 24};
  std::vector<uint8_t> a(128, 0), b(128, 0);
  b[50] = 1;
  b[64 + 48] = 7;
  kiln::Difference d = kiln::compare_probe(p, a.data(), b.data());
  CHECK_FALSE(d.found);
  CHECK(d.compared == 48);
  b[64 + 10] = 0x81;  // row 1, element 5
  b[64 + 11] = 0x3f;
  b[64 + 12] = 1;     // element 6 as well
  d = kiln::compare_probe(p, a.data(), b.data());
  REQUIRE(d.found);
  CHECK((d.row == 1 && d.elem == 5 && d.addr == 0x1000 + 256 + 10));
  CHECK((d.rtl == 0 && d.fast == 0x3f81));
  CHECK(d.count == 2);
}
