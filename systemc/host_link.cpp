#include "host_link.h"

#include "kiln_hw.h"

namespace kiln {

using namespace sc_core;

HostLinkConfig HostLinkConfig::from_hw() {
  return HostLinkConfig{KILN_HW_HOST_LINK_LATENCY_CYCLES, KILN_HW_HOST_LINK_BYTES_PER_CYCLE};
}

HostLink::HostLink(sc_module_name name, const HostLinkConfig& cfg)
    : sc_module(name), host("host"), out("out"), cfg_(cfg) {
  host.register_b_transport(this, &HostLink::b_transport);
  host.register_transport_dbg(this, &HostLink::transport_dbg);
}

void HostLink::b_transport(tlm::tlm_generic_payload& trans, sc_time& delay) {
  const sc_time p = clock_period();
  const sc_time now = sc_time_stamp();
  const sc_time lat = p * static_cast<double>(cfg_.latency_cycles);
  const sc_time xfer = p * static_cast<double>(transfer_cycles(trans.get_data_length(), cfg_.bytes_per_cycle));
  if (trans.is_write()) {
    const sc_time start = down_.claim(now + delay, xfer);
    sc_time d = start + xfer + lat - now;
    out->b_transport(trans, d);
    delay = d;
    return;
  }
  sc_time d = delay + lat;
  out->b_transport(trans, d);
  if (trans.get_response_status() != tlm::TLM_OK_RESPONSE) {
    // An error completion carries no data: only the way back.
    delay = d + lat;
    return;
  }
  const sc_time start = up_.claim(now + d, xfer);
  delay = start + xfer + lat - now;
}

unsigned int HostLink::transport_dbg(tlm::tlm_generic_payload& trans) { return out->transport_dbg(trans); }

}  // namespace kiln
