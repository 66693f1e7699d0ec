// GEMM in the tensor core's accumulation order (docs/numerics.md).
#include "kiln/golden/gemm.h"

#include <cstring>

#include "kiln/golden/numerics.h"

namespace kiln::golden {

namespace {

// The loops of gemm_bf16 / gemm_int8 with the B element read through `b(k, n)`,
// so the plain and the transposed layout share one order.
template <typename BAt>
void gemm_bf16_impl(const uint16_t* A, size_t lda, BAt b, uint32_t* C, size_t ldc, int M, int N,
                    int K, bool accumulate, int k_chunk) {
  const int chunks = (K + k_chunk - 1) / k_chunk;
  for (int m = 0; m < M; ++m) {
    for (int n = 0; n < N; ++n) {
      uint32_t acc = C[static_cast<size_t>(m) * ldc + n];
      for (int j = 0; j < chunks; ++j) {
        // Down one array column: psum enters the top as +0 and every row adds
        // its product, including the +0 products of lanes past K (they matter
        // for the sign of zero).
        uint32_t p = 0;
        for (int r = 0; r < k_chunk; ++r) {
          const int k = j * k_chunk + r;
          uint32_t prod = 0;
          if (k < K) prod = bf16_mul(A[static_cast<size_t>(m) * lda + k], b(k, n));
          p = fp32_add(p, prod);
        }
        acc = (j == 0 && !accumulate) ? p : fp32_add(acc, p);
      }
      C[static_cast<size_t>(m) * ldc + n] = acc;
    }
  }
}

template <typename BAt>
void gemm_int8_impl(const int8_t* A, size_t lda, BAt b, int32_t* C, size_t ldc, int M, int N,
                    int K, bool accumulate, int k_chunk) {
  const int chunks = (K + k_chunk - 1) / k_chunk;
  for (int m = 0; m < M; ++m) {
    for (int n = 0; n < N; ++n) {
      uint32_t acc = static_cast<uint32_t>(C[static_cast<size_t>(m) * ldc + n]);
      for (int j = 0; j < chunks; ++j) {
        uint32_t p = 0;
        for (int r = 0; r < k_chunk; ++r) {
          const int k = j * k_chunk + r;
          if (k < K) {
            const int32_t prod = static_cast<int32_t>(A[static_cast<size_t>(m) * lda + k]) *
                                 static_cast<int32_t>(b(k, n));
            p += static_cast<uint32_t>(prod);  // unsigned: defined wrap-around
          }
        }
        acc = (j == 0 && !accumulate) ? p : acc + p;
      }
      C[static_cast<size_t>(m) * ldc + n] = static_cast<int32_t>(acc);
    }
  }
}

}  // namespace

void gemm_bf16(const uint16_t* A, size_t lda, const uint16_t* B, size_t ldb,
               uint32_t* C, size_t ldc, int M, int N, int K, bool accumulate,
               int k_chunk) {
  gemm_bf16_impl(A, lda, [=](int k, int n) { return B[static_cast<size_t>(k) * ldb + n]; }, C,
                 ldc, M, N, K, accumulate, k_chunk);
}

void gemm_bf16_bt(const uint16_t* A, size_t lda, const uint16_t* Bt, size_t ldbt,
                  uint32_t* C, size_t ldc, int M, int N, int K, bool accumulate,
                  int k_chunk) {
  gemm_bf16_impl(A, lda, [=](int k, int n) { return Bt[static_cast<size_t>(n) * ldbt + k]; }, C,
                 ldc, M, N, K, accumulate, k_chunk);
}

void gemm_int8(const int8_t* A, size_t lda, const int8_t* B, size_t ldb,
               int32_t* C, size_t ldc, int M, int N, int K, bool accumulate,
               int k_chunk) {
  gemm_int8_impl(A, lda, [=](int k, int n) { return B[static_cast<size_t>(k) * ldb + n]; }, C,
                 ldc, M, N, K, accumulate, k_chunk);
}

void gemm_int8_bt(const int8_t* A, size_t lda, const int8_t* Bt, size_t ldbt,
                  int32_t* C, size_t ldc, int M, int N, int K, bool accumulate,
                  int k_chunk) {
  gemm_int8_impl(A, lda, [=](int k, int n) { return Bt[static_cast<size_t>(n) * ldbt + k]; }, C,
                 ldc, M, N, K, accumulate, k_chunk);
}

void acc_to_bf16(const uint32_t* C, size_t ldc, uint16_t* out, size_t ldo,
                 int M, int N) {
  for (int m = 0; m < M; ++m)
    for (int n = 0; n < N; ++n)
      out[static_cast<size_t>(m) * ldo + n] = fp32_to_bf16(C[static_cast<size_t>(m) * ldc + n]);
}

float fp32_bits_to_float(uint32_t bits) {
  float f;
  std::memcpy(&f, &bits, sizeof f);
  return f;
}

uint32_t float_to_fp32_bits(float f) {
  uint32_t bits;
  std::memcpy(&bits, &f, sizeof bits);
  return bits;
}

double bf16_to_double(uint16_t x) {
  // Widening BF16 -> FP32 is exact (denormals included); FP32 -> FP64 too.
  return static_cast<double>(fp32_bits_to_float(static_cast<uint32_t>(x) << 16));
}

void gemm_ref_fp64(const uint16_t* A, size_t lda, const uint16_t* B,
                   size_t ldb, double* C, size_t ldc, int M, int N, int K) {
  for (int m = 0; m < M; ++m) {
    for (int n = 0; n < N; ++n) {
      double s = 0.0;
      for (int k = 0; k < K; ++k)
        s += bf16_to_double(A[static_cast<size_t>(m) * lda + k]) *
             bf16_to_double(B[static_cast<size_t>(k) * ldb + n]);
      C[static_cast<size_t>(m) * ldc + n] = s;
    }
  }
}

}  // namespace kiln::golden
