// See vector_ref.h.
#include "vector_ref.h"

#include <cmath>
#include <cstring>
#include <sstream>

namespace kiln::cosim::vecref {

namespace {

uint32_t f2b(float f) {
  uint32_t b;
  std::memcpy(&b, &f, 4);
  return b;
}
double b2d(uint32_t b) {
  float f;
  std::memcpy(&f, &b, 4);
  return f;
}
// Exactly representable in `t`: BF16 values are truncated FP32.
uint32_t to_type(float f, DType t) { return t == DType::BF16 ? f2b(f) >> 16 : f2b(f); }
float normal(RandomData &rng) {
  const double u1 = rng.uniform() + 1e-300, u2 = rng.uniform();
  return float(std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2));
}
bool is_bf16(DType t) { return t == DType::BF16; }

}  // namespace

uint32_t Image::raw(uint32_t r, uint32_t c) const {
  const size_t off = size_t(r) * row_words * 32 + size_t(c) * (is_bf16(type) ? 2 : 4);
  uint32_t v = 0;
  std::memcpy(&v, &bytes[off], is_bf16(type) ? 2 : 4);
  return v;
}

void Image::set_raw(uint32_t r, uint32_t c, uint32_t v) {
  const size_t off = size_t(r) * row_words * 32 + size_t(c) * (is_bf16(type) ? 2 : 4);
  std::memcpy(&bytes[off], &v, is_bf16(type) ? 2 : 4);
}

double Image::value(uint32_t r, uint32_t c) const {
  const uint32_t b = raw(r, c);
  return b2d(is_bf16(type) ? b << 16 : b);
}

Setup setup_for(VecOp op, DType t) {
  Setup s;
  s.src1_type = t;
  s.dst_type = t;
  switch (op) {
    case VecOp::Add: case VecOp::Sub: case VecOp::Mul: case VecOp::Max: case VecOp::SiluMul:
    case VecOp::Rope:
      s.src1 = Src1Mode::Row;
      break;
    case VecOp::Exp: s.src1 = Src1Mode::Scalar, s.rowsum = true; break;  // softmax numerator
    case VecOp::Rsqrt: s.imm = 1e-5f; break;                            // RMSNorm's epsilon
    case VecOp::Copy: s.dst_type = is_bf16(t) ? DType::FP32 : DType::BF16; break;
    case VecOp::MaskCausal: s.mask_offset = 1; break;
    case VecOp::Axpy: s.src1 = Src1Mode::Scalar, s.src2 = true; break;  // online-softmax rescale
    default: s.dst_type = DType::FP32; break;  // RECIP keeps t below; reductions are 32-bit
  }
  if (op == VecOp::Recip) s.dst_type = t;
  return s;
}

void fill_input(VecOp op, Image &img, uint32_t cols, RandomData &rng, int which) {
  for (uint32_t r = 0; r < img.rows; ++r) {
    for (uint32_t c = 0; c < cols; ++c) {
      float v = normal(rng);
      if (which == 0 && op == VecOp::Exp) v *= 3.0f;         // logits
      if (which == 0 && op == VecOp::Rsqrt) v = v * v;      // mean of squares >= 0
      if (which == 0 && op == VecOp::SiluMul) v *= 4.0f;
      if (which == 1 && op == VecOp::Rope) {
        if (c % 2) continue;  // (cos, sin) of one angle per pair
        const double th = 6.283185307179586 * rng.uniform();
        img.set_raw(r, c, to_type(float(std::cos(th)), img.type));
        if (c + 1 < cols) img.set_raw(r, c + 1, to_type(float(std::sin(th)), img.type));
        continue;
      }
      img.set_raw(r, c, to_type(v, img.type));
    }
  }
}

void fill_scalars(VecOp op, Image &sc, const Image &s0, uint32_t rows, uint32_t cols, RandomData &rng) {
  for (uint32_t r = 0; r < rows; ++r) {
    float v = normal(rng);
    if (op == VecOp::Exp) {
      double m = -INFINITY;
      for (uint32_t c = 0; c < cols; ++c) m = std::max(m, s0.value(r, c));
      v = float(m);  // exact: s0's values are FP32
    }
    sc.set_raw(0, r, f2b(v));
  }
}

void to_spad(std::vector<uint32_t> &spad, const Image &img, uint32_t r0, uint32_t n, uint32_t word) {
  const size_t rb = size_t(img.row_words) * 32;
  std::memcpy(&spad[size_t(word) * 8], &img.bytes[r0 * rb], n * rb);
}

void from_spad(const std::vector<uint32_t> &spad, Image &img, uint32_t r0, uint32_t n, uint32_t word) {
  const size_t rb = size_t(img.row_words) * 32;
  std::memcpy(&img.bytes[r0 * rb], &spad[size_t(word) * 8], n * rb);
}

void packed_to_spad(std::vector<uint32_t> &spad, const Image &img, uint32_t r0, uint32_t n, uint32_t word) {
  std::memcpy(&spad[size_t(word) * 8], &img.bytes[size_t(r0) * 4], size_t((n + 7) / 8) * 32);
}

void packed_from_spad(const std::vector<uint32_t> &spad, Image &img, uint32_t r0, uint32_t n, uint32_t word) {
  std::memcpy(&img.bytes[size_t(r0) * 4], &spad[size_t(word) * 8], size_t((n + 7) / 8) * 32);
}

namespace {

// Relative tolerance of one result rounded to `t` (FP32 arithmetic inside).
double out_tol(DType t) { return is_bf16(t) ? 0x1p-8 : 0x1p-23; }

// Second operand of element (r, c) as the unit sees it.
double src1_value(const Setup &su, const Image &s1, uint32_t r, uint32_t c) {
  switch (su.src1) {
    case Src1Mode::Row: return s1.value(r, c);
    case Src1Mode::Broadcast: return s1.value(0, c);
    case Src1Mode::Scalar: return s1.value(0, r);
    default: return double(su.imm);
  }
}

void note(Check *k, double got, double ref, double scale, const std::string &where) {
  double err = std::fabs(got - ref), rel;
  if (got == ref || (std::isnan(got) && std::isnan(ref))) err = 0, rel = 0;
  else if (!std::isfinite(err)) rel = INFINITY;
  else rel = scale > 0 ? err / scale : (err == 0 ? 0 : INFINITY);
  if (std::isfinite(err)) k->max_abs = std::max(k->max_abs, err);
  if (rel > k->max_rel) k->max_rel = rel;
  if (rel > k->tol && k->first_bad.empty()) {
    std::ostringstream s;
    s << where << ": got " << got << ", FP64 " << ref << " (rel " << rel << ")";
    k->first_bad = s.str();
  }
}

}  // namespace

Check compare(VecOp op, const Setup &su, const Image &s0, const Image &s1, const Image &s2,
              const Image &got, const Image &gold, uint32_t rows, uint32_t cols) {
  Check k;
  const double o = out_tol(su.dst_type);
  switch (op) {
    case VecOp::Exp: k.tol = o + 0x1p-17, k.tol_note = "dst rounding + exp approximation and FP32 x-max (2^-17)"; break;
    case VecOp::Recip: case VecOp::Rsqrt:
      k.tol = o + 0x1p-21, k.tol_note = "dst rounding + Newton approximation (2^-21)"; break;
    case VecOp::SiluMul: k.tol = o + 0x1p-18, k.tol_note = "dst rounding + exp/recip/mul chain (2^-18)"; break;
    case VecOp::Rope: case VecOp::Axpy:
      k.tol = o + 0x1p-22, k.tol_note = "dst rounding + FP32 products/sums, relative to the sum of |terms|"; break;
    case VecOp::RowMax: case VecOp::RowArgmax: k.tol = 0, k.tol_note = "exact"; break;
    case VecOp::RowSum: case VecOp::RowSumSq:
      k.tol = 0x1p-23 + cols * 0x1p-24, k.tol_note = "FP32 accumulation: cols * 2^-24 of the sum of |terms|"; break;
    default: k.tol = o, k.tol_note = "one rounding to the dst type, relative to the sum of |terms|"; break;
  }
  const bool red = kiln::sdk::vec_op_is_reduction(op);
  for (uint32_t r = 0; r < rows; ++r) {
    if (red) {
      ++k.compared;
      const uint32_t g = got.raw(0, r);
      if (g != gold.raw(0, r)) {
        ++k.mismatches;
        if (k.first_bad.empty()) k.first_bad = "row " + std::to_string(r) + " differs from golden";
      }
      double ref = op == VecOp::RowMax ? -INFINITY : 0, scale = 0;
      uint32_t arg = 0;
      for (uint32_t c = 0; c < cols; ++c) {
        const double a = s0.value(r, c);
        if (op == VecOp::RowMax) ref = std::max(ref, a);
        if (op == VecOp::RowSum) ref += a, scale += std::fabs(a);
        if (op == VecOp::RowSumSq) ref += a * a, scale += a * a;
        if (op == VecOp::RowArgmax && a > s0.value(r, arg)) arg = c;
      }
      if (op == VecOp::RowArgmax) note(&k, g, arg, 1, "row " + std::to_string(r));
      else note(&k, b2d(g), ref, op == VecOp::RowMax ? std::fabs(ref) : scale, "row " + std::to_string(r));
      continue;
    }
    for (uint32_t c = 0; c < cols; ++c) {
      ++k.compared;
      const uint32_t g = got.raw(r, c);
      const std::string where = "(" + std::to_string(r) + ", " + std::to_string(c) + ")";
      if (g != gold.raw(r, c)) {
        ++k.mismatches;
        if (k.first_bad.empty()) k.first_bad = where + " differs from golden";
      }
      const double a = s0.value(r, c), b = src1_value(su, s1, r, c);
      double ref = 0, scale = 0;
      switch (op) {
        case VecOp::Add: ref = a + b, scale = std::fabs(a) + std::fabs(b); break;
        case VecOp::Sub: ref = a - b, scale = std::fabs(a) + std::fabs(b); break;
        case VecOp::Mul: ref = a * b, scale = std::fabs(ref); break;
        case VecOp::Max: ref = std::max(a, b), scale = std::fabs(ref); break;
        case VecOp::Exp: ref = std::exp(a - b), scale = ref; break;
        case VecOp::Recip: ref = 1.0 / a, scale = std::fabs(ref); break;
        case VecOp::Rsqrt: ref = 1.0 / std::sqrt(a + b), scale = std::fabs(ref); break;
        case VecOp::SiluMul: ref = a / (1.0 + std::exp(-a)) * b, scale = std::fabs(ref); break;
        case VecOp::MaskCausal:
          ref = int64_t(c) > int64_t(r) + su.mask_offset ? -INFINITY : a, scale = std::fabs(a); break;
        case VecOp::Rope: {
          const uint32_t e = c & ~1u;
          const double x0 = s0.value(r, e), x1 = e + 1 < cols ? s0.value(r, e + 1) : 0.0;
          const double cs = src1_value(su, s1, r, e), sn = e + 1 < cols ? src1_value(su, s1, r, e + 1) : 0.0;
          ref = c % 2 ? x0 * sn + x1 * cs : x0 * cs - x1 * sn;
          scale = c % 2 ? std::fabs(x0 * sn) + std::fabs(x1 * cs) : std::fabs(x0 * cs) + std::fabs(x1 * sn);
          break;
        }
        case VecOp::Axpy: {
          const double z = s2.value(r, c);
          ref = a * b + z, scale = std::fabs(a * b) + std::fabs(z);
          break;
        }
        default: ref = a, scale = std::fabs(a); break;  // COPY
      }
      const double gv = is_bf16(got.type) ? b2d(g << 16) : b2d(g);
      note(&k, gv, ref, scale, where);
    }
  }
  return k;
}

void compare_rowsum(const Setup &su, const Image &s0, const Image &s1, const Image &got,
                    const Image &gold, uint32_t rows, uint32_t cols, Check *chk) {
  Check k;
  k.tol = 0x1p-17 + cols * 0x1p-24;
  for (uint32_t r = 0; r < rows; ++r) {
    ++chk->compared;
    if (got.raw(0, r) != gold.raw(0, r)) {
      ++chk->mismatches;
      if (chk->first_bad.empty()) chk->first_bad = "row sum " + std::to_string(r) + " differs from golden";
    }
    double ref = 0;
    for (uint32_t c = 0; c < cols; ++c) ref += std::exp(s0.value(r, c) - src1_value(su, s1, r, c));
    note(&k, got.value(0, r), ref, ref, "row sum " + std::to_string(r));
  }
  chk->rowsum_max_rel = k.max_rel;
  chk->rowsum_tol = k.tol;
  if (chk->first_bad.empty()) chk->first_bad = k.first_bad;
}

}  // namespace kiln::cosim::vecref
