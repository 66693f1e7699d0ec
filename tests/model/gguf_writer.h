// A tiny GGUF writer for the tests: builds small, valid GGUF images in memory
// (metadata of every type, tensors with any type id and raw payload), so the
// loader is tested without the real model file.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

namespace kiln::model::test {

class GgufWriter {
 public:
  uint32_t version = 3;
  uint64_t alignment = 32;  // must match a general.alignment key if one is added

  template <typename T>
  static void put(std::vector<uint8_t>& out, T v) {
    uint8_t b[sizeof(T)];
    std::memcpy(b, &v, sizeof(T));
    out.insert(out.end(), b, b + sizeof(T));
  }
  static void put_str(std::vector<uint8_t>& out, const std::string& s) {
    put<uint64_t>(out, s.size());
    out.insert(out.end(), s.begin(), s.end());
  }

  // Value type ids as in the GGUF spec.
  void kv_raw(const std::string& key, uint32_t type, const std::vector<uint8_t>& value) {
    put_str(kv_, key);
    put<uint32_t>(kv_, type);
    kv_.insert(kv_.end(), value.begin(), value.end());
    ++n_kv_;
  }
  template <typename T>
  void kv(const std::string& key, uint32_t type, T v) {
    std::vector<uint8_t> b;
    put<T>(b, v);
    kv_raw(key, type, b);
  }
  void kv_u32(const std::string& k, uint32_t v) { kv<uint32_t>(k, 4, v); }
  void kv_i32(const std::string& k, int32_t v) { kv<int32_t>(k, 5, v); }
  void kv_f32(const std::string& k, float v) { kv<float>(k, 6, v); }
  void kv_bool(const std::string& k, bool v) { kv<uint8_t>(k, 7, v ? 1 : 0); }
  void kv_u64(const std::string& k, uint64_t v) { kv<uint64_t>(k, 10, v); }
  void kv_i64(const std::string& k, int64_t v) { kv<int64_t>(k, 11, v); }
  void kv_f64(const std::string& k, double v) { kv<double>(k, 12, v); }
  void kv_u8(const std::string& k, uint8_t v) { kv<uint8_t>(k, 0, v); }
  void kv_i8(const std::string& k, int8_t v) { kv<int8_t>(k, 1, v); }
  void kv_u16(const std::string& k, uint16_t v) { kv<uint16_t>(k, 2, v); }
  void kv_i16(const std::string& k, int16_t v) { kv<int16_t>(k, 3, v); }
  void kv_string(const std::string& k, const std::string& v) {
    std::vector<uint8_t> b;
    put_str(b, v);
    kv_raw(k, 8, b);
  }
  void kv_strings(const std::string& k, const std::vector<std::string>& v) {
    std::vector<uint8_t> b;
    put<uint32_t>(b, 8);
    put<uint64_t>(b, v.size());
    for (const auto& s : v) put_str(b, s);
    kv_raw(k, 9, b);
  }
  void kv_i32s(const std::string& k, const std::vector<int32_t>& v) {
    std::vector<uint8_t> b;
    put<uint32_t>(b, 5);
    put<uint64_t>(b, v.size());
    for (int32_t x : v) put<int32_t>(b, x);
    kv_raw(k, 9, b);
  }

  void tensor(const std::string& name, const std::vector<uint64_t>& shape, uint32_t type,
              const std::vector<uint8_t>& data) {
    tensors_.push_back({name, shape, type, data});
  }

  std::vector<uint8_t> build() const {
    std::vector<uint8_t> out;
    put<uint32_t>(out, 0x46554747u);
    put<uint32_t>(out, version);
    put<uint64_t>(out, tensors_.size());
    put<uint64_t>(out, n_kv_);
    out.insert(out.end(), kv_.begin(), kv_.end());
    uint64_t off = 0;
    std::vector<uint64_t> offsets;
    for (const auto& t : tensors_) {
      offsets.push_back(off);
      off += t.data.size();
      off = (off + alignment - 1) / alignment * alignment;
    }
    for (size_t i = 0; i < tensors_.size(); ++i) {
      const auto& t = tensors_[i];
      put_str(out, t.name);
      put<uint32_t>(out, static_cast<uint32_t>(t.shape.size()));
      for (uint64_t d : t.shape) put<uint64_t>(out, d);
      put<uint32_t>(out, t.type);
      put<uint64_t>(out, offsets[i]);
    }
    while (out.size() % alignment) out.push_back(0);
    const size_t data_start = out.size();
    for (size_t i = 0; i < tensors_.size(); ++i) {
      out.resize(data_start + offsets[i], 0);
      out.insert(out.end(), tensors_[i].data.begin(), tensors_[i].data.end());
    }
    return out;
  }

 private:
  struct T {
    std::string name;
    std::vector<uint64_t> shape;
    uint32_t type;
    std::vector<uint8_t> data;
  };
  std::vector<uint8_t> kv_;
  uint64_t n_kv_ = 0;
  std::vector<T> tensors_;
};

inline std::vector<uint8_t> f32_bytes(const std::vector<float>& v) {
  std::vector<uint8_t> b(v.size() * 4);
  std::memcpy(b.data(), v.data(), b.size());
  return b;
}

}  // namespace kiln::model::test
