// kiln.Device, kiln.Matrix, kiln.Buffer: opening the virtual NPU and moving
// numpy arrays in and out of device memory.
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <optional>

#include "common.h"
#include "kiln_hw.h"
#include "kiln/golden/numerics.h"

namespace kiln::pyb {

namespace {

kiln_open_options open_options(const OpenArgs& a) {
  kiln_open_options o{};
  o.wave_file = a.wave_file.empty() ? nullptr : a.wave_file.c_str();
  o.default_timeout_ns = a.timeout_ns;
  o.wave_from = a.wave_from;
  o.wave_to = a.wave_to;
  o.wave_cmd = a.wave_cmd;
  o.trace_file = a.trace_file.empty() ? nullptr : a.trace_file.c_str();
  return o;
}

// Python's default backend is "fast" (bit-exact with "rtl", ~50x faster) unless
// KILN_BACKEND says otherwise; the C driver's own default is "rtl".
std::string choose_backend(const std::optional<std::string>& b) {
  if (b && !b->empty()) return *b;
  const char* env = std::getenv("KILN_BACKEND");
  return env && *env ? env : "fast";
}

std::string type_name(py::handle h) { return py::str(py::type::handle_of(h).attr("__name__")); }

std::string shape_str(const py::array& a) {
  std::string s = "(";
  for (py::ssize_t i = 0; i < a.ndim(); ++i) s += (i ? ", " : "") + std::to_string(a.shape(i));
  return s + (a.ndim() == 1 ? ",)" : ")");
}

// Integer elements as int64, refusing any outside [lo, hi] (no silent wrap).
std::vector<int64_t> integers(const py::array& a, int64_t lo, int64_t hi, const char* what) {
  std::vector<int64_t> v(size_t(a.size()));
  auto bad = [&](const std::string& value, size_t i) {
    invalid(std::string("upload: ") + what + " element " + std::to_string(i) + " is " + value +
            ", outside [" + std::to_string(lo) + ", " + std::to_string(hi) + "]");
  };
  if (a.dtype().kind() == 'u') {
    auto u = py::array_t<uint64_t, py::array::c_style | py::array::forcecast>::ensure(a);
    for (size_t i = 0; i < v.size(); ++i) {
      if (u.data()[i] > uint64_t(hi)) bad(std::to_string(u.data()[i]), i);
      v[i] = int64_t(u.data()[i]);
    }
  } else {
    auto s = py::array_t<int64_t, py::array::c_style | py::array::forcecast>::ensure(a);
    for (size_t i = 0; i < v.size(); ++i) {
      if (s.data()[i] < lo || s.data()[i] > hi) bad(std::to_string(s.data()[i]), i);
      v[i] = s.data()[i];
    }
  }
  return v;
}

// Writes dense host rows into m's padded rows (padding zero).
void write_rows(kiln::Device& dev, const sdk::DeviceMatrix& m, const std::vector<uint8_t>& host) {
  const size_t row_bytes = size_t(m.cols) * sdk::dtype_bytes(m.dtype);
  std::vector<uint8_t> staged(size_t(m.stride) * m.rows, 0);
  for (uint32_t r = 0; r < m.rows; ++r) std::memcpy(&staged[size_t(r) * m.stride], &host[r * row_bytes], row_bytes);
  dev.write(m.buf.addr(), staged.data(), staged.size());
}

std::string describe(const sdk::DeviceMatrix& m) {
  char addr[32];
  std::snprintf(addr, sizeof addr, "0x%llx", static_cast<unsigned long long>(m.buf.addr()));
  return std::to_string(m.rows) + "x" + std::to_string(m.cols) + " " + dtype_str(m.dtype) + " at " + addr;
}

MatrixPtr new_matrix(const DevicePtr& dev, uint32_t rows, uint32_t cols, sdk::DType t) {
  if (rows == 0 || cols == 0)
    invalid("matrix: shape (" + std::to_string(rows) + ", " + std::to_string(cols) + ") has no elements");
  auto mp = std::make_shared<Matrix>();
  mp->dev = dev;
  mp->m = sdk::alloc_matrix(dev->get(), rows, cols, t);
  // Zero-filled, so a result never shows what an earlier allocation left.
  write_rows(dev->get(), mp->m, std::vector<uint8_t>(size_t(rows) * cols * sdk::dtype_bytes(t), 0));
  return mp;
}

py::dict counters_dict(const kiln_counters& c) {
  py::dict d;
  d["cycles"] = c.cycles;
  d["tc_busy_cycles"] = c.tc_busy_cycles;
  d["tc_stall_cycles"] = c.tc_stall_cycles;
  d["macs"] = c.macs;
  d["dma_read_bytes"] = c.dma_read_bytes;
  d["dma_write_bytes"] = c.dma_write_bytes;
  d["dma_busy_cycles"] = c.dma_busy_cycles;
  d["vu_busy_cycles"] = c.vu_busy_cycles;
  d["vu_stall_cycles"] = c.vu_stall_cycles;
  // One list entry per channel the hardware has.
  py::list rd, wr, busy, stall;
  for (unsigned ch = 0; ch < KILN_HW_DMA_CHANNELS && ch < KILN_COUNTERS_MAX_DMA_CHANNELS; ++ch) {
    rd.append(c.dma_ch_read_bytes[ch]);
    wr.append(c.dma_ch_write_bytes[ch]);
    busy.append(c.dma_ch_busy_cycles[ch]);
    stall.append(c.dma_ch_stall_cycles[ch]);
  }
  d["dma_ch_read_bytes"] = rd;
  d["dma_ch_write_bytes"] = wr;
  d["dma_ch_busy_cycles"] = busy;
  d["dma_ch_stall_cycles"] = stall;
  return d;
}

// A raw device-memory allocation (for the low-level command builders).
struct RawBuffer {
  DevicePtr dev;
  kiln::Buffer buf;
};

}  // namespace

namespace {
kiln::Device open_device(const std::string& backend, const OpenArgs& a) {
  const kiln_open_options o = open_options(a);
  return kiln::Device(backend.c_str(), &o);
}
}  // namespace

DeviceHandle::DeviceHandle(const std::string& backend, const OpenArgs& a)
    : dev_(open_device(backend, a)), backend_(dev_.backend_name()) {}

kiln::Device& DeviceHandle::get() {
  if (closed_) invalid("the device is closed");
  return dev_;
}

sdk::DeviceMatrix alias(const sdk::DeviceMatrix& m) {
  sdk::DeviceMatrix a;
  a.rows = m.rows;
  a.cols = m.cols;
  a.dtype = m.dtype;
  a.stride = m.stride;
  a.buf = kiln::Buffer(nullptr, m.buf.raw());  // no device: never freed through this copy
  return a;
}

sdk::DType parse_dtype(py::handle h) {
  if (py::isinstance<py::str>(h)) {
    std::string s = py::str(h);
    for (char& c : s) c = char(std::tolower(static_cast<unsigned char>(c)));
    if (s == "bf16" || s == "bfloat16") return sdk::DType::BF16;
    if (s == "fp32" || s == "float32") return sdk::DType::FP32;
    if (s == "int8") return sdk::DType::INT8;
    if (s == "int32") return sdk::DType::INT32;
    invalid("unknown dtype '" + std::string(py::str(h)) + "': use \"bf16\", \"fp32\", \"int8\" or \"int32\"");
  }
  py::dtype d;
  try {
    d = py::dtype::from_args(py::reinterpret_borrow<py::object>(h));
  } catch (py::error_already_set&) {
    invalid("dtype must be \"bf16\", \"fp32\", \"int8\", \"int32\" or a numpy dtype, got " + type_name(h));
  }
  if (d.is(py::dtype::of<float>())) return sdk::DType::FP32;
  if (d.is(py::dtype::of<int8_t>())) return sdk::DType::INT8;
  if (d.is(py::dtype::of<int32_t>())) return sdk::DType::INT32;
  invalid("numpy dtype " + std::string(py::str(d)) + " has no device type: use float32, int8, int32 or \"bf16\"");
}

const char* dtype_str(sdk::DType t) {
  switch (t) {
    case sdk::DType::BF16: return "bf16";
    case sdk::DType::FP32: return "fp32";
    case sdk::DType::INT8: return "int8";
    case sdk::DType::INT32: return "int32";
  }
  return "?";
}

std::vector<uint8_t> host_to_device_layout(py::handle obj, sdk::DType t, bool raw, uint32_t* rows, uint32_t* cols) {
  py::array a = py::array::ensure(obj);
  if (!a) invalid("upload: expected a numpy array (or a nested list of numbers), got " + type_name(obj));
  if (a.ndim() != 1 && a.ndim() != 2)
    invalid("upload: expected a 1-D or 2-D array, got shape " + shape_str(a));
  const py::ssize_t r = a.ndim() == 1 ? 1 : a.shape(0), c = a.shape(a.ndim() - 1);
  if (r == 0 || c == 0) invalid("upload: array of shape " + shape_str(a) + " has no elements");
  if (r > std::numeric_limits<uint32_t>::max() || c > std::numeric_limits<uint32_t>::max())
    invalid("upload: shape " + shape_str(a) + " is too large for a device matrix");
  const char kind = a.dtype().kind();
  const bool integer = kind == 'i' || kind == 'u' || kind == 'b';
  const bool real = integer || kind == 'f';
  const std::string from = std::string(py::str(a.dtype()));
  *rows = uint32_t(r);
  *cols = uint32_t(c);
  const size_t n = size_t(a.size());
  std::vector<uint8_t> out(n * sdk::dtype_bytes(t));
  if (t == sdk::DType::BF16 && raw) {
    if (!integer) invalid("upload: raw BF16 needs uint16 bit patterns, got a " + from + " array");
    const std::vector<int64_t> v = integers(a, 0, 0xFFFF, "raw BF16");
    for (size_t i = 0; i < n; ++i) {
      const uint16_t b = uint16_t(v[i]);
      std::memcpy(&out[2 * i], &b, 2);
    }
  } else if (t == sdk::DType::BF16 || t == sdk::DType::FP32) {
    if (!real) invalid(std::string("upload: ") + dtype_str(t) + " needs real numbers, got a " + from + " array");
    auto f = py::array_t<float, py::array::c_style | py::array::forcecast>::ensure(a);
    for (size_t i = 0; i < n; ++i) {
      if (t == sdk::DType::FP32) {
        std::memcpy(&out[4 * i], &f.data()[i], 4);
      } else {
        uint32_t bits;
        std::memcpy(&bits, &f.data()[i], 4);
        const uint16_t b = golden::fp32_to_bf16(bits);
        std::memcpy(&out[2 * i], &b, 2);
      }
    }
  } else {
    if (!integer) invalid(std::string("upload: ") + dtype_str(t) + " needs integers, got a " + from + " array");
    const bool i8 = t == sdk::DType::INT8;
    const std::vector<int64_t> v = integers(a, i8 ? -128 : INT32_MIN, i8 ? 127 : INT32_MAX, dtype_str(t));
    for (size_t i = 0; i < n; ++i) {
      if (i8) {
        const uint16_t lane = uint8_t(int8_t(v[i]));  // int8 in the low byte of a 16-bit lane
        std::memcpy(&out[2 * i], &lane, 2);
      } else {
        const int32_t x = int32_t(v[i]);
        std::memcpy(&out[4 * i], &x, 4);
      }
    }
  }
  return out;
}

py::array device_layout_to_numpy(const std::vector<uint8_t>& bytes, uint32_t rows, uint32_t cols, sdk::DType t,
                                 bool raw) {
  const std::vector<py::ssize_t> shape{py::ssize_t(rows), py::ssize_t(cols)};
  const size_t n = size_t(rows) * cols;
  switch (t) {
    case sdk::DType::BF16: {
      if (raw) {
        py::array_t<uint16_t> out(shape);
        std::memcpy(out.mutable_data(), bytes.data(), 2 * n);
        return out;
      }
      py::array_t<float> out(shape);
      float* d = out.mutable_data();
      for (size_t i = 0; i < n; ++i) {
        uint16_t b;
        std::memcpy(&b, &bytes[2 * i], 2);
        const uint32_t u = uint32_t(b) << 16;  // exact: the stored value, denormals included
        std::memcpy(&d[i], &u, 4);
      }
      return out;
    }
    case sdk::DType::FP32: {
      py::array_t<float> out(shape);
      std::memcpy(out.mutable_data(), bytes.data(), 4 * n);
      return out;
    }
    case sdk::DType::INT8: {
      py::array_t<int8_t> out(shape);
      for (size_t i = 0; i < n; ++i) out.mutable_data()[i] = int8_t(bytes[2 * i]);
      return out;
    }
    case sdk::DType::INT32: {
      py::array_t<int32_t> out(shape);
      std::memcpy(out.mutable_data(), bytes.data(), 4 * n);
      return out;
    }
  }
  invalid("download: unknown dtype");
}

namespace {

sdk::DType infer_dtype(py::handle obj) {
  py::array a = py::array::ensure(obj);
  if (!a) invalid("upload: expected a numpy array (or a nested list of numbers), got " + type_name(obj));
  const char kind = a.dtype().kind();
  if (kind == 'f') return sdk::DType::FP32;
  if (a.dtype().is(py::dtype::of<int8_t>())) return sdk::DType::INT8;
  if (kind == 'i' || kind == 'u' || kind == 'b') return sdk::DType::INT32;
  invalid("upload: cannot infer a device type from a " + std::string(py::str(a.dtype())) +
          " array: pass dtype=\"bf16\", \"fp32\", \"int8\" or \"int32\"");
}

}  // namespace

void bind_device(py::module_& m) {
  py::class_<DeviceHandle, DevicePtr>(m, "Device",
                                      "The virtual Kiln NPU (SystemC platform with the fast C++ model or the "
                                      "Verilated RTL). One per process: SystemC elaborates once, so a second "
                                      "Device raises kiln.Error (status BUSY), even after close().")
      .def(py::init([](std::optional<std::string> backend, uint64_t timeout_ns, std::optional<std::string> wave,
                       uint64_t wave_from, uint64_t wave_to, uint64_t wave_cmd,
                       std::optional<std::string> trace) {
             OpenArgs a{timeout_ns, wave.value_or(""), wave_from, wave_to, wave_cmd, trace.value_or("")};
             return std::make_shared<DeviceHandle>(choose_backend(backend), a);
           }),
           py::arg("backend") = py::none(), py::arg("timeout_ns") = 0, py::arg("wave_file") = py::none(),
           py::arg("wave_from") = 0, py::arg("wave_to") = 0, py::arg("wave_cmd") = 0,
           py::arg("trace_file") = py::none(),
           "backend: \"fast\", \"rtl\" (or other driver backends); None = $KILN_BACKEND, else \"fast\".\n"
           "timeout_ns: simulated-time bound of every wait (0 = the driver's 10 ms).\n"
           "wave_file: rtl only, an FST waveform path; wave_from/wave_to (NPU cycles) or wave_cmd\n"
           "(1-based command) limit it to a window.\n"
           "trace_file: a run trace for ui.perfetto.dev (None = $KILN_TRACE, if set).")
      .def_property_readonly("backend", &DeviceHandle::backend)
      .def_property_readonly("closed", &DeviceHandle::closed)
      .def("close", &DeviceHandle::close,
           "Refuses further use. The simulator stops once nothing refers to the device any more.")
      .def("__enter__", [](const DevicePtr& d) { return d; })
      .def("__exit__", [](DeviceHandle& d, py::args) { d.close(); })
      .def("__repr__",
           [](const DeviceHandle& d) {
             return "<kiln.Device backend=" + d.backend() + (d.closed() ? " closed>" : ">");
           })
      .def(
          "upload",
          [](const DevicePtr& d, py::handle array, py::object dtype, bool raw) {
            const sdk::DType t = dtype.is_none() ? infer_dtype(array) : parse_dtype(dtype);
            uint32_t rows = 0, cols = 0;
            const std::vector<uint8_t> host = host_to_device_layout(array, t, raw, &rows, &cols);
            auto mp = std::make_shared<Matrix>();
            mp->dev = d;
            mp->m = sdk::upload_matrix(d->get(), host.data(), rows, cols, t);
            return mp;
          },
          py::arg("array"), py::arg("dtype") = py::none(), py::arg("raw") = false,
          "Copies a 1-D (one row) or 2-D array into a new device matrix. dtype: \"bf16\" (float32 values "
          "rounded as the NPU rounds; raw=True takes uint16 bit patterns), \"fp32\", \"int8\", \"int32\" "
          "(integers out of range are refused). None: float -> fp32, int8 -> int8, other integers -> int32.")
      .def("matrix",
           [](const DevicePtr& d, uint32_t rows, uint32_t cols, py::handle dtype) {
             return new_matrix(d, rows, cols, parse_dtype(dtype));
           },
           py::arg("rows"), py::arg("cols"), py::arg("dtype") = "fp32",
           "A new zero-filled device matrix.")
      .def(
          "alloc",
          [](const DevicePtr& d, uint64_t size, uint64_t align) {
            auto b = std::make_shared<RawBuffer>();
            b->dev = d;
            b->buf = d->get().alloc(size, align);
            return b;
          },
          py::arg("size"), py::arg("align") = 0, "Raw device memory (for the low-level command builders).")
      .def("counters", [](DeviceHandle& d) { return counters_dict(d.get().counters()); },
           "Performance counters (PERF_* registers) as a dict.")
      .def("now_ns", [](DeviceHandle& d) { return d.get().now_ns(); }, "Simulated time in ns.")
      .def(
          "npu_cycles",
          [](DeviceHandle& d) {
            uint64_t ns = 0, cyc = 0;
            const kiln_status s = kiln_sim_time(d.get().get(), &ns, &cyc);
            if (s != KILN_OK) throw kiln::Error(s, kiln_last_error(d.get().get()));
            return cyc;
          },
          "NPU clock cycles simulated so far.")
      .def("free_bytes", [](DeviceHandle& d) { return d.get().free_bytes(); }, "Free device memory in bytes.")
      .def("reset", [](DeviceHandle& d) { d.get().reset(); }, "Soft reset (after a device error).")
      .def(
          "device_error",
          [](DeviceHandle& d) {
            const kiln_device_error_info e = d.get().device_error();
            py::dict r;
            r["code"] = e.code;
            r["addr"] = e.addr;
            r["cmd_offset"] = e.cmd_offset;
            r["cmd_index"] = e.cmd_index;
            return r;
          },
          "The last device-reported error (code 0 = none).");

  py::class_<Matrix, MatrixPtr>(m, "Matrix",
                                "A row-major matrix in device memory (rows padded to 32 bytes). Create with "
                                "Device.upload or Device.matrix; keeps its device alive.")
      .def_property_readonly("rows", [](const Matrix& x) { return x.m.rows; })
      .def_property_readonly("cols", [](const Matrix& x) { return x.m.cols; })
      .def_property_readonly("shape", [](const Matrix& x) { return py::make_tuple(x.m.rows, x.m.cols); })
      .def_property_readonly("dtype", [](const Matrix& x) { return dtype_str(x.m.dtype); })
      .def_property_readonly("stride", [](const Matrix& x) { return x.m.stride; }, "Bytes between rows.")
      .def_property_readonly("addr", [](const Matrix& x) { return x.m.buf.addr(); }, "Device address.")
      .def_property_readonly("nbytes", [](const Matrix& x) { return uint64_t(x.m.stride) * x.m.rows; })
      .def_property_readonly("device", [](const Matrix& x) { return x.dev; })
      .def(
          "download",
          [](const Matrix& x, bool raw) {
            std::vector<uint8_t> host(size_t(x.m.rows) * x.m.cols * sdk::dtype_bytes(x.m.dtype));
            sdk::download_matrix(x.dev->get(), x.m, host.data());
            return device_layout_to_numpy(host, x.m.rows, x.m.cols, x.m.dtype, raw);
          },
          py::arg("raw") = false,
          "A new numpy array (rows, cols): bf16 as float32 (exact; raw=True: uint16 bits), fp32 float32, "
          "int8 int8, int32 int32.")
      .def(
          "upload",
          [](Matrix& x, py::handle array, bool raw) {
            uint32_t rows = 0, cols = 0;
            const std::vector<uint8_t> host = host_to_device_layout(array, x.m.dtype, raw, &rows, &cols);
            if (rows != x.m.rows || cols != x.m.cols)
              invalid("upload: array has shape (" + std::to_string(rows) + ", " + std::to_string(cols) +
                      "), the matrix is " + describe(x.m));
            write_rows(x.dev->get(), x.m, host);
          },
          py::arg("array"), py::arg("raw") = false, "Overwrites the matrix with an array of its shape.")
      .def(
          "row_view",
          [](const MatrixPtr& x, uint32_t row0, uint32_t rows) {
            if (rows == 0 || uint64_t(row0) + rows > x->m.rows)
              invalid("row_view: rows " + std::to_string(row0) + ".." + std::to_string(uint64_t(row0) + rows) +
                      " of a " + std::to_string(x->m.rows) + "-row matrix");
            auto v = std::make_shared<Matrix>();
            v->dev = x->dev;
            v->owner = x->owner ? x->owner : std::shared_ptr<void>(x);
            v->m = alias(x->m);
            v->m.rows = rows;
            v->m.buf = kiln::Buffer(nullptr, kiln_buffer{x->m.buf.addr() + uint64_t(row0) * x->m.stride,
                                                         uint64_t(rows) * x->m.stride});
            return v;
          },
          py::arg("row0"), py::arg("rows"), "Rows row0..row0+rows-1 as a matrix sharing this one's memory.")
      .def("__repr__", [](const Matrix& x) { return "<kiln.Matrix " + describe(x.m) + ">"; });

  py::class_<RawBuffer, std::shared_ptr<RawBuffer>>(m, "Buffer", "Raw device memory from Device.alloc.")
      .def_property_readonly("addr", [](const RawBuffer& b) { return b.buf.addr(); })
      .def_property_readonly("size", [](const RawBuffer& b) { return b.buf.size(); })
      .def(
          "write",
          [](RawBuffer& b, py::object data, uint64_t offset) {
            std::string bytes;
            if (py::isinstance<py::bytes>(data) || py::isinstance<py::bytearray>(data)) {
              bytes = py::isinstance<py::bytes>(data) ? std::string(py::bytes(data)) : std::string(py::bytearray(data));
            } else {
              py::array a = py::array::ensure(data, py::array::c_style);
              if (!a) invalid("Buffer.write: expected bytes or a numpy array, got " + type_name(data));
              bytes.assign(static_cast<const char*>(a.data()), size_t(a.nbytes()));
            }
            if (offset > b.buf.size() || bytes.size() > b.buf.size() - offset)
              invalid("Buffer.write: " + std::to_string(bytes.size()) + " bytes at offset " + std::to_string(offset) +
                      " do not fit the " + std::to_string(b.buf.size()) + "-byte buffer");
            b.dev->get().write(b.buf.addr() + offset, bytes.data(), bytes.size());
          },
          py::arg("data"), py::arg("offset") = 0, "Copies a bytes-like object or array into the buffer.")
      .def(
          "read",
          [](RawBuffer& b, uint64_t size, uint64_t offset) {
            if (offset > b.buf.size() || size > b.buf.size() - offset)
              invalid("Buffer.read: " + std::to_string(size) + " bytes at offset " + std::to_string(offset) +
                      " do not fit the " + std::to_string(b.buf.size()) + "-byte buffer");
            std::string out(size, '\0');
            b.dev->get().read(b.buf.addr() + offset, out.data(), size);
            return py::bytes(out);
          },
          py::arg("size"), py::arg("offset") = 0, "Reads bytes from the buffer.");
}

}  // namespace kiln::pyb
