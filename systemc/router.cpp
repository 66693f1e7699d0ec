#include "router.h"

#include <stdexcept>

#include "kiln_hw.h"

namespace kiln {

using namespace sc_core;

Router::Router(sc_module_name name) : sc_module(name), in("in"), out("out") {
  in.register_b_transport(this, &Router::b_transport);
  in.register_get_direct_mem_ptr(this, &Router::get_direct_mem_ptr);
  in.register_transport_dbg(this, &Router::transport_dbg);
  out.register_invalidate_direct_mem_ptr(this, &Router::invalidate_direct_mem_ptr);
}

void Router::add_region(uint64_t base, uint64_t size, unsigned target) {
  for (const Region& r : regions_)
    if (base < r.base + r.size && r.base < base + size) throw std::invalid_argument("Router: overlapping regions");
  regions_.push_back(Region{base, size, target});
}

void Router::set_port_latency(unsigned port, const sc_time& t) {
  if (port_latency_.size() <= port) port_latency_.resize(port + 1, SC_ZERO_TIME);
  port_latency_[port] = t;
}

void Router::add_default_map() {
  add_region(KILN_HW_CSR_BASE, KILN_HW_CSR_SIZE, 0);
  add_region(KILN_HW_DRAM_BASE, KILN_HW_DRAM_SIZE, 1);
}

const Router::Region* Router::decode(uint64_t addr, uint64_t len) const {
  for (const Region& r : regions_)
    if (addr >= r.base && addr - r.base < r.size && len <= r.size - (addr - r.base)) return &r;
  return nullptr;
}

sc_time Router::port_latency(int port) const {
  return static_cast<size_t>(port) < port_latency_.size() ? port_latency_[port] : SC_ZERO_TIME;
}

void Router::b_transport(int port, tlm::tlm_generic_payload& trans, sc_time& delay) {
  const uint64_t addr = trans.get_address();
  const Region* r = decode(addr, trans.get_data_length());
  delay += port_latency(port);
  if (!r) {
    trans.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
    return;
  }
  trans.set_address(addr - r->base);
  out[r->target]->b_transport(trans, delay);
  // Initiators may reuse the payload: give back the address they issued.
  trans.set_address(addr);
}

bool Router::get_direct_mem_ptr(int port, tlm::tlm_generic_payload& trans, tlm::tlm_dmi& dmi) {
  const uint64_t addr = trans.get_address();
  const Region* r = decode(addr, 1);
  if (!r) {
    return false;
  }
  trans.set_address(addr - r->base);
  const bool ok = out[r->target]->get_direct_mem_ptr(trans, dmi);
  trans.set_address(addr);
  // Back to device addresses, clipped to the region the target owns here.
  uint64_t start = dmi.get_start_address(), end = dmi.get_end_address();
  if (end > r->size - 1) end = r->size - 1;
  dmi.set_start_address(r->base + start);
  dmi.set_end_address(r->base + end);
  if (ok) {
    dmi.set_read_latency(dmi.get_read_latency() + port_latency(port));
    dmi.set_write_latency(dmi.get_write_latency() + port_latency(port));
  }
  return ok;
}

unsigned int Router::transport_dbg(int port, tlm::tlm_generic_payload& trans) {
  (void)port;
  const uint64_t addr = trans.get_address();
  const Region* r = decode(addr, 1);
  if (!r) return 0;
  // Debug accesses are clipped to the region rather than refused.
  const uint64_t room = r->size - (addr - r->base);
  const unsigned len = trans.get_data_length();
  if (len > room) trans.set_data_length(static_cast<unsigned>(room));
  trans.set_address(addr - r->base);
  const unsigned n = out[r->target]->transport_dbg(trans);
  trans.set_address(addr);
  trans.set_data_length(len);
  return n;
}

void Router::invalidate_direct_mem_ptr(int target, sc_dt::uint64 start, sc_dt::uint64 end) {
  for (const Region& r : regions_) {
    if (static_cast<int>(r.target) != target) continue;
    const uint64_t lo = r.base + start;
    const uint64_t hi = end >= r.size - 1 ? r.base + r.size - 1 : r.base + end;
    for (unsigned i = 0; i < in.size(); ++i) in[i]->invalidate_direct_mem_ptr(lo, hi);
  }
}

}  // namespace kiln
