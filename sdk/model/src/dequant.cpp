// Dequantization of GGUF tensor payloads (definitions in docs/model.md).
// The arithmetic order of each format is kept as the format defines it
// (for example Q4_1 is q*d + m in FP32, Q6_K is (d*scale)*q), and the library
// is built with -ffp-contract=off, so results are bit-reproducible: a*b + c is
// never fused into an FMA behind our back.
#include <cstring>

#include "kiln/golden/numerics.h"
#include "kiln/model/gguf.h"

namespace kiln::model {

namespace {

uint16_t le16(const uint8_t* p) { return static_cast<uint16_t>(p[0] | (p[1] << 8)); }
uint32_t le32(const uint8_t* p) {
  return static_cast<uint32_t>(p[0]) | (static_cast<uint32_t>(p[1]) << 8) |
         (static_cast<uint32_t>(p[2]) << 16) | (static_cast<uint32_t>(p[3]) << 24);
}
float bits_to_float(uint32_t u) {
  float f;
  std::memcpy(&f, &u, 4);
  return f;
}

// One block of each format: src points at the block, dst at its output slot.
// The legacy 32-element formats (Q4_*, Q5_*) store element j in the low nibble
// of byte j and element j+16 in the high nibble.

void block_q4_0(const uint8_t* b, float* y) {
  const float d = fp16_to_fp32(le16(b));
  for (int j = 0; j < 16; ++j) {
    y[j] = static_cast<float>((b[2 + j] & 0x0F) - 8) * d;
    y[j + 16] = static_cast<float>((b[2 + j] >> 4) - 8) * d;
  }
}

void block_q4_1(const uint8_t* b, float* y) {
  const float d = fp16_to_fp32(le16(b));
  const float m = fp16_to_fp32(le16(b + 2));
  for (int j = 0; j < 16; ++j) {
    y[j] = static_cast<float>(b[4 + j] & 0x0F) * d + m;
    y[j + 16] = static_cast<float>(b[4 + j] >> 4) * d + m;
  }
}

// Q5: bit j of the 32-bit qh word is bit 4 of element j.
void block_q5_0(const uint8_t* b, float* y) {
  const float d = fp16_to_fp32(le16(b));
  const uint32_t qh = le32(b + 2);
  const uint8_t* qs = b + 6;
  for (int j = 0; j < 16; ++j) {
    const int lo = (qs[j] & 0x0F) | static_cast<int>(((qh >> j) & 1u) << 4);
    const int hi = (qs[j] >> 4) | static_cast<int>(((qh >> (j + 16)) & 1u) << 4);
    y[j] = static_cast<float>(lo - 16) * d;
    y[j + 16] = static_cast<float>(hi - 16) * d;
  }
}

void block_q5_1(const uint8_t* b, float* y) {
  const float d = fp16_to_fp32(le16(b));
  const float m = fp16_to_fp32(le16(b + 2));
  const uint32_t qh = le32(b + 4);
  const uint8_t* qs = b + 8;
  for (int j = 0; j < 16; ++j) {
    const int lo = (qs[j] & 0x0F) | static_cast<int>(((qh >> j) & 1u) << 4);
    const int hi = (qs[j] >> 4) | static_cast<int>(((qh >> (j + 16)) & 1u) << 4);
    y[j] = static_cast<float>(lo) * d + m;
    y[j + 16] = static_cast<float>(hi) * d + m;
  }
}

void block_q8_0(const uint8_t* b, float* y) {
  const float d = fp16_to_fp32(le16(b));
  for (int j = 0; j < 32; ++j) y[j] = static_cast<float>(static_cast<int8_t>(b[2 + j])) * d;
}

// Q6_K super-block of 256: ql[128] (low 4 bits), qh[64] (high 2 bits),
// int8 scales[16] (one per 16 elements), f16 d. The block is two halves of
// 128; in a half, element 32*g + l (group g = 0..3, l = 0..31) takes its low
// nibble from ql[l + 32*(g&1)] (low nibble for g < 2, high for g >= 2), its
// high bits from qh[l] >> 2g, and scale 8*half + l/16 + 2g.
void block_q6_k(const uint8_t* b, float* y) {
  const uint8_t* ql = b;
  const uint8_t* qh = b + 128;
  const int8_t* sc = reinterpret_cast<const int8_t*>(b + 192);
  const float d = fp16_to_fp32(le16(b + 208));
  for (int half = 0; half < 2; ++half) {
    const uint8_t* hl = ql + 64 * half;
    const uint8_t* hh = qh + 32 * half;
    const int8_t* hs = sc + 8 * half;
    float* hy = y + 128 * half;
    for (int g = 0; g < 4; ++g) {
      for (int l = 0; l < 32; ++l) {
        const uint8_t lbyte = hl[l + 32 * (g & 1)];
        const int low = g < 2 ? (lbyte & 0x0F) : (lbyte >> 4);
        const int high = (hh[l] >> (2 * g)) & 3;
        const int q = (low | (high << 4)) - 32;
        const float scale = d * static_cast<float>(hs[l / 16 + 2 * g]);
        hy[32 * g + l] = scale * static_cast<float>(q);
      }
    }
  }
}

}  // namespace

float fp16_to_fp32(uint16_t h) {
  const uint32_t sign = static_cast<uint32_t>(h & 0x8000u) << 16;
  const uint32_t exp = (h >> 10) & 0x1Fu;
  uint32_t man = h & 0x3FFu;
  if (exp == 0x1F) return bits_to_float(sign | 0x7F800000u | (man << 13));  // Inf / NaN
  if (exp != 0) return bits_to_float(sign | ((exp + 112u) << 23) | (man << 13));
  if (man == 0) return bits_to_float(sign);
  // Subnormal half: normalise; every half subnormal is a normal float.
  int e = -1;
  do {
    ++e;
    man <<= 1;
  } while ((man & 0x400u) == 0);
  return bits_to_float(sign | ((112u - static_cast<uint32_t>(e)) << 23) | ((man & 0x3FFu) << 13));
}

float bf16_bits_to_fp32(uint16_t b) { return bits_to_float(static_cast<uint32_t>(b) << 16); }

TensorTypeInfo tensor_type_info(uint32_t type) {
  switch (static_cast<TensorType>(type)) {
    case TensorType::kF32: return {"F32", 1, 4, true};
    case TensorType::kF16: return {"F16", 1, 2, true};
    case TensorType::kBF16: return {"BF16", 1, 2, true};
    case TensorType::kQ4_0: return {"Q4_0", 32, 18, true};
    case TensorType::kQ4_1: return {"Q4_1", 32, 20, true};
    case TensorType::kQ5_0: return {"Q5_0", 32, 22, true};
    case TensorType::kQ5_1: return {"Q5_1", 32, 24, true};
    case TensorType::kQ8_0: return {"Q8_0", 32, 34, true};
    case TensorType::kQ6_K: return {"Q6_K", 256, 210, true};
    // Known layouts this loader cannot dequantize: sizes still let the
    // parser check that their data lies inside the file.
    case TensorType::kQ8_1: return {"Q8_1", 32, 36, false};
    case TensorType::kQ2_K: return {"Q2_K", 256, 84, false};
    case TensorType::kQ3_K: return {"Q3_K", 256, 110, false};
    case TensorType::kQ4_K: return {"Q4_K", 256, 144, false};
    case TensorType::kQ5_K: return {"Q5_K", 256, 176, false};
    case TensorType::kQ8_K: return {"Q8_K", 256, 292, false};
    case TensorType::kI8: return {"I8", 1, 1, false};
    case TensorType::kI16: return {"I16", 1, 2, false};
    case TensorType::kI32: return {"I32", 1, 4, false};
    case TensorType::kI64: return {"I64", 1, 8, false};
    case TensorType::kF64: return {"F64", 1, 8, false};
  }
  return {"?", 0, 0, false};
}

void dequantize(uint32_t type, const uint8_t* src, size_t src_bytes, float* dst, uint64_t n,
                const std::string& what) {
  const TensorTypeInfo ti = tensor_type_info(type);
  if (!ti.dequantizable)
    throw GgufError(what + ": cannot dequantize tensor type " + std::to_string(type) + " (" +
                    ti.name + "); supported: F32 F16 BF16 Q4_0 Q4_1 Q5_0 Q5_1 Q8_0 Q6_K");
  if (n % ti.block_elems != 0)
    throw GgufError(what + ": " + std::to_string(n) + " elements is not a whole number of " +
                    ti.name + " blocks of " + std::to_string(ti.block_elems));
  const uint64_t blocks = n / ti.block_elems;
  if (blocks > src_bytes / ti.block_bytes)
    throw GgufError(what + ": " + std::to_string(src_bytes) + " bytes do not hold " +
                    std::to_string(n) + " " + ti.name + " elements");
  const uint32_t bb = ti.block_bytes;
  const uint32_t be = ti.block_elems;
  for (uint64_t i = 0; i < blocks; ++i) {
    const uint8_t* b = src + i * bb;
    float* y = dst + i * be;
    switch (static_cast<TensorType>(type)) {
      case TensorType::kF32: std::memcpy(y, b, 4); break;
      case TensorType::kF16: *y = fp16_to_fp32(le16(b)); break;
      case TensorType::kBF16: *y = bf16_bits_to_fp32(le16(b)); break;
      case TensorType::kQ4_0: block_q4_0(b, y); break;
      case TensorType::kQ4_1: block_q4_1(b, y); break;
      case TensorType::kQ5_0: block_q5_0(b, y); break;
      case TensorType::kQ5_1: block_q5_1(b, y); break;
      case TensorType::kQ8_0: block_q8_0(b, y); break;
      case TensorType::kQ6_K: block_q6_k(b, y); break;
      default: break;  // excluded by the dequantizable check above
    }
  }
}

std::vector<float> GgufFile::dequantize_f32(const GgufTensor& t) const {
  const std::string what = "GGUF '" + name_ + "': tensor '" + t.name + "'";
  if (!tensor_type_info(t.type).dequantizable)
    dequantize(t.type, nullptr, 0, nullptr, 0, what);  // throws with the type's name
  std::vector<float> out(t.n_elements);
  dequantize(t.type, t.data, t.n_bytes, out.data(), t.n_elements, what);
  return out;
}

std::vector<uint16_t> GgufFile::dequantize_bf16(const GgufTensor& t) const {
  const std::vector<float> f = dequantize_f32(t);
  std::vector<uint16_t> out(f.size());
  for (size_t i = 0; i < f.size(); ++i) {
    uint32_t u;
    std::memcpy(&u, &f[i], 4);
    out[i] = kiln::golden::fp32_to_bf16(u);
  }
  return out;
}

}  // namespace kiln::model
