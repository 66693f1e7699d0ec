// GGUF model-file loader (docs/model.md): metadata, tensor infos, and
// dequantization of the tensor payloads to FP32 / BF16.
//
// Every malformed input is reported as a GgufError whose message names the
// file and the offset, key or tensor concerned; the parser never reads outside
// the file, so a corrupt or hostile file cannot crash the process.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace kiln::model {

class GgufError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Metadata value types, numbered as in the GGUF specification.
enum class GgufType : uint32_t {
  kUint8 = 0, kInt8 = 1, kUint16 = 2, kInt16 = 3, kUint32 = 4, kInt32 = 5,
  kFloat32 = 6, kBool = 7, kString = 8, kArray = 9, kUint64 = 10, kInt64 = 11,
  kFloat64 = 12,
};
const char* gguf_type_name(GgufType t);

// Tensor element types, numbered as ggml numbers them (the file stores these).
enum class TensorType : uint32_t {
  kF32 = 0, kF16 = 1, kQ4_0 = 2, kQ4_1 = 3, kQ5_0 = 6, kQ5_1 = 7, kQ8_0 = 8,
  kQ8_1 = 9, kQ2_K = 10, kQ3_K = 11, kQ4_K = 12, kQ5_K = 13, kQ6_K = 14,
  kQ8_K = 15, kI8 = 24, kI16 = 25, kI32 = 26, kI64 = 27, kF64 = 28, kBF16 = 30,
};

// Storage layout of a tensor type: `block_bytes` bytes encode `block_elems`
// consecutive elements of a row. Unknown ids give {0, 0, name "?"}.
struct TensorTypeInfo {
  const char* name;
  uint32_t block_elems;
  uint32_t block_bytes;
  bool dequantizable;  // this loader can convert it to FP32
};
TensorTypeInfo tensor_type_info(uint32_t type);

// One metadata value. Scalars use the member that matches `type` (all
// unsigned integers in `u`, signed in `i`, both floats in `f`); arrays hold
// their elements in `items`, all of type `elem_type`.
struct GgufValue {
  GgufType type = GgufType::kUint8;
  uint64_t u = 0;
  int64_t i = 0;
  double f = 0.0;
  bool b = false;
  std::string s;
  GgufType elem_type = GgufType::kUint8;
  std::vector<GgufValue> items;
};

struct GgufTensor {
  std::string name;
  std::vector<uint64_t> shape;  // GGUF order: shape[0] is the contiguous (row) dimension
  uint32_t type = 0;            // a TensorType value, or an id this loader does not know
  uint64_t offset = 0;          // from the start of the data section
  uint64_t n_elements = 0;
  uint64_t n_bytes = 0;         // 0 when the type is unknown (size not computable)
  const uint8_t* data = nullptr;  // into the mapped file; valid while the GgufFile lives
};

class GgufFile {
 public:
  // Maps the file read-only (falls back to no copy at all: the mapping is the storage).
  static GgufFile open(const std::string& path);
  // Parses an in-memory image; `name` is used in error messages.
  static GgufFile from_buffer(std::vector<uint8_t> bytes, std::string name = "<memory>");

  const std::string& path() const { return name_; }
  uint32_t version() const { return version_; }
  uint64_t alignment() const { return alignment_; }
  uint64_t data_offset() const { return data_offset_; }  // file offset of the data section
  uint64_t file_size() const { return size_; }

  // --- metadata ---
  const std::vector<std::string>& keys() const { return key_order_; }  // file order
  bool has(std::string_view key) const;
  const GgufValue& get(std::string_view key) const;  // throws if missing
  std::string get_string(std::string_view key) const;
  // Any integer type is accepted if the stored value fits the requested type.
  uint64_t get_u64(std::string_view key) const;
  uint32_t get_u32(std::string_view key) const;
  int64_t get_i64(std::string_view key) const;
  double get_f64(std::string_view key) const;  // FLOAT32 or FLOAT64
  float get_f32(std::string_view key) const;
  bool get_bool(std::string_view key) const;
  std::vector<std::string> get_string_array(std::string_view key) const;
  std::vector<int64_t> get_int_array(std::string_view key) const;  // any integer element type
  std::vector<double> get_float_array(std::string_view key) const;
  // Defaults when the key is absent (a present key of the wrong type still throws).
  std::string get_string_or(std::string_view key, const std::string& def) const;
  uint64_t get_u64_or(std::string_view key, uint64_t def) const;
  bool get_bool_or(std::string_view key, bool def) const;

  // --- tensors ---
  const std::vector<GgufTensor>& tensors() const { return tensors_; }
  bool has_tensor(std::string_view name) const;
  const GgufTensor& tensor(std::string_view name) const;  // throws if missing
  // Raw payload; throws for an unknown type (its size is not known).
  std::string_view raw_bytes(const GgufTensor& t) const;
  std::vector<float> dequantize_f32(const GgufTensor& t) const;
  // FP32 first, then kiln::golden::fp32_to_bf16 (RNE, FTZ, canonical NaN).
  std::vector<uint16_t> dequantize_bf16(const GgufTensor& t) const;

 private:
  struct Storage;
  GgufFile() = default;
  void parse();
  [[noreturn]] void fail_key(std::string_view key, const std::string& what) const;
  const GgufValue& typed(std::string_view key, GgufType want) const;

  std::shared_ptr<Storage> storage_;
  const uint8_t* base_ = nullptr;
  uint64_t size_ = 0;
  std::string name_;
  uint32_t version_ = 0;
  uint64_t alignment_ = 32;
  uint64_t data_offset_ = 0;
  std::vector<std::string> key_order_;
  std::unordered_map<std::string, GgufValue> kv_;
  std::vector<GgufTensor> tensors_;
  std::unordered_map<std::string, size_t> tensor_index_;
};

// --- dequantization primitives (also used by the tests) ---

// IEEE half -> float, exact (subnormals, Inf and NaN payloads preserved).
float fp16_to_fp32(uint16_t h);
// BF16 -> float, exact (the top half of the FP32 pattern).
float bf16_bits_to_fp32(uint16_t b);
// Converts `n` elements of type `type` stored in `src` (`src_bytes` long) to
// FP32. `n` must be a whole number of blocks and src_bytes must cover them;
// `what` names the tensor in error messages.
void dequantize(uint32_t type, const uint8_t* src, size_t src_bytes, float* dst, uint64_t n,
                const std::string& what);

}  // namespace kiln::model
