// Shared helpers of the kernel cosim tests (see kernel_check.h).
#include "kernel_check.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>
#include <sstream>
#include <stdexcept>

#include "golden_machine.h"
#include "kiln_hw.h"
#include "kiln/golden/numerics.h"

namespace kiln::cosim::kcheck {

using kiln::sdk::dtype_bytes;

// ---- host data -----------------------------------------------------------------
double bf16_to_double(uint16_t h) {
  const uint32_t bits = uint32_t(h) << 16;
  float f;
  std::memcpy(&f, &bits, 4);
  return f;
}

uint16_t double_to_bf16(double v) {
  const float f = float(v);
  uint32_t b;
  std::memcpy(&b, &f, 4);
  return kiln::golden::fp32_to_bf16(b);
}

std::vector<double> bf16_values(const std::vector<uint16_t> &v) {
  std::vector<double> out(v.size());
  for (size_t i = 0; i < v.size(); ++i) out[i] = bf16_to_double(v[i]);
  return out;
}

DeviceMatrix upload_bf16(kiln::Device &dev, const std::vector<uint16_t> &v, uint32_t rows,
                         uint32_t cols) {
  if (v.size() != size_t(rows) * cols) throw std::invalid_argument("upload_bf16: size mismatch");
  return kiln::sdk::upload_matrix(dev, v.data(), rows, cols, DType::BF16);
}

DeviceMatrix upload_fp32(kiln::Device &dev, const std::vector<float> &v, uint32_t rows,
                         uint32_t cols) {
  if (v.size() != size_t(rows) * cols) throw std::invalid_argument("upload_fp32: size mismatch");
  return kiln::sdk::upload_matrix(dev, v.data(), rows, cols, DType::FP32);
}

namespace {

double element_value(const uint8_t *p, DType t) {
  switch (t) {
    case DType::BF16: {
      uint16_t h;
      std::memcpy(&h, p, 2);
      return bf16_to_double(h);
    }
    case DType::FP32: {
      float f;
      std::memcpy(&f, p, 4);
      return f;
    }
    case DType::INT32: {
      int32_t i;
      std::memcpy(&i, p, 4);
      return i;
    }
    case DType::INT8:
      return double(int8_t(p[0]));
  }
  return 0;
}

uint32_t element_bits(const uint8_t *p, DType t) {
  uint32_t b = 0;
  std::memcpy(&b, p, dtype_bytes(t) >= 4 ? 4 : 2);
  return b;
}

std::vector<double> values_of(const std::vector<uint8_t> &raw, const DeviceMatrix &m) {
  std::vector<double> out(size_t(m.rows) * m.cols);
  const uint32_t eb = dtype_bytes(m.dtype);
  for (uint32_t r = 0; r < m.rows; ++r)
    for (uint32_t c = 0; c < m.cols; ++c)
      out[size_t(r) * m.cols + c] = element_value(&raw[size_t(r) * m.stride + size_t(c) * eb], m.dtype);
  return out;
}

std::vector<uint8_t> device_bytes(kiln::Device &dev, const DeviceMatrix &m) {
  std::vector<uint8_t> raw(size_t(m.rows) * m.stride);
  if (!raw.empty()) dev.read(m.buf.addr(), raw.data(), raw.size());
  return raw;
}

}  // namespace

std::vector<double> download_values(kiln::Device &dev, const DeviceMatrix &m) {
  return values_of(device_bytes(dev, m), m);
}

// ---- golden replay -------------------------------------------------------------
const void *command_words(const kiln::CommandBuffer &cb) { return cb.data(); }

GoldenReplay::GoldenReplay() : m_(std::make_unique<kiln::golden::Machine>()) {}
GoldenReplay::~GoldenReplay() = default;

void GoldenReplay::mirror_bytes(uint64_t addr, const void *src, size_t bytes) { m_->write(addr, src, bytes); }

void GoldenReplay::mirror(kiln::Device &dev, const kiln::Buffer &b) {
  std::vector<uint8_t> raw(b.size());
  if (!raw.empty()) dev.read(b.addr(), raw.data(), raw.size());
  m_->write(b.addr(), raw.data(), raw.size());
}

void GoldenReplay::mirror(kiln::Device &dev, const DeviceMatrix &m) {
  const std::vector<uint8_t> raw = device_bytes(dev, m);
  m_->write(m.buf.addr(), raw.data(), raw.size());
}

void GoldenReplay::execute(const void *cmds, size_t count) {
  std::string err;
  if (!m_->execute(cmds, count, &err)) throw std::runtime_error(err);
}

void GoldenReplay::execute(const kiln::CommandBuffer &cb) { execute(command_words(cb), cb.size()); }

std::vector<double> GoldenReplay::values(const DeviceMatrix &m) const {
  std::vector<uint8_t> raw(size_t(m.rows) * m.stride);
  m_->read(m.buf.addr(), raw.data(), raw.size());
  return values_of(raw, m);
}

BitCompare GoldenReplay::compare(kiln::Device &dev, const DeviceMatrix &m) const {
  const std::vector<uint8_t> got = device_bytes(dev, m);
  std::vector<uint8_t> want(got.size());
  m_->read(m.buf.addr(), want.data(), want.size());
  BitCompare bc;
  const uint32_t eb = dtype_bytes(m.dtype);
  for (uint32_t r = 0; r < m.rows; ++r)
    for (uint32_t c = 0; c < m.cols; ++c) {
      const size_t off = size_t(r) * m.stride + size_t(c) * eb;
      ++bc.elements;
      const uint32_t g = element_bits(&got[off], m.dtype), w = element_bits(&want[off], m.dtype);
      if (g == w) continue;
      if (bc.mismatches++ == 0) {
        std::ostringstream os;
        os << "row " << r << " col " << c << ": device 0x" << std::hex << g << ", golden 0x" << w;
        bc.first = os.str();
      }
      const double d = std::fabs(element_value(&got[off], m.dtype) - element_value(&want[off], m.dtype));
      bc.max_abs_err = std::max(bc.max_abs_err, std::isnan(d) ? INFINITY : d);
    }
  return bc;
}

// ---- device run ----------------------------------------------------------------
DeviceRun run_on_device(kiln::Device &dev, const kiln::CommandBuffer &cb, uint64_t timeout_ns) {
  DeviceRun r;
  uint64_t ns0 = 0, cyc0 = 0, ns1 = 0, cyc1 = 0;
  r.before = dev.counters();
  if (kiln_sim_time(dev.get(), &ns0, &cyc0) != KILN_OK) throw kiln::Error(KILN_ERR_BACKEND, kiln_last_error(dev.get()));
  const auto t0 = std::chrono::steady_clock::now();
  dev.wait(dev.submit(cb), timeout_ns);
  r.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  if (kiln_sim_time(dev.get(), &ns1, &cyc1) != KILN_OK) throw kiln::Error(KILN_ERR_BACKEND, kiln_last_error(dev.get()));
  r.after = dev.counters();
  const kiln_counters &a = r.after, &b = r.before;
  r.cycles = a.cycles - b.cycles;
  r.rtl_cycles = cyc1 - cyc0;
  r.device_time_ns = ns1 - ns0;
  r.dram_read_bytes = a.dma_read_bytes - b.dma_read_bytes;
  r.dram_write_bytes = a.dma_write_bytes - b.dma_write_bytes;
  r.commands = cb.size();
  r.macs = a.macs - b.macs;
  const double c = r.cycles ? double(r.cycles) : 1.0;
  r.tensor_utilization = double(a.tc_busy_cycles - b.tc_busy_cycles) / c;
  r.vector_utilization = double(a.vu_busy_cycles - b.vu_busy_cycles) / c;
  r.dma_busy = double(a.dma_busy_cycles - b.dma_busy_cycles) / c;
  return r;
}

void add_run_fields(Json &report, const DeviceRun &run) {
  report.set("cycles", run.cycles)
      .set("commands", run.commands)
      .set("tensor_utilization", run.tensor_utilization)
      .set("vector_utilization", run.vector_utilization)
      .set("dma_busy", run.dma_busy)
      .set("macs_counted", run.macs)
      .set("dram_bytes", run.dram_read_bytes + run.dram_write_bytes)
      .set("dram_read_bytes", run.dram_read_bytes)
      .set("dram_write_bytes", run.dram_write_bytes)
      .set("device_time_ns", run.device_time_ns)
      .set("sim_cycles_per_second", run.wall_seconds > 0 ? double(run.rtl_cycles) / run.wall_seconds : 0.0)
      .set("job_wall_seconds", run.wall_seconds);
  add_unit_counter_fields(report, kiln::counters_delta(run.after, run.before));
}

void add_unit_counter_fields(Json &report, const kiln_counters &d) {
  report.set("vu_stall_cycles", d.vu_stall_cycles);
  for (unsigned c = 0; c < KILN_HW_DMA_CHANNELS && c < KILN_COUNTERS_MAX_DMA_CHANNELS; ++c) {
    Json ch;
    ch.set("read_bytes", d.dma_ch_read_bytes[c])
        .set("write_bytes", d.dma_ch_write_bytes[c])
        .set("busy_cycles", d.dma_ch_busy_cycles[c])
        .set("stall_cycles", d.dma_ch_stall_cycles[c]);
    report.set("dma_ch" + std::to_string(c), ch);
  }
}

std::string unit_counter_lines(const kiln_counters &d) {
  std::string s = kiln::format_unit_counters(d, KILN_HW_DMA_CHANNELS, "  ");
  if (!s.empty() && s.back() == '\n') s.pop_back();
  return s;
}

std::string run_summary(const DeviceRun &run) {
  std::ostringstream os;
  os << "  cycles " << run.cycles << " (" << run.commands << " commands), utilization TC "
     << run.tensor_utilization << ", VU " << run.vector_utilization << ", DMA busy " << run.dma_busy
     << "\n  DRAM bytes " << run.dram_read_bytes + run.dram_write_bytes << ", "
     << (run.wall_seconds > 0 ? double(run.rtl_cycles) / run.wall_seconds : 0.0) << " simulated cycles/s\n"
     << unit_counter_lines(kiln::counters_delta(run.after, run.before));
  return os.str();
}

bool refuses(const std::function<void(kiln::CommandBuffer &)> &f, std::string *what) {
  kiln::CommandBuffer cb;
  try {
    f(cb);
  } catch (const kiln::Error &e) {
    *what = e.what();
    if (e.status() != KILN_ERR_INVALID_ARGUMENT) {
      *what = std::string("wrong status ") + kiln_status_name(e.status()) + ": " + e.what();
      return false;
    }
    if (cb.size() != 0) {
      *what = "appended " + std::to_string(cb.size()) + " commands before refusing: " + e.what();
      return false;
    }
    return true;
  }
  *what = "accepted";
  return false;
}

// ---- error metrics ---------------------------------------------------------------
namespace {
ErrStats compare_impl(const std::vector<double> &got, const std::vector<double> &ref,
                      const std::vector<double> *scale, double floor) {
  if (got.size() != ref.size() || (scale && scale->size() != ref.size()))
    throw std::invalid_argument("compare: size mismatch");
  ErrStats s;
  for (size_t i = 0; i < got.size(); ++i) {
    double e = std::fabs(got[i] - ref[i]);
    if (!std::isfinite(e)) {
      if (std::isfinite(ref[i]) || got[i] != ref[i]) s.finite = false;
      e = std::isfinite(ref[i]) ? INFINITY : 0.0;
    }
    s.max_abs = std::max(s.max_abs, e);
    if (std::isfinite(ref[i])) s.max_ref = std::max(s.max_ref, std::fabs(ref[i]));
    const double sc = scale ? (*scale)[i] : std::max(std::fabs(ref[i]), floor);
    const double q = sc > 0 ? e / sc : (e > 0 ? INFINITY : 0.0);
    if (q > s.max_scaled || std::isnan(q)) {
      s.max_scaled = std::isnan(q) ? INFINITY : q;
      s.worst = i;
    }
  }
  s.normwise_rel = s.max_ref > 0 ? s.max_abs / s.max_ref : s.max_abs;
  return s;
}
}  // namespace

ErrStats compare_rel(const std::vector<double> &got, const std::vector<double> &ref, double floor) {
  return compare_impl(got, ref, nullptr, floor);
}

ErrStats compare_scaled(const std::vector<double> &got, const std::vector<double> &ref,
                        const std::vector<double> &scale) {
  return compare_impl(got, ref, &scale, 0);
}

// ---- FP64 references ---------------------------------------------------------------
std::vector<double> ref_rmsnorm(const std::vector<double> &x, const std::vector<double> &w,
                                uint32_t rows, uint32_t cols, double eps) {
  std::vector<double> out(x.size());
  for (uint32_t r = 0; r < rows; ++r) {
    const double *xr = &x[size_t(r) * cols];
    double ss = 0;
    for (uint32_t c = 0; c < cols; ++c) ss += xr[c] * xr[c];
    const double scale = 1.0 / std::sqrt(ss / cols + eps);
    for (uint32_t c = 0; c < cols; ++c) out[size_t(r) * cols + c] = xr[c] * scale * w[c];
  }
  return out;
}

std::vector<double> ref_softmax(const std::vector<double> &x, uint32_t rows, uint32_t cols) {
  std::vector<double> out(x.size());
  for (uint32_t r = 0; r < rows; ++r) {
    const double *xr = &x[size_t(r) * cols];
    double m = -INFINITY, s = 0;
    for (uint32_t c = 0; c < cols; ++c) m = std::max(m, xr[c]);
    for (uint32_t c = 0; c < cols; ++c) s += std::exp(xr[c] - m);
    for (uint32_t c = 0; c < cols; ++c) out[size_t(r) * cols + c] = std::exp(xr[c] - m) / s;
  }
  return out;
}

std::vector<double> ref_rope(const std::vector<double> &x, uint32_t tokens, uint32_t n_heads,
                             uint32_t head_dim, uint32_t pos0, double theta) {
  std::vector<double> out(x.size());
  const size_t width = size_t(n_heads) * head_dim;
  for (uint32_t t = 0; t < tokens; ++t)
    for (uint32_t h = 0; h < n_heads; ++h)
      for (uint32_t i = 0; 2 * i + 1 < head_dim; ++i) {
        const double ang = double(pos0 + t) * std::pow(theta, -2.0 * i / head_dim);
        const double c = std::cos(ang), s = std::sin(ang);
        const size_t o = t * width + size_t(h) * head_dim + 2 * i;
        out[o] = x[o] * c - x[o + 1] * s;
        out[o + 1] = x[o] * s + x[o + 1] * c;
      }
  return out;
}

double ref_silu(double x) { return x / (1.0 + std::exp(-x)); }

std::vector<double> ref_matmul_bt(const std::vector<double> &a, const std::vector<double> &b,
                                  uint32_t m, uint32_t n, uint32_t k) {
  std::vector<double> c(size_t(m) * n);
  for (uint32_t i = 0; i < m; ++i)
    for (uint32_t j = 0; j < n; ++j) {
      double s = 0;
      const double *ar = &a[size_t(i) * k], *br = &b[size_t(j) * k];
      for (uint32_t q = 0; q < k; ++q) s += ar[q] * br[q];
      c[size_t(i) * n + j] = s;
    }
  return c;
}

std::vector<double> ref_mlp(const std::vector<double> &x, const std::vector<double> &wg,
                            const std::vector<double> &wu, const std::vector<double> &wd,
                            uint32_t tokens, uint32_t hidden, uint32_t ffn, std::vector<double> *h_out) {
  const std::vector<double> g = ref_matmul_bt(x, wg, tokens, ffn, hidden);
  const std::vector<double> u = ref_matmul_bt(x, wu, tokens, ffn, hidden);
  std::vector<double> h(g.size());
  for (size_t i = 0; i < h.size(); ++i) h[i] = ref_silu(g[i]) * u[i];
  std::vector<double> out = ref_matmul_bt(h, wd, tokens, hidden, ffn);
  if (h_out) *h_out = std::move(h);
  return out;
}

}  // namespace kiln::cosim::kcheck
