// NpuFast units: DMA channels, tensor core, vector unit. Each START does the
// whole operation at once (data through the router, results via the golden
// model) and computes how long the RTL would be busy.
#include <algorithm>
#include <cmath>
#include <cstring>

#include "axi4_slave.h"
#include "fast_math.h"
#include "kiln/golden/numerics.h"
#include "kiln/golden/vector.h"
#include "kiln_hw.h"
#include "kiln/perf/model.h"
#include "kiln/perf/unit_costs.h"
#include "kiln_vu_footprint.h"
#include "kiln_regs.h"
#include "npu_fast.h"
#include "timing.h"

namespace kiln {

using namespace sc_core;

namespace {
constexpr unsigned kBeat = 32;             // AXI beat = scratchpad word
constexpr uint64_t kPage = 4096;           // bursts never cross a 4 KiB boundary
constexpr unsigned kLanes = KILN_HW_TENSOR_CORE_COLS;  // 16
constexpr size_t kSpadWords = KILN_HW_SCRATCHPAD_WORDS;  // == spad_word_count()
static_assert(KILN_HW_TENSOR_CORE_ROWS == 16 && KILN_HW_TENSOR_CORE_COLS == 16,
              "the 256-bit word layout needs a 16 x 16 array (as the RTL)");

uint64_t div_up(uint64_t a, uint64_t b) { return (a + b - 1) / b; }

// The RTL's timing of the tensor core and the vector unit, measured op by op
// (docs/perf_model.md): one definition, kiln::perf's unit costs, serves this
// model and the performance model.
const perf::HwConfig& hw_config() {
  static const perf::HwConfig hw = perf::HwConfig::from_build();
  return hw;
}

// Next slot of an outstanding-transaction window: drops the completions at or
// before `t`; when `limit` are still in flight, waits for the oldest.
static_assert(KILN_HW_AXI_MAX_OUTSTANDING_READS < OutstandingBursts::kCap &&
                  KILN_HW_AXI_MAX_OUTSTANDING_WRITES < OutstandingBursts::kCap,
              "window_slot keeps at most `limit` bursts in flight");
uint64_t window_slot(OutstandingBursts& q, uint64_t t, size_t limit) {
  while (!q.empty() && q.top() <= t) q.pop();
  while (q.size() >= limit) {
    t = std::max(t, q.top());
    q.pop();
  }
  return t;
}
}  // namespace

// ---------------------------------------------------------------- DMA ----

// One INCR burst as the RTL issues it: AR/AW in the shared issue slot (one
// per cycle, outstanding limit), the transfer through the router at that
// cycle (so the DRAM books its bandwidth then), R/W beats one per cycle on
// the shared data channel.
void NpuFast::dma_burst(DmaChannel& c, bool write, uint32_t addr, uint32_t spad_word, unsigned beats,
                        uint64_t earliest) {
  const uint64_t t = now();
  const size_t bytes = size_t(beats) * kBeat;
  const uint32_t sw = static_cast<uint32_t>(spad_word % kSpadWords);
  const bool contiguous = sw + beats <= kSpadWords;  // no wrap around the scratchpad end
  auto spad_byte = [&](unsigned i) {
    return reinterpret_cast<uint8_t*>(&spad_[((spad_word + i) % kSpadWords) * 8]);
  };
  uint64_t& issue_free = write ? aw_free_ : ar_free_;
  auto& window = write ? wr_out_ : rd_out_;
  const size_t limit = write ? KILN_HW_AXI_MAX_OUTSTANDING_WRITES : KILN_HW_AXI_MAX_OUTSTANDING_READS;
  const uint64_t issue = window_slot(window, std::max(earliest, issue_free), limit);
  issue_free = issue + 1;
  uint64_t xfer = issue;  // when the bridge calls b_transport
  // The data goes straight between the target and the scratchpad when the
  // burst lies in the DRAM's DMI range: the router hands it to the Dram,
  // which moves all of it (an error there is impossible, and the Dram writes
  // nothing when it answers one). Elsewhere (other targets, unmapped
  // addresses), a scratchpad wrap, or a store to corrupt: a staging buffer,
  // so an errored read burst never reaches the scratchpad.
  const bool direct = contiguous && in_dmi(addr, bytes) && !(write && dma_fault_pending_);
  uint8_t* data = direct ? spad_byte(0) : nullptr;
  if (!direct) {
    dma_buf_.resize(bytes);
    data = dma_buf_.data();
  }
  if (write) {
    if (!direct) {
      if (contiguous)
        std::memcpy(data, spad_byte(0), bytes);
      else
        for (unsigned i = 0; i < beats; ++i) std::memcpy(data + size_t(i) * kBeat, spad_byte(i), kBeat);
    }
    const uint64_t w_start = std::max(issue + 1, w_free_);
    w_free_ = w_start + beats;
    xfer = w_free_;  // after the last W beat
    if (dma_fault_pending_) {
      dma_fault_pending_ = false;
      data[fault_.bit() / 8] ^= static_cast<uint8_t>(1u << (fault_.bit() % 8));
      fault_report("DMA store's first lane, device address", addr);
    }
  }
  tlm::tlm_generic_payload& p = dma_payload_;
  p.set_command(write ? tlm::TLM_WRITE_COMMAND : tlm::TLM_READ_COMMAND);
  p.set_byte_enable_ptr(nullptr);
  p.set_byte_enable_length(0);
  p.set_dmi_allowed(false);
  p.set_address(addr);
  p.set_data_ptr(data);
  p.set_data_length(static_cast<unsigned>(bytes));
  p.set_streaming_width(static_cast<unsigned>(bytes));
  p.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
  // = clock_period() * (xfer - t), built from the integer value.
  const sc_time at = sc_time::from_value(period_ * (xfer - t));
  sc_time d = at;
  in_dma_ = true;
  dma->b_transport(p, d);
  in_dma_ = false;
  // = delay_to_cycles(d - at), at least 1.
  const uint64_t extra = d.value() > at.value() ? d.value() - at.value() : 0;
  const uint64_t lat = std::max<uint64_t>(1, (extra + period_ - 1) / period_);
  const uint8_t resp = axi_resp_from_tlm(p.get_response_status());
  uint64_t end;
  if (write) {
    end = xfer + lat + 1;  // B response
  } else {
    const uint64_t r_start = std::max(xfer + lat + 1, r_free_);
    end = r_start + beats;
    r_free_ = end + t_.dma_r_burst_gap;
    // Errored beats are not written to the scratchpad (a TLM error covers
    // the whole burst, so every beat of it got the error response).
    if (resp == kAxiOkay && !direct) {
      if (contiguous)
        std::memcpy(spad_byte(0), data, bytes);
      else
        for (unsigned i = 0; i < beats; ++i) std::memcpy(spad_byte(i), data + size_t(i) * kBeat, kBeat);
    }
    if (resp == kAxiOkay && dma_fault_pending_) {
      dma_fault_pending_ = false;
      reinterpret_cast<uint32_t*>(spad_byte(0))[0] ^= fault_.mask();
      fault_report("DMA load's first lane, scratchpad byte", uint64_t(sw) * kBeat);
    }
  }
  // The DMA's outstanding counter drops after the last beat; the next burst
  // is then loaded into the AR/AW register and handed over.
  window.push(end + t_.dma_slot_reuse);
  if (resp != kAxiOkay && !c.error) {
    c.error = true;
    c.resp = resp;
    c.err_addr = addr;
  }
  c.bursts.push_back(Burst{issue, end, write ? 0 : bytes, write ? bytes : 0});
}

// The DRAM's DMI range (device addresses), asked for once. Used for host
// speed only: prefetching a load's rows, and moving burst data without a
// staging copy (dma_burst); timing always goes through b_transport.
void NpuFast::ensure_dmi() {
  if (dmi_asked_) return;
  dmi_asked_ = true;
  tlm::tlm_generic_payload p;
  p.set_command(tlm::TLM_READ_COMMAND);
  p.set_address(KILN_HW_DRAM_BASE);
  if (dma->get_direct_mem_ptr(p, dmi_) && dmi_.is_read_allowed() && dmi_.is_write_allowed()) {
    dmi_ok_ = true;
    dmi_lo_ = dmi_.get_start_address();
    dmi_hi_ = dmi_.get_end_address();
  }
}

bool NpuFast::in_dmi(uint64_t addr, uint64_t bytes) const {
  return dmi_ok_ && bytes && addr >= dmi_lo_ && addr <= dmi_hi_ && bytes - 1 <= dmi_hi_ - addr;
}

// Host-side speed only, no effect on the model: a load's rows are strided
// through a large memory (weights are streamed on every decode step) and the
// bursts are copied one by one, so each began with a cache miss. Touching the
// whole footprint with prefetches first lets the misses overlap. Without DMI
// nothing is prefetched.
void NpuFast::prefetch_rows(uint32_t addr, uint32_t row_bytes, uint32_t rows, uint32_t stride) {
  if (!dmi_ok_ || rows == 0 || row_bytes == 0) return;
  const uint64_t last = uint64_t(addr) + uint64_t(rows - 1) * stride + row_bytes - 1;
  if (addr < dmi_lo_ || last > dmi_hi_) return;
  const uint8_t* base = dmi_.get_dmi_ptr() + (addr - dmi_lo_);
  for (uint32_t r = 0; r < rows; ++r)
    for (uint32_t b = 0; b < row_bytes; b += 64) __builtin_prefetch(base + uint64_t(r) * stride + b);
}

void NpuFast::dma_start(unsigned ch) {
  DmaChannel& c = ch_[ch];
  const uint64_t t = now();
  if (unit_busy(c.u, t)) return;  // ignored while busy
  auto reg = [&](uint32_t off) { return regs_.q(off); };
  const uint32_t dram = reg(KILN_REG_DMA_DRAM_ADDR_LO(ch)) & ~31u;
  const uint32_t spad = reg(KILN_REG_DMA_SPAD_ADDR(ch)) / kBeat;
  const uint32_t row_beats = reg(KILN_REG_DMA_ROW_BYTES(ch)) / kBeat;
  const uint32_t rows = reg(KILN_REG_DMA_ROWS(ch));
  const uint32_t dstride = reg(KILN_REG_DMA_DRAM_STRIDE(ch)) & ~31u;
  const uint32_t sstride = reg(KILN_REG_DMA_SPAD_STRIDE(ch)) / kBeat;
  const bool write = reg(KILN_REG_DMA_CTRL(ch)) & KILN_DMA_CTRL_DIR_MASK;
  // A start clears the error status.
  c.error = false;
  c.resp = 0;
  c.err_addr = 0;
  c.bursts.clear();
  dma_fault_pending_ = rows && row_beats && fault_.take(FaultPlan::kDma);
  const uint64_t first = t + t_.start_delay + t_.dma_issue_delay;
  uint64_t last_end = t + t_.start_delay;
  ensure_dmi();
  if (!write) prefetch_rows(dram, row_beats * kBeat, rows, dstride);
  for (uint32_t r = 0; r < rows && row_beats; ++r) {
    const uint32_t row_addr = dram + r * dstride;
    uint32_t b = 0;
    while (b < row_beats) {
      const uint32_t a = row_addr + b * kBeat;
      const uint32_t to_page = static_cast<uint32_t>((kPage - (a % kPage)) / kBeat);
      const uint32_t n = std::min({row_beats - b, to_page, uint32_t(KILN_HW_AXI_MAX_BURST_BEATS)});
      dma_burst(c, write, a, spad + r * sstride + b, n, first);
      last_end = std::max(last_end, c.bursts.back().end);
      b += n;
    }
  }
  uint64_t rd = 0, wr = 0;
  for (const Burst& bu : c.bursts) {
    rd += bu.rd_bytes;
    wr += bu.wr_bytes;
  }
  const uint64_t cycles = c.bursts.empty() ? 1 : last_end + t_.dma_done_delay - (t + t_.start_delay + 1);
  start_unit(c.u, cycles, KILN_FW_EVENT_DMA_DONE_MASK);
  c.u.rd_bytes = rd;
  c.u.wr_bytes = wr;
  c.from = t;
  c.busy.add(t, c.u.end);
  trace_begin(UnitTrace::dma(ch), c.u, t);
  dma_busy_.add(t, c.u.end);
  schedule();
}

// -------------------------------------------------------- tensor core ----

void NpuFast::tc_start() {
  const uint64_t t = now();
  if (unit_busy(tc_, t)) return;
  const uint32_t op = regs_.q(KILN_REG_TC_OP(0));
  const uint32_t opcode = (op & KILN_TC_OP_OPCODE_MASK) >> KILN_TC_OP_OPCODE_SHIFT;
  uint64_t cycles = 1, macs = 0, stall = 0;
  if (opcode == 0)
    tc_matmul(&cycles, &macs, &stall);
  else if (opcode == 1)
    tc_writeback(&cycles);
  // opcodes 2, 3: reserved, complete at once and touch nothing.
  start_unit(tc_, cycles, KILN_FW_EVENT_TC_DONE_MASK);
  tc_.macs = macs;
  tc_.stall = stall;
  trace_begin(UnitTrace::tc(), tc_, t);
  tc_busy_.add(t, tc_.end);
  schedule();
}

// MATMUL with the RTL's data path: weight tile (t, j) holds B rows 16j..16j+15
// (rows >= K and columns >= N zero), A lanes >= K are zeroed, each output
// lane is the PE column sum from +0 down 16 rows (golden pe_mac), and the
// accumulator row ACC_ADDR + t*M + m is overwritten (j == 0, no ACCUMULATE)
// or added to. All 16 lanes are computed, as the RTL writes them all.
// fast_math.h has the arithmetic (golden results, host FP32 when exact).
void NpuFast::tc_matmul(uint64_t* cycles, uint64_t* macs, uint64_t* stall) {
  auto reg = [&](uint32_t off) { return regs_.q(off); };
  const uint32_t op = reg(KILN_REG_TC_OP(0));
  const bool int8 = ((op & KILN_TC_OP_DTYPE_MASK) >> KILN_TC_OP_DTYPE_SHIFT) == 1;
  const bool accumulate = op & KILN_TC_OP_ACCUMULATE_MASK;
#ifdef KILN_TC_OP_B_TRANSPOSED_MASK
  // B given as Bt[N][K]: Bt[n][16j..16j+15] at B_ADDR + n*B_STRIDE + j.
  const bool bt = op & KILN_TC_OP_B_TRANSPOSED_MASK;
#else
  const bool bt = false;
#endif
  const uint32_t a_addr = reg(KILN_REG_TC_A_ADDR(0)), a_stride = reg(KILN_REG_TC_A_STRIDE(0));
  const uint32_t b_addr = reg(KILN_REG_TC_B_ADDR(0)), b_stride = reg(KILN_REG_TC_B_STRIDE(0));
  const uint32_t acc_addr = reg(KILN_REG_TC_ACC_ADDR(0));
  const uint32_t M = reg(KILN_REG_TC_M(0)), N = reg(KILN_REG_TC_N(0)), K = reg(KILN_REG_TC_K(0));
  if (M == 0 || N == 0 || K == 0) return;
  const uint32_t acc_rows = KILN_HW_TENSOR_CORE_ACC_ROWS;
  // Word w of the scratchpad (addresses wrap like the RTL's AW-bit address).
  // A scratchpad word is 16 BF16 lanes in order (lane i in bits 16*(i%2) of
  // 32-bit element i/2 on this little-endian host).
  auto word_ptr = [&](uint32_t word) {
    return reinterpret_cast<const uint16_t*>(&spad_[size_t(word % kSpadWords) * 8]);
  };
  auto word16 = [&](uint32_t word, uint16_t out[kLanes]) {
    std::memcpy(out, word_ptr(word), kLanes * sizeof(uint16_t));
  };
  const uint32_t tiles_n = static_cast<uint32_t>(div_up(N, kLanes)), tiles_k = static_cast<uint32_t>(div_up(K, kLanes));
  uint16_t w[kLanes][kLanes];
  uint16_t a[kLanes];
  uint16_t col[kLanes];
  const uint16_t* src[kLanes];
  const uint32_t full_k = K / kLanes;  // K chunks with all 16 rows live
  // Words between a weight word and the same lane's word of the next chunk.
  const size_t jstep = bt ? 1 : size_t(kLanes) * b_stride;
  for (uint32_t tn = 0; tn < tiles_n; ++tn) {
    const unsigned live_c = static_cast<unsigned>(std::min<uint32_t>(kLanes, N - kLanes * tn));
    uint32_t j = 0;
    while (j < tiles_k) {
      const unsigned live_r = static_cast<unsigned>(std::min<uint32_t>(kLanes, K - kLanes * j));
      const bool overwrite = j == 0 && !accumulate;
      if (live_r == kLanes && live_c == kLanes) {
        // Full tile: its 16 words, rows of B or (transposed) rows of Bt.
        uint32_t j1 = full_k;
        for (unsigned i = 0; i < kLanes; ++i) {
          const uint32_t wd =
              (bt ? b_addr + (kLanes * tn + i) * b_stride + j : b_addr + (kLanes * j + i) * b_stride + tn) % kSpadWords;
          src[i] = word_ptr(wd);
          // Chunks from j on whose word stays below the scratchpad end.
          j1 = static_cast<uint32_t>(std::min<uint64_t>(j1, j + (kSpadWords - 1 - wd) / jstep + 1));
        }
        // One A row (decode's GEMVs): the host kernel over the run of full,
        // unwrapped chunks; it stops early at operands that need the exact
        // path below.
        if (M == 1 && !int8) {
          j1 = static_cast<uint32_t>(std::min<uint64_t>(j1, j + kSpadWords - (a_addr + j) % kSpadWords));
          const uint32_t jn = fast::strip_bf16(src, jstep, bt, word_ptr(a_addr + j),
                                               &acc_[size_t((acc_addr + tn) % acc_rows) * kLanes], j, j1, overwrite);
          if (jn > j) {
            j = jn;
            continue;
          }
        }
        fast::gather_tile(src, bt, w);
      } else {
        std::memset(w, 0, sizeof w);
        if (bt) {
          for (unsigned c = 0; c < live_c; ++c) {
            word16(b_addr + (kLanes * tn + c) * b_stride + j, col);
            for (unsigned r = 0; r < live_r; ++r) w[r][c] = col[r];
          }
        } else {
          for (unsigned r = 0; r < live_r; ++r) {
            word16(b_addr + (kLanes * j + r) * b_stride + tn, col);
            std::memcpy(w[r], col, live_c * sizeof(uint16_t));
          }
        }
      }
      const int w_tame = int8 ? 0 : int(fast::tame_bf16(&w[0][0], kLanes * kLanes));
      for (uint32_t m = 0; m < M; ++m) {
        word16(a_addr + m * a_stride + j, a);
        for (unsigned r = live_r; r < kLanes; ++r) a[r] = 0;
        uint32_t* row = &acc_[size_t((acc_addr + tn * M + m) % acc_rows) * kLanes];
        if (w_tame && fast::row_bf16(w, a, row, overwrite)) continue;
        uint32_t p[kLanes];
        fast::pe_column_sums(a, w, int8, p, w_tame);
        if (overwrite)
          std::memcpy(row, p, sizeof p);
        else
          fast::acc_add16(row, p, int8);
      }
      ++j;
    }
  }
  if (fault_.take(FaultPlan::kMatmul)) {
    acc_[size_t(acc_addr % acc_rows) * kLanes] ^= fault_.mask();
    fault_report("MATMUL result, accumulator row", acc_addr % acc_rows);
  }
  // Timing: one A row per cycle; a tile needs at least its weight load; the
  // next tile's weights load while the current one streams.
  const uint64_t tiles = uint64_t(tiles_n) * tiles_k;
  const perf::OpCost tc = perf::gemm_cost(hw_config(), M, N, K);
  *cycles = tc.cycles;
  *macs = tiles * M * KILN_HW_TENSOR_CORE_ROWS * KILN_HW_TENSOR_CORE_COLS;
  // PERF_TC_STALL: cycles with A rows left but none fetched (waiting for weights).
  *stall = tc.compute - tiles * M;
}

// WRITEBACK: accumulator rows to the scratchpad, BF16 (RNE) or 32-bit lanes;
// columns >= N are not written (byte strobes 0), all-zero-strobe words skipped.
void NpuFast::tc_writeback(uint64_t* cycles) {
  auto reg = [&](uint32_t off) { return regs_.q(off); };
  const bool fp32 = reg(KILN_REG_TC_OP(0)) & KILN_TC_OP_OUT_FP32_MASK;
  const uint32_t acc_addr = reg(KILN_REG_TC_ACC_ADDR(0));
  const uint32_t M = reg(KILN_REG_TC_M(0)), N = reg(KILN_REG_TC_N(0));
  const uint32_t out = reg(KILN_REG_TC_OUT_ADDR(0)), stride = reg(KILN_REG_TC_OUT_STRIDE(0));
  if (M == 0 || N == 0) return;
  const size_t words = spad_word_count();
  const uint32_t tiles_n = static_cast<uint32_t>(div_up(N, kLanes));
  uint64_t written = 0;
  for (uint32_t m = 0; m < M; ++m) {
    for (uint32_t tn = 0; tn < tiles_n; ++tn) {
      const uint32_t* row = &acc_[size_t((acc_addr + tn * M + m) % KILN_HW_TENSOR_CORE_ACC_ROWS) * kLanes];
      const uint32_t base = out + m * stride;
      if (!fp32) {
        uint16_t* wd = reinterpret_cast<uint16_t*>(&spad_[((base + tn) % words) * 8]);
        for (unsigned i = 0; i < kLanes && kLanes * tn + i < N; ++i) wd[i] = golden::fp32_to_bf16(row[i]);
        ++written;
        continue;
      }
      for (unsigned h = 0; h < 2; ++h) {
        if (kLanes * tn + 8 * h >= N) break;
        uint32_t* wd = &spad_[((base + 2 * tn + h) % words) * 8];
        for (unsigned i = 0; i < 8 && kLanes * tn + 8 * h + i < N; ++i) wd[i] = row[8 * h + i];
        ++written;
      }
    }
  }
  if (fault_.take(FaultPlan::kWriteback)) {
    spad_[size_t(out % words) * 8] ^= fault_.mask();
    fault_report("WRITEBACK output, scratchpad byte", uint64_t(out % words) * kBeat);
  }
  *cycles = written + t_.tc_wb_latency;
}

// ------------------------------------------------------- vector unit ----

namespace {
// Cycles the vector unit streams an op's rows (bank conflicts included).
uint64_t vu_stream_cycles(const golden::VectorOp& op) {
  perf::VectorShape s;
  s.rows = op.rows;
  s.cols = op.cols;
  s.src0_addr = op.src0_addr;
  s.src1_addr = op.src1_addr;
  s.src2_addr = op.src2_addr;
  s.dst_addr = op.dst_addr;
  s.src0_stride = op.src0_stride;
  s.src1_stride = op.src1_stride;
  s.dst_stride = op.dst_stride;
  s.src0_fp32 = op.flags & golden::kVuFlagSrc0Fp32;
  s.src1_fp32 = op.flags & golden::kVuFlagSrc1Fp32;
  s.dst_fp32 = op.flags & golden::kVuFlagDstFp32;
  s.src1_mode = (op.flags >> golden::kVuSrc1ModeShift) & 3u;
  s.uses_src1 = kiln_vu_op_uses_src1(op.op);
  s.reduction = golden::vu_is_reduction(op.op);
  s.axpy = op.op == golden::kVuAxpy;
  s.rowsum = op.op == golden::kVuExp && (op.flags & golden::kVuFlagRowSum);
  return perf::vector_cost(hw_config(), s).compute;
}
}  // namespace

// The golden vector_run works on the same scratchpad image layout (8 LE
// uint32 per word) and writes exactly what the RTL writes.
void NpuFast::vu_start() {
  const uint64_t t = now();
  if (unit_busy(vu_, t)) return;
  auto reg = [&](uint32_t off) { return regs_.q(off); };
  golden::VectorOp op;
  op.op = reg(KILN_REG_VU_OP(0)) & KILN_VU_OP_CODE_MASK;
  op.flags = reg(KILN_REG_VU_FLAGS(0));
  op.rows = reg(KILN_REG_VU_ROWS(0));
  op.cols = reg(KILN_REG_VU_COLS(0));
  op.src0_addr = reg(KILN_REG_VU_SRC0_ADDR(0));
  op.src0_stride = reg(KILN_REG_VU_SRC0_STRIDE(0));
  op.src1_addr = reg(KILN_REG_VU_SRC1_ADDR(0));
  op.src1_stride = reg(KILN_REG_VU_SRC1_STRIDE(0));
  op.src2_addr = reg(KILN_REG_VU_SRC2_ADDR(0));
  op.dst_addr = reg(KILN_REG_VU_DST_ADDR(0));
  op.dst_stride = reg(KILN_REG_VU_DST_STRIDE(0));
  op.imm = reg(KILN_REG_VU_IMM(0));
  op.aux = reg(KILN_REG_VU_AUX(0));
  if (op.op > golden::kVuAxpy) {
    // The RTL does nothing for an unknown code either; say so once.
    if (unsupported_++ == 0) SC_REPORT_WARNING("kiln/fast", "VU.OP code beyond AXPY: no operation performed");
  }
  golden::vector_run(op, spad_.data(), spad_word_count());
  if (op.rows && op.cols && op.op <= golden::kVuAxpy && fault_.take(FaultPlan::kVector)) {
    spad_[size_t(op.dst_addr % spad_word_count()) * 8] ^= fault_.mask();
    fault_report("VECTOR result, scratchpad byte", uint64_t(op.dst_addr % spad_word_count()) * kBeat);
  }
  // The streamed beats (vu_stream_cycles) plus the pipeline fill.
  const uint64_t streamed = vu_stream_cycles(op);
  const uint64_t cycles = streamed + t_.vu_latency;
  const bool empty = !op.rows || !op.cols;
  start_unit(vu_, empty ? 1 : cycles, KILN_FW_EVENT_VU_DONE_MASK);
  // PERF_VU_STALL: every cycle of a row beyond one per beat (bank conflicts,
  // the ROWSUM write) plus the wait for the first operand words.
  if (!empty) vu_.stall = streamed - uint64_t(op.rows) * div_up(op.cols, 8) + t_.vu_start_stall;
  trace_begin(UnitTrace::vu(), vu_, t);
  vu_busy_.add(t, vu_.end);
  schedule();
}

}  // namespace kiln
