// GEMM in the exact accumulation order of the Kiln tensor core.
#pragma once

#include <cstddef>
#include <cstdint>

namespace kiln::golden {

// The reduction chunk: the number of systolic-array rows (TensorCoreRows).
// The accumulation order depends on it, so it is a parameter everywhere.
constexpr int kDefaultKChunk = 16;

// C[M][N] (FP32 bits) (+)= A[M][K] x B[K][N] (BF16 bits), row-major with
// leading dimensions in elements. For every K chunk j:
//   p = +0; for r in 0..chunk-1: p = fp32_add(p, k < K ? bf16_mul(A,B) : +0)
//   C = (j == 0 && !accumulate) ? p : fp32_add(C, p)
// K == 0 leaves C untouched.
void gemm_bf16(const uint16_t* A, size_t lda, const uint16_t* B, size_t ldb,
               uint32_t* C, size_t ldc, int M, int N, int K, bool accumulate,
               int k_chunk = kDefaultKChunk);

// Same order with int8 inputs and int32 wrap-around sums (order does not
// change the result, but the shape of the loop mirrors the hardware).
void gemm_int8(const int8_t* A, size_t lda, const int8_t* B, size_t ldb,
               int32_t* C, size_t ldc, int M, int N, int K, bool accumulate,
               int k_chunk = kDefaultKChunk);

// Transposed-B variants (the tensor core's B_TRANSPOSED mode): the B operand
// is given as Bt[N][K] (row-major, leading dimension ldbt), Bt[n][k] = B[k][n].
// Same order and same results as gemm_bf16 / gemm_int8 with B = Bt^T.
void gemm_bf16_bt(const uint16_t* A, size_t lda, const uint16_t* Bt, size_t ldbt,
                  uint32_t* C, size_t ldc, int M, int N, int K, bool accumulate,
                  int k_chunk = kDefaultKChunk);
void gemm_int8_bt(const int8_t* A, size_t lda, const int8_t* Bt, size_t ldbt,
                  int32_t* C, size_t ldc, int M, int N, int K, bool accumulate,
                  int k_chunk = kDefaultKChunk);

// WRITEBACK with OUT_FP32 = 0: FP32 accumulator bits -> BF16 (RNE).
void acc_to_bf16(const uint32_t* C, size_t ldc, uint16_t* out, size_t ldo,
                 int M, int N);

// Accuracy reference: the real-valued product in FP64 (BF16 inputs taken at
// face value, denormals included). Not bit-compatible with the hardware.
void gemm_ref_fp64(const uint16_t* A, size_t lda, const uint16_t* B,
                   size_t ldb, double* C, size_t ldc, int M, int N, int K);

// Host conversions for tests and the SDK (bit casts, no rounding policy).
float fp32_bits_to_float(uint32_t bits);
uint32_t float_to_fp32_bits(float f);
double bf16_to_double(uint16_t x);

}  // namespace kiln::golden
