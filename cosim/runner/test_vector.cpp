// cosim test "vector": vector-unit ops through SDK -> driver -> platform ->
// RTL. Inputs are DMAed into the scratchpad, one VECTOR command runs per row
// chunk, results are DMAed out and compared bit for bit with the golden model
// (kiln::golden::vector_run on a scratchpad image laid out like the device's)
// and for accuracy against an FP64 reference with per-op tolerances.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <sstream>
#include <stdexcept>

#include "kiln/golden/vector.h"
#include "kiln/sdk/vector.h"
#include "kiln_hw.h"
#include "random_data.h"
#include "kernel_check.h"
#include "registry.h"
#include "vector_ref.h"

namespace kc = kiln::cosim;
namespace kg = kiln::golden;
namespace vr = kiln::cosim::vecref;
using kiln::sdk::DType;
using kiln::sdk::Src1Mode;
using kiln::sdk::VecOp;

namespace {

constexpr uint32_t kWordBytes = KILN_HW_SCRATCHPAD_WORD_BYTES;
constexpr uint32_t kSpadWords = KILN_HW_SCRATCHPAD_WORDS;
constexpr uint32_t kBankWords = kSpadWords / KILN_HW_SCRATCHPAD_BANKS;
// Scratchpad layout: src0, src1 and src2 in banks 0..2 so the unit's three
// read ports never collide; dst and the packed aux array share bank 3 (both
// go through the one write port).
constexpr uint32_t kSrc0 = 0, kSrc1 = kBankWords, kSrc2 = 2 * kBankWords;
constexpr uint32_t kDst = 3 * kBankWords, kAux = kDst + kBankWords / 2;
constexpr uint32_t kRegionWords = kBankWords / 2;

// One operand on the device: a host image of padded rows (row_words words
// each, zero padding), its device-memory buffer and its scratchpad region.
struct Operand {
  vr::Image img;
  kiln::Buffer buf;
  uint32_t spad = 0;
};

void dma_rows(kiln::CommandBuffer &cb, uint32_t ch, uint32_t dir, const Operand &o, uint32_t r0,
              uint32_t rows) {
  const uint32_t rb = o.img.row_words * kWordBytes;
  cb.dma(ch, dir, o.buf.addr() + uint64_t(r0) * rb, o.spad * kWordBytes, rb, rows, rb, rb);
}
// Packed 32-bit arrays: chunk starts are multiples of 8 elements (one word).
void dma_packed(kiln::CommandBuffer &cb, uint32_t ch, uint32_t dir, const Operand &o, uint32_t r0,
                uint32_t rows) {
  const uint32_t bytes = kiln::sdk::vec_packed_words(rows) * kWordBytes;
  cb.dma(ch, dir, o.buf.addr() + uint64_t(r0) * 4, o.spad * kWordBytes, bytes, 1, bytes, bytes);
}

struct OpRun {
  bool passed = false;
  uint64_t cycles = 0, vu_busy = 0;
  kc::Json report;
  std::string summary;
};

OpRun run_one(kiln::Device &dev, VecOp op, uint32_t rows, uint32_t cols, DType t, uint64_t seed) {
  const vr::Setup su = vr::setup_for(op, t);
  kc::RandomData rng(seed * 131 + uint32_t(op));
  const uint32_t w0 = kiln::sdk::vec_row_words(cols, t);
  const uint32_t w1 = kiln::sdk::vec_row_words(cols, su.src1_type);
  const uint32_t wd = kiln::sdk::vec_row_words(cols, su.dst_type);
  const bool red = kiln::sdk::vec_op_is_reduction(op);
  // Rows per VECTOR command: every operand region must hold the chunk.
  uint32_t per = kRegionWords / std::max({w0, su.src1 == Src1Mode::Row ? w1 : 1u, red ? 1u : wd});
  if (per == 0) throw std::invalid_argument("--cols " + std::to_string(cols) + " does not fit a scratchpad region");
  per = std::min(per, 8 * kRegionWords);  // packed arrays: 8 per word
  const uint32_t chunk = per >= rows ? rows : std::max(8u, per / 8 * 8);

  // Inputs.
  Operand s0, s1, s2, dst, aux;
  s0.img = vr::Image(rows, w0, t);
  vr::fill_input(op, s0.img, cols, rng, 0);
  const uint32_t s1_rows = su.src1 == Src1Mode::Broadcast ? 1 : rows;
  if (su.src1 == Src1Mode::Row || su.src1 == Src1Mode::Broadcast) {
    s1.img = vr::Image(s1_rows, w1, su.src1_type);
    vr::fill_input(op, s1.img, cols, rng, 1);
  } else if (su.src1 == Src1Mode::Scalar) {
    s1.img = vr::Image(1, kiln::sdk::vec_packed_words(rows), DType::FP32);
    vr::fill_scalars(op, s1.img, s0.img, rows, cols, rng);
  }
  if (su.src2) {
    s2.img = vr::Image(rows, w0, t);
    vr::fill_input(op, s2.img, cols, rng, 2);
  }
  dst.img = red ? vr::Image(1, kiln::sdk::vec_packed_words(rows), DType::FP32) : vr::Image(rows, wd, su.dst_type);
  if (su.rowsum) aux.img = vr::Image(1, kiln::sdk::vec_packed_words(rows), DType::FP32);
  s0.spad = kSrc0, s1.spad = kSrc1, s2.spad = kSrc2, dst.spad = kDst, aux.spad = kAux;
  for (Operand *o : {&s0, &s1, &s2, &dst, &aux}) {
    if (o->img.bytes.empty()) continue;
    o->buf = dev.alloc(o->img.bytes.size(), 4096);
    o->buf.write(o->img.bytes.data(), o->img.bytes.size());
  }

  // Commands and the golden run, chunk by chunk on the same scratchpad image.
  std::vector<uint32_t> spad(size_t(kSpadWords) * 8, 0);
  vr::Image gold_dst = dst.img, gold_aux = aux.img;
  kiln::CommandBuffer cb;
  for (uint32_t r0 = 0; r0 < rows; r0 += chunk) {
    const uint32_t n = std::min(chunk, rows - r0);
    dma_rows(cb, 0, 0, s0, r0, n);
    vr::to_spad(spad, s0.img, r0, n, kSrc0);
    if (su.src1 == Src1Mode::Row) dma_rows(cb, 0, 0, s1, r0, n), vr::to_spad(spad, s1.img, r0, n, kSrc1);
    if (su.src1 == Src1Mode::Broadcast) dma_rows(cb, 0, 0, s1, 0, 1), vr::to_spad(spad, s1.img, 0, 1, kSrc1);
    if (su.src1 == Src1Mode::Scalar) dma_packed(cb, 0, 0, s1, r0, n), vr::packed_to_spad(spad, s1.img, r0, n, kSrc1);
    if (su.src2) dma_rows(cb, 0, 0, s2, r0, n), vr::to_spad(spad, s2.img, r0, n, kSrc2);
    cb.barrier(KILN_UNIT_DMA(0));

    kiln::sdk::VecCmd v(op, n, cols);
    v.src0 = {kSrc0, w0, t};
    v.src1 = su.src1 == Src1Mode::Row         ? kiln::sdk::Src1::rows(kSrc1, w1, su.src1_type)
             : su.src1 == Src1Mode::Broadcast ? kiln::sdk::Src1::broadcast(kSrc1, su.src1_type)
             : su.src1 == Src1Mode::Scalar    ? kiln::sdk::Src1::scalars(kSrc1)
                                              : kiln::sdk::Src1::immediate(su.imm);
    v.src2_addr = kSrc2;
    v.dst = {kDst, wd, su.dst_type};
    if (su.rowsum) v.rowsum_addr = kAux;
    // The mask row index is chunk-relative: shift the offset so the global
    // mask is c > r + mask_offset.
    v.mask_offset = su.mask_offset + int32_t(r0);
    kiln::sdk::vector_command(cb, v);
    cb.barrier(KILN_UNIT_VU);

    kg::VectorOp g;
    g.op = uint32_t(op), g.flags = kiln::sdk::vec_flags(v), g.rows = n, g.cols = cols;
    g.src0_addr = kSrc0, g.src0_stride = w0, g.src1_addr = kSrc1, g.src1_stride = v.src1.stride;
    g.src2_addr = kSrc2, g.dst_addr = kDst, g.dst_stride = wd;
    g.imm = su.src1 == Src1Mode::Imm ? kiln::sdk::float_bits(su.imm) : 0u;
    g.aux = su.rowsum ? kAux : uint32_t(v.mask_offset);
    kg::vector_run(g, spad.data(), kSpadWords);

    if (red) dma_packed(cb, 1, 1, dst, r0, n), vr::packed_from_spad(spad, gold_dst, r0, n, kDst);
    else dma_rows(cb, 1, 1, dst, r0, n), vr::from_spad(spad, gold_dst, r0, n, kDst);
    if (su.rowsum) dma_packed(cb, 1, 1, aux, r0, n), vr::packed_from_spad(spad, gold_aux, r0, n, kAux);
    cb.barrier(KILN_UNIT_DMA(1));
  }

  const kc::kcheck::DeviceRun run = kc::kcheck::run_on_device(dev, cb);
  const kiln_counters &before = run.before, &after = run.after;
  dst.buf.read(dst.img.bytes.data(), dst.img.bytes.size());
  if (su.rowsum) aux.buf.read(aux.img.bytes.data(), aux.img.bytes.size());

  vr::Check chk = vr::compare(op, su, s0.img, s1.img, s2.img, dst.img, gold_dst, rows, cols);
  if (su.rowsum) vr::compare_rowsum(su, s0.img, s1.img, aux.img, gold_aux, rows, cols, &chk);

  const uint64_t cycles = after.cycles - before.cycles;
  const uint64_t vu_busy = after.vu_busy_cycles - before.vu_busy_cycles;
  OpRun r;
  r.cycles = cycles, r.vu_busy = vu_busy;
  r.passed = chk.mismatches == 0 && chk.max_rel <= chk.tol && (!su.rowsum || chk.rowsum_max_rel <= chk.rowsum_tol);
  r.report.set("op", kiln::sdk::vec_op_name(op)).set("passed", r.passed)
      .set("rows", uint64_t(rows)).set("cols", uint64_t(cols)).set("dtype", kiln::sdk::dtype_name(t))
      .set("dst_dtype", red ? (op == VecOp::RowArgmax ? "uint32" : "fp32") : kiln::sdk::dtype_name(su.dst_type))
      .set("src1_mode", uint64_t(su.src1)).set("commands", uint64_t(cb.size()))
      .set("rows_per_command", uint64_t(chunk))
      .set("mismatches_vs_golden", chk.mismatches).set("compared_elements", chk.compared)
      .set("max_abs_err_vs_fp64", chk.max_abs).set("max_rel_err_vs_fp64", chk.max_rel)
      .set("tolerance_rel_vs_fp64", chk.tol).set("tolerance_note", chk.tol_note)
      .set("cycles", cycles).set("vu_busy_cycles", vu_busy)
      .set("vu_utilization", cycles ? double(vu_busy) / double(cycles) : 0.0)
      .set("elements_per_vu_busy_cycle", vu_busy ? double(rows) * cols / double(vu_busy) : 0.0)
      .set("dram_read_bytes", after.dma_read_bytes - before.dma_read_bytes)
      .set("dram_write_bytes", after.dma_write_bytes - before.dma_write_bytes)
      .set("device_time_ns", run.device_time_ns)
      .set("sim_cycles_per_second", run.wall_seconds > 0 ? double(run.rtl_cycles) / run.wall_seconds : 0.0);
  const kiln_counters delta = kiln::counters_delta(after, before);
  kc::kcheck::add_unit_counter_fields(r.report, delta);
  if (su.rowsum)
    r.report.set("rowsum_max_rel_err_vs_fp64", chk.rowsum_max_rel).set("rowsum_tolerance_rel", chk.rowsum_tol);
  std::ostringstream s;
  s << "  " << kiln::sdk::vec_op_name(op) << ": " << (r.passed ? "ok  " : "FAIL") << " golden mismatches "
    << chk.mismatches << "/" << chk.compared << ", max rel err vs FP64 " << chk.max_rel << " (tol " << chk.tol
    << ")";
  if (su.rowsum) s << ", row sums " << chk.rowsum_max_rel << " (tol " << chk.rowsum_tol << ")";
  s << ", " << cycles << " cycles, VU busy " << vu_busy << " stall " << delta.vu_stall_cycles;
  if (!chk.first_bad.empty()) s << "\n      first mismatch: " << chk.first_bad;
  r.summary = s.str();
  return r;
}

kc::Result run_vector(kc::Context &ctx) {
  const std::string op_name = ctx.opts.str("op"), dtype = ctx.opts.str("dtype");
  const long long rows = ctx.opts.integer("rows"), cols = ctx.opts.integer("cols");
  const uint64_t seed = uint64_t(ctx.opts.integer("seed"));
  if (rows < 1 || rows > 65536) throw std::invalid_argument("--rows must be in 1..65536, got " + std::to_string(rows));
  if (cols < 1 || cols > 16384) throw std::invalid_argument("--cols must be in 1..16384, got " + std::to_string(cols));
  if (dtype != "bf16" && dtype != "fp32") throw std::invalid_argument("--dtype must be bf16 or fp32, got '" + dtype + "'");
  const DType t = dtype == "fp32" ? DType::FP32 : DType::BF16;
  std::vector<VecOp> ops;
  if (op_name == "all") {
    for (uint32_t i = 0; i < kiln::sdk::kVecOpCount; ++i) ops.push_back(VecOp(i));
  } else {
    VecOp op;
    if (!kiln::sdk::vec_op_from_name(op_name, &op)) {
      std::string all;
      for (uint32_t i = 0; i < kiln::sdk::kVecOpCount; ++i) all += std::string(" ") + kiln::sdk::vec_op_name(VecOp(i));
      throw std::invalid_argument("--op '" + op_name + "' is not one of: all" + all);
    }
    ops.push_back(op);
  }
  if (std::find(ops.begin(), ops.end(), VecOp::Rope) != ops.end() && cols % 2)
    throw std::invalid_argument("--cols must be even for rope (pairs of columns)");

  kiln::Device dev(ctx.backend.c_str(), ctx.open_options());
  kc::Result res;
  res.passed = true;
  kc::Json per_op;
  std::string summary;
  uint64_t total_cycles = 0, total_busy = 0;
  for (VecOp op : ops) {
    OpRun r = run_one(dev, op, uint32_t(rows), uint32_t(cols), t, seed);
    res.passed = res.passed && r.passed;
    summary += (summary.empty() ? "" : "\n") + r.summary;
    per_op.set(kiln::sdk::vec_op_name(op), r.report);
    total_cycles += r.cycles, total_busy += r.vu_busy;
  }
  res.report.set("op", op_name).set("rows", rows).set("cols", cols).set("dtype", dtype).set("seed", seed)
      .set("cycles", total_cycles).set("vu_busy_cycles", total_busy)
      .set("vu_utilization", total_cycles ? double(total_busy) / double(total_cycles) : 0.0)
      .set("ops", per_op);
  res.summary = summary;
  return res;
}

const kc::Register reg{{"vector",
                        "vector-unit ops (elementwise, reductions, exp/rsqrt/silu approximations), bit-exact vs "
                        "golden, accuracy vs FP64",
                        {{"op", "all", "add | sub | mul | max | exp | recip | rsqrt | silu_mul | copy | rowmax | "
                                       "rowsum | rowsumsq | rowargmax | mask_causal | rope | axpy | all"},
                         {"rows", "64", "rows"},
                         {"cols", "256", "elements per row (even for rope)"},
                         {"dtype", "bf16", "src0/src1 type: bf16 | fp32 (dst: the same; copy converts to the other)"},
                         {"seed", "1", "random seed for the operands"}},
                        run_vector}};

}  // namespace
