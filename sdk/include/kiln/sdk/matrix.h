// Device-resident matrices as the NPU's DMA needs them: row-major, each row
// padded to a whole number of 32-byte AXI beats (zero-filled), so every DMA
// address, stride and row size is beat-aligned.
#pragma once

#include <cstdint>
#include <vector>

#include "kiln/kiln.hpp"

namespace kiln::sdk {

enum class DType : uint32_t { BF16 = 0, FP32 = 1, INT8 = 2, INT32 = 3 };

uint32_t dtype_bytes(DType t);   // bytes per element as laid out on the device
const char *dtype_name(DType t);

struct DeviceMatrix {
  kiln::Buffer buf;
  uint32_t rows = 0;
  uint32_t cols = 0;
  DType dtype = DType::BF16;
  uint32_t stride = 0;  // bytes between rows, a multiple of 32

  uint64_t addr(uint32_t row, uint32_t col) const {
    return buf.addr() + uint64_t(row) * stride + uint64_t(col) * dtype_bytes(dtype);
  }
};

// Row stride in bytes for `cols` elements of `t`: rounded up to a 32-byte beat.
uint32_t padded_stride(uint32_t cols, DType t);

DeviceMatrix alloc_matrix(kiln::Device &dev, uint32_t rows, uint32_t cols, DType t);

// Uploads a dense row-major host matrix (elements of dtype_bytes(t) each);
// padding bytes are written as zeros.
DeviceMatrix upload_matrix(kiln::Device &dev, const void *host, uint32_t rows, uint32_t cols,
                           DType t);
// Rows row0..row0+rows-1 of `m` as a matrix of their own that shares m's
// device memory and does not own it: `m` must outlive the view. Lets a kernel
// work on part of a matrix (e.g. the last token's row for the LM head).
// Throws kiln::Error(KILN_ERR_INVALID_ARGUMENT) when the rows are not inside m.
DeviceMatrix row_view(const DeviceMatrix &m, uint32_t row0, uint32_t rows);

// Downloads into a dense row-major host matrix, dropping the padding.
void download_matrix(kiln::Device &dev, const DeviceMatrix &m, void *host);

}  // namespace kiln::sdk
