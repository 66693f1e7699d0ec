// The golden machine: a functional interpreter of the Kiln command format
// built only from the golden arithmetic. It executes the same command stream
// the device does, on its own device-memory image, scratchpad and
// accumulator, and defines what the device must leave in memory, bit for bit.
//
// Kernels are checked in two steps: the device's output must equal the golden
// machine's output for the same commands (bit-exact: hardware and fast model
// against the golden definition), and the golden machine's output must be
// within a stated tolerance of an FP64 reference (the kernel is right).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

namespace kiln::golden {

class Machine {
 public:
  Machine();

  // Device memory (sparse: only touched pages exist; untouched bytes read 0).
  void write(uint64_t addr, const void *src, size_t bytes);
  void read(uint64_t addr, void *dst, size_t bytes) const;

  // Executes `count` 64-byte commands. Returns false with a message naming
  // the command on the first command the device would refuse or fault on.
  bool execute(const void *cmds, size_t count, std::string *err);

  // Unit operations, as the firmware programs them (fields of kiln_cmds.h).
  bool dma(uint32_t dir, uint64_t dram, uint32_t spad_byte, uint32_t row_bytes, uint32_t rows,
           uint32_t dram_stride, uint32_t spad_stride, std::string *err);
  // b_transposed: B is given as Bt[n][k] = B[k][n], Bt[n][16j..16j+15] at
  // b_addr + n*b_stride + j (TC OP.B_TRANSPOSED, GEMM flags [9]).
  void matmul(uint32_t dtype, bool accumulate, uint32_t a_addr, uint32_t a_stride, uint32_t b_addr,
              uint32_t b_stride, uint32_t acc_addr, uint32_t m, uint32_t n, uint32_t k,
              bool b_transposed = false);
  void writeback(bool out32, uint32_t acc_addr, uint32_t out_addr, uint32_t out_stride, uint32_t m,
                 uint32_t n);

  uint8_t *spad_bytes() { return reinterpret_cast<uint8_t *>(spad_.data()); }
  const uint32_t *acc() const { return acc_.data(); }

 private:
  uint8_t *page(uint64_t addr, bool create);
  const uint8_t *page(uint64_t addr) const;
  uint16_t lane16(uint32_t word, uint32_t lane) const;

  std::vector<uint32_t> spad_;  // 8 little-endian uint32 per 32-byte word
  std::vector<uint32_t> acc_;   // acc_rows x 16 lanes
  std::unordered_map<uint64_t, std::vector<uint8_t>> dram_;
};

}  // namespace kiln::golden
