// Error paths end to end: what the driver refuses before submission, what the
// device reports, and recovery by reset. The backend comes from KILN_BACKEND
// (CMake registers every case for rtl and for fast).
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>

#include <cstring>
#include <vector>

#include "kiln/golden/gemm.h"
#include "kiln/sdk/gemm.h"
#include "kiln_cmds.h"
#include "kiln_hw.h"

using kiln::sdk::DType;

TEST_CASE("driver refuses a buffer outside device memory") {
  kiln::Device dev(nullptr);  // $KILN_BACKEND
  kiln::CommandBuffer cb;
  const uint64_t outside = 0x10000000;  // below DRAM: no device memory there
  cb.dma(0, 0, outside, 0, 1024, 4, 1024, 1024);
  try {
    dev.submit(cb);
    FAIL("submit accepted a DMA from outside device memory");
  } catch (const kiln::Error &e) {
    CHECK(e.status() == KILN_ERR_OUT_OF_RANGE);
    const std::string msg = e.what();
    INFO(msg);
    CHECK(msg.find("0x10000000") != std::string::npos);
    CHECK(msg.find("command 0") != std::string::npos);
  }
  // Nothing reached the device: a valid job still runs.
  kiln::CommandBuffer ok;
  ok.nop();
  dev.wait(dev.submit(ok));
}

static void run_small_gemm(kiln::Device &dev) {
  const uint32_t M = 20, N = 24, K = 40;
  std::vector<uint16_t> A(M * K), B(K * N);
  for (size_t i = 0; i < A.size(); ++i) A[i] = uint16_t(0x3F80 + (i * 7) % 97);   // ~[1, 2)
  for (size_t i = 0; i < B.size(); ++i) B[i] = uint16_t(0xBF00 + (i * 13) % 89);  // ~(-1, -0.5]
  std::vector<uint32_t> gold(M * N);
  kiln::golden::gemm_bf16(A.data(), K, B.data(), N, gold.data(), N, M, N, K, false);
  auto a = kiln::sdk::upload_matrix(dev, A.data(), M, K, DType::BF16);
  auto b = kiln::sdk::upload_matrix(dev, B.data(), K, N, DType::BF16);
  auto c = kiln::sdk::alloc_matrix(dev, M, N, DType::FP32);
  kiln::sdk::gemm(dev, a, b, c);
  std::vector<uint32_t> got(M * N);
  kiln::sdk::download_matrix(dev, c, got.data());
  CHECK(got == gold);
}

TEST_CASE("unmapped DMA address gives a device error, reset recovers") {
  kiln::Device dev(nullptr);  // $KILN_BACKEND
  run_small_gemm(dev);

  const uint64_t unmapped = 0x20000000;  // nothing decodes there: the interconnect answers DECERR
  kiln::CommandBuffer bad;
  bad.dma(0, 0, unmapped, 0, 256, 2, 256, 256);
  const uint64_t fence = dev.submit(bad, KILN_SUBMIT_NO_VALIDATE);
  try {
    dev.wait(fence);
    FAIL("wait succeeded on a job that read an unmapped address");
  } catch (const kiln::Error &e) {
    INFO(e.what());
    CHECK(e.status() == KILN_ERR_DEVICE);
    CHECK(std::string(e.what()).find("DMA_DECERR") != std::string::npos);
    CHECK(std::string(e.what()).find("0x20000000") != std::string::npos);
  }
  const kiln_device_error_info info = dev.device_error();
  CHECK(info.code == KILN_ERR_DMA_DECERR);
  CHECK(info.addr == unmapped);

  // Halted until reset: further submissions are refused with a clear status.
  kiln::CommandBuffer nop;
  nop.nop();
  try {
    dev.submit(nop);
    FAIL("submit accepted work on a halted device");
  } catch (const kiln::Error &e) {
    CHECK(e.status() == KILN_ERR_HALTED);
  }

  dev.reset();
  CHECK(dev.device_error().code == 0);
  run_small_gemm(dev);
}
