// kiln-bench: simulation speed of the bare Verilated NPU and of the same model
// inside the SystemC platform. Prints figures and writes them to JSON; it
// never passes or fails on speed (these machines are noisy).
#include <cstdio>
#include <string>

#include "../runner/report.h"
#include "bench.h"
#include "kiln/kiln.hpp"
#include "kiln_hw.h"

int main(int argc, char **argv) {
  std::string out = argc > 1 ? argv[1] : "build/bench/bench.json";
  std::printf("kiln-bench: bare Verilated NPU (4 x 128x128x256 MATMUL with DMA traffic)...\n");
  std::fflush(stdout);
  const kiln::bench::Figures bare = kiln::bench::run_bare(4);
  std::printf("  %llu cycles in %.3f s: %.0f cycles/s\n", (unsigned long long)bare.cycles, bare.wall_seconds,
              bare.cycles_per_second);
  std::printf("kiln-bench: platform (GEMM 256x256x256 through driver, ring and firmware)...\n");
  std::fflush(stdout);
  const kiln::bench::Figures plat = kiln::bench::run_platform(256, 256, 256);
  std::printf("  %llu cycles in %.3f s: %.0f cycles/s\n", (unsigned long long)plat.cycles, plat.wall_seconds,
              plat.cycles_per_second);
  std::printf("%s", kiln::format_unit_counters(plat.counters, KILN_HW_DMA_CHANNELS, "  ").c_str());
  const double ratio = plat.cycles_per_second > 0 ? bare.cycles_per_second / plat.cycles_per_second : 0;
  const double overhead = (ratio - 1.0) * 100.0;
  std::printf("platform cost: bare/platform = %.3f (%+.1f %% per simulated cycle; target <= 10 %%)\n", ratio,
              overhead);

  kiln::cosim::Json j, jb, jp;
  jb.set("cycles", bare.cycles).set("wall_seconds", bare.wall_seconds).set("cycles_per_second", bare.cycles_per_second);
  jp.set("cycles", plat.cycles).set("wall_seconds", plat.wall_seconds).set("cycles_per_second", plat.cycles_per_second)
      .set("vu_busy_cycles", plat.counters.vu_busy_cycles).set("vu_stall_cycles", plat.counters.vu_stall_cycles);
  for (unsigned c = 0; c < KILN_HW_DMA_CHANNELS && c < KILN_COUNTERS_MAX_DMA_CHANNELS; ++c) {
    kiln::cosim::Json ch;
    ch.set("read_bytes", plat.counters.dma_ch_read_bytes[c]).set("write_bytes", plat.counters.dma_ch_write_bytes[c])
        .set("busy_cycles", plat.counters.dma_ch_busy_cycles[c]).set("stall_cycles", plat.counters.dma_ch_stall_cycles[c]);
    jp.set("dma_ch" + std::to_string(c), ch);
  }
  j.set("bare", jb).set("platform", jp).set("bare_over_platform", ratio).set("platform_overhead_percent", overhead);
  std::string err;
  if (!j.write_file(out, &err)) {
    std::fprintf(stderr, "kiln-bench: %s\n", err.c_str());
    return 1;
  }
  std::printf("wrote %s\n", out.c_str());
  return 0;
}
