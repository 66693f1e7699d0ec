// The RTL island: owns the Verilated NPU and clocks it from one SC_THREAD.
#pragma once

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/simple_target_socket.h>
#include <tlm_utils/tlm_quantumkeeper.h>
#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "axi4_slave.h"
#include "axil_master.h"
#include "npu.h"
#include "rtl_model.h"
#include "unit_trace.h"

namespace kiln {

struct IslandConfig {
  uint32_t status_offset;      // CSR whose busy bits keep the clock running
  uint32_t busy_mask;
  unsigned reset_cycles = 8;
  unsigned settle_cycles = 16; // quiet cycles before the first idle check
  unsigned max_check_interval = 256;
  Axi4SlaveAdapter::Config axi;
  std::string wave_file;       // FST; empty = no waveform
  // Window (docs/debugging.md): cycles wave_from..wave_to inclusive (to 0 =
  // end of run), or with wave_cmd > 0 the wave_cmd-th command (1-based).
  uint64_t wave_from = 0, wave_to = 0, wave_cmd = 0;
  static IslandConfig from_hw();  // STATUS register and its busy fields
};

// Synchronisation policy: the thread runs cycles ahead of SystemC time and
// only waits (quantum-keeper sync) when the quantum is used up, when it
// finishes a CSR access for another thread, when an interrupt line changes,
// and before it stops the clock. The clock stops when no AXI burst is in
// flight, no CSR access is pending, nothing happened for a while and a
// STATUS read through the AXI4-Lite pins shows no busy unit; a CSR access
// starts it again.
class NpuIsland : public sc_core::sc_module, public Npu {
 public:
  tlm_utils::simple_initiator_socket<NpuIsland> dma;  // the model's AXI4 master → router
  tlm_utils::simple_target_socket<NpuIsland> csr;     // MMIO from the router (CSR window offsets)

  NpuIsland(sc_core::sc_module_name name, std::unique_ptr<RtlModel> model, const IslandConfig& cfg);
  ~NpuIsland() override;

  // One CSR access through the pins, serialised with all others. Blocks the
  // calling SC_THREAD until done; returns the AXI response code.
  uint8_t csr_access(bool write, uint32_t offset, uint32_t wdata, uint32_t* rdata, uint8_t strb = 0xF) override;

  const char* kind() const override { return "rtl"; }
  tlm::tlm_target_socket<>& csr_target() override { return csr; }
  tlm::tlm_initiator_socket<>& dma_initiator() override { return dma; }
  bool irq_host() const override { return irq_host_; }
  bool irq_fw() const override { return irq_fw_; }
  const sc_core::sc_event& irq_host_event() const override { return irq_host_ev_; }
  const sc_core::sc_event& irq_fw_event() const override { return irq_fw_ev_; }
  uint64_t rtl_cycles() const override { return cycles_; }
  // The clock stops only after STATUS showed no busy unit.
  bool idle() override { return sleeping_; }
  void set_core_sleeping(bool s) override { core_sleeping_ = s; }
  bool clock_stopped() const { return sleeping_; }
  const Axi4SlaveAdapter::Stats& axi_stats() const { return axi_.stats(); }
  RtlModel& model() { return *model_; }
  // Records unit busy spans into `w` (run traces), from the model's status_o
  // every cycle; `label` prefixes the track names (see UnitTrace). A model
  // without status_o records none.
  void attach_trace(TraceWriter& w, const std::string& label);

 private:
  struct CsrRequest {
    bool write;
    uint32_t offset, wdata, rdata;
    uint8_t strb, resp;
    bool finished;
    sc_core::sc_event done;
  };
  enum class LiteOwner { kNone, kRequest, kStatus };

  void run();
  void dump(uint64_t time_ps);
  void observe_csr(bool write, uint32_t offset, uint32_t data);  // command boundaries for wave_cmd
  void write_wave_info();
  bool clock_one();  // one cycle; returns true when the CSR access completed
  void check_irqs();
  void b_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay);
  void invalidate_direct_mem_ptr(sc_dt::uint64 start, sc_dt::uint64 end);

  std::unique_ptr<RtlModel> model_;
  IslandConfig cfg_;
  Axi4SlaveAdapter axi_;
  AxiLiteMaster lite_;
  tlm_utils::tlm_quantumkeeper qk_;
  sc_core::sc_time period_;
  sc_core::sc_process_handle thread_;
  std::deque<CsrRequest*> requests_;
  sc_core::sc_event request_ev_;
  sc_core::sc_event irq_host_ev_, irq_fw_ev_;
  bool irq_host_ = false, irq_fw_ = false;
  bool sleeping_ = false;
  bool core_sleeping_ = false;  // the control core waits for irq_fw: run-ahead is safe
  bool tracing_ = false;       // a waveform was asked for
  bool trace_open_ = false;    // opened lazily at the first cycle inside the window
  // Command tracking (wave_cmd): the firmware writes QUEUE_HEAD once per
  // command it finished; a doorbell starts a walk. A soft reset ends the walk
  // (its HEAD = 0 write is not a command).
  bool walking_ = false;
  uint64_t commands_done_ = 0;
  bool cmd_open_ = false, cmd_done_ = false;  // inside / past the wave_cmd window
  uint32_t cmd_units_ = 0;  // STATUS busy bits of the units command wave_cmd started, not yet seen idle
  uint64_t first_dumped_ = 0, last_dumped_ = 0;
  std::vector<std::pair<uint64_t, uint64_t>> boundaries_;  // (cycle, command that starts) inside the window
  uint64_t cycles_ = 0;
  // Run trace: the unit tracks and the CSR values written so far (the units'
  // configuration at their start names their spans).
  std::unique_ptr<UnitTrace> unit_trace_;
  std::vector<uint32_t> written_;
  UnitTrace::RegRead written_read_;
  void trace_units();
};

}  // namespace kiln
