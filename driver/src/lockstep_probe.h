// Lockstep (docs/driver.md, "Backends"): what is compared after a command.
// A probe is one region the command writes, described so that a DMA store
// (scratchpad regions) or a host read (device memory) can copy exactly its
// rows, and so that only the elements the command writes are compared.
#ifndef KILN_DRIVER_LOCKSTEP_PROBE_H
#define KILN_DRIVER_LOCKSTEP_PROBE_H

#include <cstdint>
#include <string>
#include <vector>

namespace kiln {

struct Probe {
  enum Where { kScratchpad, kDeviceMemory };
  Where where;
  const char* what;   // "DMA destination", "dst", "row-sum array", "WRITEBACK output"
  uint64_t addr;      // first byte: scratchpad byte address or device address
  uint32_t rows;
  uint32_t row_bytes; // a multiple of 32 (whole scratchpad words / AXI beats)
  uint32_t stride;    // bytes between rows
  uint32_t elem;      // bytes per element: 2 (BF16) or 4; for messages and masking
  uint32_t live;      // elements per row the command writes; later lanes of a
                      // partly written word keep older data and are skipped
  uint64_t bytes() const { return uint64_t(rows) * row_bytes; }
};

// The regions a command writes, for commands check_command accepts: DMA
// (scratchpad rows, or device-memory rows for a store), WRITEBACK (output
// rows), VECTOR (dst, and the row-sum array of EXP + ROWSUM). Empty for
// GEMM (the accumulator is not visible to the DMA: its result is compared at
// the WRITEBACK that reads it), NOP, BARRIER and malformed commands.
std::vector<Probe> output_probes(const uint32_t* cmd);

// "VECTOR EXP rows=4 cols=64 flags=0x104 src0=0x0 ... dst=0x80": the opcode
// and its fields (scratchpad addresses of GEMM, WRITEBACK and VECTOR in
// words, of DMA in bytes, as in the command format).
std::string describe_command(const uint32_t* cmd);

struct Difference {
  bool found = false;
  uint64_t addr = 0;        // address of the first differing element
  uint32_t row = 0, elem = 0;
  uint32_t rtl = 0, fast = 0;
  uint64_t count = 0;       // differing elements in the probe
  uint64_t compared = 0;    // elements compared
};

// rtl, fast: the probe's rows packed (bytes() bytes each).
Difference compare_probe(const Probe& p, const uint8_t* rtl, const uint8_t* fast);

}  // namespace kiln

#endif  // KILN_DRIVER_LOCKSTEP_PROBE_H
