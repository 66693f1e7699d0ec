// The same Verilated NPU inside the SystemC platform, driven through the
// driver, the command ring and the firmware: a whole GEMM job.
#include <chrono>
#include <vector>

#include "bench.h"
#include "kiln/sdk/gemm.h"

namespace kiln::bench {

Figures run_platform(uint32_t m, uint32_t n, uint32_t k) {
  kiln::Device dev("rtl");
  std::vector<uint16_t> a(size_t(m) * k), b(size_t(k) * n);
  for (size_t i = 0; i < a.size(); ++i) a[i] = uint16_t(0x3C00 + (i * 37u) % 0x0400);
  for (size_t i = 0; i < b.size(); ++i) b[i] = uint16_t(0xBC00 + (i * 53u) % 0x0400);
  auto A = kiln::sdk::upload_matrix(dev, a.data(), m, k, kiln::sdk::DType::BF16);
  auto B = kiln::sdk::upload_matrix(dev, b.data(), k, n, kiln::sdk::DType::BF16);
  auto C = kiln::sdk::alloc_matrix(dev, m, n, kiln::sdk::DType::BF16);
  kiln::CommandBuffer cb;
  kiln::sdk::gemm_commands(cb, A, B, C);

  uint64_t ns = 0, c0 = 0, c1 = 0;
  kiln_sim_time(dev.get(), &ns, &c0);
  const kiln_counters before = dev.counters();
  const auto t0 = std::chrono::steady_clock::now();
  dev.wait(dev.submit(cb));
  Figures f;
  f.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  kiln_sim_time(dev.get(), &ns, &c1);
  f.counters = kiln::counters_delta(dev.counters(), before);
  f.cycles = c1 - c0;
  f.cycles_per_second = f.wall_seconds > 0 ? double(f.cycles) / f.wall_seconds : 0;
  return f;
}

}  // namespace kiln::bench
