// Deterministic operand generation (own generator so results do not depend on
// the standard library's distribution implementations).
#pragma once

#include <cmath>
#include <cstdint>
#include <cstring>

namespace kiln::cosim {

inline float bf16_value(uint16_t h) {
  const uint32_t bits = uint32_t(h) << 16;
  float f;
  std::memcpy(&f, &bits, 4);
  return f;
}

class RandomData {
 public:
  explicit RandomData(uint64_t seed) : s_(seed * 0x9E3779B97F4A7C15ull + 1) {}
  uint64_t next() {  // splitmix64
    uint64_t z = (s_ += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  double uniform() { return double(next() >> 11) * (1.0 / 9007199254740992.0); }
  // Normal(0,1) by Box-Muller, truncated (not rounded) to BF16 so the value
  // is exactly representable.
  uint16_t bf16_normal() {
    const double u1 = uniform() + 1e-300, u2 = uniform();
    const float v = float(std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2));
    uint32_t bits;
    std::memcpy(&bits, &v, 4);
    return uint16_t(bits >> 16);
  }
  uint16_t int8_lane() { return uint16_t(uint8_t(next() & 0xFF)); }

 private:
  uint64_t s_;
};

}  // namespace kiln::cosim
