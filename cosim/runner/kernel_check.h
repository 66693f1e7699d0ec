// Shared helpers for the kernel cosim tests (softmax, rmsnorm, rope, mlp,
// attention, decoder_layer): host <-> device data, golden replay, FP64
// references, error metrics and the common report.json fields.
//
// A kernel test is checked in two steps (cosim/machine/golden_machine.h):
//   1. bit-exact: the device's output equals the golden machine's output for
//      the same command stream, started from the same device-memory inputs;
//   2. accuracy: the output is within a stated tolerance of an FP64 reference.
//
// Typical use:
//   kiln::Device dev(ctx.backend.c_str());
//   auto x = kcheck::upload_fp32(dev, xs, T, H);           // inputs
//   ... build `cb` with the kernel ...
//   kcheck::GoldenReplay gold;
//   gold.mirror(dev, x); gold.mirror(dev, w);               // every input, BEFORE the run
//   kcheck::DeviceRun run = kcheck::run_on_device(dev, cb); // counters, times
//   gold.execute(cb);                                       // throws on refusal
//   kcheck::BitCompare bc = gold.compare(dev, out);         // bc.mismatches must be 0
//   kcheck::add_run_fields(r.report, run);                  // cycles, utilizations, ...
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "kiln/kiln.hpp"
#include "kiln/sdk/kernels.h"
#include "kiln/sdk/matrix.h"
#include "report.h"

namespace kiln::golden {
class Machine;
}

namespace kiln::cosim::kcheck {

using kiln::sdk::DeviceMatrix;
using kiln::sdk::DType;

// ---- host data -----------------------------------------------------------------
// Dense row-major host matrices as element bit patterns: BF16 as uint16_t,
// FP32/INT32 as uint32_t.
DeviceMatrix upload_bf16(kiln::Device &dev, const std::vector<uint16_t> &v, uint32_t rows,
                         uint32_t cols);
DeviceMatrix upload_fp32(kiln::Device &dev, const std::vector<float> &v, uint32_t rows,
                         uint32_t cols);
// The matrix's elements as doubles (BF16/FP32 widened exactly, INT32 as integers).
std::vector<double> download_values(kiln::Device &dev, const DeviceMatrix &m);
double bf16_to_double(uint16_t h);
uint16_t double_to_bf16(double v);  // RNE, for building inputs; no NaN handling needed
std::vector<double> bf16_values(const std::vector<uint16_t> &v);

// ---- golden replay -------------------------------------------------------------
// Raw 64-byte commands of a command buffer (count = cb.size()).
const void *command_words(const kiln::CommandBuffer &cb);

struct BitCompare {
  uint64_t elements = 0;
  uint64_t mismatches = 0;
  double max_abs_err = 0;  // over mismatching elements (Inf if a NaN differs)
  std::string first;       // "row r col c: device 0x..., golden 0x..." or ""
};

class GoldenReplay {
 public:
  GoldenReplay();
  ~GoldenReplay();
  GoldenReplay(const GoldenReplay &) = delete;
  GoldenReplay &operator=(const GoldenReplay &) = delete;

  // Copies the device's current bytes of m (whole buffer, padding included)
  // into the golden machine at the same addresses. Call for every input
  // before the device run (outputs need not be mirrored).
  void mirror(kiln::Device &dev, const DeviceMatrix &m);
  void mirror(kiln::Device &dev, const kiln::Buffer &b);
  void mirror_bytes(uint64_t addr, const void *src, size_t bytes);
  // Executes the command stream; throws std::runtime_error naming the
  // command if the golden machine refuses it.
  void execute(const kiln::CommandBuffer &cb);
  void execute(const void *cmds, size_t count);
  // The golden machine's elements of m (dense, as download_values).
  std::vector<double> values(const DeviceMatrix &m) const;
  // Compares the logical elements of m (not the row padding) bit for bit:
  // device memory against the golden machine's memory.
  BitCompare compare(kiln::Device &dev, const DeviceMatrix &m) const;
  kiln::golden::Machine &machine() { return *m_; }

 private:
  std::unique_ptr<kiln::golden::Machine> m_;
};

// ---- device run ----------------------------------------------------------------
struct DeviceRun {
  uint64_t cycles = 0;          // NPU cycles (PERF_CYCLES delta)
  uint64_t rtl_cycles = 0;      // cycles the backend clocked (kiln_sim_time)
  uint64_t device_time_ns = 0;
  double wall_seconds = 0;      // submit .. wait returned
  uint64_t dram_read_bytes = 0, dram_write_bytes = 0;
  uint64_t commands = 0;
  double tensor_utilization = 0;  // tc busy cycles / cycles
  double vector_utilization = 0;  // vu busy cycles / cycles
  double dma_busy = 0;            // cycles some DMA channel was busy / cycles
  uint64_t macs = 0;
  kiln_counters before{}, after{};
};
// Submits cb, waits (timeout_ns of simulated time, 0 = driver default) and
// measures.
DeviceRun run_on_device(kiln::Device &dev, const kiln::CommandBuffer &cb, uint64_t timeout_ns = 0);
// Sets cycles, commands, tensor_utilization, vector_utilization, dma_busy,
// macs_counted, dram_bytes, dram_read_bytes, dram_write_bytes,
// device_time_ns, sim_cycles_per_second, job_wall_seconds (main adds wall_seconds).
void add_run_fields(Json &report, const DeviceRun &run);
// "cycles N, TC x%, VU y%, DMA z%, DRAM bytes B, S cycles/s", then the unit
// counter lines of unit_counter_lines.
std::string run_summary(const DeviceRun &run);
// Per-unit counters of a counter delta (kiln::counters_delta): vu_stall_cycles
// and, per DMA channel, dma_ch<n> = {read_bytes, write_bytes, busy_cycles,
// stall_cycles}.
void add_unit_counter_fields(Json &report, const kiln_counters &delta);
// "  dma ch0 rd 1.2 MB wr 0 B busy 12345 stall 678" per channel and "  vu busy
// B stall S", one per line, no newline at the end.
std::string unit_counter_lines(const kiln_counters &delta);

// Runs f on an empty command buffer: true if it throws
// kiln::Error(KILN_ERR_INVALID_ARGUMENT) and appended nothing. *what gets the
// message (or what went wrong instead).
bool refuses(const std::function<void(kiln::CommandBuffer &)> &f, std::string *what);

// ---- error metrics ---------------------------------------------------------------
struct ErrStats {
  double max_abs = 0;       // max |got - ref|
  double max_ref = 0;       // max |ref|
  double normwise_rel = 0;  // max_abs / max_ref
  double max_scaled = 0;    // max |got - ref| / scale_i (see compare_scaled)
  uint64_t worst = 0;       // index of the element giving max_scaled
  bool finite = true;       // false if got had NaN/Inf where ref was finite
};
// max_scaled uses scale_i = max(|ref_i|, floor): elementwise relative error
// for values above `floor`, absolute error (divided by floor) below it.
ErrStats compare_rel(const std::vector<double> &got, const std::vector<double> &ref, double floor);
// max_scaled uses the given per-element scales (error bounds, pair norms...).
ErrStats compare_scaled(const std::vector<double> &got, const std::vector<double> &ref,
                        const std::vector<double> &scale);

// ---- FP64 references of the kernels (dense row-major doubles) --------------------
std::vector<double> ref_rmsnorm(const std::vector<double> &x, const std::vector<double> &w,
                                uint32_t rows, uint32_t cols, double eps);
std::vector<double> ref_softmax(const std::vector<double> &x, uint32_t rows, uint32_t cols);
// x [T][n_heads*head_dim], adjacent pairs, positions pos0.., angle pos*theta^(-2i/head_dim).
std::vector<double> ref_rope(const std::vector<double> &x, uint32_t tokens, uint32_t n_heads,
                             uint32_t head_dim, uint32_t pos0, double theta);
double ref_silu(double x);
// a [M][K] x b^T with b [N][K] -> [M][N]
std::vector<double> ref_matmul_bt(const std::vector<double> &a, const std::vector<double> &b,
                                  uint32_t m, uint32_t n, uint32_t k);
// SwiGLU: (silu(x Wg^T) * (x Wu^T)) Wd^T; also returns h (before the down
// projection) when h_out is not null.
std::vector<double> ref_mlp(const std::vector<double> &x, const std::vector<double> &wg,
                            const std::vector<double> &wu, const std::vector<double> &wd,
                            uint32_t tokens, uint32_t hidden, uint32_t ffn,
                            std::vector<double> *h_out = nullptr);

}  // namespace kiln::cosim::kcheck
