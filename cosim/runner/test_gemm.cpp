// cosim test "gemm": C = A x B on the device, checked bit for bit against the
// golden model and for accuracy against an FP64 reference.
#include <cmath>
#include <cstring>
#include <sstream>
#include <stdexcept>

#include "kiln/golden/gemm.h"
#include "kiln/golden/numerics.h"
#include "kiln/sdk/gemm.h"
#include "kernel_check.h"
#include "kiln_hw.h"
#include "random_data.h"
#include "registry.h"

namespace kc = kiln::cosim;
namespace kg = kiln::golden;
using kiln::sdk::DType;

namespace {

double bits_to_double(uint32_t bits, DType t) {
  if (t == DType::INT32) return double(int32_t(bits));
  float f;
  std::memcpy(&f, &bits, 4);
  return f;
}

kc::Result run_gemm(kc::Context &ctx) {
  const long long M = ctx.opts.integer("m"), N = ctx.opts.integer("n"), K = ctx.opts.integer("k");
  const std::string in_type = ctx.opts.str("dtype"), out_type = ctx.opts.str("out");
  const uint64_t seed = uint64_t(ctx.opts.integer("seed"));
  for (auto [name, v] : {std::pair{"m", M}, {"n", N}, {"k", K}})
    if (v < 1 || v > 65536) throw std::invalid_argument(std::string("--") + name + " must be in 1..65536, got " + std::to_string(v));
  if (in_type != "bf16" && in_type != "int8") throw std::invalid_argument("--dtype must be bf16 or int8, got '" + in_type + "'");
  if (out_type != "bf16" && out_type != "fp32") throw std::invalid_argument("--out must be bf16 or fp32, got '" + out_type + "'");
  const bool int8 = in_type == "int8";
  if (int8 && out_type == "bf16") throw std::invalid_argument("--dtype int8 gives INT32 results: use --out fp32");
  const DType tin = int8 ? DType::INT8 : DType::BF16;
  const DType tout = int8 ? DType::INT32 : (out_type == "fp32" ? DType::FP32 : DType::BF16);

  kc::RandomData rng(seed);
  std::vector<uint16_t> A(size_t(M) * K), B(size_t(K) * N);
  for (auto &x : A) x = int8 ? rng.int8_lane() : rng.bf16_normal();
  for (auto &x : B) x = int8 ? rng.int8_lane() : rng.bf16_normal();

  // Golden: FP32 (or INT32) accumulator bits in the hardware's order.
  std::vector<uint32_t> gold(size_t(M) * N, 0);
  if (int8) {
    std::vector<int8_t> a8(A.size()), b8(B.size());
    for (size_t i = 0; i < A.size(); ++i) a8[i] = int8_t(A[i] & 0xFF);
    for (size_t i = 0; i < B.size(); ++i) b8[i] = int8_t(B[i] & 0xFF);
    kg::gemm_int8(a8.data(), K, b8.data(), N, reinterpret_cast<int32_t *>(gold.data()), N, int(M), int(N), int(K),
                  false);
  } else kg::gemm_bf16(A.data(), K, B.data(), N, gold.data(), N, int(M), int(N), int(K), false);

  kiln::Device dev(ctx.backend.c_str(), ctx.open_options());
  auto a = kiln::sdk::upload_matrix(dev, A.data(), uint32_t(M), uint32_t(K), tin);
  auto b = kiln::sdk::upload_matrix(dev, B.data(), uint32_t(K), uint32_t(N), tin);
  auto c = kiln::sdk::alloc_matrix(dev, uint32_t(M), uint32_t(N), tout);

  kiln::CommandBuffer cb;
  kiln::sdk::gemm_commands(cb, a, b, c);
  const kc::kcheck::DeviceRun run = kc::kcheck::run_on_device(dev, cb);
  const kiln_counters &before = run.before, &after = run.after;
  const double job_wall = run.wall_seconds;

  const size_t out_bytes = kiln::sdk::dtype_bytes(tout);
  std::vector<uint8_t> raw(size_t(M) * N * out_bytes);
  kiln::sdk::download_matrix(dev, c, raw.data());

  // Compare.
  size_t mismatches = 0;
  double max_abs_gold = 0, max_abs_ref = 0, max_ref = 0;
  for (long long m = 0; m < M; ++m) {
    for (long long n = 0; n < N; ++n) {
      const size_t i = size_t(m) * N + n;
      uint32_t got_bits, want_bits = gold[i];
      if (tout == DType::BF16) {
        uint16_t h;
        std::memcpy(&h, &raw[i * 2], 2);
        got_bits = kg::bf16_to_fp32(h);
        want_bits = kg::bf16_to_fp32(kg::fp32_to_bf16(gold[i]));
      } else {
        std::memcpy(&got_bits, &raw[i * 4], 4);
      }
      const double got = bits_to_double(got_bits, tout), want = bits_to_double(want_bits, tout);
      if (got_bits != want_bits) {
        ++mismatches;
        max_abs_gold = std::max(max_abs_gold, std::isnan(got - want) ? INFINITY : std::fabs(got - want));
      }
      double ref = 0;
      for (long long k = 0; k < K; ++k)
        ref += (int8 ? double(int8_t(A[size_t(m) * K + k] & 0xFF)) : double(kc::bf16_value(A[size_t(m) * K + k]))) *
               (int8 ? double(int8_t(B[size_t(k) * N + n] & 0xFF)) : double(kc::bf16_value(B[size_t(k) * N + n])));
      max_abs_ref = std::max(max_abs_ref, std::fabs(got - ref));
      max_ref = std::max(max_ref, std::fabs(ref));
    }
  }
  const double rel_ref = max_ref > 0 ? max_abs_ref / max_ref : max_abs_ref;
  // Tolerances against FP64 (normwise, max|err| / max|ref|): BF16 output is
  // rounded to 8 significant bits, whose half-ulp is up to 2^-8 of max|ref|,
  // plus FP32 accumulation error: 2^-7. FP32 output carries only FP32
  // accumulation error (K * 2^-24 relative to the sum of |products| in the
  // worst case; 1e-5 holds for K up to a few thousand random operands). INT8 is exact.
  const double tol = int8 ? 0.0 : (tout == DType::BF16 ? 0x1p-7 : 1e-5);
  const uint64_t cycles = after.cycles - before.cycles;
  const uint64_t rtl_cycles = run.rtl_cycles;
  const double macs = double(M) * N * K;
  const double array = double(KILN_HW_TENSOR_CORE_ROWS) * KILN_HW_TENSOR_CORE_COLS;

  kc::Result r;
  r.passed = mismatches == 0 && rel_ref <= tol;
  r.report.set("m", M).set("n", N).set("k", K).set("dtype", in_type).set("out", int8 ? std::string("int32") : out_type)
      .set("seed", seed).set("cycles", cycles)
      .set("mac_utilization", cycles ? macs / (double(cycles) * array) : 0.0)
      .set("tensor_utilization", cycles ? double(after.tc_busy_cycles - before.tc_busy_cycles) / double(cycles) : 0.0)
      .set("tc_stall_cycles", after.tc_stall_cycles - before.tc_stall_cycles)
      .set("macs_counted", after.macs - before.macs)
      .set("mismatches_vs_golden", uint64_t(mismatches))
      .set("max_abs_err_vs_golden", max_abs_gold)
      .set("max_abs_err_vs_fp64", max_abs_ref)
      .set("max_rel_err_vs_fp64", rel_ref)
      .set("tolerance_rel_vs_fp64", tol)
      .set("dram_bytes", (after.dma_read_bytes - before.dma_read_bytes) + (after.dma_write_bytes - before.dma_write_bytes))
      .set("dram_read_bytes", after.dma_read_bytes - before.dma_read_bytes)
      .set("dram_write_bytes", after.dma_write_bytes - before.dma_write_bytes)
      .set("device_time_ns", run.device_time_ns)
      .set("commands", uint64_t(cb.size()))
      .set("sim_cycles_per_second", job_wall > 0 ? double(rtl_cycles) / job_wall : 0.0)
      .set("job_wall_seconds", job_wall);
  const kiln_counters delta = kiln::counters_delta(after, before);
  kc::kcheck::add_unit_counter_fields(r.report, delta);
  std::ostringstream s;
  s << "  shape " << M << "x" << N << "x" << K << " " << in_type << " -> " << (int8 ? "int32" : out_type)
    << ", " << cb.size() << " commands\n"
    << "  cycles " << cycles << ", MAC utilization " << (cycles ? macs / (double(cycles) * array) : 0.0) << "\n"
    << "  vs golden: " << mismatches << " mismatching elements (max abs err " << max_abs_gold << ")\n"
    << "  vs FP64: max abs err " << max_abs_ref << ", normwise rel err " << rel_ref << " (tolerance " << tol << ")\n"
    << "  DRAM bytes " << (after.dma_read_bytes - before.dma_read_bytes) + (after.dma_write_bytes - before.dma_write_bytes)
    << ", " << (job_wall > 0 ? double(rtl_cycles) / job_wall : 0.0) << " simulated cycles/s\n"
    << kc::kcheck::unit_counter_lines(delta);
  r.summary = s.str();
  return r;
}

const kc::Register reg{{"gemm",
                        "C = A x B (BF16 or INT8 in; BF16/FP32/INT32 out), bit-exact vs golden, accuracy vs FP64",
                        {{"m", "256", "rows of A and C"},
                         {"n", "256", "columns of B and C"},
                         {"k", "256", "columns of A, rows of B"},
                         {"dtype", "bf16", "input type: bf16 | int8"},
                         {"out", "bf16", "output type: bf16 | fp32 (int8 inputs: fp32 means int32)"},
                         {"seed", "1", "random seed for the operands"}},
                        run_gemm}};

}  // namespace
