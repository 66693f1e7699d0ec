#include "lockstep_probe.h"

#include <algorithm>
#include <cstring>

#include "cmd_check.h"
#include "kiln_cmds.h"
#include "kiln_hw.h"
#include "kiln_vu_footprint.h"
#include "util.h"

namespace kiln {

namespace {

constexpr uint32_t kWord = KILN_HW_SCRATCHPAD_WORD_BYTES;

Probe spad_span(const char* what, const kiln_vu_span& s, uint32_t elem, uint32_t live) {
  return Probe{Probe::kScratchpad, what, uint64_t(s.addr) * kWord, s.rows, s.words * kWord,
               s.stride * kWord, elem, live};
}

}  // namespace

std::vector<Probe> output_probes(const uint32_t* w) {
  std::vector<Probe> out;
  if (check_command(w, false).status != KILN_OK) return out;
  switch (w[0] & KILN_CMD_HDR_OPCODE_MASK) {
    case KILN_OP_DMA: {
      kiln_cmd_dma_t d;
      std::memcpy(&d, w, sizeof d);
      // Data of unknown type: compared and shown as 32-bit words.
      if (d.channel & (1u << 8)) {
        const uint64_t dram = (uint64_t(d.dram_addr_hi) << 32) | d.dram_addr_lo;
        out.push_back({Probe::kDeviceMemory, "device memory the DMA wrote", dram, d.rows, d.row_bytes,
                       d.dram_stride, 4, d.row_bytes / 4});
      } else {
        out.push_back({Probe::kScratchpad, "DMA destination", d.spad_addr, d.rows, d.row_bytes,
                       d.spad_stride, 4, d.row_bytes / 4});
      }
      break;
    }
    case KILN_OP_WRITEBACK: {
      kiln_cmd_writeback_t b;
      std::memcpy(&b, w, sizeof b);
      const bool fp32 = b.flags & 1u;
      const uint32_t tiles = static_cast<uint32_t>(ceil_div(b.n, KILN_HW_TENSOR_CORE_COLS));
      // Element e of an output row is column e in both layouts (BF16: 16
      // per word; 32-bit: two words per 16-column tile), so columns >= N,
      // which WRITEBACK leaves alone, are exactly the elements past `live`.
      out.push_back({Probe::kScratchpad, "WRITEBACK output", uint64_t(b.out_addr) * kWord, b.m,
                     tiles * (fp32 ? 2u : 1u) * kWord, b.out_stride * kWord, fp32 ? 4u : 2u, b.n});
      break;
    }
    case KILN_OP_VECTOR: {
      kiln_cmd_vector_t v;
      std::memcpy(&v, w, sizeof v);
      kiln_vu_span s[KILN_VU_OPERANDS];
      kiln_vu_footprints(&v, s);
      if (kiln_vu_op_is_reduction(v.op))
        out.push_back(spad_span("dst (row results)", s[KILN_VU_DST], 4, v.rows));
      else
        out.push_back(spad_span("dst", s[KILN_VU_DST], (v.flags & KILN_VU_FLAGS_DST_FP32_MASK) ? 4 : 2,
                                v.cols));
      if (s[KILN_VU_AUX].used) out.push_back(spad_span("row-sum array", s[KILN_VU_AUX], 4, v.rows));
      break;
    }
    default:
      break;
  }
  for (Probe& p : out) p.live = std::min(p.live, p.row_bytes / p.elem);
  return out;
}

std::string describe_command(const uint32_t* w) {
  const uint32_t op = w[0] & KILN_CMD_HDR_OPCODE_MASK;
  switch (op) {
    case KILN_OP_DMA: {
      kiln_cmd_dma_t d;
      std::memcpy(&d, w, sizeof d);
      const uint64_t dram = (uint64_t(d.dram_addr_hi) << 32) | d.dram_addr_lo;
      return fmt("DMA ch%u %s dram=%s spad=%s rows=%u row_bytes=%u dram_stride=%u spad_stride=%u",
                 d.channel & 0xFu, (d.channel & (1u << 8)) ? "spad->dram" : "dram->spad",
                 hex(dram).c_str(), hex(d.spad_addr).c_str(), d.rows, d.row_bytes, d.dram_stride,
                 d.spad_stride);
    }
    case KILN_OP_GEMM: {
      kiln_cmd_gemm_t g;
      std::memcpy(&g, w, sizeof g);
      return fmt("GEMM %s%s%s m=%u n=%u k=%u a=%s a_stride=%u b=%s b_stride=%u acc=%u",
                 (g.flags & 3u) == 1u ? "int8" : "bf16",
                 (g.flags & KILN_GEMM_ACCUMULATE) ? " accumulate" : "",
                 (g.flags & KILN_GEMM_B_TRANSPOSED) ? " b_transposed" : "", g.m, g.n, g.k,
                 hex(g.a_addr).c_str(), g.a_stride, hex(g.b_addr).c_str(), g.b_stride, g.acc_addr);
    }
    case KILN_OP_WRITEBACK: {
      kiln_cmd_writeback_t b;
      std::memcpy(&b, w, sizeof b);
      return fmt("WRITEBACK %s m=%u n=%u acc=%u out=%s out_stride=%u", (b.flags & 1u) ? "fp32" : "bf16",
                 b.m, b.n, b.acc_addr, hex(b.out_addr).c_str(), b.out_stride);
    }
    case KILN_OP_VECTOR: {
      kiln_cmd_vector_t v;
      std::memcpy(&v, w, sizeof v);
      const uint32_t mode = (v.flags & KILN_VU_FLAGS_SRC1_MODE_MASK) >> KILN_VU_FLAGS_SRC1_MODE_SHIFT;
      std::string s = fmt("VECTOR %s rows=%u cols=%u flags=%s src0=%s src0_stride=%u",
                          kiln_vu_op_name(v.op), v.rows, v.cols, hex(v.flags).c_str(),
                          hex(v.src0_addr).c_str(), v.src0_stride);
      if (kiln_vu_op_uses_src1(v.op))
        s += mode == KILN_VU_SRC1_IMM ? fmt(" imm=%s", hex(v.imm).c_str())
                                      : fmt(" src1=%s src1_stride=%u", hex(v.src1_addr).c_str(), v.src1_stride);
      if (v.op == KILN_VU_OP_AXPY) s += fmt(" src2=%s", hex(v.src2_addr).c_str());
      s += fmt(" dst=%s dst_stride=%u", hex(v.dst_addr).c_str(), v.dst_stride);
      if ((v.op == KILN_VU_OP_EXP && (v.flags & KILN_VU_FLAGS_ROWSUM_MASK)) || v.op == KILN_VU_OP_MASK_CAUSAL)
        s += fmt(" aux=%s", hex(v.aux).c_str());
      return s;
    }
    case KILN_OP_BARRIER:
      return fmt("BARRIER mask=%s", hex(w[1]).c_str());
    default:
      return opcode_label(w[0]);
  }
}

Difference compare_probe(const Probe& p, const uint8_t* rtl, const uint8_t* fast) {
  Difference d;
  for (uint32_t r = 0; r < p.rows; ++r) {
    const size_t row = size_t(r) * p.row_bytes;
    // Whole live part of the row equal: the common case, one memcmp.
    if (std::memcmp(rtl + row, fast + row, size_t(p.live) * p.elem) == 0) {
      d.compared += p.live;
      continue;
    }
    for (uint32_t e = 0; e < p.live; ++e) {
      ++d.compared;
      const size_t o = row + size_t(e) * p.elem;
      if (std::memcmp(rtl + o, fast + o, p.elem) == 0) continue;
      if (!d.found) {
        d.found = true;
        d.row = r;
        d.elem = e;
        d.addr = p.addr + uint64_t(r) * p.stride + uint64_t(e) * p.elem;
        std::memcpy(&d.rtl, rtl + o, p.elem);  // little-endian, like the device
        std::memcpy(&d.fast, fast + o, p.elem);
      }
      ++d.count;
    }
  }
  return d;
}

}  // namespace kiln
