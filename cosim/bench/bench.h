#pragma once
#include <cstdint>

#include "kiln/kiln.h"

namespace kiln::bench {

struct Figures {
  uint64_t cycles = 0;
  double wall_seconds = 0;
  double cycles_per_second = 0;
  kiln_counters counters{};  // platform run: the job's counter increments
};

// The bare Verilated NPU running `iterations` 128x128x256 MATMULs with DMA traffic.
Figures run_bare(uint32_t iterations);
// The same model inside the SystemC platform, running a GEMM through driver and firmware.
Figures run_platform(uint32_t m, uint32_t n, uint32_t k);

}  // namespace kiln::bench
