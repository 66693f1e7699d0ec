// cosim test "attention": causal GQA attention with a KV cache on the device
// (sdk attention kernel), a prefill then decode steps, every call checked
// (1) bit for bit against the golden machine replaying the same commands
// (output and the whole KV cache) and (2) against an FP64 reference.
//
// Tolerance vs FP64, per output element o_i (derivation): the kernel rounds
// two values to BF16 (8 significant bits, unit roundoff 2^-8): P = exp(S - m)
// before P V, and the output. P's rounding (<= 2^-8 relative per p_j) moves
// o_i by at most 2^-8 * sum_j p_j |v_j| / l; the output rounding by at most
// 2^-8 |o_i|. Everything else (FP32 logits and sums, the exp approximation at
// 2^-21.9, FP32 rescaling, 1/l at 2^-23.4) is below 2^-14 relative, covered
// by a 5% margin:
//   |o_i - ref_i| <= 1.05 * 2^-8 * (sum_j p_j |v_j| / l + |ref_i|)   (+1e-30)
#include <cmath>
#include <cstdio>
#include <cstring>
#include <functional>
#include <sstream>
#include <stdexcept>

#include "attention_ref.h"
#include "kernel_check.h"
#include "kiln/sdk/kernels.h"
#include "kiln_hw.h"
#include "random_data.h"
#include "registry.h"

namespace kc = kiln::cosim;
namespace kk = kiln::cosim::kcheck;
using kiln::sdk::DeviceMatrix;
using kiln::sdk::DType;

namespace {

std::vector<uint16_t> random_bf16(kc::RandomData &rng, size_t n, double sigma) {
  std::vector<uint16_t> v(n);
  for (auto &x : v) x = kk::double_to_bf16(sigma * kk::bf16_to_double(rng.bf16_normal()));
  return v;
}

struct CallResult {
  bool passed = false;
  kc::Json report;
  std::string summary;
  kk::DeviceRun run;
  uint64_t mismatches = 0;
  uint64_t digest = 0;  // FNV-1a of the output and cache bits (backend comparisons)
  double max_scaled = 0, max_abs = 0, mac_utilization = 0;
};

// FNV-1a over the raw device bytes of `m` (padding included: it is part of
// what the device wrote), chained from `h`.
uint64_t digest_of(kiln::Device &dev, const DeviceMatrix &m, uint64_t h) {
  std::vector<uint8_t> bytes(size_t(m.stride) * m.rows);
  dev.read(m.buf.addr(), bytes.data(), bytes.size());
  for (uint8_t b : bytes) h = (h ^ b) * 0x100000001b3ULL;
  return h;
}

std::string hex64(uint64_t v) {
  char buf[20];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(v));
  return buf;
}

struct Session {
  kiln::Device &dev;
  kiln::sdk::AttentionShape shape;
  kiln::sdk::KvCache cache;
  kk::GoldenReplay gold;
  std::vector<double> kc, vc;  // host copy of the cache contents
  kc::RandomData rng;

  // One attention call of T tokens at pos0 with fresh random q, k_new, v_new.
  CallResult call(uint32_t T, uint32_t pos0) {
    const uint32_t D = shape.head_dim, QD = shape.n_heads * D, KD = shape.n_kv_heads * D;
    const auto hq = random_bf16(rng, size_t(T) * QD, 1.5), hk = random_bf16(rng, size_t(T) * KD, 1.5),
               hv = random_bf16(rng, size_t(T) * KD, 1.0);
    auto q = kk::upload_bf16(dev, hq, T, QD), kn = kk::upload_bf16(dev, hk, T, KD), vn = kk::upload_bf16(dev, hv, T, KD);
    auto out = kiln::sdk::alloc_matrix(dev, T, QD, DType::BF16);
    for (const DeviceMatrix *m : {&q, &kn, &vn}) gold.mirror(dev, *m);
    kiln::sdk::Workspace ws(dev);
    kiln::CommandBuffer cb;
    kiln::sdk::attention(cb, ws, shape, q, kn, vn, cache, pos0, out);

    CallResult r;
    r.run = kk::run_on_device(dev, cb);
    gold.execute(cb);
    const kk::BitCompare bo = gold.compare(dev, out), bk = gold.compare(dev, cache.k), bv = gold.compare(dev, cache.v);
    r.mismatches = bo.mismatches + bk.mismatches + bv.mismatches;
    r.digest = digest_of(dev, cache.v, digest_of(dev, cache.k, digest_of(dev, out, 0xcbf29ce484222325ULL)));

    // FP64: the cache gains the new rows, then the reference attention.
    for (uint32_t t = 0; t < T; ++t)
      for (uint32_t h = 0; h < shape.n_kv_heads; ++h)
        for (uint32_t d = 0; d < D; ++d) {
          const size_t dst = (size_t(h) * cache.max_len + pos0 + t) * D + d, src = size_t(t) * KD + size_t(h) * D + d;
          kc[dst] = kk::bf16_to_double(hk[src]);
          vc[dst] = kk::bf16_to_double(hv[src]);
        }
    const bool cache_ok = kk::download_values(dev, cache.k) == kc && kk::download_values(dev, cache.v) == vc;
    std::vector<double> mag;
    const auto ref = kc::ref_attention({shape.n_heads, shape.n_kv_heads, D, cache.max_len}, kk::bf16_values(hq), kc,
                                       vc, T, pos0, &mag);
    const auto got = kk::download_values(dev, out);
    std::vector<double> bound(ref.size());
    for (size_t i = 0; i < ref.size(); ++i) bound[i] = 1.05 * 0x1p-8 * (mag[i] + std::fabs(ref[i])) + 1e-30;
    const kk::ErrStats e = kk::compare_scaled(got, ref, bound);
    r.max_scaled = e.max_scaled;
    r.max_abs = e.max_abs;

    // Useful MACs: Q K^T and P V over the attended (causal) positions.
    double macs = 0;
    for (uint32_t t = 0; t < T; ++t) macs += 2.0 * double(pos0 + t + 1) * D * shape.n_heads;
    const double array = double(KILN_HW_TENSOR_CORE_ROWS) * KILN_HW_TENSOR_CORE_COLS;
    r.mac_utilization = r.run.cycles ? macs / (double(r.run.cycles) * array) : 0.0;
    r.passed = r.mismatches == 0 && cache_ok && e.finite && e.max_scaled <= 1.0;
    kk::add_run_fields(r.report, r.run);
    r.report.set("tokens", T).set("pos0", pos0)
        .set("mac_utilization", r.mac_utilization)
        .set("tc_stall_cycles", r.run.after.tc_stall_cycles - r.run.before.tc_stall_cycles)
        .set("mismatches_vs_golden", r.mismatches)
        .set("max_abs_err_vs_golden", std::max({bo.max_abs_err, bk.max_abs_err, bv.max_abs_err}))
        .set("cache_matches_inputs", cache_ok)
        .set("max_abs_err_vs_fp64", e.max_abs)
        .set("max_rel_err_vs_fp64", e.normwise_rel)
        .set("max_err_over_bound_vs_fp64", e.max_scaled)
        .set("tolerance_err_over_bound", 1.0)
        .set("output_digest", hex64(r.digest));
    std::ostringstream s;
    s << "  T=" << T << " pos0=" << pos0 << ": " << r.run.cycles << " cycles, TC " << r.run.tensor_utilization
      << ", VU " << r.run.vector_utilization << ", " << r.run.commands << " commands; golden mismatches "
      << r.mismatches << (bo.first.empty() ? "" : " (out " + bo.first + ")") << ", cache "
      << (cache_ok ? "ok" : "WRONG") << "; FP64 max abs err " << e.max_abs << ", err/bound " << e.max_scaled
      << (r.passed ? "" : "  <-- FAIL") << "\n"
      << kk::unit_counter_lines(kiln::counters_delta(r.run.after, r.run.before));
    r.summary = s.str();
    return r;
  }
};

kc::Result run_attention(kc::Context &ctx) {
  const long long seq = ctx.opts.integer("seq"), steps = ctx.opts.integer("decode-steps"),
                  cache_len = ctx.opts.integer("cache-len"), heads = ctx.opts.integer("heads"),
                  kv_heads = ctx.opts.integer("kv-heads"), hd = ctx.opts.integer("head-dim");
  if (seq < 0 || steps < 0 || cache_len < 0 || heads < 1 || kv_heads < 1 || hd < 1 || seq > 65536 ||
      cache_len > 65536 || steps > 4096 || heads > 256 || kv_heads > 256 || hd > 4096)
    throw std::invalid_argument("attention: options out of range");
  if (seq == 0 && cache_len == 0) throw std::invalid_argument("attention: need --seq > 0 or --cache-len > 0");
  kiln::Device dev(ctx.backend.c_str(), ctx.open_options());
  Session ss{dev, {uint32_t(heads), uint32_t(kv_heads), uint32_t(hd)}, {}, {}, {}, {},
             kc::RandomData(uint64_t(ctx.opts.integer("seed")))};
  const uint32_t filled = uint32_t(cache_len > 0 ? cache_len : seq);
  const uint32_t max_len = filled + uint32_t(steps);
  ss.cache = kiln::sdk::make_kv_cache(dev, ss.shape, max_len);
  const size_t cache_elems = size_t(kv_heads) * max_len * hd;
  ss.kc.assign(cache_elems, 0.0);
  ss.vc.assign(cache_elems, 0.0);
  if (cache_len > 0) {
    // A cache of cache_len positions written from the host (as if an earlier
    // prefill had stored it), then only decode steps run on the device.
    for (auto *side : {&ss.kc, &ss.vc}) {
      const auto bits = random_bf16(ss.rng, cache_elems, side == &ss.kc ? 1.5 : 1.0);
      std::vector<uint16_t> img(cache_elems, 0);
      for (uint32_t h = 0; h < kv_heads; ++h)
        for (size_t i = 0; i < size_t(cache_len) * hd; ++i) {
          const size_t at = size_t(h) * max_len * hd + i;
          img[at] = bits[at];
          (*side)[at] = kk::bf16_to_double(bits[at]);
        }
      const DeviceMatrix &m = side == &ss.kc ? ss.cache.k : ss.cache.v;
      dev.write(m.buf.addr(), img.data(), img.size() * 2);  // D % 16 == 0: no row padding
    }
  }
  ss.gold.mirror(dev, ss.cache.k);
  ss.gold.mirror(dev, ss.cache.v);

  kc::Result res;
  res.passed = true;
  std::ostringstream sum;
  sum << "  heads " << heads << " (kv " << kv_heads << "), head_dim " << hd << ", cache max_len " << max_len << "\n";
  uint64_t total_cycles = 0, total_mismatches = 0, digest = 0xcbf29ce484222325ULL;
  double worst = 0, worst_abs = 0;
  auto record = [&](const std::string &name, CallResult &&c, bool top) {
    res.passed = res.passed && c.passed;
    total_cycles += c.run.cycles;
    total_mismatches += c.mismatches;
    for (int i = 0; i < 8; ++i) digest = (digest ^ ((c.digest >> (8 * i)) & 0xFF)) * 0x100000001b3ULL;
    worst = std::max(worst, c.max_scaled);
    worst_abs = std::max(worst_abs, c.max_abs);
    sum << name << c.summary << "\n";
    if (top) {  // the first call's figures at the top level (the prefill's, if any)
      kk::add_run_fields(res.report, c.run);
      res.report.set("mac_utilization", c.mac_utilization)
          .set("tc_stall_cycles", c.run.after.tc_stall_cycles - c.run.before.tc_stall_cycles);
    }
    res.report.set(name, c.report);
  };
  bool first = true;
  if (cache_len == 0) {
    record("prefill", ss.call(uint32_t(seq), 0), true);
    first = false;
  }
  for (long long i = 0; i < steps; ++i) {
    record("decode_" + std::to_string(i + 1), ss.call(1, filled + uint32_t(i)), first);
    first = false;
  }
  res.report.set("heads", heads).set("kv_heads", kv_heads).set("head_dim", hd).set("seq", seq)
      .set("cache_len", cache_len).set("decode_steps", steps)
      .set("mismatches_vs_golden", total_mismatches)
      .set("max_abs_err_vs_fp64", worst_abs)
      .set("max_err_over_bound_vs_fp64", worst)
      .set("tolerance_err_over_bound", 1.0)
      .set("total_cycles", total_cycles)
      // Same bits on every backend: compare this across rtl / fast runs.
      .set("output_digest", hex64(digest));
  res.summary = sum.str() + "  total " + std::to_string(total_cycles) + " cycles, " +
                std::to_string(total_mismatches) + " golden mismatches, worst err/bound " + std::to_string(worst) +
                "\n  output digest " + hex64(digest) + " (output and KV-cache bits; equal across backends)";
  return res;
}

const kc::Register reg{{"attention",
                        "causal GQA attention with KV cache (prefill + decode), bit-exact vs golden, vs FP64",
                        {{"seq", "128", "prefill tokens (0: none, needs --cache-len)"},
                         {"decode-steps", "4", "decode steps after the prefill"},
                         {"cache-len", "0", "fill a cache of this length from the host instead of a prefill"},
                         {"heads", "9", "query heads"},
                         {"kv-heads", "3", "KV heads (divides --heads)"},
                         {"head-dim", "64", "head dimension (multiple of 16)"},
                         {"seed", "1", "random seed"}},
                        run_attention}};

}  // namespace

// ---- "attention_refusal": bad shapes are refused before any command --------
namespace {

kc::Result run_refusal(kc::Context &ctx) {
  kiln::Device dev(ctx.backend.c_str(), ctx.open_options());
  using kiln::sdk::AttentionShape;
  auto bf = [&](uint32_t r, uint32_t c) { return kiln::sdk::alloc_matrix(dev, r, c, DType::BF16); };
  const AttentionShape ok{9, 3, 64};
  auto cache = kiln::sdk::make_kv_cache(dev, ok, 64);
  auto q = bf(4, 576), kv = bf(4, 192), out = bf(4, 576);
  auto q40 = bf(4, 360), kv40 = bf(4, 120);
  AttentionShape s40{9, 3, 40}, s1024{1, 1, 1024}, s94{9, 4, 64};
  auto c40 = kiln::sdk::make_kv_cache(dev, s40, 64);
  auto c1024 = kiln::sdk::make_kv_cache(dev, s1024, 8);
  auto q1024 = bf(4, 1024);
  auto q_fp32 = kiln::sdk::alloc_matrix(dev, 4, 576, DType::FP32);
  auto q_short = bf(4, 512), out3 = bf(3, 576);
  struct Case {
    const char *name, *expect;
    std::function<void(kiln::CommandBuffer &)> f;
  };
  kiln::sdk::Workspace ws(dev);
  auto att = [&](const AttentionShape &s, const DeviceMatrix &qq, const DeviceMatrix &kk_, kiln::sdk::KvCache &c,
                 uint32_t pos0, const DeviceMatrix &o) {
    return [&, s, pos0](kiln::CommandBuffer &cb) { kiln::sdk::attention(cb, ws, s, qq, kk_, kk_, c, pos0, o); };
  };
  kiln::sdk::LlamaConfig cfg;
  kiln::sdk::LlamaLayerWeights w;  // all empty: wrong shapes
  auto x = kiln::sdk::alloc_matrix(dev, 4, 576, DType::FP32);
  kiln::sdk::RopeTable rt;
  const std::vector<Case> cases = {
      {"head_dim 40", "head_dim 40 is not supported", att(s40, q40, kv40, c40, 0, q40)},
      {"head_dim 1024", "head_dim 1024 is not supported", att(s1024, q1024, q1024, c1024, 0, q1024)},
      {"9 heads, 4 kv heads", "must divide n_heads", att(s94, q, kv, cache, 0, out)},
      {"pos0 + T > max_len", "exceeds the cache's max_len 64", att(ok, q, kv, cache, 61, out)},
      {"q FP32", "q is 4x576 FP32", att(ok, q_fp32, kv, cache, 0, out)},
      {"q too narrow", "q is 4x512 BF16", att(ok, q_short, kv, cache, 0, out)},
      {"out rows", "out is 3x576 BF16", att(ok, q, kv, cache, 0, out3)},
      {"cache of another shape", "KV cache is for 3 KV heads of 40", att(ok, q, kv, c40, 0, out)},
      {"decoder_layer weights", "decoder_layer: attn_norm is 0x0",
       [&](kiln::CommandBuffer &cb) { kiln::sdk::decoder_layer(cb, ws, cfg, w, rt, cache, 0, x); }},
  };
  kc::Result r;
  r.passed = true;
  std::ostringstream s;
  for (const Case &c : cases) {
    std::string what;
    const bool refused = kk::refuses(c.f, &what);
    const bool ok_msg = refused && what.find(c.expect) != std::string::npos;
    r.passed = r.passed && ok_msg;
    s << "  " << c.name << ": " << (ok_msg ? "refused: " : "WRONG: ") << what << "\n";
    r.report.set(c.name, what);
  }
  r.summary = s.str();
  return r;
}

const kc::Register reg_refusal{{"attention_refusal",
                                "attention/decoder_layer refuse bad shapes with a clear message, before any command",
                                {},
                                run_refusal}};

}  // namespace
