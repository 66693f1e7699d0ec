// LlamaModel: SmolLM2 (any llama-architecture GGUF whose shapes the kernels
// accept) on the NPU. One submission for the embedding, one per decoder layer,
// one for the head: the layer boundary is where a caller may switch NPUs, and
// per-layer workspaces are freed as soon as their fence has signalled.
#include "kiln/model/llama.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <sstream>

namespace kiln::model {

using sdk::DeviceMatrix;
using sdk::DType;

std::string default_model_path() {
  if (const char* p = std::getenv("KILN_MODEL"); p && *p) return p;
  std::string cache;
  if (const char* c = std::getenv("KILN_CACHE"); c && *c)
    cache = c;
  else if (const char* h = std::getenv("HOME"); h && *h)
    cache = std::string(h) + "/.cache/kiln";
  else
    cache = ".cache/kiln";
  return cache + "/models/SmolLM2-135M-Instruct.Q4_1.gguf";
}

LlamaHparams llama_hparams(const GgufFile& f) {
  const std::string arch = f.get_string("general.architecture");
  if (arch != "llama")
    throw GgufError(f.path() + ": general.architecture is \"" + arch + "\"; only \"llama\" models run on Kiln");
  LlamaHparams h;
  auto& c = h.layer;
  c.hidden = f.get_u32("llama.embedding_length");
  c.ffn = f.get_u32("llama.feed_forward_length");
  c.n_heads = f.get_u32("llama.attention.head_count");
  c.n_kv_heads = f.has("llama.attention.head_count_kv") ? f.get_u32("llama.attention.head_count_kv") : c.n_heads;
  h.n_layers = f.get_u32("llama.block_count");
  h.context_length = f.has("llama.context_length") ? f.get_u32("llama.context_length") : 2048;
  c.rms_eps = f.get_f32("llama.attention.layer_norm_rms_epsilon");
  c.rope_theta = f.has("llama.rope.freq_base") ? f.get_f32("llama.rope.freq_base") : 10000.0f;
  auto bad = [&](const std::string& why) { throw GgufError(f.path() + ": " + why); };
  if (c.hidden == 0 || c.n_heads == 0 || c.n_kv_heads == 0 || h.n_layers == 0 || c.ffn == 0)
    bad("llama.embedding_length, feed_forward_length, block_count and head counts must be > 0");
  if (c.hidden % c.n_heads != 0)
    bad("llama.embedding_length " + std::to_string(c.hidden) + " is not a multiple of head_count " +
        std::to_string(c.n_heads));
  if (c.n_heads % c.n_kv_heads != 0)
    bad("head_count " + std::to_string(c.n_heads) + " is not a multiple of head_count_kv " +
        std::to_string(c.n_kv_heads));
  c.head_dim = c.hidden / c.n_heads;
  if (f.has("llama.rope.dimension_count") && f.get_u32("llama.rope.dimension_count") != c.head_dim)
    bad("llama.rope.dimension_count " + std::to_string(f.get_u32("llama.rope.dimension_count")) +
        " != head_dim " + std::to_string(c.head_dim) + " (partial RoPE is not supported)");
  if (f.has("llama.rope.scaling.type") && f.get_string("llama.rope.scaling.type") != "none")
    bad("RoPE scaling \"" + f.get_string("llama.rope.scaling.type") + "\" is not supported");
  const GgufTensor& emb = f.tensor("token_embd.weight");
  if (emb.shape.size() != 2 || emb.shape[0] != c.hidden)
    bad("token_embd.weight must be [" + std::to_string(c.hidden) + ", vocab]");
  h.vocab = static_cast<uint32_t>(emb.shape[1]);
  h.tied_output = !f.has_tensor("output.weight");
  return h;
}

namespace {
// Adds after - before, field by field (kiln_counters is all uint64_t).
void add_counters(kiln_counters* sum, const kiln_counters& before, const kiln_counters& after) {
  static_assert(sizeof(kiln_counters) % sizeof(uint64_t) == 0, "kiln_counters holds uint64_t fields only");
  constexpr size_t n = sizeof(kiln_counters) / sizeof(uint64_t);
  uint64_t s[n], b[n], a[n];
  std::memcpy(s, sum, sizeof s);
  std::memcpy(b, &before, sizeof b);
  std::memcpy(a, &after, sizeof a);
  for (size_t i = 0; i < n; ++i) s[i] += a[i] - b[i];
  std::memcpy(sum, s, sizeof s);
}
}  // namespace

struct LlamaModel::Impl {
  kiln::Device& dev;
  LlamaHparams hp;
  uint32_t max_ctx = 0;
  DeviceMatrix embd, out_norm, out_w;  // out_w empty when tied
  std::vector<sdk::LlamaLayerWeights> layers;
  std::vector<sdk::KvCache> caches;
  sdk::RopeTable rope;
  uint32_t pos = 0;
  int32_t argmax = -1;
  ForwardStats stats;

  Impl(kiln::Device& d) : dev(d) {}

  // A projection [out][in] in GGUF order (shape {in, out}), checked, as BF16.
  DeviceMatrix matrix(const GgufFile& f, const std::string& name, uint32_t out, uint32_t in) {
    const GgufTensor& t = f.tensor(name);
    if (t.shape.size() != 2 || t.shape[0] != in || t.shape[1] != out) {
      std::ostringstream os;
      os << f.path() << ": tensor " << name << " has shape [";
      for (size_t i = 0; i < t.shape.size(); ++i) os << (i ? ", " : "") << t.shape[i];
      os << "], expected [" << in << ", " << out << "]";
      throw GgufError(os.str());
    }
    const std::vector<uint16_t> w = f.dequantize_bf16(t);
    return sdk::upload_matrix(dev, w.data(), out, in, DType::BF16);
  }
  // A norm weight [n] as FP32 (exactly the file's values for F32 tensors).
  DeviceMatrix vec(const GgufFile& f, const std::string& name, uint32_t n) {
    const GgufTensor& t = f.tensor(name);
    if (t.shape.size() != 1 || t.shape[0] != n)
      throw GgufError(f.path() + ": tensor " + name + " must be [" + std::to_string(n) + "]");
    const std::vector<float> w = f.dequantize_f32(t);
    return sdk::upload_matrix(dev, w.data(), 1, n, DType::FP32);
  }

  // Runs what `build` appends as one submission, after the caller's hook.
  template <typename F>
  void submit(const std::function<void(int)>& hook, int part, F&& build) {
    if (hook) hook(part);
    kiln::CommandBuffer cb;
    sdk::Workspace ws(dev);
    build(cb, ws);
    dev.run(cb);
    stats.submissions++;
    stats.commands += cb.size();
  }
};

LlamaModel::LlamaModel(kiln::Device& dev, const GgufFile& f, uint32_t max_ctx, const LoadProgress& progress)
    : impl_(std::make_unique<Impl>(dev)) {
  Impl& m = *impl_;
  m.hp = llama_hparams(f);
  const auto& c = m.hp.layer;
  if (max_ctx == 0 || max_ctx > m.hp.context_length)
    throw kiln::Error(KILN_ERR_INVALID_ARGUMENT, "LlamaModel: max_ctx " + std::to_string(max_ctx) +
                                                     " must be in 1.." + std::to_string(m.hp.context_length) +
                                                     " (the model's context length)");
  m.max_ctx = max_ctx;
  const uint32_t H = c.hidden, QD = c.n_heads * c.head_dim, KD = c.n_kv_heads * c.head_dim;
  const size_t total = 2 + size_t(m.hp.n_layers) * 9 + (m.hp.tied_output ? 0 : 1);
  size_t done = 0;
  auto step = [&](const std::string& name) {
    if (progress) progress(++done, total, name);
  };
  m.embd = m.matrix(f, "token_embd.weight", m.hp.vocab, H);
  step("token_embd.weight");
  m.layers.resize(m.hp.n_layers);
  for (uint32_t l = 0; l < m.hp.n_layers; ++l) {
    const std::string p = "blk." + std::to_string(l) + ".";
    auto& w = m.layers[l];
    auto mat = [&](DeviceMatrix& dst, const char* n, uint32_t out, uint32_t in) {
      dst = m.matrix(f, p + n, out, in);
      step(p + n);
    };
    auto nrm = [&](DeviceMatrix& dst, const char* n) {
      dst = m.vec(f, p + n, H);
      step(p + n);
    };
    nrm(w.attn_norm, "attn_norm.weight");
    mat(w.wq, "attn_q.weight", QD, H);
    mat(w.wk, "attn_k.weight", KD, H);
    mat(w.wv, "attn_v.weight", KD, H);
    mat(w.wo, "attn_output.weight", H, QD);
    nrm(w.ffn_norm, "ffn_norm.weight");
    mat(w.w_gate, "ffn_gate.weight", c.ffn, H);
    mat(w.w_up, "ffn_up.weight", c.ffn, H);
    mat(w.w_down, "ffn_down.weight", H, c.ffn);
  }
  m.out_norm = m.vec(f, "output_norm.weight", H);
  step("output_norm.weight");
  if (!m.hp.tied_output) {
    m.out_w = m.matrix(f, "output.weight", m.hp.vocab, H);
    step("output.weight");
  }
  const sdk::AttentionShape shape{c.n_heads, c.n_kv_heads, c.head_dim};
  m.caches.reserve(m.hp.n_layers);
  for (uint32_t l = 0; l < m.hp.n_layers; ++l) m.caches.push_back(sdk::make_kv_cache(dev, shape, max_ctx));
  m.rope = sdk::make_rope_table(dev, max_ctx, c.head_dim, c.rope_theta);
}

LlamaModel::~LlamaModel() = default;

const LlamaHparams& LlamaModel::hparams() const { return impl_->hp; }
uint32_t LlamaModel::max_ctx() const { return impl_->max_ctx; }
uint32_t LlamaModel::position() const { return impl_->pos; }
void LlamaModel::reset() { impl_->pos = 0; }
int32_t LlamaModel::last_argmax() const { return impl_->argmax; }
const ForwardStats& LlamaModel::last_stats() const { return impl_->stats; }

std::vector<float> LlamaModel::forward(const std::vector<int32_t>& ids) {
  Impl& m = *impl_;
  const auto& c = m.hp.layer;
  if (ids.empty()) throw kiln::Error(KILN_ERR_INVALID_ARGUMENT, "LlamaModel::forward: no tokens");
  for (size_t i = 0; i < ids.size(); ++i)
    if (ids[i] < 0 || uint32_t(ids[i]) >= m.hp.vocab)
      throw kiln::Error(KILN_ERR_INVALID_ARGUMENT, "LlamaModel::forward: token " + std::to_string(i) + " is id " +
                                                       std::to_string(ids[i]) + ", outside the vocabulary 0.." +
                                                       std::to_string(m.hp.vocab - 1));
  if (uint64_t(m.pos) + ids.size() > m.max_ctx)
    throw kiln::Error(KILN_ERR_INVALID_ARGUMENT,
                      "LlamaModel::forward: " + std::to_string(ids.size()) + " tokens at position " +
                          std::to_string(m.pos) + " exceed the context of " + std::to_string(m.max_ctx) +
                          " (LlamaModel max_ctx)");
  const uint32_t T = static_cast<uint32_t>(ids.size());
  m.stats = ForwardStats{};
  m.stats.tokens = T;
  uint64_t ns0 = 0, cyc0 = 0, ns1 = 0, cyc1 = 0;
  // Device time is summed per submission so host-side work between them
  // (uploads, NPU switches) does not count.
  auto timed = [&](int part, auto&& build) {
    const kiln_counters before = m.dev.counters();
    kiln_sim_time(m.dev.get(), &ns0, &cyc0);
    m.submit(before_submit, part, build);
    kiln_sim_time(m.dev.get(), &ns1, &cyc1);
    const kiln_counters after = m.dev.counters();
    m.stats.device_ns += ns1 - ns0;
    m.stats.npu_cycles += cyc1 - cyc0;
    add_counters(&m.stats.counters, before, after);
  };

  const DeviceMatrix x = sdk::alloc_matrix(m.dev, T, c.hidden, DType::FP32);  // the residual stream
  const std::vector<uint32_t> uids(ids.begin(), ids.end());
  timed(-1, [&](kiln::CommandBuffer& cb, sdk::Workspace&) {
    sdk::embedding(cb, m.embd, uids, x);
    cb.barrier(KILN_UNIT_ALL);
  });
  for (uint32_t l = 0; l < m.hp.n_layers; ++l)
    timed(int(l), [&](kiln::CommandBuffer& cb, sdk::Workspace& ws) {
      sdk::decoder_layer(cb, ws, c, m.layers[l], m.rope, m.caches[l], m.pos, x);
    });

  // Only the last token's logits are needed: norm and head on its row alone.
  const DeviceMatrix logits = sdk::alloc_matrix(m.dev, 1, m.hp.vocab, DType::FP32);
  const DeviceMatrix best = sdk::alloc_matrix(m.dev, 1, 1, DType::INT32);
  timed(int(m.hp.n_layers), [&](kiln::CommandBuffer& cb, sdk::Workspace& ws) {
    const DeviceMatrix last = sdk::row_view(x, T - 1, 1);
    const DeviceMatrix& n = ws.matrix(1, c.hidden, DType::BF16);
    sdk::rmsnorm(cb, last, m.out_norm, c.rms_eps, n);
    cb.barrier(KILN_UNIT_ALL);
    sdk::gemm_commands(cb, n, m.hp.tied_output ? m.embd : m.out_w, logits, sdk::GemmOptions{true});
    cb.barrier(KILN_UNIT_ALL);
    sdk::argmax(cb, logits, best);
    cb.barrier(KILN_UNIT_ALL);
  });
  m.pos += T;

  std::vector<float> out(m.hp.vocab);
  sdk::download_matrix(m.dev, logits, out.data());
  int32_t a = -1;
  sdk::download_matrix(m.dev, best, &a);
  m.argmax = a;
  return out;
}

}  // namespace kiln::model
