// The command-stream scheduler: walks the stream as the firmware does
// (firmware/src/fw_main.c, fw_units.c), charging every CSR access, command
// fetch and unit wait, and starts the units with the costs of unit_costs.cpp
// and dma_model.cpp.
#include <algorithm>
#include <cmath>
#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <set>

#include "dma_model.h"
#include "kiln/perf/model.h"
#include "kiln_cmds.h"
#include "kiln_vu_footprint.h"
#include "kiln/perf/unit_costs.h"

namespace kiln::perf {

const char* unit_name(Unit u) {
  switch (u) {
    case Unit::kDma0: return "dma0";
    case Unit::kDma1: return "dma1";
    case Unit::kDma2: return "dma2";
    case Unit::kDma3: return "dma3";
    case Unit::kTensor: return "tc";
    case Unit::kVector: return "vu";
    default: return "fw";
  }
}

namespace {

constexpr int kTc = 4, kVu = 5, kUnits = 6;  // bit positions of the BARRIER mask

std::string fmt(const char* f, ...) __attribute__((format(printf, 1, 2)));
std::string fmt(const char* f, ...) {
  char buf[256];
  va_list ap;
  va_start(ap, f);
  std::vsnprintf(buf, sizeof buf, f, ap);
  va_end(ap);
  return buf;
}

class Firmware {
 public:
  explicit Firmware(const HwConfig& hw) : hw_(hw), dma_(hw) {}

  // The doorbell write has landed at t = 0: FW_EVENT.DOORBELL wakes the core,
  // kiln_fw_poll consumes it and walk_ring reads the queue registers.
  void doorbell() {
    t_ = hw_.wake_latency;
    take_events(true);
    reads(3);  // QUEUE_SIZE, QUEUE_BASE_HI, QUEUE_BASE_LO
  }

  bool run(const uint32_t* w, uint32_t index, std::string* err) {
    cmds_.emplace_back();
    CommandPrediction& c = cmds_.back();
    c.index = index;
    c.fetch = t_;
    const uint64_t t0 = t_;
    wait_ = 0;
    take_events(false);
    reads(1);  // QUEUE_TAIL
    t_ = dma_.fetch(t_);
    const uint32_t op = w[0] & KILN_CMD_HDR_OPCODE_MASK;
    c.opcode = static_cast<uint8_t>(op);
    c.start = c.end = 0;
    switch (op) {
      case KILN_OP_NOP: c.what = "NOP"; break;
      case KILN_OP_DMA: {
        kiln_cmd_dma_t d;
        std::memcpy(&d, w, sizeof d);
        const uint32_t ch = d.channel & 0xF;
        if (ch >= hw_.dma_channels) {
          *err = fmt("command %u: DMA channel %u, the hardware has %u", c.index, ch, hw_.dma_channels);
          return false;
        }
        const bool store = (d.channel >> 8) & 1;
        wait_idle(1u << ch);
        if (armed_[ch]) reads(1), armed_[ch] = false;  // fw_dma_check
        writes(8);  // DRAM_ADDR_LO/HI, SPAD_ADDR, ROW_BYTES, ROWS, DRAM/SPAD_STRIDE, CTRL
        const uint64_t start = start_write();
        const uint64_t addr = uint64_t(d.dram_addr_hi) << 32 | d.dram_addr_lo;
        DmaResult r = dma_.run(start, store, addr, d.row_bytes, d.rows, d.dram_stride);
        armed_[ch] = true;
        Xfer x{true, 1 + ch, start + hw_.dma_issue_delay + hw_.dram_latency, r.done,
               spad_bank_beats(hw_, d.spad_addr, d.row_bytes, d.rows, d.spad_stride), c.index};
        c.memory = r.done - start;
        c.contention = dma_contention(x);
        set_unit(c, static_cast<Unit>(int(Unit::kDma0) + ch), ch, start, x.d1);
        c.bytes = uint64_t(d.row_bytes) * d.rows;
        c.what = fmt("DMA ch%u %s %u x %u B", ch, store ? "store" : "load", d.rows, d.row_bytes);
        c.why = r.why;
        break;
      }
      case KILN_OP_GEMM: {
        kiln_cmd_gemm_t g;
        std::memcpy(&g, w, sizeof g);
        wait_idle(1u << kTc);
        writes(9);  // OP, A_ADDR, A_STRIDE, B_ADDR, B_STRIDE, ACC_ADDR, M, N, K
        const uint64_t start = start_write();
        OpCost oc = gemm_cost(hw_, g.m, g.n, g.k);
        set_unit(c, Unit::kTensor, kTc, start, start + oc.cycles);
        const uint64_t tn = (g.n + hw_.tc_cols - 1) / hw_.tc_cols, tk = (g.k + hw_.tc_rows - 1) / hw_.tc_rows;
        {
          // A: every N tile streams all of A; B: each weight word once.
          const bool bt = (g.flags >> 9) & 1;
          Xfer x{true, 0, start, start + oc.cycles, spad_bank_words(hw_, g.a_addr, tk, g.m, g.a_stride), c.index};
          for (auto& v : x.beats) v *= tn;
          const auto b = bt ? spad_bank_words(hw_, g.b_addr, tk, g.n, g.b_stride)
                            : spad_bank_words(hw_, g.b_addr, tn, g.k, g.b_stride);
          for (size_t i = 0; i < b.size(); ++i) x.beats[i] += b[i];
          tc_contention(x);
        }
        c.compute = oc.compute;
        c.fill = oc.fill;
        c.macs = tn * tk * g.m * hw_.tc_rows * hw_.tc_cols;
        c.what = fmt("GEMM %ux%ux%u %s%s%s", g.m, g.n, g.k, (g.flags & 3) ? "int8" : "bf16",
                     (g.flags >> 8) & 1 ? " acc" : "", (g.flags >> 9) & 1 ? " Bt" : "");
        c.why = oc.why;
        break;
      }
      case KILN_OP_WRITEBACK: {
        kiln_cmd_writeback_t wb;
        std::memcpy(&wb, w, sizeof wb);
        wait_idle(1u << kTc);
        writes(6);  // OP, ACC_ADDR, M, N, OUT_ADDR, OUT_STRIDE
        const uint64_t start = start_write();
        OpCost oc = writeback_cost(hw_, wb.m, wb.n, wb.flags & 1);
        set_unit(c, Unit::kTensor, kTc, start, start + oc.cycles);
        {
          const uint64_t row_words = oc.compute / wb.m;
          tc_contention(Xfer{true, 0, start, start + oc.cycles,
                             spad_bank_words(hw_, wb.out_addr, row_words, wb.m, wb.out_stride), c.index});
        }
        c.compute = oc.compute;
        c.fill = oc.fill;
        c.what = fmt("WRITEBACK %ux%u %s", wb.m, wb.n, (wb.flags & 1) ? "fp32" : "bf16");
        c.why = oc.why;
        break;
      }
      case KILN_OP_VECTOR: {
        kiln_cmd_vector_t v;
        std::memcpy(&v, w, sizeof v);
        wait_idle(1u << kVu);
        writes(13);  // the 13 VU registers the command words map onto
        const uint64_t start = start_write();
        VectorShape s;
        s.rows = v.rows;
        s.cols = v.cols;
        s.src0_addr = v.src0_addr;
        s.src1_addr = v.src1_addr;
        s.src2_addr = v.src2_addr;
        s.dst_addr = v.dst_addr;
        s.src0_stride = v.src0_stride;
        s.src1_stride = v.src1_stride;
        s.dst_stride = v.dst_stride;
        s.uses_src1 = kiln_vu_op_uses_src1(v.op);
        s.src0_fp32 = v.flags & 1;
        s.src1_fp32 = (v.flags >> 1) & 1;
        s.dst_fp32 = (v.flags >> 2) & 1;
        s.src1_mode = (v.flags >> 4) & 3;
        s.reduction = kiln_vu_op_is_reduction(v.op);
        s.axpy = v.op == KILN_VU_OP_AXPY;
        s.rowsum = v.op == KILN_VU_OP_EXP && ((v.flags >> 8) & 1);
        Vu vu{true, start, start, {}, c.index};
        OpCost oc = vector_cost(hw_, s, &vu.hot);
        vu.e = start + oc.cycles;
        c.contention = vu_contention(vu);
        set_unit(c, Unit::kVector, kVu, start, vu.e);
        last_vu_ = vu;
        c.compute = oc.compute;
        c.fill = oc.fill;
        c.what = fmt("VECTOR %s %ux%u", kiln_vu_op_name(v.op), v.rows, v.cols);
        c.why = oc.why;
        break;
      }
      case KILN_OP_BARRIER: {
        const uint32_t mask = w[1];
        wait_idle(mask);
        dma_check(mask);
        c.what = fmt("BARRIER 0x%x", mask);
        break;
      }
      case KILN_OP_FENCE: {
        wait_idle((1u << hw_.dma_channels) - 1 | 1u << kTc | 1u << kVu);
        dma_check((1u << hw_.dma_channels) - 1);
        writes(1);  // FENCE_VALUE
        if (w[1] & 1) {
          writes(1);  // IRQ_SET
          irq_ = t_ + hw_.irq_latency;
        }
        c.what = w[1] & 1 ? "FENCE + IRQ" : "FENCE";
        break;
      }
      default:
        *err = fmt("command %u: unknown opcode 0x%02x", c.index, op);
        return false;
    }
    writes(1);  // QUEUE_HEAD
    c.issue = t_;
    c.wait = wait_;
    c.control = (t_ - t0) - wait_;
    return true;
  }

  std::vector<CommandPrediction>& commands() { return cmds_; }
  uint64_t irq() const { return irq_; }
  uint64_t all_idle() const {
    uint64_t e = t_;
    for (uint64_t u : end_) e = std::max(e, u);
    return e;
  }

 private:
  void reads(unsigned n) { t_ += uint64_t(n) * hw_.csr_read; }
  void writes(unsigned n) { t_ += uint64_t(n) * hw_.csr_write; }

  // START: the unit is busy from start_delay cycles into the write.
  uint64_t start_write() {
    const uint64_t s = t_ + hw_.start_delay;
    writes(1);
    return s;
  }

  void set_unit(CommandPrediction& c, Unit u, int slot, uint64_t start, uint64_t end) {
    c.unit = u;
    c.start = start;
    c.end = end;
    end_[slot] = end;
    done_.insert(end);
  }

  // fw_take_events: read FW_EVENT, write back (W1C) the events it holds.
  void take_events(bool doorbell) {
    const uint64_t sample = t_ + 1;
    bool pending = doorbell || done_.upper_bound(seen_) != done_.upper_bound(sample);
    reads(1);
    seen_ = sample;
    if (pending) writes(1);
  }

  bool busy(int slot) {
    const uint64_t sample = t_ + 1;
    reads(1);
    return end_[slot] > sample;
  }

  // fw_wait_idle: events, STATUS of every unit in the mask, sleep until the
  // next completion event, again.
  void wait_idle(uint32_t mask) {
    for (;;) {
      take_events(false);
      bool any = false;
      for (int u = 0; u < kUnits; ++u)
        if (mask & (1u << u) && (u >= kTc || u < int(hw_.dma_channels))) any |= busy(u);
      if (!any) return;
      // hal_wait_event: until FW_EVENT holds something not yet taken.
      auto next = done_.upper_bound(seen_);
      const uint64_t wake = (next == done_.end() ? t_ : std::max(t_, *next)) + hw_.wake_latency;
      wait_ += wake - t_;
      t_ = wake;
    }
  }

  void dma_check(uint32_t mask) {
    for (uint32_t ch = 0; ch < hw_.dma_channels; ++ch)
      if ((mask & (1u << ch)) && armed_[ch]) reads(1), armed_[ch] = false;
  }

  // ---- scratchpad bank contention (kiln_spad: fixed priority per bank,
  // TC ports, then DMA channel 0, 1, .., then the vector unit) ----
  struct Xfer {  // a DMA descriptor's data phase, or a tensor-core operation (prio 0)
    bool valid = false;
    uint32_t prio = 0;  // 0 tensor core, 1 + c DMA channel c
    uint64_t d0 = 0, d1 = 0;
    std::vector<uint64_t> beats;  // scratchpad words per bank
    uint32_t idx = 0;
  };
  struct Vu {
    bool valid = false;
    uint64_t s = 0, e = 0;
    std::vector<uint8_t> hot;
    uint32_t idx = 0;
  };
  // A lower-priority user L of a bank set needs `work` accesses there over
  // [l0, l1) at its own rate; a higher-priority user H takes `h_rate` of
  // every cycle of [h0, h1). Returns when L is done: L runs at its own rate
  // outside H's window and at what H leaves inside it.
  static uint64_t stretch(uint64_t l0, uint64_t l1, double work, uint64_t h0, uint64_t h1, double h_rate) {
    if (work <= 0 || l1 <= l0 || h1 <= h0 || h1 <= l0) return l1;
    const double r = work / double(l1 - l0);
    double t = double(l0), left = work;
    if (t < double(h0)) {
      const double dt = std::min(double(h0) - t, left / r);
      t += dt;
      left -= dt * r;
    }
    if (left > 1e-9 && t < double(h1)) {
      const double in = std::min(r, std::max(0.0, 1.0 - h_rate));
      const double dt = in > 0 ? std::min(double(h1) - t, left / in) : double(h1) - t;
      t += dt;
      left -= dt * in;
    }
    t += left / r;
    return std::max<uint64_t>(l1, static_cast<uint64_t>(std::ceil(t - 1e-9)));
  }
  // L (accesses per bank lw, over [l0, l1)) against H (hw over [h0, h1)):
  // L's new end.
  static uint64_t yield_to(const std::vector<uint64_t>& lw, uint64_t l0, uint64_t l1, const std::vector<uint64_t>& hw,
                           uint64_t h0, uint64_t h1) {
    double work = 0, hits = 0;
    for (size_t b = 0; b < lw.size() && b < hw.size(); ++b)
      if (lw[b] && hw[b]) work += double(lw[b]), hits += double(hw[b]);
    if (work == 0 || h1 <= h0) return l1;
    return stretch(l0, l1, work, h0, h1, hits / double(h1 - h0));
  }
  // The vector op keeps its hot banks busy every cycle: its work there is its
  // duration.
  static std::vector<uint64_t> vu_work(const Vu& v) {
    std::vector<uint64_t> w(v.hot.size());
    for (size_t b = 0; b < w.size(); ++b) w[b] = v.hot[b] ? v.e - v.s : 0;
    return w;
  }
  // Lengthens an operation already scheduled (nothing has waited on its end
  // yet: it overlaps work the firmware is only now starting).
  void extend(int slot, uint32_t idx, uint64_t by) {
    if (!by) return;
    CommandPrediction& c = cmds_[idx];
    done_.erase(done_.find(c.end));
    c.end += by;
    c.contention += by;
    done_.insert(c.end);
    end_[slot] = std::max(end_[slot], c.end);
  }
  // The running vector op yields to a new transfer / tensor-core op x.
  void vu_yields(const Xfer& x) {
    if (!last_vu_.valid || last_vu_.e <= x.d0) return;
    const uint64_t e = yield_to(vu_work(last_vu_), last_vu_.s, last_vu_.e, x.beats, x.d0, x.d1);
    extend(kVu, last_vu_.idx, e - last_vu_.e);
    last_vu_.e = e;
  }
  uint64_t dma_contention(Xfer& x) {
    const uint64_t d1 = x.d1;
    for (Xfer& o : xfer_) {
      if (!o.valid || o.prio == x.prio || o.d1 <= x.d0) continue;
      if (o.prio < x.prio) {  // o wins the shared banks
        x.d1 = yield_to(x.beats, x.d0, x.d1, o.beats, o.d0, o.d1);
      } else {
        const uint64_t e = yield_to(o.beats, o.d0, o.d1, x.beats, x.d0, x.d1);
        extend(int(o.prio) - 1, o.idx, e - o.d1);
        o.d1 = e;
      }
    }
    vu_yields(x);
    xfer_[x.prio] = x;
    return x.d1 - d1;
  }
  // A tensor-core operation wins every bank it reads or writes: the DMA
  // transfers and the vector op it overlaps lose those cycles.
  void tc_contention(const Xfer& x) {
    for (uint32_t p = 1; p < 5; ++p) {
      Xfer& o = xfer_[p];
      if (!o.valid || o.d1 <= x.d0) continue;
      const uint64_t e = yield_to(o.beats, o.d0, o.d1, x.beats, x.d0, x.d1);
      extend(int(p) - 1, o.idx, e - o.d1);
      o.d1 = e;
    }
    vu_yields(x);
    xfer_[0] = x;
  }
  uint64_t vu_contention(Vu& v) {
    const uint64_t e0 = v.e;
    for (const Xfer& o : xfer_)
      if (o.valid && o.d1 > v.s) v.e = yield_to(vu_work(v), v.s, v.e, o.beats, o.d0, o.d1);
    return v.e - e0;
  }

  const HwConfig& hw_;
  DmaModel dma_;
  std::vector<CommandPrediction> cmds_;
  Xfer xfer_[5];  // [0] tensor core, [1 + c] DMA channel c
  Vu last_vu_;
  uint64_t t_ = 0, wait_ = 0, irq_ = 0, seen_ = 0;
  uint64_t end_[kUnits] = {};
  bool armed_[4] = {};
  std::multiset<uint64_t> done_;  // completion times (FW_EVENT sources)
};

}  // namespace

Prediction predict(const HwConfig& hw, const void* commands, size_t count, const PredictOptions& opt) {
  Prediction p;
  if (hw.dma_channels == 0 || hw.dma_channels > 4) {
    p.error = fmt("dma_channels = %u: the command format has 1..4", hw.dma_channels);
    return p;
  }
  Firmware fw(hw);
  fw.doorbell();
  const auto* words = static_cast<const uint32_t*>(commands);
  for (size_t i = 0; i < count; ++i)
    if (!fw.run(words + i * 16, static_cast<uint32_t>(i), &p.error)) return p;
  for (CommandPrediction& c : fw.commands()) {
    p.control += c.control;
    p.wait += c.wait;
    p.macs += c.macs;
    p.dma_bytes += c.bytes;
    const uint64_t busy = c.end - c.start;
    if (c.unit == Unit::kTensor) p.tc_busy += busy;
    else if (c.unit == Unit::kVector) p.vu_busy += busy;
    else if (c.unit != Unit::kNone) p.dma_busy += busy;
  }
  if (opt.keep_commands) p.commands = std::move(fw.commands());
  p.cycles = fw.irq() ? fw.irq() : fw.all_idle();
  p.ns = double(p.cycles) * 1000.0 / hw.clock_mhz;
  return p;
}

}  // namespace kiln::perf
