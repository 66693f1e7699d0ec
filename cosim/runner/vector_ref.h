// Helpers of the "vector" cosim test: operand images in the scratchpad's
// layout, input generation per op, the scratchpad-image moves that mirror
// the test's DMAs, and the checks (bit-exact vs golden, FP64 reference with
// per-op tolerances).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "kiln/sdk/vector.h"
#include "random_data.h"

namespace kiln::cosim::vecref {

using kiln::sdk::DType;
using kiln::sdk::Src1Mode;
using kiln::sdk::VecOp;

// `rows` padded rows of `row_words` 32-byte words, elements of `type`
// (BF16: 2 bytes, FP32/UINT32: 4 bytes) little-endian from the row start.
struct Image {
  uint32_t rows = 0, row_words = 0;
  DType type = DType::BF16;
  std::vector<uint8_t> bytes;

  Image() = default;
  Image(uint32_t r, uint32_t w, DType t) : rows(r), row_words(w), type(t), bytes(size_t(r) * w * 32, 0) {}
  uint32_t raw(uint32_t r, uint32_t c) const;       // element bits (16 or 32)
  void set_raw(uint32_t r, uint32_t c, uint32_t v);
  double value(uint32_t r, uint32_t c) const;       // as a real number (BF16/FP32)
};

// How the test drives one op.
struct Setup {
  Src1Mode src1 = Src1Mode::Imm;
  DType src1_type = DType::BF16;
  DType dst_type = DType::BF16;
  bool src2 = false;
  bool rowsum = false;
  float imm = 0.0f;
  int32_t mask_offset = 0;
};
Setup setup_for(VecOp op, DType t);

// Operand `which` (0 src0, 1 src1, 2 src2) of `op`: columns < cols filled.
void fill_input(VecOp op, Image &img, uint32_t cols, RandomData &rng, int which);
// Per-row FP32 scalars (src1 mode 2): EXP gets the row maxima of src0.
void fill_scalars(VecOp op, Image &sc, const Image &s0, uint32_t rows, uint32_t cols, RandomData &rng);

// Scratchpad image moves (the DMAs): rows r0..r0+n-1 of img <-> the
// scratchpad at `word`; packed arrays move ceil(n/8) words from element r0.
void to_spad(std::vector<uint32_t> &spad, const Image &img, uint32_t r0, uint32_t n, uint32_t word);
void from_spad(const std::vector<uint32_t> &spad, Image &img, uint32_t r0, uint32_t n, uint32_t word);
void packed_to_spad(std::vector<uint32_t> &spad, const Image &img, uint32_t r0, uint32_t n, uint32_t word);
void packed_from_spad(const std::vector<uint32_t> &spad, Image &img, uint32_t r0, uint32_t n, uint32_t word);

struct Check {
  uint64_t mismatches = 0, compared = 0;
  double max_abs = 0, max_rel = 0, tol = 0;
  std::string tol_note, first_bad;
  double rowsum_max_rel = 0, rowsum_tol = 0;
};

Check compare(VecOp op, const Setup &su, const Image &s0, const Image &s1, const Image &s2,
              const Image &got, const Image &gold, uint32_t rows, uint32_t cols);
void compare_rowsum(const Setup &su, const Image &s0, const Image &s1, const Image &got,
                    const Image &gold, uint32_t rows, uint32_t cols, Check *chk);

}  // namespace kiln::cosim::vecref
