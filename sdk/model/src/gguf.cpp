// GGUF parser. Layout (little-endian): magic "GGUF", u32 version, u64 tensor
// count, u64 metadata count, the metadata key/value pairs, the tensor infos,
// padding to the alignment, then the data section. Every read goes through
// Reader, which checks the remaining length first, and every count or length
// read from the file is bounded by the bytes left before anything is
// allocated, so a corrupt file ends in a GgufError and never in UB or an
// out-of-memory.
#include "kiln/model/gguf.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <limits>

namespace kiln::model {

namespace {

constexpr uint32_t kMagic = 0x46554747u;  // "GGUF" read as a little-endian u32
constexpr int kMaxArrayDepth = 8;         // nested arrays: bounds the recursion
constexpr uint32_t kMaxDims = 4;          // ggml's GGML_MAX_DIMS

class Reader {
 public:
  Reader(const uint8_t* p, uint64_t n, const std::string& file) : p_(p), n_(n), file_(file) {}
  uint64_t pos() const { return pos_; }
  uint64_t left() const { return n_ - pos_; }

  [[noreturn]] void fail(const std::string& what) const { fail_at(pos_, what); }
  [[noreturn]] void fail_at(uint64_t off, const std::string& what) const {
    throw GgufError("GGUF '" + file_ + "': " + what + " (at offset " + std::to_string(off) + ")");
  }
  void need(uint64_t bytes, const char* what) const {
    if (bytes > left())
      fail(std::string("truncated ") + what + ": need " + std::to_string(bytes) +
           " bytes, " + std::to_string(left()) + " left");
  }
  template <typename T>
  T get(const char* what) {
    need(sizeof(T), what);
    T v;
    std::memcpy(&v, p_ + pos_, sizeof(T));  // the host is little-endian (x86-64, rv)
    pos_ += sizeof(T);
    return v;
  }
  std::string str(const char* what) {
    const uint64_t off = pos_;
    const uint64_t len = get<uint64_t>(what);
    if (len > left())
      fail_at(off, std::string("string length ") + std::to_string(len) + " of " + what +
                       " exceeds the " + std::to_string(left()) + " bytes left in the file");
    std::string s(reinterpret_cast<const char*>(p_ + pos_), len);
    pos_ += len;
    return s;
  }

 private:
  const uint8_t* p_;
  uint64_t n_;
  uint64_t pos_ = 0;
  const std::string& file_;
};

// Smallest encoding of one value of type t: used to bound element counts.
uint64_t min_value_bytes(GgufType t) {
  switch (t) {
    case GgufType::kUint8: case GgufType::kInt8: case GgufType::kBool: return 1;
    case GgufType::kUint16: case GgufType::kInt16: return 2;
    case GgufType::kUint32: case GgufType::kInt32: case GgufType::kFloat32: return 4;
    case GgufType::kString: case GgufType::kUint64: case GgufType::kInt64:
    case GgufType::kFloat64: return 8;
    case GgufType::kArray: return 12;  // element type + count
  }
  return 0;
}

bool valid_type(uint32_t t) { return t <= static_cast<uint32_t>(GgufType::kFloat64); }

GgufValue read_value(Reader& r, GgufType type, int depth, const std::string& key) {
  GgufValue v;
  v.type = type;
  switch (type) {
    case GgufType::kUint8: v.u = r.get<uint8_t>("metadata value"); break;
    case GgufType::kUint16: v.u = r.get<uint16_t>("metadata value"); break;
    case GgufType::kUint32: v.u = r.get<uint32_t>("metadata value"); break;
    case GgufType::kUint64: v.u = r.get<uint64_t>("metadata value"); break;
    case GgufType::kInt8: v.i = r.get<int8_t>("metadata value"); break;
    case GgufType::kInt16: v.i = r.get<int16_t>("metadata value"); break;
    case GgufType::kInt32: v.i = r.get<int32_t>("metadata value"); break;
    case GgufType::kInt64: v.i = r.get<int64_t>("metadata value"); break;
    case GgufType::kFloat32: v.f = r.get<float>("metadata value"); break;
    case GgufType::kFloat64: v.f = r.get<double>("metadata value"); break;
    case GgufType::kBool: {
      const uint64_t off = r.pos();
      const uint8_t b = r.get<uint8_t>("metadata value");
      if (b > 1) r.fail_at(off, "key '" + key + "': bool value " + std::to_string(b) + " is not 0 or 1");
      v.b = b != 0;
      break;
    }
    case GgufType::kString: v.s = r.str("metadata string"); break;
    case GgufType::kArray: {
      if (depth >= kMaxArrayDepth) r.fail("key '" + key + "': arrays nested too deeply");
      const uint64_t off = r.pos();
      const uint32_t et = r.get<uint32_t>("array element type");
      if (!valid_type(et))
        r.fail_at(off, "key '" + key + "': unknown array element type " + std::to_string(et));
      v.elem_type = static_cast<GgufType>(et);
      const uint64_t n = r.get<uint64_t>("array length");
      if (n > r.left() / min_value_bytes(v.elem_type))
        r.fail_at(off + 4, "key '" + key + "': array length " + std::to_string(n) +
                               " exceeds what the remaining " + std::to_string(r.left()) +
                               " bytes can hold");
      v.items.reserve(n);
      for (uint64_t k = 0; k < n; ++k) v.items.push_back(read_value(r, v.elem_type, depth + 1, key));
      break;
    }
  }
  return v;
}

bool is_unsigned(GgufType t) {
  return t == GgufType::kUint8 || t == GgufType::kUint16 || t == GgufType::kUint32 ||
         t == GgufType::kUint64;
}
bool is_signed(GgufType t) {
  return t == GgufType::kInt8 || t == GgufType::kInt16 || t == GgufType::kInt32 ||
         t == GgufType::kInt64;
}

}  // namespace

const char* gguf_type_name(GgufType t) {
  static const char* const kNames[] = {"uint8", "int8", "uint16", "int16", "uint32", "int32",
                                       "float32", "bool", "string", "array", "uint64",
                                       "int64", "float64"};
  const auto i = static_cast<uint32_t>(t);
  return i < sizeof(kNames) / sizeof(kNames[0]) ? kNames[i] : "?";
}

// Owns whatever backs the bytes: an mmap'ed region or a vector.
struct GgufFile::Storage {
  void* map = nullptr;
  size_t map_len = 0;
  std::vector<uint8_t> buf;
  ~Storage() {
    if (map) munmap(map, map_len);
  }
};

GgufFile GgufFile::open(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw GgufError("GGUF '" + path + "': cannot open: " + std::strerror(errno));
  struct stat st {};
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    throw GgufError("GGUF '" + path + "': not a regular file");
  }
  GgufFile f;
  f.name_ = path;
  f.storage_ = std::make_shared<Storage>();
  f.size_ = static_cast<uint64_t>(st.st_size);
  if (f.size_ > 0) {
    void* m = mmap(nullptr, f.size_, PROT_READ, MAP_PRIVATE, fd, 0);
    if (m == MAP_FAILED) {
      const int e = errno;
      ::close(fd);
      throw GgufError("GGUF '" + path + "': mmap failed: " + std::strerror(e));
    }
    f.storage_->map = m;
    f.storage_->map_len = f.size_;
    f.base_ = static_cast<const uint8_t*>(m);
  }
  ::close(fd);  // the mapping stays valid without the descriptor
  f.parse();
  return f;
}

GgufFile GgufFile::from_buffer(std::vector<uint8_t> bytes, std::string name) {
  GgufFile f;
  f.name_ = std::move(name);
  f.storage_ = std::make_shared<Storage>();
  f.storage_->buf = std::move(bytes);
  f.base_ = f.storage_->buf.data();
  f.size_ = f.storage_->buf.size();
  f.parse();
  return f;
}

void GgufFile::parse() {
  Reader r(base_, size_, name_);
  if (size_ < 4) r.fail("truncated header: file is " + std::to_string(size_) + " bytes");
  const uint32_t magic = r.get<uint32_t>("header");
  if (magic != kMagic) r.fail_at(0, "bad magic (not a GGUF file)");
  version_ = r.get<uint32_t>("header");
  if (version_ != 2 && version_ != 3) {
    std::string hint = (version_ & 0xFFFFu) == 0 ? " (big-endian file?)" : "";
    r.fail_at(4, "unsupported version " + std::to_string(version_) + hint +
                     "; only versions 2 and 3 are supported");
  }
  const uint64_t n_tensors = r.get<uint64_t>("header");
  const uint64_t n_kv = r.get<uint64_t>("header");
  // A key/value pair takes at least 13 bytes, a tensor info at least 24.
  if (n_kv > r.left() / 13)
    r.fail_at(16, "metadata count " + std::to_string(n_kv) + " is larger than the file can hold");
  if (n_tensors > r.left() / 24)
    r.fail_at(8, "tensor count " + std::to_string(n_tensors) + " is larger than the file can hold");

  for (uint64_t k = 0; k < n_kv; ++k) {
    const uint64_t off = r.pos();
    std::string key = r.str("metadata key");
    const uint32_t t = r.get<uint32_t>("metadata value type");
    if (!valid_type(t)) r.fail("key '" + key + "': unknown value type " + std::to_string(t));
    GgufValue v = read_value(r, static_cast<GgufType>(t), 0, key);
    if (kv_.count(key)) r.fail_at(off, "duplicate metadata key '" + key + "'");
    key_order_.push_back(key);
    kv_.emplace(std::move(key), std::move(v));
  }

  if (has("general.alignment")) {
    const uint64_t a = get_u64("general.alignment");
    if (a == 0 || (a & (a - 1)) != 0 || a > (1u << 30))
      fail_key("general.alignment", "alignment " + std::to_string(a) + " is not a power of two <= 2^30");
    alignment_ = a;
  }

  tensors_.reserve(n_tensors);
  for (uint64_t k = 0; k < n_tensors; ++k) {
    const uint64_t off = r.pos();
    GgufTensor t;
    t.name = r.str("tensor name");
    const std::string who = "tensor '" + t.name + "'";
    const uint32_t nd = r.get<uint32_t>("tensor info");
    if (nd > kMaxDims) r.fail_at(off, who + ": " + std::to_string(nd) + " dimensions (max 4)");
    t.n_elements = 1;
    for (uint32_t d = 0; d < nd; ++d) {
      const uint64_t dim = r.get<uint64_t>("tensor info");
      if (dim > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()))
        r.fail_at(off, who + ": dimension " + std::to_string(d) + " is negative");
      if (dim != 0 && t.n_elements > std::numeric_limits<int64_t>::max() / dim)
        r.fail_at(off, who + ": element count overflows");
      t.n_elements *= dim;
      t.shape.push_back(dim);
    }
    t.type = r.get<uint32_t>("tensor info");
    t.offset = r.get<uint64_t>("tensor info");
    const TensorTypeInfo ti = tensor_type_info(t.type);
    if (ti.block_elems != 0) {
      if (!t.shape.empty() && t.shape[0] % ti.block_elems != 0)
        r.fail_at(off, who + ": row length " + std::to_string(t.shape[0]) + " is not a multiple of " +
                           ti.name + "'s block of " + std::to_string(ti.block_elems));
      const uint64_t blocks = t.n_elements / ti.block_elems;
      if (blocks > std::numeric_limits<uint64_t>::max() / ti.block_bytes)
        r.fail_at(off, who + ": byte size overflows");
      t.n_bytes = blocks * ti.block_bytes;
    }
    if (t.offset % alignment_ != 0)
      r.fail_at(off, who + ": data offset " + std::to_string(t.offset) +
                         " is not a multiple of the alignment " + std::to_string(alignment_));
    if (tensor_index_.count(t.name)) r.fail_at(off, "duplicate " + who);
    tensor_index_.emplace(t.name, tensors_.size());
    tensors_.push_back(std::move(t));
  }

  // The data section starts at the next multiple of the alignment.
  const uint64_t end = r.pos();
  data_offset_ = end + (alignment_ - end % alignment_) % alignment_;
  if (data_offset_ > size_) {
    if (!tensors_.empty())
      r.fail_at(end, "truncated: data section would start at " + std::to_string(data_offset_) +
                         ", past the end of the file");
    data_offset_ = size_;
  }
  const uint64_t data_size = size_ - data_offset_;
  for (GgufTensor& t : tensors_) {
    if (t.offset > data_size || t.n_bytes > data_size - t.offset)
      throw GgufError("GGUF '" + name_ + "': tensor '" + t.name + "': data [" +
                      std::to_string(t.offset) + ", +" + std::to_string(t.n_bytes) +
                      ") lies outside the data section of " + std::to_string(data_size) +
                      " bytes (at file offset " + std::to_string(data_offset_) + ")");
    t.data = base_ + data_offset_ + t.offset;
  }
}

// --- metadata accessors ---

void GgufFile::fail_key(std::string_view key, const std::string& what) const {
  throw GgufError("GGUF '" + name_ + "': key '" + std::string(key) + "': " + what);
}

bool GgufFile::has(std::string_view key) const { return kv_.count(std::string(key)) != 0; }

const GgufValue& GgufFile::get(std::string_view key) const {
  auto it = kv_.find(std::string(key));
  if (it == kv_.end()) fail_key(key, "missing");
  return it->second;
}

const GgufValue& GgufFile::typed(std::string_view key, GgufType want) const {
  const GgufValue& v = get(key);
  if (v.type != want)
    fail_key(key, std::string("is ") + gguf_type_name(v.type) + ", expected " + gguf_type_name(want));
  return v;
}

std::string GgufFile::get_string(std::string_view key) const { return typed(key, GgufType::kString).s; }

uint64_t GgufFile::get_u64(std::string_view key) const {
  const GgufValue& v = get(key);
  if (is_unsigned(v.type)) return v.u;
  if (is_signed(v.type)) {
    if (v.i < 0) fail_key(key, "value " + std::to_string(v.i) + " is negative");
    return static_cast<uint64_t>(v.i);
  }
  fail_key(key, std::string("is ") + gguf_type_name(v.type) + ", expected an integer");
}

uint32_t GgufFile::get_u32(std::string_view key) const {
  const uint64_t v = get_u64(key);
  if (v > std::numeric_limits<uint32_t>::max()) fail_key(key, "value " + std::to_string(v) + " does not fit uint32");
  return static_cast<uint32_t>(v);
}

int64_t GgufFile::get_i64(std::string_view key) const {
  const GgufValue& v = get(key);
  if (is_signed(v.type)) return v.i;
  if (is_unsigned(v.type)) {
    if (v.u > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()))
      fail_key(key, "value " + std::to_string(v.u) + " does not fit int64");
    return static_cast<int64_t>(v.u);
  }
  fail_key(key, std::string("is ") + gguf_type_name(v.type) + ", expected an integer");
}

double GgufFile::get_f64(std::string_view key) const {
  const GgufValue& v = get(key);
  if (v.type != GgufType::kFloat32 && v.type != GgufType::kFloat64)
    fail_key(key, std::string("is ") + gguf_type_name(v.type) + ", expected a float");
  return v.f;
}

float GgufFile::get_f32(std::string_view key) const { return static_cast<float>(get_f64(key)); }

bool GgufFile::get_bool(std::string_view key) const { return typed(key, GgufType::kBool).b; }

std::vector<std::string> GgufFile::get_string_array(std::string_view key) const {
  const GgufValue& v = typed(key, GgufType::kArray);
  if (v.elem_type != GgufType::kString)
    fail_key(key, std::string("is an array of ") + gguf_type_name(v.elem_type) + ", expected strings");
  std::vector<std::string> out;
  out.reserve(v.items.size());
  for (const GgufValue& e : v.items) out.push_back(e.s);
  return out;
}

std::vector<int64_t> GgufFile::get_int_array(std::string_view key) const {
  const GgufValue& v = typed(key, GgufType::kArray);
  std::vector<int64_t> out;
  out.reserve(v.items.size());
  if (is_signed(v.elem_type)) {
    for (const GgufValue& e : v.items) out.push_back(e.i);
  } else if (is_unsigned(v.elem_type)) {
    for (const GgufValue& e : v.items) {
      if (e.u > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()))
        fail_key(key, "element " + std::to_string(e.u) + " does not fit int64");
      out.push_back(static_cast<int64_t>(e.u));
    }
  } else {
    fail_key(key, std::string("is an array of ") + gguf_type_name(v.elem_type) + ", expected integers");
  }
  return out;
}

std::vector<double> GgufFile::get_float_array(std::string_view key) const {
  const GgufValue& v = typed(key, GgufType::kArray);
  if (v.elem_type != GgufType::kFloat32 && v.elem_type != GgufType::kFloat64)
    fail_key(key, std::string("is an array of ") + gguf_type_name(v.elem_type) + ", expected floats");
  std::vector<double> out;
  out.reserve(v.items.size());
  for (const GgufValue& e : v.items) out.push_back(e.f);
  return out;
}

std::string GgufFile::get_string_or(std::string_view key, const std::string& def) const {
  return has(key) ? get_string(key) : def;
}
uint64_t GgufFile::get_u64_or(std::string_view key, uint64_t def) const {
  return has(key) ? get_u64(key) : def;
}
bool GgufFile::get_bool_or(std::string_view key, bool def) const {
  return has(key) ? get_bool(key) : def;
}

// --- tensors ---

bool GgufFile::has_tensor(std::string_view name) const {
  return tensor_index_.count(std::string(name)) != 0;
}

const GgufTensor& GgufFile::tensor(std::string_view name) const {
  auto it = tensor_index_.find(std::string(name));
  if (it == tensor_index_.end())
    throw GgufError("GGUF '" + name_ + "': no tensor named '" + std::string(name) + "'");
  return tensors_[it->second];
}

std::string_view GgufFile::raw_bytes(const GgufTensor& t) const {
  if (tensor_type_info(t.type).block_elems == 0)
    throw GgufError("GGUF '" + name_ + "': tensor '" + t.name + "': unknown tensor type " +
                    std::to_string(t.type) + ", its size is not known");
  return {reinterpret_cast<const char*>(t.data), static_cast<size_t>(t.n_bytes)};
}

}  // namespace kiln::model
