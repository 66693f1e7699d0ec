// cosim test "rope": kiln::sdk::rope (adjacent pairs, llama "normal" mode)
// with a table from make_rope_table, golden replay bit for bit, accuracy
// against FP64 (angles and cos/sin in FP64).
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

kc::Result run_rope(kc::Context &ctx) {
  const long long T = ctx.opts.integer("tokens"), NH = ctx.opts.integer("heads"), HD = ctx.opts.integer("head-dim");
  const long long pos0 = ctx.opts.integer("pos0");
  long long max_pos = ctx.opts.integer("max-pos");
  const double theta = ctx.opts.real("theta");
  const uint64_t seed = uint64_t(ctx.opts.integer("seed"));
  if (T < 1 || T > 65536) throw std::invalid_argument("--tokens must be in 1..65536");
  if (NH < 1 || NH > 256) throw std::invalid_argument("--heads must be in 1..256");
  if (HD < 2 || HD > 1024 || HD % 2) throw std::invalid_argument("--head-dim must be even, 2..1024");
  if (pos0 < 0 || pos0 > 1000000) throw std::invalid_argument("--pos0 must be in 0..1000000");
  if (max_pos == 0) max_pos = pos0 + T;
  if (max_pos < pos0 + T || max_pos > 1100000) throw std::invalid_argument("--max-pos must cover pos0 + tokens");
  if (!(theta > 1) || theta > 1e9) throw std::invalid_argument("--theta must be in (1, 1e9]");
  const uint32_t W = uint32_t(NH * HD);

  kc::RandomData rng(seed);
  std::vector<uint16_t> xb(size_t(T) * W);
  for (auto &v : xb) v = rng.bf16_normal();
  const std::vector<double> xd = kk::bf16_values(xb);

  kiln::Device dev(ctx.backend.c_str(), ctx.open_options());
  const kiln::sdk::RopeTable table = kiln::sdk::make_rope_table(dev, uint32_t(max_pos), uint32_t(HD), float(theta));
  auto x = kk::upload_bf16(dev, xb, uint32_t(T), W);
  auto out = kiln::sdk::alloc_matrix(dev, uint32_t(T), W, DType::BF16);

  std::string why;
  bool refusals_ok = true;
  {
    auto obad = kiln::sdk::alloc_matrix(dev, uint32_t(T), W, DType::FP32);
    refusals_ok &= kk::refuses([&](kiln::CommandBuffer &cb) { kiln::sdk::rope(cb, table, x, uint32_t(pos0), obad); }, &why);
    // positions past the table
    refusals_ok &= kk::refuses([&](kiln::CommandBuffer &cb) {
      kiln::sdk::rope(cb, table, x, uint32_t(max_pos - T + 1), out);
    }, &why);
  }

  kiln::CommandBuffer cb;
  kiln::sdk::rope(cb, table, x, uint32_t(pos0), out);
  kk::GoldenReplay gold;
  gold.mirror(dev, x);
  gold.mirror(dev, table.cs);
  const kk::DeviceRun run = kk::run_on_device(dev, cb);
  gold.execute(cb);
  const kk::BitCompare bc = gold.compare(dev, out);

  // Bound per element, with n = |(x0, x1)| the pair's norm (rotation keeps
  // it): BF16 output rounding 2^-8 |out|; FP32 part: cos/sin rounded to FP32
  // (u each, u = 2^-24), two products and the sum (3u), relative to n:
  // 5u n, plus the FP32 angle error of pos*theta^(-2i/d) in the FP64 table
  // computation (negligible, < 2^-40 n). Checked as err / bound <= 1.
  const std::vector<double> ref = kk::ref_rope(xd, uint32_t(T), uint32_t(NH), uint32_t(HD), uint32_t(pos0), double(float(theta)));
  std::vector<double> bound(ref.size()), norm(ref.size());
  for (size_t i = 0; i < ref.size(); i += 2) {
    const double n = std::hypot(xd[i], xd[i + 1]);
    norm[i] = norm[i + 1] = n > 0 ? n : 1e-30;
    bound[i] = 0x1p-8 * std::fabs(ref[i]) + 5 * 0x1p-24 * n + 1e-38;
    bound[i + 1] = 0x1p-8 * std::fabs(ref[i + 1]) + 5 * 0x1p-24 * n + 1e-38;
  }
  const std::vector<double> got = kk::download_values(dev, out);
  const kk::ErrStats eb = kk::compare_scaled(got, ref, bound);
  const kk::ErrStats en = kk::compare_scaled(got, ref, norm);

  kc::Result res;
  res.passed = bc.mismatches == 0 && eb.finite && eb.max_scaled <= 1.0 && refusals_ok;
  res.report.set("tokens", T).set("heads", NH).set("head_dim", HD).set("pos0", pos0).set("max_pos", max_pos)
      .set("theta", theta).set("seed", seed);
  kk::add_run_fields(res.report, run);
  res.report.set("mismatches_vs_golden", bc.mismatches)
      .set("max_abs_err_vs_golden", bc.max_abs_err)
      .set("max_abs_err_vs_fp64", en.max_abs)
      .set("max_rel_err_vs_fp64", en.max_scaled)  // relative to the pair norm
      .set("max_err_over_bound", eb.max_scaled)
      .set("tolerance_err_over_bound", 1.0)
      .set("refusals_ok", refusals_ok);
  std::ostringstream s;
  s << "  rope " << T << " tokens x " << NH << " heads x " << HD << ", positions " << pos0 << ".." << pos0 + T - 1
    << ", theta " << theta << "\n"
    << kk::run_summary(run) << "\n"
    << "  vs golden: " << bc.mismatches << " of " << bc.elements << " elements differ"
    << (bc.first.empty() ? "" : " (first: " + bc.first + ")") << "\n  vs FP64: max err / pair norm "
    << en.max_scaled << ", max err / bound " << eb.max_scaled << " (must be <= 1)\n  refusals: "
    << (refusals_ok ? "ok" : "FAILED: " + why);
  res.summary = s.str();
  return res;
}

const kc::Register reg{{"rope",
                        "RoPE (BF16, adjacent pairs, FP32 cos/sin table), bit-exact vs golden replay, accuracy vs FP64",
                        {{"tokens", "128", "rows of x"},
                         {"heads", "9", "heads per row (SmolLM2 q: 9, k: 3)"},
                         {"head-dim", "64", "head dimension (a multiple of 16 for the kernel)"},
                         {"pos0", "0", "position of the first row"},
                         {"max-pos", "0", "table rows (0: pos0 + tokens)"},
                         {"theta", "100000", "RoPE base (SmolLM2: 100000)"},
                         {"seed", "1", "random seed"}},
                        run_rope}};

}  // namespace
