// cosim test "softmax": row softmax (sdk kiln::sdk::softmax) on the device,
// golden replay bit for bit, accuracy against FP64.
#include <algorithm>
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

kc::Result run_softmax(kc::Context &ctx) {
  const long long R = ctx.opts.integer("rows"), C = ctx.opts.integer("cols");
  const double scale = ctx.opts.real("scale");
  const std::string out_type = ctx.opts.str("out");
  const uint64_t seed = uint64_t(ctx.opts.integer("seed"));
  if (R < 1 || R > 65536) throw std::invalid_argument("--rows must be in 1..65536");
  if (C < 1 || C > 65536) throw std::invalid_argument("--cols must be in 1..65536");
  if (out_type != "bf16" && out_type != "fp32") throw std::invalid_argument("--out must be bf16 or fp32");
  if (!(scale > 0) || scale > 1e4) throw std::invalid_argument("--scale must be in (0, 1e4]");
  const DType tout = out_type == "fp32" ? DType::FP32 : DType::BF16;

  // Inputs: scale * N(0,1) with full FP32 mantissas (as attention scores are).
  kc::RandomData rng(seed);
  std::vector<float> xs(size_t(R) * C);
  for (auto &v : xs) v = float(scale * kk::bf16_to_double(rng.bf16_normal()) * (1.0 + 0.0078125 * rng.uniform()));
  std::vector<double> xd(xs.begin(), xs.end());

  kiln::Device dev(ctx.backend.c_str(), ctx.open_options());
  auto x = kk::upload_fp32(dev, xs, uint32_t(R), uint32_t(C));
  auto out = kiln::sdk::alloc_matrix(dev, uint32_t(R), uint32_t(C), tout);

  // Refusals: shape mismatch, wrong types; nothing appended.
  std::string why;
  bool refusals_ok = true;
  {
    auto bad = kiln::sdk::alloc_matrix(dev, uint32_t(R), uint32_t(C) + 1, tout);
    auto i32 = kiln::sdk::alloc_matrix(dev, uint32_t(R), uint32_t(C), DType::INT32);
    refusals_ok &= kk::refuses([&](kiln::CommandBuffer &cb) { kiln::sdk::softmax(cb, x, bad); }, &why);
    refusals_ok &= kk::refuses([&](kiln::CommandBuffer &cb) { kiln::sdk::softmax(cb, x, i32); }, &why);
    refusals_ok &= kk::refuses([&](kiln::CommandBuffer &cb) { kiln::sdk::softmax(cb, out, out); }, &why) ||
                   tout == DType::FP32;
  }

  kiln::CommandBuffer cb;
  kiln::sdk::softmax(cb, x, out);
  kk::GoldenReplay gold;
  gold.mirror(dev, x);
  const kk::DeviceRun run = kk::run_on_device(dev, cb);
  gold.execute(cb);
  const kk::BitCompare bc = gold.compare(dev, out);

  // FP64 accuracy, elementwise relative (floor 1e-30: exp results below
  // 2^-126 flush to zero, an absolute error under 1e-38). FP32 error terms,
  // as multiples of u = 2^-24: exp of (x - m) carries the rounding of x - m,
  // |x - m| * u absolute in the exponent = relative in the result, plus the
  // exp approximation (2^-21.95, docs/numerics.md); the row sum of n
  // positive terms ((n/8 + 3) u: 3 tree levels and n/8 running additions);
  // recip (2^-23.4) and the final product (u). BF16 output adds its
  // rounding, 2^-8 relative.
  double range = 0;
  for (long long r = 0; r < R; ++r) {
    const auto mm = std::minmax_element(xd.begin() + r * C, xd.begin() + (r + 1) * C);
    range = std::max(range, *mm.second - *mm.first);
  }
  const double u = 0x1p-24;
  const double tol32 = range * u + 0x1p-21 + (double(C) / 8 + 3) * u + 0x1p-23 + u;
  const double tol = tout == DType::BF16 ? 0x1p-8 + tol32 : tol32;
  const std::vector<double> ref = kk::ref_softmax(xd, uint32_t(R), uint32_t(C));
  const kk::ErrStats es = kk::compare_rel(kk::download_values(dev, out), ref, 1e-30);

  kc::Result res;
  res.passed = bc.mismatches == 0 && es.finite && es.max_scaled <= tol && refusals_ok;
  res.report.set("rows", R).set("cols", C).set("out", out_type).set("scale", scale).set("seed", seed);
  kk::add_run_fields(res.report, run);
  res.report.set("mismatches_vs_golden", bc.mismatches)
      .set("max_abs_err_vs_golden", bc.max_abs_err)
      .set("max_abs_err_vs_fp64", es.max_abs)
      .set("max_rel_err_vs_fp64", es.max_scaled)
      .set("tolerance_rel_vs_fp64", tol)
      .set("refusals_ok", refusals_ok);
  std::ostringstream s;
  s << "  softmax " << R << "x" << C << " fp32 -> " << out_type << "\n"
    << kk::run_summary(run) << "\n"
    << "  vs golden: " << bc.mismatches << " of " << bc.elements << " elements differ" << (bc.first.empty() ? "" : " (first: " + bc.first + ")")
    << "\n  vs FP64: max elementwise rel err " << es.max_scaled << " (tolerance " << tol << "), max abs err " << es.max_abs
    << "\n  refusals: " << (refusals_ok ? "ok" : "FAILED: " + why);
  res.summary = s.str();
  return res;
}

const kc::Register reg{{"softmax",
                        "row softmax (FP32 in, BF16/FP32 out), bit-exact vs golden replay, accuracy vs FP64",
                        {{"rows", "1152", "rows (default: 9 heads x 128 query tokens)"},
                         {"cols", "128", "columns (default: 128 key tokens)"},
                         {"out", "bf16", "output type: bf16 | fp32"},
                         {"scale", "4", "inputs are scale * N(0,1)"},
                         {"seed", "1", "random seed"}},
                        run_softmax}};

}  // namespace
