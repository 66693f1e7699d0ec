// Dequantization tests: each format's blocks built by hand, expected values
// computed from the format definition element by element (an indexing
// independent of the library's loop structure).
#include <catch2/catch.hpp>
#include <cmath>
#include <cstring>
#include <random>

#include "gguf_writer.h"
#include "kiln/golden/numerics.h"
#include "kiln/model/gguf.h"

using namespace kiln::model;
using kiln::model::test::GgufWriter;

namespace {

uint32_t bits(float f) {
  uint32_t u;
  std::memcpy(&u, &f, 4);
  return u;
}
void put16(std::vector<uint8_t>& b, uint16_t v) {
  b.push_back(static_cast<uint8_t>(v));
  b.push_back(static_cast<uint8_t>(v >> 8));
}

// Dequantizes through a real GGUF file so the whole path is exercised.
std::vector<float> run(uint32_t type, uint64_t n, const std::vector<uint8_t>& data) {
  GgufWriter w;
  w.tensor("t", {n}, type, data);
  const GgufFile f = GgufFile::from_buffer(w.build());
  const std::vector<float> out = f.dequantize_f32(f.tensor("t"));
  const std::vector<uint16_t> bf = f.dequantize_bf16(f.tensor("t"));
  REQUIRE(bf.size() == out.size());
  for (size_t i = 0; i < out.size(); ++i) CHECK(bf[i] == kiln::golden::fp32_to_bf16(bits(out[i])));
  return out;
}

void check_bits(const std::vector<float>& got, const std::vector<float>& want) {
  REQUIRE(got.size() == want.size());
  for (size_t i = 0; i < got.size(); ++i) {
    INFO("element " << i << ": " << got[i] << " vs " << want[i]);
    CHECK(bits(got[i]) == bits(want[i]));
  }
}

}  // namespace

TEST_CASE("fp16 and bf16 to fp32 are exact", "[dequant]") {
  CHECK(fp16_to_fp32(0x3C00) == 1.0f);
  CHECK(fp16_to_fp32(0xC000) == -2.0f);
  CHECK(fp16_to_fp32(0x7BFF) == 65504.0f);
  CHECK(fp16_to_fp32(0x0001) == std::ldexp(1.0f, -24));            // smallest subnormal
  CHECK(fp16_to_fp32(0x03FF) == std::ldexp(1023.0f, -24));         // largest subnormal
  CHECK(fp16_to_fp32(0x0400) == std::ldexp(1.0f, -14));            // smallest normal
  CHECK(bits(fp16_to_fp32(0x8000)) == 0x80000000u);
  CHECK(std::isinf(fp16_to_fp32(0x7C00)));
  CHECK(fp16_to_fp32(0xFC00) < 0);
  CHECK(bits(fp16_to_fp32(0x7E01)) == 0x7FC02000u);                // NaN payload kept
  // Every finite half converts to the same value as the definition
  // (-1)^s * 2^(e-15) * (1 + m/1024), or 2^-14 * m/1024 for subnormals.
  for (uint32_t h = 0; h < 0x10000; ++h) {
    const uint32_t e = (h >> 10) & 31, m = h & 1023;
    if (e == 31) continue;
    const double v = (e ? std::ldexp(1.0 + m / 1024.0, static_cast<int>(e) - 15) : std::ldexp(m / 1024.0, -14)) *
                     ((h & 0x8000) ? -1 : 1);
    if (fp16_to_fp32(static_cast<uint16_t>(h)) != static_cast<float>(v)) FAIL("half " << h);
  }
  CHECK(bf16_bits_to_fp32(0x3F80) == 1.0f);
  CHECK(bf16_bits_to_fp32(0xC0A0) == -5.0f);
}

TEST_CASE("F32, F16 and BF16 tensors", "[dequant]") {
  check_bits(run(0, 2, kiln::model::test::f32_bytes({0.1f, -3.0f})), {0.1f, -3.0f});
  std::vector<uint8_t> h;
  put16(h, 0x3C00);
  put16(h, 0x3C03);  // 1 + 3/1024: rounds to BF16 1.0
  check_bits(run(1, 2, h), {1.0f, 1.0f + 3.0f / 1024});
  std::vector<uint8_t> b;
  put16(b, 0x4049);
  put16(b, 0x0001);  // BF16 denormal: exact in FP32, flushed to zero in the BF16 output
  const std::vector<float> v = run(30, 2, b);
  CHECK(bits(v[0]) == 0x40490000u);
  CHECK(bits(v[1]) == 0x00010000u);
}

TEST_CASE("Q4_0 and Q4_1", "[dequant]") {
  std::vector<uint8_t> q40, q41;
  put16(q40, 0x3800);  // d = 0.5
  put16(q41, 0x3400);  // d = 0.25
  put16(q41, 0xBC00);  // m = -1
  for (int j = 0; j < 16; ++j) {
    const uint8_t byte = static_cast<uint8_t>(j | ((15 - j) << 4));
    q40.push_back(byte);
    q41.push_back(byte);
  }
  std::vector<float> w40(32), w41(32);
  for (int e = 0; e < 32; ++e) {
    const int q = e < 16 ? e : 15 - (e - 16);  // low nibbles first, then high nibbles
    w40[e] = static_cast<float>(q - 8) * 0.5f;
    w41[e] = static_cast<float>(q) * 0.25f + -1.0f;
  }
  check_bits(run(2, 32, q40), w40);
  check_bits(run(3, 32, q41), w41);
}

TEST_CASE("Q5_0, Q5_1 and Q8_0 on random blocks", "[dequant]") {
  std::mt19937 rng(1234);
  for (int iter = 0; iter < 50; ++iter) {
    const uint16_t dh = static_cast<uint16_t>(0x2000 + rng() % 0x3000);  // moderate positive halves
    const uint16_t mh = static_cast<uint16_t>((rng() & 0x8000) | (0x2000 + rng() % 0x3000));
    const float d = fp16_to_fp32(dh), m = fp16_to_fp32(mh);
    uint8_t qs[16], qh[4];
    for (auto& x : qs) x = static_cast<uint8_t>(rng());
    for (auto& x : qh) x = static_cast<uint8_t>(rng());
    std::vector<uint8_t> b50, b51;
    put16(b50, dh);
    b50.insert(b50.end(), qh, qh + 4);
    b50.insert(b50.end(), qs, qs + 16);
    put16(b51, dh);
    put16(b51, mh);
    b51.insert(b51.end(), qh, qh + 4);
    b51.insert(b51.end(), qs, qs + 16);
    std::vector<float> w50(32), w51(32);
    for (int e = 0; e < 32; ++e) {
      const int nib = e < 16 ? (qs[e] & 15) : (qs[e - 16] >> 4);
      const int hi = (qh[e / 8] >> (e % 8)) & 1;  // bit e of the little-endian qh word
      const int q = nib + 16 * hi;
      w50[e] = static_cast<float>(q - 16) * d;
      w51[e] = static_cast<float>(q) * d + m;
    }
    check_bits(run(6, 32, b50), w50);
    check_bits(run(7, 32, b51), w51);

    std::vector<uint8_t> b80;
    put16(b80, dh);
    std::vector<float> w80(32);
    for (int e = 0; e < 32; ++e) {
      const int8_t q = static_cast<int8_t>(rng());
      b80.push_back(static_cast<uint8_t>(q));
      w80[e] = static_cast<float>(q) * d;
    }
    check_bits(run(8, 32, b80), w80);
  }
}

TEST_CASE("Q6_K on random super-blocks", "[dequant]") {
  std::mt19937 rng(99);
  for (int iter = 0; iter < 20; ++iter) {
    std::vector<uint8_t> blk(210);
    for (auto& x : blk) x = static_cast<uint8_t>(rng());
    const uint16_t dh = static_cast<uint16_t>((rng() & 0x8000) | (0x1000 + rng() % 0x3000));
    blk[208] = static_cast<uint8_t>(dh);
    blk[209] = static_cast<uint8_t>(dh >> 8);
    std::vector<uint8_t> two = blk;  // two super-blocks: the second one reversed
    std::vector<uint8_t> rev(blk.begin(), blk.begin() + 208);
    std::reverse(rev.begin(), rev.end());
    two.insert(two.end(), rev.begin(), rev.end());
    two.push_back(blk[208]);
    two.push_back(blk[209]);
    std::vector<float> want(512);
    for (int e = 0; e < 512; ++e) {
      const uint8_t* b = two.data() + 210 * (e / 256);
      const int i = e % 256;
      const int half = i / 128, g = (i % 128) / 32, l = i % 32;
      // Element i: low 4 bits from ql, high 2 bits from qh, scale per 16 elements.
      const uint8_t qlb = b[64 * half + l + 32 * (g % 2)];
      const int lo = g < 2 ? qlb & 15 : qlb >> 4;
      const int hi = (b[128 + 32 * half + l] >> (2 * g)) & 3;
      const int8_t sc = static_cast<int8_t>(b[192 + 8 * half + 2 * g + l / 16]);
      const float d = fp16_to_fp32(static_cast<uint16_t>(b[208] | (b[209] << 8)));
      want[e] = (d * static_cast<float>(sc)) * static_cast<float>((lo | (hi << 4)) - 32);
    }
    check_bits(run(14, 512, two), want);
  }
}

TEST_CASE("dequantize() checks its arguments", "[dequant]") {
  float out[32];
  const uint8_t src[18] = {};
  CHECK_THROWS_WITH(dequantize(2, src, 18, out, 31, "x"), Catch::Matchers::Contains("whole number"));
  CHECK_THROWS_WITH(dequantize(2, src, 17, out, 32, "x"), Catch::Matchers::Contains("do not hold"));
  CHECK_THROWS_WITH(dequantize(77, src, 18, out, 32, "x"), Catch::Matchers::Contains("type 77"));
  CHECK_NOTHROW(dequantize(2, src, 18, out, 32, "x"));
}
