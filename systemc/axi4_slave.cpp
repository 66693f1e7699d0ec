#include "axi4_slave.h"

#include <cstring>

#include "timing.h"

namespace kiln {

using namespace sc_core;

static constexpr unsigned kBusBytes = 32;

uint8_t axi_resp_from_tlm(tlm::tlm_response_status s) {
  if (s == tlm::TLM_OK_RESPONSE) return kAxiOkay;
  if (s == tlm::TLM_ADDRESS_ERROR_RESPONSE) return kAxiDecErr;
  return kAxiSlvErr;
}

Axi4SlaveAdapter::Axi4SlaveAdapter(Axi4MasterPins& pins, tlm::tlm_initiator_socket<>& socket, const Config& cfg)
    : p_(pins), socket_(socket), cfg_(cfg) {}

void Axi4SlaveAdapter::reset() {
  reads_.clear();
  writes_.clear();
  cur_r_ = cur_b_ = -1;
  ar_fire_ = aw_fire_ = w_fire_ = r_fire_ = b_fire_ = false;
  *p_.arready = *p_.awready = *p_.wready = *p_.rvalid = *p_.bvalid = 0;
  *p_.rlast = 0;
}

void Axi4SlaveAdapter::setup(Burst& b) {
  const uint64_t sb = 1ull << b.size;
  const uint64_t aligned = b.addr & ~(sb - 1);
  const uint64_t total = sb * (b.len + 1u);
  switch (b.type) {
    case 0:  // FIXED: every beat at the same address
      b.lo = b.addr;
      b.hi = aligned + sb;
      break;
    case 2:  // WRAP: the aligned window of the whole burst
      b.lo = b.addr & ~(total - 1);
      b.hi = b.lo + total;
      break;
    default:  // INCR
      b.lo = b.addr;
      b.hi = aligned + total;
      break;
  }
}

uint64_t Axi4SlaveAdapter::beat_addr(const Burst& b, unsigned i) {
  if (i == 0 || b.type == 0) return b.addr;
  const uint64_t sb = 1ull << b.size;
  uint64_t a = (b.addr & ~(sb - 1)) + uint64_t(i) * sb;
  if (b.type == 2 && a >= b.hi) a -= b.hi - b.lo;
  return a;
}

unsigned Axi4SlaveAdapter::beat_bytes(const Burst& b, uint64_t addr) {
  const uint64_t sb = 1ull << b.size;
  return static_cast<unsigned>((addr & ~(sb - 1)) + sb - addr);
}

bool Axi4SlaveAdapter::busy() const {
  return !reads_.empty() || !writes_.empty() || *p_.arvalid || *p_.awvalid || *p_.wvalid;
}

void Axi4SlaveAdapter::invalidate_dmi(uint64_t start, uint64_t end) {
  if (dmi_valid_ && start <= dmi_.get_end_address() && end >= dmi_.get_start_address()) dmi_valid_ = false;
}

void Axi4SlaveAdapter::sample() {
  ar_fire_ = *p_.arvalid && *p_.arready;
  aw_fire_ = *p_.awvalid && *p_.awready;
  w_fire_ = *p_.wvalid && *p_.wready;
  r_fire_ = *p_.rvalid && *p_.rready;
  b_fire_ = *p_.bvalid && *p_.bready;
  if (ar_fire_) {
    ar_ = Burst{*p_.arid, *p_.arlen, *p_.arsize, *p_.arburst, *p_.araddr, 0, 0, {}, {}};
  }
  if (aw_fire_) {
    aw_ = Burst{*p_.awid, *p_.awlen, *p_.awsize, *p_.awburst, *p_.awaddr, 0, 0, {}, {}};
  }
  if (w_fire_) {
    // The master may change W right after the edge: copy the beat now.
    std::memcpy(w_bytes_, p_.wdata, kBusBytes);
    w_strb_ = *p_.wstrb;
  }
  if (ar_fire_ | aw_fire_ | w_fire_ | r_fire_ | b_fire_) ++activity_;
}

bool Axi4SlaveAdapter::try_dmi(Burst& b, bool write, sc_time& latency) {
  if (!cfg_.use_dmi) return false;
  if (!dmi_valid_) {
    tlm::tlm_generic_payload t;
    t.set_address(b.lo);
    t.set_command(write ? tlm::TLM_WRITE_COMMAND : tlm::TLM_READ_COMMAND);
    dmi_valid_ = socket_->get_direct_mem_ptr(t, dmi_);
    if (!dmi_valid_) return false;
  }
  if (b.lo < dmi_.get_start_address() || b.hi - 1 > dmi_.get_end_address()) return false;
  if (write ? !dmi_.is_write_allowed() : !dmi_.is_read_allowed()) return false;
  uint8_t* mem = dmi_.get_dmi_ptr() + (b.lo - dmi_.get_start_address());
  const size_t n = b.hi - b.lo;
  if (!write) {
    std::memcpy(b.data.data(), mem, n);
    latency = dmi_.get_read_latency();
  } else {
    for (size_t i = 0; i < n; ++i)
      if (b.be[i] == TLM_BYTE_ENABLED) mem[i] = b.data[i];
    latency = dmi_.get_write_latency();
  }
  return true;
}

void Axi4SlaveAdapter::transport(Burst& b, bool write, uint64_t now, const sc_time& local) {
  sc_time latency = SC_ZERO_TIME;
  if (b.type == 3) {
    b.resp = kAxiSlvErr;  // reserved burst type
  } else if (!try_dmi(b, write, latency)) {
    const size_t n = b.hi - b.lo;
    bool all = true;
    if (write)
      for (uint8_t e : b.be) all = all && e == TLM_BYTE_ENABLED;
    trans_.set_command(write ? tlm::TLM_WRITE_COMMAND : tlm::TLM_READ_COMMAND);
    trans_.set_address(b.lo);
    trans_.set_data_ptr(b.data.data());
    trans_.set_data_length(static_cast<unsigned>(n));
    trans_.set_streaming_width(static_cast<unsigned>(n));
    trans_.set_byte_enable_ptr(write && !all ? b.be.data() : nullptr);
    trans_.set_byte_enable_length(write && !all ? static_cast<unsigned>(n) : 0);
    trans_.set_dmi_allowed(false);
    trans_.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
    sc_time d = local;
    socket_->b_transport(trans_, d);
    latency = d > local ? d - local : SC_ZERO_TIME;
    b.resp = axi_resp_from_tlm(trans_.get_response_status());
  }
  if (b.resp != kAxiOkay) ++stats_.errors;
  const uint64_t cycles = delay_to_cycles(latency);
  b.ready = now + (cycles ? cycles : 1);
}

int Axi4SlaveAdapter::pick(const std::deque<Burst>& q, uint64_t now, bool need_data) {
  uint32_t seen = 0;  // IDs with an older burst still pending
  for (size_t i = 0; i < q.size(); ++i) {
    const Burst& b = q[i];
    const uint32_t bit = 1u << (b.id & 31);
    const bool complete = !need_data || b.beats == b.len + 1u;
    if (!(seen & bit) && complete && b.ready && b.ready <= now) return static_cast<int>(i);
    seen |= bit;
  }
  return -1;
}

void Axi4SlaveAdapter::update(uint64_t now, const sc_time& local) {
  if (r_fire_ && cur_r_ >= 0) {
    Burst& b = reads_[cur_r_];
    ++stats_.read_beats;
    if (b.beats++ == b.len) {
      reads_.erase(reads_.begin() + cur_r_);
      cur_r_ = -1;
    }
  }
  if (b_fire_ && cur_b_ >= 0) {
    writes_.erase(writes_.begin() + cur_b_);
    cur_b_ = -1;
  }
  if (w_fire_) {
    for (Burst& b : writes_) {
      if (b.beats == b.len + 1u) continue;
      const uint64_t a = beat_addr(b, b.beats);
      const unsigned n = beat_bytes(b, a);
      for (unsigned k = 0; k < n; ++k) {
        const unsigned lane = (a + k) % kBusBytes;
        if (!(w_strb_ >> lane & 1)) continue;
        b.data[a + k - b.lo] = w_bytes_[lane];
        b.be[a + k - b.lo] = TLM_BYTE_ENABLED;
      }
      ++stats_.write_beats;
      if (++b.beats == b.len + 1u) transport(b, true, now, local);
      break;
    }
  }
  if (aw_fire_) {
    setup(aw_);
    aw_.data.assign(aw_.hi - aw_.lo, 0);
    aw_.be.assign(aw_.hi - aw_.lo, TLM_BYTE_DISABLED);
    aw_.ready = 0;
    writes_.push_back(std::move(aw_));
    ++stats_.write_bursts;
  }
  if (ar_fire_) {
    setup(ar_);
    ar_.data.assign(ar_.hi - ar_.lo, 0);
    transport(ar_, false, now, local);
    reads_.push_back(std::move(ar_));
    ++stats_.read_bursts;
  }

  *p_.arready = reads_.size() < cfg_.max_reads;
  *p_.awready = writes_.size() < cfg_.max_writes;
  bool want_w = false;
  for (const Burst& b : writes_) want_w = want_w || b.beats < b.len + 1u;
  *p_.wready = want_w;

  if (cur_r_ < 0) cur_r_ = pick(reads_, now, false);
  if (cur_r_ >= 0) {
    const Burst& b = reads_[cur_r_];
    uint8_t lanes[kBusBytes] = {};
    const uint64_t a = beat_addr(b, b.beats);
    const unsigned n = beat_bytes(b, a);
    for (unsigned k = 0; k < n; ++k) lanes[(a + k) % kBusBytes] = b.data[a + k - b.lo];
    std::memcpy(p_.rdata, lanes, kBusBytes);
    *p_.rid = b.id;
    *p_.rresp = b.resp;
    *p_.rlast = b.beats == b.len;
    *p_.rvalid = 1;
  } else {
    *p_.rvalid = 0;
    *p_.rlast = 0;
  }
  if (cur_b_ < 0) cur_b_ = pick(writes_, now, true);
  if (cur_b_ >= 0) {
    *p_.bid = writes_[cur_b_].id;
    *p_.bresp = writes_[cur_b_].resp;
    *p_.bvalid = 1;
  } else {
    *p_.bvalid = 0;
  }
}

}  // namespace kiln
