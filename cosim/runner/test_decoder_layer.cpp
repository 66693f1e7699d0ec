// cosim test "decoder_layer": one Llama-family decoder layer (SmolLM2-135M
// shapes by default) with random weights of realistic scale: a prefill then
// decode steps through the same KV cache. Each call is checked bit for bit
// against the golden machine (residual stream and KV cache) and against an
// FP64 reference of the layer written from the definition (kernel_check's
// rmsnorm / matmul / rope / mlp references and attention_ref.h).
//
// Tolerance vs FP64 (normwise on what the layer adds, max|x_dev - x_ref| /
// max|x_ref - x_in|): the device stores nine intermediates in BF16 (n1, q, k,
// v, RoPE'd q and k, P, the attention output, n2, and the SwiGLU product h),
// each a relative rounding of at most 2^-9 per element; on the longest path
// (n1 -> q/k -> rope -> P -> attention out -> projection, then n2 -> h ->
// down projection) at most 7 of them compound, 7 * 2^-9 < 2^-6 per element,
// and with the projections' normwise gain for these weight scales (about 1,
// at most 2) the bound is 2^-5. FP32 accumulation and the vector unit's
// approximations (<= 2^-21 relative) are far below it.
#include <cmath>
#include <sstream>
#include <stdexcept>

#include "attention_ref.h"
#include "kernel_check.h"
#include "kiln/sdk/kernels.h"
#include "random_data.h"
#include "registry.h"

namespace kc = kiln::cosim;
namespace kk = kiln::cosim::kcheck;
using kiln::sdk::DeviceMatrix;
using kiln::sdk::DType;

namespace {

constexpr double kTol = 0x1p-5;

std::vector<uint16_t> random_bf16(kc::RandomData &rng, size_t n, double sigma, double mean = 0) {
  std::vector<uint16_t> v(n);
  for (auto &x : v) x = kk::double_to_bf16(mean + sigma * kk::bf16_to_double(rng.bf16_normal()));
  return v;
}

struct HostWeights {
  std::vector<double> attn_norm, wq, wk, wv, wo, ffn_norm, wg, wu, wd;
};

kc::Result run_decoder(kc::Context &ctx) {
  kiln::sdk::LlamaConfig cfg;
  cfg.hidden = uint32_t(ctx.opts.integer("hidden"));
  cfg.n_heads = uint32_t(ctx.opts.integer("heads"));
  cfg.n_kv_heads = uint32_t(ctx.opts.integer("kv-heads"));
  cfg.head_dim = uint32_t(ctx.opts.integer("head-dim"));
  cfg.ffn = uint32_t(ctx.opts.integer("ffn"));
  const long long seq = ctx.opts.integer("seq"), steps = ctx.opts.integer("decode-steps");
  if (seq < 1 || seq > 8192 || steps < 0 || steps > 1024) throw std::invalid_argument("decoder_layer: bad --seq/--decode-steps");
  const uint32_t H = cfg.hidden, D = cfg.head_dim, QD = cfg.n_heads * D, KD = cfg.n_kv_heads * D, F = cfg.ffn;
  const uint32_t max_len = uint32_t(seq + steps);
  kc::RandomData rng(uint64_t(ctx.opts.integer("seed")));
  kiln::Device dev(ctx.backend.c_str(), ctx.open_options());
  kk::GoldenReplay gold;

  // Weights: projections N(0, 1/sqrt(fan_in)) as trained Llama layers are,
  // norm weights around 1.
  HostWeights hw;
  kiln::sdk::LlamaLayerWeights w;
  auto weight = [&](DeviceMatrix *m, std::vector<double> *h, uint32_t r, uint32_t c, double sigma, double mean) {
    const auto bits = random_bf16(rng, size_t(r) * c, sigma, mean);
    *m = kk::upload_bf16(dev, bits, r, c);
    *h = kk::bf16_values(bits);
    gold.mirror(dev, *m);
  };
  weight(&w.attn_norm, &hw.attn_norm, 1, H, 0.1, 1.0);
  weight(&w.wq, &hw.wq, QD, H, 1 / std::sqrt(double(H)), 0);
  weight(&w.wk, &hw.wk, KD, H, 1 / std::sqrt(double(H)), 0);
  weight(&w.wv, &hw.wv, KD, H, 1 / std::sqrt(double(H)), 0);
  weight(&w.wo, &hw.wo, H, QD, 1 / std::sqrt(double(QD)), 0);
  weight(&w.ffn_norm, &hw.ffn_norm, 1, H, 0.1, 1.0);
  weight(&w.w_gate, &hw.wg, F, H, 1 / std::sqrt(double(H)), 0);
  weight(&w.w_up, &hw.wu, F, H, 1 / std::sqrt(double(H)), 0);
  weight(&w.w_down, &hw.wd, H, F, 1 / std::sqrt(double(F)), 0);
  const kiln::sdk::RopeTable rt = kiln::sdk::make_rope_table(dev, max_len, D, cfg.rope_theta);
  gold.mirror(dev, rt.cs);
  kiln::sdk::KvCache cache = kiln::sdk::make_kv_cache(dev, {cfg.n_heads, cfg.n_kv_heads, D}, max_len);
  gold.mirror(dev, cache.k);
  gold.mirror(dev, cache.v);
  std::vector<double> kc_ref(size_t(cfg.n_kv_heads) * max_len * D, 0.0), vc_ref = kc_ref;

  kc::Result res;
  res.passed = true;
  std::ostringstream sum;
  double worst = 0;
  uint64_t mism = 0;
  auto call = [&](const std::string &name, uint32_t T, uint32_t pos0) {
    std::vector<float> x0(size_t(T) * H);
    for (auto &v : x0) v = float(kk::bf16_to_double(rng.bf16_normal()));
    DeviceMatrix x = kk::upload_fp32(dev, x0, T, H);
    gold.mirror(dev, x);
    kiln::sdk::Workspace ws(dev);
    kiln::CommandBuffer cb;
    kiln::sdk::decoder_layer(cb, ws, cfg, w, rt, cache, pos0, x);
    const kk::DeviceRun run = kk::run_on_device(dev, cb);
    gold.execute(cb);
    const kk::BitCompare bx = gold.compare(dev, x), bk = gold.compare(dev, cache.k), bv = gold.compare(dev, cache.v);
    const uint64_t m = bx.mismatches + bk.mismatches + bv.mismatches;

    // FP64 reference of the layer.
    const std::vector<double> xin(x0.begin(), x0.end());
    const auto n1 = kk::ref_rmsnorm(xin, hw.attn_norm, T, H, cfg.rms_eps);
    auto q = kk::ref_matmul_bt(n1, hw.wq, T, QD, H), k = kk::ref_matmul_bt(n1, hw.wk, T, KD, H);
    const auto v = kk::ref_matmul_bt(n1, hw.wv, T, KD, H);
    q = kk::ref_rope(q, T, cfg.n_heads, D, pos0, cfg.rope_theta);
    k = kk::ref_rope(k, T, cfg.n_kv_heads, D, pos0, cfg.rope_theta);
    for (uint32_t t = 0; t < T; ++t)
      for (uint32_t h = 0; h < cfg.n_kv_heads; ++h)
        for (uint32_t d = 0; d < D; ++d) {
          kc_ref[(size_t(h) * max_len + pos0 + t) * D + d] = k[size_t(t) * KD + size_t(h) * D + d];
          vc_ref[(size_t(h) * max_len + pos0 + t) * D + d] = v[size_t(t) * KD + size_t(h) * D + d];
        }
    const auto att = kc::ref_attention({cfg.n_heads, cfg.n_kv_heads, D, max_len}, q, kc_ref, vc_ref, T, pos0);
    const auto o = kk::ref_matmul_bt(att, hw.wo, T, H, QD);
    std::vector<double> x1(xin.size());
    for (size_t i = 0; i < x1.size(); ++i) x1[i] = xin[i] + o[i];
    const auto n2 = kk::ref_rmsnorm(x1, hw.ffn_norm, T, H, cfg.rms_eps);
    const auto f = kk::ref_mlp(n2, hw.wg, hw.wu, hw.wd, T, H, F);
    std::vector<double> ref(x1.size()), delta_got(x1.size()), delta_ref(x1.size());
    const auto got = kk::download_values(dev, x);
    for (size_t i = 0; i < ref.size(); ++i) {
      ref[i] = x1[i] + f[i];
      delta_ref[i] = ref[i] - xin[i];
      delta_got[i] = got[i] - xin[i];
    }
    const kk::ErrStats e = kk::compare_rel(delta_got, delta_ref, 0);
    const bool ok = m == 0 && e.finite && e.normwise_rel <= kTol;
    res.passed = res.passed && ok;
    worst = std::max(worst, e.normwise_rel);
    mism += m;
    kc::Json j;
    kk::add_run_fields(j, run);
    j.set("tokens", T).set("pos0", pos0).set("mismatches_vs_golden", m)
        .set("max_abs_err_vs_golden", std::max({bx.max_abs_err, bk.max_abs_err, bv.max_abs_err}))
        .set("max_abs_err_vs_fp64", e.max_abs).set("max_rel_err_vs_fp64", e.normwise_rel)
        .set("tolerance_rel_vs_fp64", kTol);
    if (name == "prefill") {
      kk::add_run_fields(res.report, run);
      res.report.set("tc_stall_cycles", run.after.tc_stall_cycles - run.before.tc_stall_cycles);
    }
    res.report.set(name, j);
    sum << "  " << name << " T=" << T << " pos0=" << pos0 << ": " << run.cycles << " cycles, TC "
        << run.tensor_utilization << ", VU " << run.vector_utilization << "; golden mismatches " << m
        << (bx.first.empty() ? "" : " (x " + bx.first + ")") << "; FP64 normwise rel err of the update "
        << e.normwise_rel << " (tolerance " << kTol << ")" << (ok ? "" : "  <-- FAIL") << "\n"
        << kk::unit_counter_lines(kiln::counters_delta(run.after, run.before)) << "\n";
  };
  call("prefill", uint32_t(seq), 0);
  for (long long i = 0; i < steps; ++i) call("decode_" + std::to_string(i + 1), 1, uint32_t(seq + i));
  res.report.set("hidden", H).set("heads", cfg.n_heads).set("kv_heads", cfg.n_kv_heads).set("head_dim", D)
      .set("ffn", F).set("seq", seq).set("decode_steps", steps).set("mismatches_vs_golden", mism)
      .set("max_rel_err_vs_fp64", worst).set("tolerance_rel_vs_fp64", kTol);
  res.summary = sum.str();
  return res;
}

const kc::Register reg{{"decoder_layer",
                        "Llama decoder layer (SmolLM2 shapes), prefill + decode, bit-exact vs golden, vs FP64",
                        {{"seq", "128", "prefill tokens"},
                         {"decode-steps", "2", "decode steps after the prefill"},
                         {"hidden", "576", "hidden size"},
                         {"heads", "9", "query heads"},
                         {"kv-heads", "3", "KV heads"},
                         {"head-dim", "64", "head dimension"},
                         {"ffn", "1536", "FFN size"},
                         {"seed", "1", "random seed"}},
                        run_decoder}};

}  // namespace
