#include "dram.h"

#include <sys/mman.h>
#include <cstring>
#include <stdexcept>

#include "kiln_hw.h"

namespace kiln {

using namespace sc_core;

sc_time clock_period() {
  // Built once: constructing an sc_time from a double is costly and this is
  // called for every burst and every fast-model timestamp.
  static const sc_time period(1000.0 / KILN_HW_CLOCK_MHZ, SC_NS);
  return period;
}

DramConfig DramConfig::from_hw() {
  return DramConfig{KILN_HW_DRAM_SIZE, KILN_HW_DRAM_LATENCY_CYCLES, KILN_HW_DRAM_BYTES_PER_CYCLE};
}

Dram::Dram(sc_module_name name, const DramConfig& cfg)
    : sc_module(name),
      socket("socket"),
      cfg_(cfg),
      period_(clock_period().value()),
      latency_(clock_period() * static_cast<double>(cfg.latency_cycles)) {
  // MAP_NORESERVE + anonymous: the kernel's page table is the sparse page map,
  // so untouched DRAM costs nothing, reads of it return zero, and the whole
  // range stays one flat pointer that can be handed out as a single DMI region.
  void* p = mmap(nullptr, cfg_.size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
                 -1, 0);
  if (p == MAP_FAILED) throw std::runtime_error("Dram: cannot reserve address space");
  mem_ = static_cast<uint8_t*>(p);
  // Huge pages where the kernel offers them (THP "madvise" mode): a model's
  // weights are streamed through every token, and with 4 KiB pages the TLB
  // misses cost more than the copies. Advisory only; failure changes nothing.
  madvise(p, cfg_.size, MADV_HUGEPAGE);
  socket.register_b_transport(this, &Dram::b_transport);
  socket.register_get_direct_mem_ptr(this, &Dram::get_direct_mem_ptr);
  socket.register_transport_dbg(this, &Dram::transport_dbg);
}

Dram::~Dram() { munmap(mem_, cfg_.size); }

sc_time Dram::book(const sc_time& t, uint64_t bytes) {
  // Bandwidth is shared (the channel is busy for the transfer); latency is a
  // pipeline and overlaps with other requests' transfers. Whole cycles in
  // integer time units (= clock_period() * double(cycles), without the
  // double round trip on every burst).
  const sc_time busy = sc_time::from_value(period_ * transfer_cycles(bytes, cfg_.bytes_per_cycle));
  const sc_time start = channel_.claim(t, busy);
  return start + busy + latency_;
}

bool Dram::access(tlm::tlm_generic_payload& trans) {
  const uint64_t addr = trans.get_address();
  const uint64_t len = trans.get_data_length();
  if (addr >= cfg_.size || len > cfg_.size - addr) {
    trans.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
    return false;
  }
  if (trans.get_streaming_width() < len) {
    trans.set_response_status(tlm::TLM_BURST_ERROR_RESPONSE);
    return false;
  }
  uint8_t* data = trans.get_data_ptr();
  uint8_t* mem = mem_ + addr;
  const uint8_t* be = trans.get_byte_enable_ptr();
  const unsigned be_len = trans.get_byte_enable_length();
  const bool write = trans.is_write();
  if (!trans.is_read() && !write) {
    trans.set_response_status(tlm::TLM_OK_RESPONSE);  // ignore command
    return true;
  }
  if (!be || be_len == 0) {
    if (write)
      std::memcpy(mem, data, len);
    else
      std::memcpy(data, mem, len);
  } else {
    for (uint64_t i = 0; i < len; ++i) {
      if (be[i % be_len] != TLM_BYTE_ENABLED) continue;
      if (write)
        mem[i] = data[i];
      else
        data[i] = mem[i];
    }
  }
  trans.set_response_status(tlm::TLM_OK_RESPONSE);
  return true;
}

void Dram::b_transport(tlm::tlm_generic_payload& trans, sc_time& delay) {
  if (!access(trans)) return;
  const sc_time now = sc_time_stamp();
  delay = book(now + delay, trans.get_data_length()) - now;
  trans.set_dmi_allowed(true);
}

bool Dram::get_direct_mem_ptr(tlm::tlm_generic_payload& trans, tlm::tlm_dmi& dmi) {
  (void)trans;
  // DMI bypasses the channel bookkeeping, so it carries only the fixed
  // latency; initiators that need bandwidth accuracy keep using b_transport.
  dmi.set_dmi_ptr(mem_);
  dmi.set_start_address(0);
  dmi.set_end_address(cfg_.size - 1);
  dmi.allow_read_write();
  dmi.set_read_latency(clock_period() * static_cast<double>(cfg_.latency_cycles));
  dmi.set_write_latency(clock_period() * static_cast<double>(cfg_.latency_cycles));
  return true;
}

unsigned int Dram::transport_dbg(tlm::tlm_generic_payload& trans) {
  const uint64_t addr = trans.get_address();
  if (addr >= cfg_.size) return 0;
  const uint64_t n = std::min<uint64_t>(trans.get_data_length(), cfg_.size - addr);
  if (trans.is_write())
    std::memcpy(mem_ + addr, trans.get_data_ptr(), n);
  else if (trans.is_read())
    std::memcpy(trans.get_data_ptr(), mem_ + addr, n);
  trans.set_response_status(tlm::TLM_OK_RESPONSE);
  return static_cast<unsigned>(n);
}

}  // namespace kiln
