// Cycle-level AXI4 slave memory (256-bit data, INCR bursts) for Verilated
// masters. Per cycle: drive() sets the slave outputs from state built up to
// the previous edge, the caller evaluates the model and samples the master
// outputs, then tick() applies every handshake of that cycle.
//
// Knobs: read latency, R bandwidth (beats per cycle), random READY/VALID
// gaps, reordering and beat interleaving across IDs (same ID stays in order),
// and SLVERR/DECERR by address range.
#pragma once
#include <algorithm>
#include <cstdint>
#include <cstring>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <vector>

#include "axi_pins.h"

namespace kiln::tb {

struct AxiSlaveConfig {
  unsigned read_latency = 10;    // AR handshake -> first beat may be presented
  unsigned write_latency = 4;    // last W beat -> B may be presented
  double beats_per_cycle = 1.0;  // R bandwidth, <= 1
  double ar_ready_prob = 1.0;    // chance READY is high in a cycle
  double aw_ready_prob = 1.0;
  double w_ready_prob = 1.0;
  double r_valid_prob = 1.0;     // chance an available beat is presented
  double b_valid_prob = 1.0;
  bool reorder = false;          // answer IDs in random order (same ID in order)
  bool interleave = false;       // with reorder: switch IDs between beats of a burst
  unsigned max_reads = 64;       // bursts the slave holds before AR stalls
  unsigned max_writes = 64;
  uint32_t seed = 1;
};

struct AxiBurstLog {
  uint64_t cycle;
  uint32_t id, addr, len;
};

class AxiSlaveModel {
 public:
  static constexpr uint32_t kBeatBytes = 32;

  explicit AxiSlaveModel(const AxiSlaveConfig& cfg = {}) : cfg_(cfg), rng_(cfg.seed) {}

  void set_config(const AxiSlaveConfig& cfg) {
    cfg_ = cfg;
    rng_.seed(cfg.seed);
  }
  const AxiSlaveConfig& config() const { return cfg_; }

  // [lo, hi) answers resp (kRespSlvErr or kRespDecErr); erroring writes are
  // not stored, erroring reads return a poison pattern.
  void add_error_range(uint64_t lo, uint64_t hi, uint32_t resp) { errs_.push_back({lo, hi, resp}); }
  void clear_error_ranges() { errs_.clear(); }

  // ---- backdoor memory (sparse 4 KiB pages, unwritten bytes read as 0)
  void mem_write(uint64_t addr, const void* src, size_t n) {
    auto* s = static_cast<const uint8_t*>(src);
    for (size_t i = 0; i < n; ++i) page(addr + i)[(addr + i) & 0xFFF] = s[i];
  }
  void mem_read(uint64_t addr, void* dst, size_t n) const {
    auto* d = static_cast<uint8_t*>(dst);
    for (size_t i = 0; i < n; ++i) {
      auto it = pages_.find((addr + i) >> 12);
      d[i] = it == pages_.end() ? 0 : it->second[(addr + i) & 0xFFF];
    }
  }
  uint32_t mem_read32(uint64_t addr) const {
    uint32_t v;
    mem_read(addr, &v, 4);
    return v;
  }

  // ---- per-cycle interface
  void drive(AxiPins& p) {
    credit_ = std::min(credit_ + cfg_.beats_per_cycle, 1.0);
    p.arready = reads_held() < cfg_.max_reads && coin(cfg_.ar_ready_prob);
    p.awready = aw_.size() < cfg_.max_writes && coin(cfg_.aw_ready_prob);
    p.wready = w_pending() && coin(cfg_.w_ready_prob);
    if (!r_cur_) pick_read();
    p.rvalid = r_cur_.has_value();
    if (r_cur_) {
      const ReadBurst& b = rq_[*r_cur_].front();
      uint64_t a = uint64_t(b.addr) + uint64_t(b.beat) * kBeatBytes;
      p.rid = b.id;
      p.rlast = b.beat == b.len;
      p.rresp = err_resp(a, 1);
      if (p.rresp != kRespOkay) {
        p.rdata.fill(0xBAD0BAD0u);
      } else {
        mem_read(a, p.rdata.data(), kBeatBytes);
      }
    }
    if (!b_cur_) pick_b();
    p.bvalid = b_cur_.has_value();
    if (b_cur_) {
      p.bid = *b_cur_;
      p.bresp = bq_[*b_cur_].front().resp;
    }
  }

  void tick(const AxiPins& p) {
    if (p.arvalid && p.arready) {
      rq_[p.arid].push_back({p.arid, p.araddr, p.arlen, 0, now_ + cfg_.read_latency, seq_++});
      ar_log.push_back({now_, p.arid, p.araddr, p.arlen});
    }
    if (p.awvalid && p.awready) {
      aw_.push_back({p.awid, p.awaddr, p.awlen, 0, kRespOkay});
      aw_log.push_back({now_, p.awid, p.awaddr, p.awlen});
    }
    if (p.rvalid && p.rready) {
      ReadBurst& b = rq_[*r_cur_].front();
      ++r_beats;
      if (b.beat == b.len) {
        rq_[*r_cur_].pop_front();
        r_cur_.reset();
      } else {
        ++b.beat;
        if (cfg_.interleave) r_cur_.reset();
      }
    }
    if (p.wvalid && p.wready) accept_w(p);
    if (p.bvalid && p.bready) {
      bq_[*b_cur_].pop_front();
      b_cur_.reset();
      ++b_count;
    }
    ++now_;
  }

  uint64_t now() const { return now_; }
  bool idle() const { return reads_held() == 0 && aw_.empty() && bq_empty(); }

  std::vector<AxiBurstLog> ar_log, aw_log;
  uint64_t r_beats = 0, w_beats = 0, b_count = 0;

 private:
  struct ReadBurst {
    uint32_t id, addr, len, beat;
    uint64_t ready_at, seq;
  };
  struct WriteBurst {
    uint32_t id, addr, len, beat, resp;
  };
  struct BResp {
    uint32_t resp;
    uint64_t ready_at, seq;
  };
  struct ErrRange {
    uint64_t lo, hi;
    uint32_t resp;
  };

  bool coin(double p) { return p >= 1.0 || std::uniform_real_distribution<double>(0, 1)(rng_) < p; }

  uint8_t* page(uint64_t addr) {
    auto& v = pages_[addr >> 12];
    if (!v) {
      v = std::make_unique<uint8_t[]>(4096);
      std::memset(v.get(), 0, 4096);
    }
    return v.get();
  }

  uint32_t err_resp(uint64_t a, uint64_t n) const {
    for (const auto& e : errs_)
      if (a < e.hi && a + n > e.lo) return e.resp;
    return kRespOkay;
  }

  size_t reads_held() const {
    size_t n = 0;
    for (const auto& [id, q] : rq_) n += q.size();
    return n;
  }
  bool bq_empty() const {
    for (const auto& [id, q] : bq_)
      if (!q.empty()) return false;
    return true;
  }
  bool w_pending() const { return !aw_.empty(); }

  // Chooses the burst whose next beat goes out; a started burst continues
  // unless interleaving is on.
  void pick_read() {
    if (credit_ < 1.0 || !coin(cfg_.r_valid_prob)) return;
    std::vector<uint32_t> ready;
    uint64_t oldest = UINT64_MAX;
    uint32_t oldest_id = 0;
    for (const auto& [id, q] : rq_) {
      if (q.empty()) continue;
      if (q.front().beat != 0 && !cfg_.interleave) {  // a started burst goes on
        ready.assign(1, id);
        oldest_id = id;
        oldest = 0;
        break;
      }
      if (q.front().seq < oldest) {
        oldest = q.front().seq;
        oldest_id = id;
      }
      if (q.front().ready_at <= now_) ready.push_back(id);
    }
    if (ready.empty()) return;
    uint32_t pick;
    if (cfg_.reorder) {
      pick = ready[std::uniform_int_distribution<size_t>(0, ready.size() - 1)(rng_)];
    } else {
      // In order across IDs: only the oldest burst may go, once it is ready.
      if (rq_[oldest_id].front().ready_at > now_) return;
      pick = oldest_id;
    }
    r_cur_ = pick;
    credit_ -= 1.0;
  }

  void pick_b() {
    if (!coin(cfg_.b_valid_prob)) return;
    std::vector<uint32_t> cand;
    for (const auto& [id, q] : bq_)
      if (!q.empty() && q.front().ready_at <= now_) cand.push_back(id);
    if (cand.empty()) return;
    uint32_t pick = cand[0];
    if (cfg_.reorder) {
      pick = cand[std::uniform_int_distribution<size_t>(0, cand.size() - 1)(rng_)];
    } else {
      for (uint32_t id : cand)
        if (bq_[id].front().seq < bq_[pick].front().seq) pick = id;
    }
    b_cur_ = pick;
  }

  void accept_w(const AxiPins& p) {
    WriteBurst& w = aw_.front();
    uint64_t a = uint64_t(w.addr) + uint64_t(w.beat) * kBeatBytes;
    uint32_t e = err_resp(a, kBeatBytes);
    if (e != kRespOkay) {
      if (w.resp == kRespOkay) w.resp = e;
    } else {
      const auto* bytes = reinterpret_cast<const uint8_t*>(p.wdata.data());
      for (uint32_t i = 0; i < kBeatBytes; ++i)
        if (p.wstrb >> i & 1) page(a + i)[(a + i) & 0xFFF] = bytes[i];
    }
    ++w_beats;
    if (w.beat == w.len) {
      bq_[w.id].push_back({w.resp, now_ + cfg_.write_latency, seq_++});
      aw_.pop_front();
    } else {
      ++w.beat;
    }
  }

  AxiSlaveConfig cfg_;
  std::mt19937 rng_;
  std::map<uint64_t, std::unique_ptr<uint8_t[]>> pages_;
  std::vector<ErrRange> errs_;
  std::map<uint32_t, std::deque<ReadBurst>> rq_;
  std::deque<WriteBurst> aw_;
  std::map<uint32_t, std::deque<BResp>> bq_;
  std::optional<uint32_t> r_cur_, b_cur_;
  double credit_ = 0;
  uint64_t now_ = 0, seq_ = 0;
};

}  // namespace kiln::tb
