// kiln.CommandBuffer (SDK kernels and raw commands), the attention and layer
// types, and Device.submit / wait / run.
#include <limits>

#include "common.h"
#include "kiln/sdk/vector.h"

namespace kiln::pyb {

namespace {

// A RoPE table or KV cache owned by Python (keeps the device alive).
struct RopeTableObj {
  DevicePtr dev;
  sdk::RopeTable t;
};
struct KvCacheObj {
  DevicePtr dev;
  sdk::KvCache c;
};
// Layer weights: aliases of Python matrices, which it keeps alive.
struct LayerWeightsObj {
  std::vector<MatrixPtr> owners;
  sdk::LlamaLayerWeights w;
};

std::string where(const char* kernel, const char* operand) { return std::string(kernel) + ": " + operand; }

// An operand of a command on `cl`'s device; remembered so its memory outlives the commands.
const sdk::DeviceMatrix& use(CommandList& cl, const MatrixPtr& x, const char* kernel, const char* operand) {
  if (!x) invalid(where(kernel, operand) + " is None, expected a kiln.Matrix");
  if (x->dev != cl.dev) invalid(where(kernel, operand) + " lives on another device");
  cl.refs.push_back(py::cast(x));
  return x->m;
}
template <typename T>
T& use_obj(CommandList& cl, const std::shared_ptr<T>& x, const char* kernel, const char* operand) {
  if (!x) invalid(where(kernel, operand) + " is None");
  if (x->dev != cl.dev) invalid(where(kernel, operand) + " lives on another device");
  cl.refs.push_back(py::cast(x));
  return *x;
}

std::vector<uint32_t> token_ids(py::handle ids, const char* kernel) {
  std::vector<uint32_t> out;
  for (py::handle h : py::iter(ids)) {
    long long v;
    try {
      v = h.cast<long long>();
    } catch (py::cast_error&) {
      invalid(std::string(kernel) + ": ids must be integers, got " +
              std::string(py::str(py::type::handle_of(h).attr("__name__"))));
    }
    if (v < 0 || v > std::numeric_limits<uint32_t>::max())
      invalid(std::string(kernel) + ": id " + std::to_string(v) + " at index " + std::to_string(out.size()) +
              " is negative or too large");
    out.push_back(uint32_t(v));
  }
  return out;
}

uint32_t vector_op(py::handle op) {
  if (py::isinstance<py::str>(op)) {
    sdk::VecOp v;
    if (!sdk::vec_op_from_name(py::str(op), &v))
      invalid("cmd_vector: unknown op '" + std::string(py::str(op)) + "' (add, sub, mul, max, exp, recip, rsqrt, "
              "silu_mul, copy, rowmax, rowsum, rowsumsq, rowargmax, mask_causal, rope, axpy)");
    return uint32_t(v);
  }
  return op.cast<uint32_t>();
}

using CL = CommandList;
using CLP = CommandListPtr;

}  // namespace

void bind_commands(py::module_& m) {
  py::class_<sdk::AttentionShape>(m, "AttentionShape", "Heads of an attention layer (SmolLM2-135M by default).")
      .def(py::init([](uint32_t n_heads, uint32_t n_kv_heads, uint32_t head_dim) {
             return sdk::AttentionShape{n_heads, n_kv_heads, head_dim};
           }),
           py::arg("n_heads") = 9, py::arg("n_kv_heads") = 3, py::arg("head_dim") = 64)
      .def_readwrite("n_heads", &sdk::AttentionShape::n_heads)
      .def_readwrite("n_kv_heads", &sdk::AttentionShape::n_kv_heads)
      .def_readwrite("head_dim", &sdk::AttentionShape::head_dim)
      .def("__repr__", [](const sdk::AttentionShape& s) {
        return "AttentionShape(n_heads=" + std::to_string(s.n_heads) + ", n_kv_heads=" + std::to_string(s.n_kv_heads) +
               ", head_dim=" + std::to_string(s.head_dim) + ")";
      });

  py::class_<sdk::LlamaConfig>(m, "LlamaConfig", "Shapes of a Llama decoder layer (SmolLM2-135M by default).")
      .def(py::init([](uint32_t hidden, uint32_t n_heads, uint32_t n_kv_heads, uint32_t head_dim, uint32_t ffn,
                       float rms_eps, float rope_theta) {
             return sdk::LlamaConfig{hidden, n_heads, n_kv_heads, head_dim, ffn, rms_eps, rope_theta};
           }),
           py::arg("hidden") = 576, py::arg("n_heads") = 9, py::arg("n_kv_heads") = 3, py::arg("head_dim") = 64,
           py::arg("ffn") = 1536, py::arg("rms_eps") = 1e-5f, py::arg("rope_theta") = 100000.0f)
      .def_readwrite("hidden", &sdk::LlamaConfig::hidden)
      .def_readwrite("n_heads", &sdk::LlamaConfig::n_heads)
      .def_readwrite("n_kv_heads", &sdk::LlamaConfig::n_kv_heads)
      .def_readwrite("head_dim", &sdk::LlamaConfig::head_dim)
      .def_readwrite("ffn", &sdk::LlamaConfig::ffn)
      .def_readwrite("rms_eps", &sdk::LlamaConfig::rms_eps)
      .def_readwrite("rope_theta", &sdk::LlamaConfig::rope_theta)
      .def("__repr__", [](const sdk::LlamaConfig& c) {
        return "LlamaConfig(hidden=" + std::to_string(c.hidden) + ", n_heads=" + std::to_string(c.n_heads) +
               ", n_kv_heads=" + std::to_string(c.n_kv_heads) + ", head_dim=" + std::to_string(c.head_dim) +
               ", ffn=" + std::to_string(c.ffn) + ", rms_eps=" + std::to_string(c.rms_eps) +
               ", rope_theta=" + std::to_string(c.rope_theta) + ")";
      });

  py::class_<RopeTableObj, std::shared_ptr<RopeTableObj>>(m, "RopeTable",
                                                          "cos/sin table for rope() (make_rope_table).")
      .def_property_readonly("head_dim", [](const RopeTableObj& r) { return r.t.head_dim; })
      .def_property_readonly("theta", [](const RopeTableObj& r) { return r.t.theta; })
      .def_property_readonly("max_pos", [](const RopeTableObj& r) { return r.t.cs.rows; });
  m.def(
      "make_rope_table",
      [](const DevicePtr& dev, uint32_t max_pos, uint32_t head_dim, float theta) {
        if (!dev) invalid("make_rope_table: dev is None");
        auto r = std::make_shared<RopeTableObj>();
        r->dev = dev;
        r->t = sdk::make_rope_table(dev->get(), max_pos, head_dim, theta);
        return r;
      },
      py::arg("dev"), py::arg("max_pos"), py::arg("head_dim"), py::arg("theta") = 100000.0f,
      "FP32 [max_pos][head_dim] (cos, sin) of pos * theta^(-2i/head_dim), computed in FP64, on the device.");

  py::class_<KvCacheObj, std::shared_ptr<KvCacheObj>>(
      m, "KvCache", "BF16 key/value cache: k, v are [n_kv_heads * max_len][head_dim] (head h at rows h*max_len...).")
      .def(py::init([](const DevicePtr& dev, const sdk::AttentionShape& s, uint32_t max_len) {
             if (!dev) invalid("KvCache: dev is None");
             auto c = std::make_shared<KvCacheObj>();
             c->dev = dev;
             c->c = sdk::make_kv_cache(dev->get(), s, max_len);
             return c;
           }),
           py::arg("dev"), py::arg("shape"), py::arg("max_len"))
      .def_property_readonly("max_len", [](const KvCacheObj& c) { return c.c.max_len; })
      .def_property_readonly("n_kv_heads", [](const KvCacheObj& c) { return c.c.n_kv_heads; })
      .def_property_readonly("head_dim", [](const KvCacheObj& c) { return c.c.head_dim; })
      .def_property_readonly("k", [](const std::shared_ptr<KvCacheObj>& c) {
        auto v = std::make_shared<Matrix>();
        v->dev = c->dev, v->owner = c, v->m = alias(c->c.k);
        return v;
      }, "The key cache as a matrix view.")
      .def_property_readonly("v", [](const std::shared_ptr<KvCacheObj>& c) {
        auto v = std::make_shared<Matrix>();
        v->dev = c->dev, v->owner = c, v->m = alias(c->c.v);
        return v;
      }, "The value cache as a matrix view.");

  py::class_<LayerWeightsObj, std::shared_ptr<LayerWeightsObj>>(
      m, "LlamaLayerWeights", "Weights of one decoder layer: BF16 projections [out][in], norm weights [1][hidden].")
      .def(py::init([](MatrixPtr attn_norm, MatrixPtr wq, MatrixPtr wk, MatrixPtr wv, MatrixPtr wo, MatrixPtr ffn_norm,
                       MatrixPtr w_gate, MatrixPtr w_up, MatrixPtr w_down) {
             auto o = std::make_shared<LayerWeightsObj>();
             const std::pair<const char*, MatrixPtr*> all[] = {
                 {"attn_norm", &attn_norm}, {"wq", &wq}, {"wk", &wk}, {"wv", &wv}, {"wo", &wo},
                 {"ffn_norm", &ffn_norm}, {"w_gate", &w_gate}, {"w_up", &w_up}, {"w_down", &w_down}};
             for (const auto& [name, p] : all) {
               if (!*p) invalid(std::string("LlamaLayerWeights: ") + name + " is None");
               if ((*p)->dev != attn_norm->dev)
                 invalid(std::string("LlamaLayerWeights: ") + name + " lives on another device");
               o->owners.push_back(*p);
             }
             auto& w = o->w;
             w.attn_norm = alias(attn_norm->m), w.wq = alias(wq->m), w.wk = alias(wk->m), w.wv = alias(wv->m);
             w.wo = alias(wo->m), w.ffn_norm = alias(ffn_norm->m), w.w_gate = alias(w_gate->m);
             w.w_up = alias(w_up->m), w.w_down = alias(w_down->m);
             return o;
           }),
           py::arg("attn_norm"), py::arg("wq"), py::arg("wk"), py::arg("wv"), py::arg("wo"), py::arg("ffn_norm"),
           py::arg("w_gate"), py::arg("w_up"), py::arg("w_down"));

  py::class_<CL, CLP>(m, "CommandBuffer",
                      "Commands for one device, submitted with Device.run / Device.submit. Kernel methods append "
                      "a whole kernel (each starts and ends with a barrier, so kernels batch safely); cmd_* "
                      "append single commands. Keeps every operand and the kernels' intermediates alive until "
                      "reset(). Every method returns the buffer, so calls chain.")
      .def(py::init([](const DevicePtr& dev) {
             if (!dev) invalid("CommandBuffer: dev is None");
             dev->get();  // refuse a closed device now, not at submit
             return std::make_shared<CL>(dev);
           }),
           py::arg("dev"))
      .def("__len__", [](const CL& c) { return c.cb.size(); })
      .def("reset", [](CL& c) { c.reset(); }, "Drops the commands and what they kept alive (waits for a "
                                                  "submission of them that is still running).")
      .def("data", [](const CL& c) {
        return py::bytes(static_cast<const char*>(c.cb.data()), c.cb.size() * 64);
      }, "The commands as written to the ring (64 bytes each).")
      // ---- SDK kernels ----
      .def("gemm", [](const CLP& c, const MatrixPtr& a, const MatrixPtr& b, const MatrixPtr& out, bool bt) {
        sdk::GemmOptions o;
        o.b_transposed = bt;
        sdk::gemm_commands(c->cb, use(*c, a, "gemm", "a"), use(*c, b, "gemm", "b"), use(*c, out, "gemm", "out"), o);
        return c;
      }, py::arg("a"), py::arg("b"), py::arg("out"), py::arg("b_transposed") = false,
         "out = a @ b (a, b BF16 -> out BF16/FP32; INT8 -> INT32). b_transposed: b given as [N][K].")
      .def("rmsnorm", [](const CLP& c, const MatrixPtr& x, const MatrixPtr& w, float eps, const MatrixPtr& out) {
        sdk::rmsnorm(c->cb, use(*c, x, "rmsnorm", "x"), use(*c, w, "rmsnorm", "w"), eps, use(*c, out, "rmsnorm", "out"));
        return c;
      }, py::arg("x"), py::arg("w"), py::arg("eps"), py::arg("out"))
      .def("softmax", [](const CLP& c, const MatrixPtr& x, const MatrixPtr& out) {
        sdk::softmax(c->cb, use(*c, x, "softmax", "x"), use(*c, out, "softmax", "out"));
        return c;
      }, py::arg("x"), py::arg("out"))
      .def("residual_add", [](const CLP& c, const MatrixPtr& a, const MatrixPtr& b, const MatrixPtr& out) {
        sdk::residual_add(c->cb, use(*c, a, "residual_add", "a"), use(*c, b, "residual_add", "b"),
                          use(*c, out, "residual_add", "out"));
        return c;
      }, py::arg("a"), py::arg("b"), py::arg("out"))
      .def("argmax", [](const CLP& c, const MatrixPtr& x, const MatrixPtr& out) {
        sdk::argmax(c->cb, use(*c, x, "argmax", "x"), use(*c, out, "argmax", "out"));
        return c;
      }, py::arg("x"), py::arg("out"))
      .def("embedding", [](const CLP& c, const MatrixPtr& table, py::handle ids, const MatrixPtr& out) {
        const std::vector<uint32_t> v = token_ids(ids, "embedding");
        sdk::embedding(c->cb, use(*c, table, "embedding", "table"), v, use(*c, out, "embedding", "out"));
        return c;
      }, py::arg("table"), py::arg("ids"), py::arg("out"))
      .def("rope", [](const CLP& c, const std::shared_ptr<RopeTableObj>& t, const MatrixPtr& x, uint32_t pos0,
                      const MatrixPtr& out) {
        sdk::rope(c->cb, use_obj(*c, t, "rope", "table").t, use(*c, x, "rope", "x"), pos0, use(*c, out, "rope", "out"));
        return c;
      }, py::arg("table"), py::arg("x"), py::arg("pos0"), py::arg("out"))
      .def("mlp", [](const CLP& c, const MatrixPtr& x, const MatrixPtr& wg, const MatrixPtr& wu, const MatrixPtr& wd,
                     const MatrixPtr& out) {
        sdk::mlp(c->cb, c->workspace(), use(*c, x, "mlp", "x"), use(*c, wg, "mlp", "w_gate"),
                 use(*c, wu, "mlp", "w_up"), use(*c, wd, "mlp", "w_down"), use(*c, out, "mlp", "out"));
        return c;
      }, py::arg("x"), py::arg("w_gate"), py::arg("w_up"), py::arg("w_down"), py::arg("out"))
      .def("attention", [](const CLP& c, const sdk::AttentionShape& s, const MatrixPtr& q, const MatrixPtr& k,
                           const MatrixPtr& v, const std::shared_ptr<KvCacheObj>& cache, uint32_t pos0,
                           const MatrixPtr& out) {
        sdk::attention(c->cb, c->workspace(), s, use(*c, q, "attention", "q"), use(*c, k, "attention", "k_new"),
                       use(*c, v, "attention", "v_new"), use_obj(*c, cache, "attention", "cache").c, pos0,
                       use(*c, out, "attention", "out"));
        return c;
      }, py::arg("shape"), py::arg("q"), py::arg("k_new"), py::arg("v_new"), py::arg("cache"), py::arg("pos0"),
         py::arg("out"))
      .def("decoder_layer", [](const CLP& c, const sdk::LlamaConfig& cfg, const std::shared_ptr<LayerWeightsObj>& w,
                               const std::shared_ptr<RopeTableObj>& t, const std::shared_ptr<KvCacheObj>& cache,
                               uint32_t pos0, const MatrixPtr& x) {
        if (!w) invalid("decoder_layer: weights is None");
        for (const MatrixPtr& o : w->owners) use(*c, o, "decoder_layer", "weights");
        sdk::decoder_layer(c->cb, c->workspace(), cfg, w->w, use_obj(*c, t, "decoder_layer", "rope_table").t,
                           use_obj(*c, cache, "decoder_layer", "cache").c, pos0, use(*c, x, "decoder_layer", "x"));
        return c;
      }, py::arg("cfg"), py::arg("weights"), py::arg("rope_table"), py::arg("cache"), py::arg("pos0"), py::arg("x"))
      // ---- single commands (docs/commands.md; addresses in scratchpad words unless named dram) ----
      .def("cmd_dma", [](const CLP& c, uint32_t ch, uint32_t dir, uint64_t dram, uint32_t spad, uint32_t row_bytes,
                         uint32_t rows, uint32_t dram_stride, uint32_t spad_stride) {
        c->cb.dma(ch, dir, dram, spad, row_bytes, rows, dram_stride, spad_stride);
        return c;
      }, py::arg("channel"), py::arg("dir"), py::arg("dram_addr"), py::arg("spad_addr"), py::arg("row_bytes"),
         py::arg("rows"), py::arg("dram_stride"), py::arg("spad_stride"),
         "DMA: dir 0 = device memory -> scratchpad, 1 = back; spad_addr and spad_stride in bytes.")
      .def("cmd_gemm", [](const CLP& c, uint32_t flags, uint32_t a, uint32_t as, uint32_t b, uint32_t bs, uint32_t acc,
                          uint32_t mm, uint32_t n, uint32_t k) {
        c->cb.gemm_flags(flags, a, as, b, bs, acc, mm, n, k);
        return c;
      }, py::arg("flags"), py::arg("a_addr"), py::arg("a_stride"), py::arg("b_addr"), py::arg("b_stride"),
         py::arg("acc_addr"), py::arg("m"), py::arg("n"), py::arg("k"),
         "GEMM command; flags = dtype (0 BF16, 1 INT8) | 0x100 accumulate | 0x200 B transposed.")
      .def("cmd_writeback", [](const CLP& c, bool fp32, uint32_t acc, uint32_t out, uint32_t stride, uint32_t mm,
                               uint32_t n) {
        c->cb.writeback(fp32, acc, out, stride, mm, n);
        return c;
      }, py::arg("out_fp32"), py::arg("acc_addr"), py::arg("out_addr"), py::arg("out_stride"), py::arg("m"), py::arg("n"))
      .def("cmd_vector", [](const CLP& c, py::handle op, uint32_t flags, uint32_t rows, uint32_t cols, uint32_t s0,
                            uint32_t s0s, uint32_t s1, uint32_t s1s, uint32_t s2, uint32_t dst, uint32_t dsts,
                            uint32_t imm, uint32_t aux) {
        c->cb.vector(vector_op(op), flags, rows, cols, s0, s0s, s1, s1s, s2, dst, dsts, imm, aux);
        return c;
      }, py::arg("op"), py::arg("flags"), py::arg("rows"), py::arg("cols"), py::arg("src0_addr"),
         py::arg("src0_stride"), py::arg("src1_addr") = 0, py::arg("src1_stride") = 0, py::arg("src2_addr") = 0,
         py::arg("dst_addr") = 0, py::arg("dst_stride") = 0, py::arg("imm") = 0, py::arg("aux") = 0,
         "VECTOR command; op is a name (\"exp\", \"rowmax\", ...) or its number.")
      .def("cmd_barrier", [](const CLP& c, uint32_t mask) {
        c->cb.barrier(mask);
        return c;
      }, py::arg("mask") = KILN_UNIT_ALL, "BARRIER on the units in mask (kiln.UNIT_*).")
      .def("cmd_nop", [](const CLP& c) {
        c->cb.nop();
        return c;
      });

  // Submission lives on Device but needs CommandList, so it is added here.
  py::object dev_cls = m.attr("Device");
  auto method = [&](const char* name, auto&& f, auto&&... extra) {
    dev_cls.attr(name) = py::cpp_function(std::forward<decltype(f)>(f), py::name(name), py::is_method(dev_cls),
                                          py::sibling(py::getattr(dev_cls, name, py::none())), extra...);
  };
  method("submit", [](const DevicePtr& d, const CLP& c, bool validate) {
    if (!c) invalid("submit: cb is None");
    if (c->dev != d) invalid("submit: the command buffer belongs to another device");
    const uint64_t fence = d->get().submit(c->cb, validate ? 0u : KILN_SUBMIT_NO_VALIDATE);
    c->pending_fence = fence;
    return fence;
  }, py::arg("cb"), py::arg("validate") = true,
     "Queues the commands (plus a fence); returns the fence for wait(). validate=False skips the driver's checks.");
  method("wait", [](DeviceHandle& d, uint64_t fence, uint64_t timeout_ns) { d.get().wait(fence, timeout_ns); },
         py::arg("fence"), py::arg("timeout_ns") = 0, "Waits for a fence (simulated time; 0 = device default).");
  method("run", [](const DevicePtr& d, const CLP& c, uint64_t timeout_ns) {
    if (!c) invalid("run: cb is None");
    if (c->dev != d) invalid("run: the command buffer belongs to another device");
    kiln::Device& dev = d->get();
    c->pending_fence = dev.submit(c->cb);
    dev.wait(c->pending_fence, timeout_ns);
    c->pending_fence = 0;
  }, py::arg("cb"), py::arg("timeout_ns") = 0, "submit + wait.");
}

}  // namespace kiln::pyb
