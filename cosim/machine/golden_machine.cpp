#include "golden_machine.h"

#include <cstring>
#include <sstream>

#include "kiln/golden/numerics.h"
#include "kiln/golden/vector.h"
#include "kiln_cmds.h"
#include "kiln_hw.h"

namespace kiln::golden {
namespace {

constexpr uint64_t kPage = 1u << 16;
constexpr uint32_t kWordBytes = KILN_HW_SCRATCHPAD_WORD_BYTES;
constexpr uint32_t kSpadWords = KILN_HW_SCRATCHPAD_BYTES / kWordBytes;
constexpr uint32_t kLanes = KILN_HW_TENSOR_CORE_COLS;
constexpr uint32_t kRows = KILN_HW_TENSOR_CORE_ROWS;
constexpr uint32_t kAccRows = KILN_HW_TENSOR_CORE_ACC_ROWS;

uint32_t ceil_div(uint32_t a, uint32_t b) { return (a + b - 1) / b; }

bool in_dram(uint64_t addr, uint64_t bytes) {
  return addr >= KILN_HW_DRAM_BASE && addr + bytes <= KILN_HW_DRAM_BASE + KILN_HW_DRAM_SIZE;
}

std::string hex(uint64_t v) {
  std::ostringstream os;
  os << "0x" << std::hex << v;
  return os.str();
}

}  // namespace

Machine::Machine() : spad_(size_t(kSpadWords) * 8, 0), acc_(size_t(kAccRows) * kLanes, 0) {}

uint8_t *Machine::page(uint64_t addr, bool create) {
  auto it = dram_.find(addr / kPage);
  if (it != dram_.end()) return it->second.data();
  if (!create) return nullptr;
  return dram_.emplace(addr / kPage, std::vector<uint8_t>(kPage, 0)).first->second.data();
}

const uint8_t *Machine::page(uint64_t addr) const {
  auto it = dram_.find(addr / kPage);
  return it == dram_.end() ? nullptr : it->second.data();
}

void Machine::write(uint64_t addr, const void *src, size_t bytes) {
  const uint8_t *s = static_cast<const uint8_t *>(src);
  while (bytes) {
    const size_t off = addr % kPage, n = std::min<size_t>(bytes, kPage - off);
    std::memcpy(page(addr, true) + off, s, n);
    addr += n, s += n, bytes -= n;
  }
}

void Machine::read(uint64_t addr, void *dst, size_t bytes) const {
  uint8_t *d = static_cast<uint8_t *>(dst);
  while (bytes) {
    const size_t off = addr % kPage, n = std::min<size_t>(bytes, kPage - off);
    const uint8_t *p = page(addr);
    if (p) std::memcpy(d, p + off, n);
    else std::memset(d, 0, n);
    addr += n, d += n, bytes -= n;
  }
}

uint16_t Machine::lane16(uint32_t word, uint32_t lane) const {
  const uint32_t w = spad_[size_t(word % kSpadWords) * 8 + lane / 2];
  return uint16_t(lane & 1 ? w >> 16 : w);
}

bool Machine::dma(uint32_t dir, uint64_t dram, uint32_t spad_byte, uint32_t row_bytes, uint32_t rows,
                  uint32_t dram_stride, uint32_t spad_stride, std::string *err) {
  for (uint32_t r = 0; r < rows; ++r) {
    const uint64_t d = dram + uint64_t(r) * dram_stride;
    const uint64_t s = spad_byte + uint64_t(r) * spad_stride;
    if (!in_dram(d, row_bytes)) {
      *err = "DMA row " + std::to_string(r) + " at " + hex(d) + " is outside device memory (DECERR)";
      return false;
    }
    if (s + row_bytes > KILN_HW_SCRATCHPAD_BYTES) {
      *err = "DMA row " + std::to_string(r) + " leaves the scratchpad";
      return false;
    }
    if (dir == 0) read(d, spad_bytes() + s, row_bytes);
    else write(d, spad_bytes() + s, row_bytes);
  }
  return true;
}

void Machine::matmul(uint32_t dtype, bool accumulate, uint32_t a_addr, uint32_t a_stride, uint32_t b_addr,
                     uint32_t b_stride, uint32_t acc_addr, uint32_t m, uint32_t n, uint32_t k,
                     bool b_transposed) {
  const bool int8 = dtype == 1;
  const uint32_t tiles = ceil_div(n, kLanes), chunks = ceil_div(k, kRows);
  for (uint32_t t = 0; t < tiles; ++t) {
    for (uint32_t j = 0; j < chunks; ++j) {
      // The weight tile as the array holds it: rows past K and columns past N
      // are zero. Plain B: word kk supplies row r; transposed: word nn column c.
      uint16_t w[kRows][kLanes];
      for (uint32_t r = 0; r < kRows; ++r)
        for (uint32_t c = 0; c < kLanes; ++c) {
          const uint32_t kk = j * kRows + r, nn = t * kLanes + c;
          if (kk >= k || nn >= n) w[r][c] = 0;
          else if (b_transposed) w[r][c] = lane16(b_addr + nn * b_stride + j, r);
          else w[r][c] = lane16(b_addr + kk * b_stride + t, c);
        }
      for (uint32_t row = 0; row < m; ++row) {
        uint32_t *acc = &acc_[size_t((acc_addr + t * m + row) % kAccRows) * kLanes];
        for (uint32_t c = 0; c < kLanes; ++c) {
          uint32_t p = 0;  // +0 enters the top of every column
          for (uint32_t r = 0; r < kRows; ++r) {
            const uint32_t kk = j * kRows + r;
            const uint16_t a = kk < k ? lane16(a_addr + row * a_stride + j, r) : 0;
            p = pe_mac(p, a, w[r][c], int8);
          }
          if (j == 0 && !accumulate) acc[c] = p;
          else acc[c] = int8 ? uint32_t(int32_t(acc[c]) + int32_t(p)) : fp32_add(acc[c], p);
        }
      }
    }
  }
}

void Machine::writeback(bool out32, uint32_t acc_addr, uint32_t out_addr, uint32_t out_stride, uint32_t m,
                        uint32_t n) {
  const uint32_t tiles = ceil_div(n, kLanes);
  for (uint32_t row = 0; row < m; ++row)
    for (uint32_t t = 0; t < tiles; ++t) {
      const uint32_t *acc = &acc_[size_t((acc_addr + t * m + row) % kAccRows) * kLanes];
      const uint32_t word = out_addr + row * out_stride + t * (out32 ? 2 : 1);
      for (uint32_t c = 0; c < kLanes && t * kLanes + c < n; ++c) {
        if (out32) {
          spad_[size_t((word + c / 8) % kSpadWords) * 8 + c % 8] = acc[c];
        } else {
          uint32_t &lane = spad_[size_t(word % kSpadWords) * 8 + c / 2];
          const uint32_t h = fp32_to_bf16(acc[c]);
          lane = c & 1 ? (lane & 0xFFFFu) | (h << 16) : (lane & 0xFFFF0000u) | h;
        }
      }
    }
}

bool Machine::execute(const void *cmds, size_t count, std::string *err) {
  const uint8_t *p = static_cast<const uint8_t *>(cmds);
  for (size_t i = 0; i < count; ++i, p += KILN_CMD_BYTES) {
    uint32_t header;
    std::memcpy(&header, p, 4);
    std::string why;
    bool ok = true;
    switch (header & 0xFFu) {
      case KILN_OP_NOP:
      case KILN_OP_BARRIER:
      case KILN_OP_FENCE:
        break;  // ordering only: the machine runs one command at a time
      case KILN_OP_DMA: {
        kiln_cmd_dma_t c;
        std::memcpy(&c, p, sizeof c);
        ok = dma((c.channel >> 8) & 1, uint64_t(c.dram_addr_hi) << 32 | c.dram_addr_lo, c.spad_addr, c.row_bytes,
                 c.rows, c.dram_stride, c.spad_stride, &why);
        break;
      }
      case KILN_OP_GEMM: {
        kiln_cmd_gemm_t c;
        std::memcpy(&c, p, sizeof c);
        // flags: [1:0] dtype, [8] accumulate, [9] B transposed
        matmul(c.flags & 3u, (c.flags >> 8) & 1u, c.a_addr, c.a_stride, c.b_addr, c.b_stride, c.acc_addr, c.m,
               c.n, c.k, (c.flags >> 9) & 1u);
        break;
      }
      case KILN_OP_WRITEBACK: {
        kiln_cmd_writeback_t c;
        std::memcpy(&c, p, sizeof c);
        writeback(c.flags & 1u, c.acc_addr, c.out_addr, c.out_stride, c.m, c.n);
        break;
      }
#ifdef KILN_OP_VECTOR
      case KILN_OP_VECTOR: {
        kiln_cmd_vector_t c;
        std::memcpy(&c, p, sizeof c);
        VectorOp v;
        v.op = c.op, v.flags = c.flags, v.rows = c.rows, v.cols = c.cols;
        v.src0_addr = c.src0_addr, v.src0_stride = c.src0_stride, v.src1_addr = c.src1_addr;
        v.src1_stride = c.src1_stride, v.src2_addr = c.src2_addr, v.dst_addr = c.dst_addr;
        v.dst_stride = c.dst_stride, v.imm = c.imm, v.aux = c.aux;
        vector_run(v, spad_.data(), kSpadWords);
        break;
      }
#endif
      default:
        ok = false;
        why = "unknown opcode " + hex(header & 0xFFu);
    }
    if (!ok) {
      *err = "golden machine: command " + std::to_string(i) + ": " + why;
      return false;
    }
  }
  return true;
}

}  // namespace kiln::golden
