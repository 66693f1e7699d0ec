#include "cmd_check.h"

#include <cstring>

#include "kiln_cmds.h"
#include "kiln_hw.h"
#include "kiln_vu_footprint.h"
#include "util.h"

namespace kiln {

namespace {

constexpr uint64_t kWordBytes = KILN_HW_SCRATCHPAD_WORD_BYTES;
// A scratchpad word holds one K-chunk row of A / one N-tile row of B (16 lanes).
constexpr uint64_t kKChunk = KILN_HW_TENSOR_CORE_ROWS;
constexpr uint64_t kNTile = KILN_HW_TENSOR_CORE_COLS;

// First address past the last element of a strided 2-D region:
// `count` items of `item` units, `stride` units apart, starting at `base`.
// Every footprint below is computed with this so the rules agree.
uint64_t span_end(uint64_t base, uint64_t count, uint64_t stride, uint64_t item) {
  return base + (count - 1) * stride + item;
}

bool fail(CmdCheck* c, kiln_status s, std::string msg) {
  c->status = s;
  c->msg = std::move(msg);
  return false;
}

bool reserved_zero(CmdCheck* c, const uint32_t* w, unsigned first_reserved) {
  for (unsigned i = first_reserved; i < KILN_CMD_WORDS; ++i)
    if (w[i] != 0)
      return fail(c, KILN_ERR_INVALID_ARGUMENT,
                  fmt("reserved word %u is %s, must be 0", i, hex(w[i]).c_str()));
  return true;
}

bool aligned(CmdCheck* c, const char* field, uint64_t v) {
  if (v % kWordBytes == 0) return true;
  return fail(c, KILN_ERR_INVALID_ARGUMENT,
              fmt("%s %s is not a multiple of %llu bytes", field, hex(v).c_str(),
                  static_cast<unsigned long long>(kWordBytes)));
}

bool nonzero(CmdCheck* c, const char* field, uint32_t v) {
  if (v != 0) return true;
  return fail(c, KILN_ERR_INVALID_ARGUMENT, fmt("%s is 0, must be > 0", field));
}

// Scratchpad / accumulator bounds; device memory is left to the caller.
bool within(CmdCheck* c, const Footprint& f) {
  uint64_t limit = 0;
  const char* unit = "";
  const char* space = "";
  switch (f.space) {
    case Footprint::kDeviceMemory:
      c->footprints.push_back(f);
      return true;
    case Footprint::kScratchpadBytes:
      limit = KILN_HW_SCRATCHPAD_BYTES, unit = "bytes", space = "the scratchpad";
      break;
    case Footprint::kScratchpadWords:
      limit = KILN_HW_SCRATCHPAD_BYTES / kWordBytes, unit = "words", space = "the scratchpad";
      break;
    case Footprint::kAccRows:
      limit = KILN_HW_TENSOR_CORE_ACC_ROWS, unit = "rows", space = "the accumulator";
      break;
  }
  c->footprints.push_back(f);
  if (f.end <= limit) return true;
  return fail(c, KILN_ERR_OUT_OF_RANGE,
              fmt("%s %s [%llu, %llu) lies outside %s [0, %llu %s)", f.what, unit,
                  static_cast<unsigned long long>(f.begin), static_cast<unsigned long long>(f.end),
                  space, static_cast<unsigned long long>(limit), unit));
}

bool check_dma(CmdCheck* c, const uint32_t* w) {
  kiln_cmd_dma_t d;
  std::memcpy(&d, w, sizeof d);
  const uint32_t channel = d.channel & 0xFu;
  if (d.channel & ~0x10Fu)
    return fail(c, KILN_ERR_INVALID_ARGUMENT,
                fmt("channel word %s has reserved bits set (only [3:0] channel and [8] direction)",
                    hex(d.channel).c_str()));
  if (channel >= KILN_HW_DMA_CHANNELS)
    return fail(c, KILN_ERR_INVALID_ARGUMENT,
                fmt("channel %u does not exist (the device has %u DMA channels)", channel,
                    static_cast<unsigned>(KILN_HW_DMA_CHANNELS)));
  const uint64_t dram = (static_cast<uint64_t>(d.dram_addr_hi) << 32) | d.dram_addr_lo;
  if (!nonzero(c, "row_bytes", d.row_bytes) || !nonzero(c, "rows", d.rows)) return false;
  if (!aligned(c, "dram_addr", dram) || !aligned(c, "spad_addr", d.spad_addr) ||
      !aligned(c, "row_bytes", d.row_bytes) || !aligned(c, "dram_stride", d.dram_stride) ||
      !aligned(c, "spad_stride", d.spad_stride))
    return false;
  if (!reserved_zero(c, w, 9)) return false;
  return within(c, {Footprint::kScratchpadBytes, "scratchpad range", d.spad_addr,
                    span_end(d.spad_addr, d.rows, d.spad_stride, d.row_bytes)}) &&
         within(c, {Footprint::kDeviceMemory, "device-memory range", dram,
                    span_end(dram, d.rows, d.dram_stride, d.row_bytes)});
}

bool check_mn(CmdCheck* c, uint32_t m, uint32_t n) {
  if (!nonzero(c, "m", m) || !nonzero(c, "n", n)) return false;
  if (m > KILN_HW_TENSOR_CORE_ACC_ROWS)
    return fail(c, KILN_ERR_INVALID_ARGUMENT,
                fmt("m %u exceeds the accumulator's %u rows", m,
                    static_cast<unsigned>(KILN_HW_TENSOR_CORE_ACC_ROWS)));
  return true;
}

bool check_gemm(CmdCheck* c, const uint32_t* w) {
  kiln_cmd_gemm_t g;
  std::memcpy(&g, w, sizeof g);
  if (g.flags & ~(3u | KILN_GEMM_ACCUMULATE | KILN_GEMM_B_TRANSPOSED))
    return fail(c, KILN_ERR_INVALID_ARGUMENT,
                fmt("flags %s has reserved bits set (only [1:0] dtype, [8] accumulate, [9] B transposed)",
                    hex(g.flags).c_str()));
  if ((g.flags & 3u) > 1u)
    return fail(c, KILN_ERR_INVALID_ARGUMENT,
                fmt("dtype %u is not 0 (BF16) or 1 (INT8)", g.flags & 3u));
  if (!check_mn(c, g.m, g.n) || !nonzero(c, "k", g.k)) return false;
  if (!reserved_zero(c, w, 10)) return false;
  const uint64_t k_chunks = ceil_div(g.k, kKChunk);
  const uint64_t n_tiles = ceil_div(g.n, kNTile);
  // A row m: words a_addr + m*a_stride + j, j < k_chunks.
  // B row r < K: b_addr + r*b_stride + t, t < n_tiles (rows past K are zero
  // in the array, whatever the scratchpad holds there; the firmware checks the same).
  // Transposed: Bt row n < N: b_addr + n*b_stride + j, j < k_chunks.
  // C[m][tile t] -> accumulator row acc_addr + t*M + m.
  const bool bt = g.flags & KILN_GEMM_B_TRANSPOSED;
  return within(c, {Footprint::kScratchpadWords, "A operand", g.a_addr,
                    span_end(g.a_addr, g.m, g.a_stride, k_chunks)}) &&
         within(c, {Footprint::kScratchpadWords, bt ? "Bt operand" : "B operand", g.b_addr,
                    bt ? span_end(g.b_addr, g.n, g.b_stride, k_chunks)
                       : span_end(g.b_addr, g.k, g.b_stride, n_tiles)}) &&
         within(c, {Footprint::kAccRows, "accumulator", g.acc_addr,
                    span_end(g.acc_addr, n_tiles, g.m, g.m)});
}

bool check_writeback(CmdCheck* c, const uint32_t* w) {
  kiln_cmd_writeback_t b;
  std::memcpy(&b, w, sizeof b);
  if (b.flags & ~1u)
    return fail(c, KILN_ERR_INVALID_ARGUMENT,
                fmt("flags %s has reserved bits set (only [0] 32-bit output)", hex(b.flags).c_str()));
  if (!check_mn(c, b.m, b.n)) return false;
  if (!reserved_zero(c, w, 7)) return false;
  const uint64_t n_tiles = ceil_div(b.n, kNTile);
  const uint64_t words_per_tile = (b.flags & 1u) ? 2 : 1;  // 16 x 32-bit lanes = 2 words
  // C[m][tile t] -> out_addr + m*out_stride + t*words_per_tile.
  return within(c, {Footprint::kAccRows, "accumulator", b.acc_addr,
                    span_end(b.acc_addr, n_tiles, b.m, b.m)}) &&
         within(c, {Footprint::kScratchpadWords, "output", b.out_addr,
                    span_end(b.out_addr, b.m, b.out_stride, n_tiles * words_per_tile)});
}

// The public constants (kiln.h) are the hardware's (kiln_vu_footprint.h, kiln_regs.h).
constexpr bool same_code(int a, int b) { return a == b; }
static_assert(same_code(KILN_VECTOR_OP_ADD, KILN_VU_OP_ADD) &&
                  same_code(KILN_VECTOR_OP_EXP, KILN_VU_OP_EXP) &&
                  same_code(KILN_VECTOR_OP_COPY, KILN_VU_OP_COPY) &&
                  same_code(KILN_VECTOR_OP_ROWARGMAX, KILN_VU_OP_ROWARGMAX) &&
                  same_code(KILN_VECTOR_OP_MASK_CAUSAL, KILN_VU_OP_MASK_CAUSAL) &&
                  same_code(KILN_VECTOR_OP_AXPY, KILN_VU_OP_AXPY),
              "kiln.h vector op codes follow VU.OP");
static_assert(KILN_VECTOR_SRC0_FP32 == KILN_VU_FLAGS_SRC0_FP32_MASK &&
                  KILN_VECTOR_SRC1_FP32 == KILN_VU_FLAGS_SRC1_FP32_MASK &&
                  KILN_VECTOR_DST_FP32 == KILN_VU_FLAGS_DST_FP32_MASK &&
                  KILN_VECTOR_SRC1_MODE_MASK == KILN_VU_FLAGS_SRC1_MODE_MASK &&
                  KILN_VECTOR_SRC1_IMM >> 4 == KILN_VU_SRC1_IMM &&
                  KILN_VECTOR_SRC1_SCALAR >> 4 == KILN_VU_SRC1_SCALAR &&
                  KILN_VECTOR_ROWSUM == KILN_VU_FLAGS_ROWSUM_MASK,
              "kiln.h vector flags follow VU.FLAGS");
static_assert(KILN_UNIT_VU == 1u << 5 && (KILN_UNIT_ALL & KILN_UNIT_VU),
              "BARRIER bit 5 is the vector unit");

// Footprints come from kiln_vu_footprint.h, the function the firmware uses.
bool check_vector(CmdCheck* c, const uint32_t* w) {
  kiln_cmd_vector_t v;
  std::memcpy(&v, w, sizeof v);
  if (v.op >= KILN_VU_OP_COUNT)
    return fail(c, KILN_ERR_INVALID_ARGUMENT,
                fmt("op %u is not a vector op (0..%u, ADD..AXPY)", v.op, KILN_VU_OP_COUNT - 1u));
  const char* op = kiln_vu_op_name(v.op);
  if (v.flags & ~static_cast<uint32_t>(KILN_VU_FLAGS_VALID))
    return fail(c, KILN_ERR_INVALID_ARGUMENT,
                fmt("%s: flags %s has reserved bits set (only [0] src0 FP32, [1] src1 FP32, "
                    "[2] dst FP32, [5:4] src1 mode, [8] row sums)", op, hex(v.flags).c_str()));
  if (!kiln_vu_flags_valid(v.op, v.flags))
    return fail(c, KILN_ERR_INVALID_ARGUMENT,
                fmt("%s: flags %s sets ROWSUM, which only EXP supports", op, hex(v.flags).c_str()));
  if (!nonzero(c, "rows", v.rows) || !nonzero(c, "cols", v.cols)) return false;
  if (!reserved_zero(c, w, 14)) return false;
  kiln_vu_span spans[KILN_VU_OPERANDS];
  kiln_vu_footprints(&v, spans);
  for (int i = 0; i < KILN_VU_OPERANDS; ++i) {
    const kiln_vu_span& s = spans[i];
    if (!s.used) continue;
    if (!within(c, {Footprint::kScratchpadWords, kiln_vu_operand_name(i), s.addr,
                    kiln_vu_span_end(&s)})) {
      c->msg = fmt("%s: %s (%u row(s) of %u word(s), stride %u)", op, c->msg.c_str(), s.rows,
                   s.words, s.stride);
      return false;
    }
  }
  return true;
}

}  // namespace

std::string opcode_label(uint32_t header) {
  const uint32_t op = header & KILN_CMD_HDR_OPCODE_MASK;
  const char* n = kiln_cmd_opcode_name(op);
  if (std::strcmp(n, "UNKNOWN") != 0) return n;
  return fmt("UNKNOWN(%s)", hex(op).c_str());
}

CmdCheck check_command(const uint32_t* w, bool allow_fence) {
  CmdCheck c;
  const uint32_t header = w[0];
  const uint32_t version = (header & KILN_CMD_HDR_VERSION_MASK) >> KILN_CMD_HDR_VERSION_SHIFT;
  if (version != KILN_CMD_VERSION) {
    fail(&c, KILN_ERR_INVALID_ARGUMENT,
         fmt("header %s has format version %u, the device expects %u", hex(header).c_str(),
             version, static_cast<unsigned>(KILN_CMD_VERSION)));
    return c;
  }
  if (header >> 16) {
    fail(&c, KILN_ERR_INVALID_ARGUMENT,
         fmt("header %s has reserved bits [31:16] set", hex(header).c_str()));
    return c;
  }
  switch (header & KILN_CMD_HDR_OPCODE_MASK) {
    case KILN_OP_NOP: reserved_zero(&c, w, 1); break;
    case KILN_OP_DMA: check_dma(&c, w); break;
    case KILN_OP_GEMM: check_gemm(&c, w); break;
    case KILN_OP_WRITEBACK: check_writeback(&c, w); break;
    case KILN_OP_VECTOR: check_vector(&c, w); break;
    case KILN_OP_BARRIER:
      if (w[1] & ~static_cast<uint32_t>(KILN_UNIT_VU | KILN_UNIT_TC |
                                        ((1u << KILN_HW_DMA_CHANNELS) - 1u)))
        fail(&c, KILN_ERR_INVALID_ARGUMENT,
             fmt("unit_mask %s names units this device lacks (it has DMA channels 0-%d, the "
                 "tensor core, bit 4, and the vector unit, bit 5)",
                 hex(w[1]).c_str(), KILN_HW_DMA_CHANNELS - 1));
      else
        reserved_zero(&c, w, 2);
      break;
    case KILN_OP_FENCE:
      if (!allow_fence)
        fail(&c, KILN_ERR_INVALID_ARGUMENT,
             "FENCE commands are appended by kiln_submit; a command buffer may not contain one");
      break;
    default:
      fail(&c, KILN_ERR_INVALID_ARGUMENT,
           fmt("unknown opcode %s (header %s)", hex(header & KILN_CMD_HDR_OPCODE_MASK).c_str(),
               hex(header).c_str()));
  }
  return c;
}

}  // namespace kiln
