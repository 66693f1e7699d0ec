// The bare Verilated NPU: the model clocked by a plain C++ loop with a C++
// AXI memory and register writes driven on the AXI4-Lite pins. No SystemC,
// no firmware: this is the speed the platform is measured against.
#include "bench.h"

#include <chrono>
#include <cstring>

#include "Vkiln_npu_top.h"
#include "axi_mem.h"
#include "axil_driver.h"
#include "kiln_hw.h"
#include "kiln_regs.h"
#include "verilated.h"

namespace kiln::bench {
namespace {

using Model = Vkiln_npu_top;

struct Harness {
  VerilatedContext ctx;
  Model m{&ctx};
  kiln_test::Clock<Model> clk{m};
  kiln_test::AxiMem<Model> mem{m, uint32_t(KILN_HW_DRAM_BASE), 4u << 20};
  kiln_test::AxilMaster<Model> csr{m, clk};
  kiln_test::AxiMem<Model>::Sample sample{};

  Harness() {
    clk.on_cycle = [this] {
      mem.drive();
      m.eval();
      sample = mem.sample();
    };
    clk.after_edge = [this] { mem.commit(sample); };
    clk.reset();
  }

  void dma(uint32_t ch, uint32_t dir, uint32_t dram, uint32_t spad_bytes, uint32_t row_bytes, uint32_t rows) {
    csr.write(KILN_REG_DMA_DRAM_ADDR_LO(ch), dram);
    csr.write(KILN_REG_DMA_DRAM_ADDR_HI(ch), 0);
    csr.write(KILN_REG_DMA_SPAD_ADDR(ch), spad_bytes);
    csr.write(KILN_REG_DMA_ROW_BYTES(ch), row_bytes);
    csr.write(KILN_REG_DMA_ROWS(ch), rows);
    csr.write(KILN_REG_DMA_DRAM_STRIDE(ch), row_bytes);
    csr.write(KILN_REG_DMA_SPAD_STRIDE(ch), row_bytes);
    csr.write(KILN_REG_DMA_CTRL(ch), dir);
    csr.write(KILN_REG_DMA_START(ch), 1);
  }
  void matmul(uint32_t a, uint32_t b, uint32_t m_rows, uint32_t n, uint32_t k) {
    csr.write(KILN_REG_TC_OP(0), 0);
    csr.write(KILN_REG_TC_A_ADDR(0), a);
    csr.write(KILN_REG_TC_A_STRIDE(0), k / 16);
    csr.write(KILN_REG_TC_B_ADDR(0), b);
    csr.write(KILN_REG_TC_B_STRIDE(0), n / 16);
    csr.write(KILN_REG_TC_ACC_ADDR(0), 0);
    csr.write(KILN_REG_TC_M(0), m_rows);
    csr.write(KILN_REG_TC_N(0), n);
    csr.write(KILN_REG_TC_K(0), k);
    csr.write(KILN_REG_TC_START(0), 1);
  }
  void wait_idle() {
    const uint32_t busy = KILN_STATUS_DMA_BUSY_MASK | KILN_STATUS_TC_BUSY_MASK;
    while (csr.read32(KILN_REG_STATUS) & busy) {
      for (int i = 0; i < 64; ++i) clk.tick();
    }
  }
};

}  // namespace

Figures run_bare(uint32_t iterations) {
  Harness h;
  // Operands: deterministic BF16 patterns (their values do not change speed).
  for (uint32_t i = 0; i < (2u << 20); i += 2) {
    const uint16_t v = uint16_t(0x3C00 + (i * 37u) % 0x0400);
    std::memcpy(h.mem.at(uint32_t(KILN_HW_DRAM_BASE) + i), &v, 2);
  }
  constexpr uint32_t kBank = KILN_HW_SCRATCHPAD_BYTES / KILN_HW_SCRATCHPAD_BANKS;
  const uint32_t base = uint32_t(KILN_HW_DRAM_BASE);
  h.dma(0, 0, base, 0, 512, 128);            // A: 128 x 256 BF16 -> bank 0
  h.dma(1, 0, base + (1u << 20), kBank, 256, 256);  // B: 256 x 128 BF16 -> bank 1
  h.wait_idle();

  const uint64_t c0 = h.clk.cycles;
  const auto t0 = std::chrono::steady_clock::now();
  for (uint32_t it = 0; it < iterations; ++it) {
    // The array computes from buffer 0 while both DMA channels move the next
    // tiles, as the GEMM kernel's schedule does.
    h.matmul(0, kBank / 32, 128, 128, 256);
    h.dma(0, 0, base + (2u << 20) - (128u << 9), 64u << 10, 512, 128);
    h.dma(1, 1, base + (3u << 20), 2 * kBank, 256, 128);
    h.wait_idle();
  }
  Figures f;
  f.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  f.cycles = h.clk.cycles - c0;
  f.cycles_per_second = f.wall_seconds > 0 ? double(f.cycles) / f.wall_seconds : 0;
  h.m.final();
  return f;
}

}  // namespace kiln::bench
