// cosim test "mlp": the SwiGLU FFN kiln::sdk::mlp (three transposed-B GEMMs
// and SILU_MUL) on the device, golden replay bit for bit, accuracy against
// FP64 with a per-element error bound computed from the data.
#include <cmath>
#include <sstream>
#include <stdexcept>

#include "kernel_check.h"
#include "kiln/sdk/kernels.h"
#include "random_data.h"
#include "registry.h"

namespace kc = kiln::cosim;
namespace kk = kiln::cosim::kcheck;
using kiln::sdk::DType;

namespace {

// |a| |b|^T: sums of absolute products (the conditioning of a dot product).
std::vector<double> abs_matmul_bt(const std::vector<double> &a, const std::vector<double> &b, uint32_t m,
                                  uint32_t n, uint32_t k) {
  std::vector<double> c(size_t(m) * n);
  for (uint32_t i = 0; i < m; ++i)
    for (uint32_t j = 0; j < n; ++j) {
      double s = 0;
      for (uint32_t q = 0; q < k; ++q) s += std::fabs(a[size_t(i) * k + q] * b[size_t(j) * k + q]);
      c[size_t(i) * n + j] = s;
    }
  return c;
}

std::vector<uint16_t> random_bf16(kc::RandomData &rng, size_t n, int exp2) {
  std::vector<uint16_t> v(n);
  for (auto &e : v) e = kk::double_to_bf16(std::ldexp(kk::bf16_to_double(rng.bf16_normal()), exp2));
  return v;
}

kc::Result run_mlp(kc::Context &ctx) {
  const long long T = ctx.opts.integer("tokens"), H = ctx.opts.integer("hidden"), F = ctx.opts.integer("ffn");
  const uint64_t seed = uint64_t(ctx.opts.integer("seed"));
  if (T < 1 || T > 4096) throw std::invalid_argument("--tokens must be in 1..4096");
  if (H < 1 || H > 8192) throw std::invalid_argument("--hidden must be in 1..8192");
  if (F < 1 || F > 16384) throw std::invalid_argument("--ffn must be in 1..16384");
  const uint32_t t = uint32_t(T), h = uint32_t(H), f = uint32_t(F);

  // x ~ N(0,1); weights ~ N(0,1) * 2^-round(log2(sqrt(in))) so projections stay O(1).
  kc::RandomData rng(seed);
  const int sh = -int(std::lround(std::log2(std::sqrt(double(H))))), sf = -int(std::lround(std::log2(std::sqrt(double(F)))));
  const std::vector<uint16_t> xb = random_bf16(rng, size_t(t) * h, 0), gb = random_bf16(rng, size_t(f) * h, sh),
                              ub = random_bf16(rng, size_t(f) * h, sh), db = random_bf16(rng, size_t(h) * f, sf);

  kiln::Device dev(ctx.backend.c_str(), ctx.open_options());
  auto x = kk::upload_bf16(dev, xb, t, h);
  auto wg = kk::upload_bf16(dev, gb, f, h);
  auto wu = kk::upload_bf16(dev, ub, f, h);
  auto wd = kk::upload_bf16(dev, db, h, f);
  auto out = kiln::sdk::alloc_matrix(dev, t, h, DType::FP32);
  kiln::sdk::Workspace ws(dev);

  std::string why;
  bool refusals_ok = true;
  {
    auto bad_down = kiln::sdk::alloc_matrix(dev, f, h, DType::BF16);  // not transposed: [F][H]
    auto bad_out = kiln::sdk::alloc_matrix(dev, t, h, DType::BF16);
    refusals_ok &= kk::refuses([&](kiln::CommandBuffer &cb) { kiln::sdk::mlp(cb, ws, x, wg, wu, bad_down, out); }, &why) ||
                   f == h;
    refusals_ok &= kk::refuses([&](kiln::CommandBuffer &cb) { kiln::sdk::mlp(cb, ws, x, wg, wu, wd, bad_out); }, &why);
    refusals_ok &= kk::refuses([&](kiln::CommandBuffer &cb) { kiln::sdk::mlp(cb, ws, x, wg, wd, wd, out); }, &why) ||
                   f == h;
  }

  kiln::CommandBuffer cb;
  kiln::sdk::mlp(cb, ws, x, wg, wu, wd, out);
  kk::GoldenReplay gold;
  for (const auto *m : {&x, &wg, &wu, &wd}) gold.mirror(dev, *m);
  const kk::DeviceRun run = kk::run_on_device(dev, cb);
  gold.execute(cb);
  const kk::BitCompare bc = gold.compare(dev, out);

  // FP64 reference and a first-order worst-case bound per output element
  // (u = 2^-24, gamma_n = n u for an n-term FP32 sum in any order):
  //   g, u projections: |err| <= gamma_H * sum|x w|            (Eg, Eu)
  //   h = silu(g) u:     a = 1.1 Eg |u| + |silu g| Eu  (silu' <= 1.1)
  //                      e = a + (2^-8 + 2^-20)(|h| + a)  (BF16 rounding of h,
  //                      silu/exp/recip approximation and products)
  //   out = h Wd^T:      sum_k e_k |Wd_jk| + gamma_F sum_k (|h_k| + e_k)|Wd_jk|
  // checked as err / bound <= 1 (with 1 % for second-order terms).
  const std::vector<double> xd = kk::bf16_values(xb), gd = kk::bf16_values(gb), ud = kk::bf16_values(ub),
                            dd = kk::bf16_values(db);
  std::vector<double> hd;
  const std::vector<double> ref = kk::ref_mlp(xd, gd, ud, dd, t, h, f, &hd);
  const std::vector<double> g = kk::ref_matmul_bt(xd, gd, t, f, h), uu = kk::ref_matmul_bt(xd, ud, t, f, h);
  const std::vector<double> ag = abs_matmul_bt(xd, gd, t, f, h), au = abs_matmul_bt(xd, ud, t, f, h);
  const double uh = double(h) * 0x1p-24, uf = double(f) * 0x1p-24;
  std::vector<double> e(hd.size()), habs(hd.size());
  for (size_t i = 0; i < e.size(); ++i) {
    const double a = 1.1 * uh * ag[i] * std::fabs(uu[i]) + std::fabs(kk::ref_silu(g[i])) * uh * au[i];
    e[i] = a + (0x1p-8 + 0x1p-20) * (std::fabs(hd[i]) + a);
    habs[i] = std::fabs(hd[i]) + e[i];
  }
  std::vector<double> bound(ref.size());
  for (uint32_t r = 0; r < t; ++r)
    for (uint32_t j = 0; j < h; ++j) {
      double b = 0;
      for (uint32_t k = 0; k < f; ++k)
        b += (e[size_t(r) * f + k] + uf * habs[size_t(r) * f + k]) * std::fabs(dd[size_t(j) * f + k]);
      bound[size_t(r) * h + j] = 1.01 * b + 1e-30;
    }
  const std::vector<double> got = kk::download_values(dev, out);
  const kk::ErrStats eb = kk::compare_scaled(got, ref, bound);
  const kk::ErrStats er = kk::compare_rel(got, ref, 1e-30);

  kc::Result res;
  res.passed = bc.mismatches == 0 && eb.finite && eb.max_scaled <= 1.0 && refusals_ok;
  res.report.set("tokens", T).set("hidden", H).set("ffn", F).set("seed", seed);
  kk::add_run_fields(res.report, run);
  res.report.set("flops", 6.0 * double(t) * h * f)
      .set("mismatches_vs_golden", bc.mismatches)
      .set("max_abs_err_vs_golden", bc.max_abs_err)
      .set("max_abs_err_vs_fp64", er.max_abs)
      .set("max_rel_err_vs_fp64", er.normwise_rel)  // normwise: max|err| / max|ref|
      .set("max_err_over_bound", eb.max_scaled)
      .set("tolerance_err_over_bound", 1.0)
      .set("refusals_ok", refusals_ok);
  std::ostringstream s;
  s << "  mlp T=" << T << " H=" << H << " F=" << F << "\n"
    << kk::run_summary(run) << "\n"
    << "  vs golden: " << bc.mismatches << " of " << bc.elements << " elements differ"
    << (bc.first.empty() ? "" : " (first: " + bc.first + ")") << "\n  vs FP64: normwise rel err " << er.normwise_rel
    << ", max err / bound " << eb.max_scaled << " (must be <= 1)\n  refusals: " << (refusals_ok ? "ok" : "FAILED: " + why);
  res.summary = s.str();
  return res;
}

const kc::Register reg{{"mlp",
                        "SwiGLU FFN (BF16 x and weights, FP32 out), bit-exact vs golden replay, accuracy vs FP64",
                        {{"tokens", "128", "rows of x"},
                         {"hidden", "576", "model width H (SmolLM2: 576)"},
                         {"ffn", "1536", "FFN width F (SmolLM2: 1536)"},
                         {"seed", "1", "random seed"}},
                        run_mlp}};

}  // namespace
