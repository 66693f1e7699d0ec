// Bit-exact golden arithmetic of the Kiln NPU (see docs/numerics.md).
// Pure integer soft-float: results never depend on the host FPU mode.
#pragma once

#include <cstddef>
#include <cstdint>

namespace kiln::golden {

constexpr uint32_t kFp32CanonicalNaN = 0x7FC00000u;
constexpr uint16_t kBf16CanonicalNaN = 0x7FC0u;

// BF16 -> FP32 as an operand read: denormal -> signed zero, NaN -> canonical,
// everything else exact.
uint32_t bf16_to_fp32(uint16_t x);

// FP32 -> BF16, round to nearest even; denormal input -> signed zero,
// NaN -> 0x7FC0, overflow -> Inf.
uint16_t fp32_to_bf16(uint32_t x);

// Exact BF16 x BF16 product as FP32 bits (exact unless it overflows -> Inf,
// or falls below the normal range -> zero of the product's sign).
uint32_t bf16_mul(uint16_t a, uint16_t b);

// FP32 addition, round to nearest even, DAZ/FTZ, canonical NaN.
uint32_t fp32_add(uint32_t a, uint32_t b);

// INT8 lane product: each 16-bit lane carries an int8 in its low byte.
int32_t int8_mul(uint16_t a, uint16_t b);

// One processing element step: psum + a*w in the given mode (FP32 bits or
// int32 bits with wrap-around).
uint32_t pe_mac(uint32_t psum, uint16_t a, uint16_t w, bool int8);

}  // namespace kiln::golden
