#include "kiln/sdk/matrix.h"

#include <cstring>
#include <string>

namespace kiln::sdk {

uint32_t dtype_bytes(DType t) {
  switch (t) {
    case DType::BF16: return 2;
    case DType::INT8: return 2;  // one int8 in the low byte of each 16-bit lane
    case DType::FP32: return 4;
    case DType::INT32: return 4;
  }
  return 0;
}

const char *dtype_name(DType t) {
  switch (t) {
    case DType::BF16: return "BF16";
    case DType::INT8: return "INT8";
    case DType::FP32: return "FP32";
    case DType::INT32: return "INT32";
  }
  return "?";
}

uint32_t padded_stride(uint32_t cols, DType t) {
  const uint32_t bytes = cols * dtype_bytes(t);
  return (bytes + 31u) / 32u * 32u;
}

DeviceMatrix alloc_matrix(kiln::Device &dev, uint32_t rows, uint32_t cols, DType t) {
  DeviceMatrix m;
  m.rows = rows;
  m.cols = cols;
  m.dtype = t;
  m.stride = padded_stride(cols, t);
  m.buf = dev.alloc(uint64_t(m.stride) * rows, 4096);
  return m;
}

DeviceMatrix upload_matrix(kiln::Device &dev, const void *host, uint32_t rows, uint32_t cols,
                           DType t) {
  DeviceMatrix m = alloc_matrix(dev, rows, cols, t);
  const uint32_t row_bytes = cols * dtype_bytes(t);
  std::vector<uint8_t> staged(size_t(m.stride) * rows, 0);
  for (uint32_t r = 0; r < rows; ++r)
    std::memcpy(&staged[size_t(r) * m.stride], static_cast<const uint8_t *>(host) + size_t(r) * row_bytes,
                row_bytes);
  dev.write(m.buf.addr(), staged.data(), staged.size());
  return m;
}

DeviceMatrix row_view(const DeviceMatrix &m, uint32_t row0, uint32_t rows) {
  if (rows == 0 || uint64_t(row0) + rows > m.rows)
    throw kiln::Error(KILN_ERR_INVALID_ARGUMENT, "row_view: rows " + std::to_string(row0) + ".." +
                                                     std::to_string(uint64_t(row0) + rows) + " of a " +
                                                     std::to_string(m.rows) + "-row matrix");
  DeviceMatrix v;
  v.rows = rows;
  v.cols = m.cols;
  v.dtype = m.dtype;
  v.stride = m.stride;
  // No device handle: the Buffer never frees this range (m owns it).
  v.buf = kiln::Buffer(nullptr, kiln_buffer{m.buf.addr() + uint64_t(row0) * m.stride, uint64_t(rows) * m.stride});
  return v;
}

void download_matrix(kiln::Device &dev, const DeviceMatrix &m, void *host) {
  const uint32_t row_bytes = m.cols * dtype_bytes(m.dtype);
  std::vector<uint8_t> staged(size_t(m.stride) * m.rows);
  dev.read(m.buf.addr(), staged.data(), staged.size());
  for (uint32_t r = 0; r < m.rows; ++r)
    std::memcpy(static_cast<uint8_t *>(host) + size_t(r) * row_bytes, &staged[size_t(r) * m.stride],
                row_bytes);
}

}  // namespace kiln::sdk
