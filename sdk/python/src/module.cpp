// kiln._kiln: the compiled half of the Python SDK (docs/python.md). The
// package kiln (sdk/python/kiln) re-exports it and adds pure-Python helpers.
#include <cstring>
#include <optional>

#include "common.h"
#include "kiln/golden/numerics.h"
#include "kiln/model/gguf.h"
#include "kiln/model/tokenizer.h"

namespace kiln::pyb {

[[noreturn]] void invalid(const std::string& msg) { throw kiln::Error(KILN_ERR_INVALID_ARGUMENT, msg); }

namespace {

// Exception types, created once and deliberately never freed: the translator
// may run until the interpreter is gone, and a static py::object would be
// destroyed after it.
PyObject* g_error = nullptr;
PyObject* g_gguf_error = nullptr;
PyObject* g_tokenizer_error = nullptr;

PyObject* new_exception(py::module_& m, const char* name, PyObject* base, const char* doc) {
  // Named "kiln.X" so tracebacks show the package users import.
  const std::string qual = std::string("kiln.") + name;
  PyObject* t = PyErr_NewExceptionWithDoc(qual.c_str(), doc, base, nullptr);
  if (!t) throw py::error_already_set();
  m.add_object(name, py::reinterpret_borrow<py::object>(t));
  return t;
}

// Raises `type(msg)` with .status / .status_name set. Messages can carry bytes
// from a corrupt file, so they are decoded with replacement, never refused.
void raise(PyObject* type, const char* msg, std::optional<int> status) {
  py::object text =
      py::reinterpret_steal<py::object>(PyUnicode_DecodeUTF8(msg, Py_ssize_t(std::strlen(msg)), "replace"));
  if (!text) return;
  py::object exc = py::reinterpret_steal<py::object>(PyObject_CallOneArg(type, text.ptr()));
  if (!exc) return;
  if (status) {
    py::object code = py::int_(*status);
    // kiln/__init__.py sets Error._status_type = Status (an IntEnum) so the
    // code prints by name; without it the plain int is still correct.
    py::object enum_type = py::getattr(py::handle(type), "_status_type", py::none());
    if (!enum_type.is_none()) {
      try {
        code = enum_type(*status);
      } catch (py::error_already_set&) {  // a code newer than the enum
      }
    }
    exc.attr("status") = code;
    exc.attr("status_name") = py::str(kiln_status_name(static_cast<kiln_status>(*status)));
  } else {
    exc.attr("status") = py::none();
    exc.attr("status_name") = py::none();
  }
  PyErr_SetObject(type, exc.ptr());
}

template <typename Out, typename In, typename F>
py::array_t<Out> map_array(const py::array_t<In, py::array::c_style | py::array::forcecast>& in, F f) {
  py::array_t<Out> out(std::vector<py::ssize_t>(in.shape(), in.shape() + in.ndim()));
  const In* src = in.data();
  Out* dst = out.mutable_data();
  for (py::ssize_t i = 0; i < in.size(); ++i) dst[i] = f(src[i]);
  return out;
}

uint16_t round_bf16(float f) {
  uint32_t b;
  std::memcpy(&b, &f, 4);
  return golden::fp32_to_bf16(b);
}
float widen_bf16(uint16_t b) {
  const uint32_t u = uint32_t(b) << 16;
  float f;
  std::memcpy(&f, &u, 4);
  return f;
}

}  // namespace

}  // namespace kiln::pyb

PYBIND11_MODULE(_kiln, m) {
  using namespace kiln::pyb;
  m.doc() = "Kiln NPU SDK bindings (import the package `kiln`, not this module)";

  g_error = new_exception(m, "Error", PyExc_RuntimeError,
                          "An error from the Kiln driver, SDK or model loader. `status` is the driver's "
                          "kiln_status (kiln.Status) or None for model-file errors; str(e) is the message.");
  g_gguf_error = new_exception(m, "GgufError", g_error, "A malformed or unsupported GGUF file (status None).");
  g_tokenizer_error =
      new_exception(m, "TokenizerError", g_error, "Tokenizer metadata the tokenizer cannot use (status None).");
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const kiln::Error& e) {
      raise(g_error, e.what(), int(e.status()));
    } catch (const kiln::model::GgufError& e) {
      raise(g_gguf_error, e.what(), std::nullopt);
    } catch (const kiln::model::TokenizerError& e) {
      raise(g_tokenizer_error, e.what(), std::nullopt);
    }
  });

  py::dict names;
  for (int s = KILN_OK; s <= KILN_ERR_HALTED; ++s) names[py::int_(s)] = kiln_status_name(static_cast<kiln_status>(s));
  m.attr("status_names") = names;
  m.attr("UNIT_ALL") = py::int_(KILN_UNIT_ALL);
  m.attr("UNIT_TC") = py::int_(KILN_UNIT_TC);
  m.attr("UNIT_VU") = py::int_(KILN_UNIT_VU);
  m.def("UNIT_DMA", [](uint32_t ch) { return 1u << ch; }, py::arg("channel"), "Barrier mask bit of a DMA channel.");

  m.def("bf16_bits",
        [](const py::array_t<float, py::array::c_style | py::array::forcecast>& x) {
          return map_array<uint16_t>(x, round_bf16);
        },
        py::arg("x"),
        "BF16 bit patterns (uint16) of float32 values, rounded as the NPU rounds: nearest even, "
        "denormals to signed zero, NaN to 0x7FC0.");
  m.def("bf16_to_float",
        [](const py::array_t<uint16_t, py::array::c_style | py::array::forcecast>& b) {
          return map_array<float>(b, widen_bf16);
        },
        py::arg("bits"), "float32 values of BF16 bit patterns (exact).");
  m.def("to_bf16",
        [](const py::array_t<float, py::array::c_style | py::array::forcecast>& x) {
          return map_array<float>(x, [](float f) { return widen_bf16(round_bf16(f)); });
        },
        py::arg("x"), "float32 values rounded to BF16 as the NPU rounds them (for host references).");

  bind_device(m);
  bind_commands(m);
  bind_model(m);
}
