// kiln.GgufFile, kiln.Tokenizer and kiln.LlamaModel (docs/model.md).
#include <pybind11/functional.h>

#include "common.h"
#include "kiln/model/gguf.h"
#include "kiln/model/tokenizer.h"
#ifdef KILN_PY_HAVE_LLM
#include "kiln/model/llama.h"
#endif

namespace kiln::pyb {

namespace {

using model::GgufFile;
using model::GgufTensor;
using model::GgufType;
using model::GgufValue;

// Strings in GGUF files need not be UTF-8: decode with replacement rather than fail.
py::str text(const std::string& s) {
  return py::reinterpret_steal<py::str>(PyUnicode_DecodeUTF8(s.data(), Py_ssize_t(s.size()), "replace"));
}

py::object value_to_py(const GgufValue& v) {
  switch (v.type) {
    case GgufType::kUint8: case GgufType::kUint16: case GgufType::kUint32: case GgufType::kUint64:
      return py::int_(v.u);
    case GgufType::kInt8: case GgufType::kInt16: case GgufType::kInt32: case GgufType::kInt64:
      return py::int_(v.i);
    case GgufType::kFloat32: case GgufType::kFloat64:
      return py::float_(v.f);
    case GgufType::kBool:
      return py::bool_(v.b);
    case GgufType::kString:
      return text(v.s);
    case GgufType::kArray: {
      py::list l(v.items.size());
      for (size_t i = 0; i < v.items.size(); ++i) l[i] = value_to_py(v.items[i]);
      return std::move(l);
    }
  }
  return py::none();
}

py::dict tensor_info(const GgufTensor& t) {
  py::dict d;
  d["name"] = t.name;
  d["shape"] = py::tuple(py::cast(t.shape));
  d["type"] = t.type;
  d["type_name"] = model::tensor_type_info(t.type).name;
  d["n_elements"] = t.n_elements;
  d["n_bytes"] = t.n_bytes;
  d["offset"] = t.offset;
  return d;
}

// numpy shape of a tensor: GGUF lists the contiguous dimension first.
std::vector<py::ssize_t> numpy_shape(const GgufTensor& t) {
  std::vector<py::ssize_t> s(t.shape.rbegin(), t.shape.rend());
  if (s.empty()) s.push_back(1);
  return s;
}

std::vector<model::ChatMessage> messages(py::handle msgs) {
  std::vector<model::ChatMessage> out;
  for (py::handle h : py::iter(msgs)) {
    if (py::isinstance<py::dict>(h)) {
      py::dict d = py::reinterpret_borrow<py::dict>(h);
      if (!d.contains("role") || !d.contains("content"))
        invalid("chat message " + std::to_string(out.size()) + " needs 'role' and 'content'");
      out.push_back({py::str(d["role"]), py::str(d["content"])});
    } else {
      auto t = h.cast<std::pair<std::string, std::string>>();
      out.push_back({t.first, t.second});
    }
  }
  return out;
}

#ifdef KILN_PY_HAVE_LLM
struct LlamaModelObj {
  DevicePtr dev;  // first: destroyed after the model's buffers
  std::unique_ptr<model::LlamaModel> model;
};
#endif

}  // namespace

void bind_model(py::module_& m) {
  py::class_<GgufFile>(m, "GgufFile", "A GGUF model file, mapped read-only (metadata, tensors, dequantization).")
      .def(py::init([](const std::string& path) { return GgufFile::open(path); }), py::arg("path"))
      .def_static("from_bytes", [](py::bytes b, const std::string& name) {
        const std::string s = b;
        return GgufFile::from_buffer(std::vector<uint8_t>(s.begin(), s.end()), name);
      }, py::arg("data"), py::arg("name") = "<memory>")
      .def_property_readonly("path", &GgufFile::path)
      .def_property_readonly("version", &GgufFile::version)
      .def_property_readonly("alignment", &GgufFile::alignment)
      .def_property_readonly("file_size", &GgufFile::file_size)
      .def("keys", [](const GgufFile& f) {
        py::list l;
        for (const auto& k : f.keys()) l.append(text(k));
        return l;
      }, "Metadata keys in file order.")
      .def("__contains__", [](const GgufFile& f, const std::string& k) { return f.has(k); })
      .def("__getitem__", [](const GgufFile& f, const std::string& k) {
        if (!f.has(k)) throw py::key_error(k);
        return value_to_py(f.get(k));
      })
      .def("get", [](const GgufFile& f, const std::string& k, py::object def) {
        return f.has(k) ? value_to_py(f.get(k)) : def;
      }, py::arg("key"), py::arg("default") = py::none())
      .def("metadata", [](const GgufFile& f) {
        py::dict d;
        for (const auto& k : f.keys()) d[text(k)] = value_to_py(f.get(k));
        return d;
      }, "All metadata as a dict.")
      .def("tensors", [](const GgufFile& f) {
        py::list l;
        for (const auto& t : f.tensors()) l.append(tensor_info(t));
        return l;
      }, "Tensor infos (name, shape in GGUF order, type, type_name, n_elements, n_bytes, offset).")
      .def("has_tensor", [](const GgufFile& f, const std::string& n) { return f.has_tensor(n); })
      .def("tensor", [](const GgufFile& f, const std::string& n) { return tensor_info(f.tensor(n)); }, py::arg("name"))
      .def("raw_bytes", [](const GgufFile& f, const std::string& n) {
        const std::string_view v = f.raw_bytes(f.tensor(n));
        return py::bytes(v.data(), v.size());
      }, py::arg("name"))
      .def("dequantize", [](const GgufFile& f, const std::string& n, const std::string& dtype) {
        const GgufTensor& t = f.tensor(n);
        if (dtype == "fp32") {
          const std::vector<float> v = f.dequantize_f32(t);
          py::array_t<float> a(numpy_shape(t));
          std::copy(v.begin(), v.end(), a.mutable_data());
          return py::array(a);
        }
        if (dtype == "bf16") {
          const std::vector<uint16_t> v = f.dequantize_bf16(t);
          py::array_t<uint16_t> a(numpy_shape(t));
          std::copy(v.begin(), v.end(), a.mutable_data());
          return py::array(a);
        }
        invalid("dequantize: dtype must be \"fp32\" or \"bf16\" (uint16 bit patterns), got \"" + dtype + "\"");
      }, py::arg("name"), py::arg("dtype") = "fp32",
         "The tensor as numpy, numpy shape = GGUF shape reversed (token_embd.weight -> (vocab, hidden)).")
      .def("__repr__", [](const GgufFile& f) {
        return "<kiln.GgufFile " + f.path() + " v" + std::to_string(f.version()) + ", " +
               std::to_string(f.keys().size()) + " keys, " + std::to_string(f.tensors().size()) + " tensors>";
      });

  py::class_<model::Tokenizer>(m, "Tokenizer", "Byte-level BPE tokenizer from GGUF metadata (docs/model.md).")
      .def(py::init([](const GgufFile& f) { return model::Tokenizer::from_gguf(f); }), py::arg("gguf"))
      .def("encode", [](const model::Tokenizer& t, const std::string& s, bool special, bool bos) {
        return t.encode(s, special, bos);
      }, py::arg("text"), py::arg("parse_special") = true, py::arg("add_bos") = false)
      .def("decode", [](const model::Tokenizer& t, const std::vector<int32_t>& ids, bool skip) {
        return text(t.decode(ids, skip));
      }, py::arg("ids"), py::arg("skip_special") = false,
         "Text of the ids (bytes that are not UTF-8 become U+FFFD; decode_bytes keeps them).")
      .def("decode_bytes", [](const model::Tokenizer& t, const std::vector<int32_t>& ids, bool skip) {
        return py::bytes(t.decode(ids, skip));
      }, py::arg("ids"), py::arg("skip_special") = false)
      .def("token_bytes", [](const model::Tokenizer& t, int32_t id) { return py::bytes(t.token_bytes(id)); })
      .def("token_text", [](const model::Tokenizer& t, int32_t id) { return text(t.token_text(id)); })
      .def("token_id", [](const model::Tokenizer& t, const std::string& s) { return t.token_id(s); })
      .def("apply_chat_template", [](const model::Tokenizer& t, py::handle msgs, bool gen) {
        return text(t.apply_chat_template(messages(msgs), gen));
      }, py::arg("messages"), py::arg("add_generation_prompt") = true,
         "messages: [{'role': ..., 'content': ...}] or [(role, content)].")
      .def("encode_chat", [](const model::Tokenizer& t, py::handle msgs, bool gen) {
        return t.encode_chat(messages(msgs), gen);
      }, py::arg("messages"), py::arg("add_generation_prompt") = true)
      .def_property_readonly("vocab_size", &model::Tokenizer::vocab_size)
      .def_property_readonly("bos_id", &model::Tokenizer::bos_id)
      .def_property_readonly("eos_id", &model::Tokenizer::eos_id)
      .def_property_readonly("unk_id", &model::Tokenizer::unk_id)
      .def_property_readonly("pad_id", &model::Tokenizer::pad_id)
      .def_property_readonly("default_system_prompt",
                             [](const model::Tokenizer& t) { return text(t.default_system_prompt()); });

#ifdef KILN_PY_HAVE_LLM
  m.attr("HAVE_LLAMA") = true;
  m.def("default_model_path", &model::default_model_path,
        "$KILN_MODEL, else ${KILN_CACHE:-~/.cache/kiln}/models/SmolLM2-135M-Instruct.Q4_1.gguf.");

  py::class_<model::LlamaHparams>(m, "LlamaHparams")
      .def_readonly("layer", &model::LlamaHparams::layer)
      .def_readonly("n_layers", &model::LlamaHparams::n_layers)
      .def_readonly("vocab", &model::LlamaHparams::vocab)
      .def_readonly("context_length", &model::LlamaHparams::context_length)
      .def_readonly("tied_output", &model::LlamaHparams::tied_output);
  m.def("llama_hparams", &model::llama_hparams, py::arg("gguf"));

  py::class_<LlamaModelObj, std::shared_ptr<LlamaModelObj>>(
      m, "LlamaModel", "A llama-architecture GGUF model (SmolLM2) on the device: weights in BF16, a KV cache of "
                       "max_ctx positions, forward() returns the last token's logits.")
      .def(py::init([](const DevicePtr& dev, const GgufFile& f, uint32_t max_ctx, py::object progress) {
             if (!dev) invalid("LlamaModel: dev is None");
             model::LoadProgress cb;
             if (!progress.is_none())
               cb = [progress](size_t done, size_t total, const std::string& name) { progress(done, total, name); };
             auto o = std::make_shared<LlamaModelObj>();
             o->dev = dev;
             o->model = std::make_unique<model::LlamaModel>(dev->get(), f, max_ctx, cb);
             return o;
           }),
           py::arg("dev"), py::arg("gguf"), py::arg("max_ctx"), py::arg("progress") = py::none(),
           "progress(done, total, tensor_name) is called as tensors load.")
      .def("forward", [](LlamaModelObj& o, const std::vector<int32_t>& ids) {
        o.dev->get();  // refuse a closed device
        const std::vector<float> logits = o.model->forward(ids);
        py::array_t<float> a(py::ssize_t(logits.size()));
        std::copy(logits.begin(), logits.end(), a.mutable_data());
        return a;
      }, py::arg("ids"), "Runs ids at the next positions; returns the last token's FP32 logits (numpy).")
      .def("reset", [](LlamaModelObj& o) { o.model->reset(); }, "Forget the KV cache (next forward at position 0).")
      .def_property_readonly("position", [](const LlamaModelObj& o) { return o.model->position(); })
      .def_property_readonly("max_ctx", [](const LlamaModelObj& o) { return o.model->max_ctx(); })
      .def_property_readonly("hparams", [](const LlamaModelObj& o) { return o.model->hparams(); })
      .def_property_readonly("last_argmax", [](const LlamaModelObj& o) { return o.model->last_argmax(); },
                             "The device argmax of the last forward's logits.")
      .def_property_readonly("last_stats", [](const LlamaModelObj& o) {
        const model::ForwardStats& s = o.model->last_stats();
        py::dict d;
        d["tokens"] = s.tokens;
        d["device_ns"] = s.device_ns;
        d["npu_cycles"] = s.npu_cycles;
        d["submissions"] = s.submissions;
        d["commands"] = s.commands;
        return d;
      });
#else
  m.attr("HAVE_LLAMA") = false;
#endif
}

}  // namespace kiln::pyb
