// The fast NPU through the driver and SDK: device errors and reset recovery
// like the RTL's, and switching NPUs between submissions (npu = "both").
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "backend.h"
#include "kiln/golden/gemm.h"
#include "kiln/sdk/gemm.h"
#include "kiln_cmds.h"
#include "kiln_regs.h"
#include "platform_host.h"

using kiln::sdk::DType;

namespace {

// Returns the number of mismatching elements against the golden model.
size_t small_gemm(kiln::Device& dev, uint32_t M, uint32_t N, uint32_t K) {
  std::vector<uint16_t> A(M * K), B(K * N);
  for (size_t i = 0; i < A.size(); ++i) A[i] = uint16_t(0x3F80 + (i * 7) % 97);
  for (size_t i = 0; i < B.size(); ++i) B[i] = uint16_t(0xBF00 + (i * 13) % 89);
  std::vector<uint32_t> gold(M * N);
  kiln::golden::gemm_bf16(A.data(), K, B.data(), N, gold.data(), N, M, N, K, false);
  auto a = kiln::sdk::upload_matrix(dev, A.data(), M, K, DType::BF16);
  auto b = kiln::sdk::upload_matrix(dev, B.data(), K, N, DType::BF16);
  auto c = kiln::sdk::alloc_matrix(dev, M, N, DType::FP32);
  kiln::sdk::gemm(dev, a, b, c);
  std::vector<uint32_t> got(M * N);
  kiln::sdk::download_matrix(dev, c, got.data());
  size_t bad = 0;
  for (size_t i = 0; i < got.size(); ++i) bad += got[i] != gold[i];
  return bad;
}

// A "both" backend for this test: the platform with the RTL and the fast NPU,
// keeping the PlatformHost so the test can switch between submissions.
kiln::PlatformHost* g_both = nullptr;

class BothBackend final : public kiln::Backend {
 public:
  explicit BothBackend(std::unique_ptr<kiln::PlatformHost> h) : h_(std::move(h)) { g_both = h_.get(); }
  const char* name() const override { return "both"; }
  uint32_t mmio_read32(uint32_t o) override { return h_->mmio_read32(o); }
  void mmio_write32(uint32_t o, uint32_t v) override { h_->mmio_write32(o, v); }
  bool mem_write(uint64_t a, const void* s, size_t n, std::string* e) override { return h_->mem_write(a, s, n, e); }
  bool mem_read(uint64_t a, void* d, size_t n, std::string* e) override { return h_->mem_read(a, d, n, e); }
  bool wait_irq(uint64_t t) override { return h_->wait_irq(t); }
  uint64_t now_ns() const override { return h_->now_ns(); }
  uint64_t rtl_cycles() const override { return h_->rtl_cycles(); }

 private:
  std::unique_ptr<kiln::PlatformHost> h_;
};

}  // namespace

// The unmapped-DMA error and reset recovery on fast: tests/integration
// runs the same cases on every backend.

TEST_CASE("fast_second_device_refused") {
  kiln::Device dev("fast");
  kiln_device* second = nullptr;
  CHECK(kiln_open("fast", nullptr, &second) == KILN_ERR_BUSY);
}

TEST_CASE("both_switch_between_submissions") {
  kiln::register_backend("both", [](const kiln::BackendOptions&, kiln_status* st, std::string* err)
                                      -> std::unique_ptr<kiln::Backend> {
    kiln::PlatformOptions o;
    o.npu = "both";
    auto h = kiln::PlatformHost::create(o, err);
    if (!h) {
      *st = KILN_ERR_BACKEND;
      return nullptr;
    }
    return std::unique_ptr<kiln::Backend>(new BothBackend(std::move(h)));
  });
  kiln::Device dev("both");
  REQUIRE(g_both);
  std::string err;
  CHECK(g_both->active_npu() == "rtl");
  CHECK(small_gemm(dev, 20, 24, 40) == 0);
  REQUIRE(g_both->select_npu("fast", &err));
  CHECK(g_both->active_npu() == "fast");
  CHECK(small_gemm(dev, 33, 40, 70) == 0);
  REQUIRE(g_both->select_npu("rtl", &err));
  CHECK(small_gemm(dev, 17, 16, 32) == 0);
  CHECK_FALSE(g_both->select_npu("remote", &err));
  CHECK(err.find("remote") != std::string::npos);
}
