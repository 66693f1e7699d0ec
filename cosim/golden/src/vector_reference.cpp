// vector_run_reference: the golden vector unit's element-by-element
// definition, integer soft-float only (public kiln::golden functions). Slow;
// it is the specification that vector_run (vector.cpp) and the RTL
// (rtl/vector_unit) are tested against.
#include "kiln/golden/numerics.h"
#include "kiln/golden/vector.h"
#include "vector_order.h"

namespace kiln::golden {

namespace {

struct SoftAdd {
  static uint32_t add(uint32_t a, uint32_t b) { return fp32_add(a, b); }
};

struct Image {
  uint32_t* w;
  size_t words;
  uint32_t* lane(uint32_t word, uint32_t l) { return &w[8 * (word % words) + l]; }
  // Element `e` of a row starting at `word`, BF16 or FP32, as canonical FP32.
  uint32_t get(uint32_t word, uint32_t e, bool fp32) {
    if (fp32) return fp32_canon(*lane(word + e / 8, e % 8));
    const uint32_t v = *lane(word + e / 16, (e % 16) / 2);
    return bf16_to_fp32(static_cast<uint16_t>(v >> (16 * (e % 2))));
  }
  void put(uint32_t word, uint32_t e, bool fp32, uint32_t v) {
    if (fp32) {
      *lane(word + e / 8, e % 8) = v;
      return;
    }
    uint32_t* l = lane(word + e / 16, (e % 16) / 2);
    const uint32_t sh = 16 * (e % 2);
    *l = (*l & ~(0xFFFFu << sh)) | (static_cast<uint32_t>(fp32_to_bf16(v)) << sh);
  }
};

}  // namespace

void vector_run_reference(const VectorOp& op, uint32_t* spad, size_t spad_words) {
  Image img{spad, spad_words};
  if (op.rows == 0 || op.cols == 0 || op.op > kVuAxpy) return;
  const bool f0 = op.flags & kVuFlagSrc0Fp32, f1 = op.flags & kVuFlagSrc1Fp32;
  const bool fd = op.flags & kVuFlagDstFp32;
  const uint32_t mode = (op.flags >> kVuSrc1ModeShift) & 3u;
  const bool rowsum = op.op == kVuExp && (op.flags & kVuFlagRowSum);
  const uint32_t beats = (op.cols + 7) / 8;
  for (uint32_t r = 0; r < op.rows; ++r) {
    const uint32_t s0 = op.src0_addr + r * op.src0_stride;
    const uint32_t s1 = mode == 0 ? op.src1_addr + r * op.src1_stride : op.src1_addr;
    const uint32_t s2 = op.src2_addr + r * op.src0_stride;
    const uint32_t d = op.dst_addr + r * op.dst_stride;
    const uint32_t scalar = mode == 2   ? fp32_canon(*img.lane(op.src1_addr + r / 8, r % 8))
                            : mode == 3 ? fp32_canon(op.imm)
                                        : 0u;
    uint32_t acc = 0, best_key = 0, best_val = 0, best_idx = 0;
    for (uint32_t bt = 0; bt < beats; ++bt) {
      uint32_t a[8], b[8], c[8], res[8], e[8];
      for (uint32_t i = 0; i < 8; ++i) {
        const uint32_t col = 8 * bt + i;
        const bool v = col < op.cols;
        a[i] = v ? img.get(s0, col, f0) : 0u;  // lanes past COLS read as +0
        b[i] = !v ? 0u : mode >= 2 ? scalar : img.get(s1, col, f1);
        c[i] = v && op.op == kVuAxpy ? img.get(s2, col, f0) : 0u;
      }
      for (uint32_t i = 0; i < 8; ++i) {
        const uint32_t col = 8 * bt + i;
        const bool v = col < op.cols;
        if (op.op == kVuRowSumSq) {
          e[i] = v ? fp32_mul(a[i], a[i]) : 0u;
        } else if (vu_is_reduction(op.op)) {
          e[i] = v ? a[i] : 0u;
        } else {
          res[i] = vu_elementwise(op, r, col, a[i], b[i], c[i], a[i ^ 1u], b[i ^ 1u]);
          e[i] = v ? res[i] : 0u;
          if (v) img.put(d, col, fd, res[i]);
        }
        if ((op.op == kVuRowMax || op.op == kVuRowArgmax) && v) {
          const uint32_t k = fp32_order_key(a[i]);
          if (col == 0 || k > best_key) {
            best_key = k;
            best_val = a[i];
            best_idx = col;
          }
        }
      }
      acc = fp32_add(acc, group_sum<SoftAdd>(e));
    }
    uint32_t out;
    switch (op.op) {
      case kVuRowMax: out = best_val; break;
      case kVuRowArgmax: out = best_idx; break;
      default: out = acc; break;
    }
    if (vu_is_reduction(op.op)) *img.lane(op.dst_addr + r / 8, r % 8) = out;
    if (rowsum) *img.lane(op.aux + r / 8, r % 8) = out;
  }
}

}  // namespace kiln::golden
