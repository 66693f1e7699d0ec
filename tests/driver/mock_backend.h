// In-process stand-in for a Kiln device: CSR semantics (const/ro/rw/w1c/wo),
// sparse device memory, and a firmware-like responder that consumes the
// command ring when time passes (inside wait_irq). Registered as "mock".
#ifndef KILN_TESTS_DRIVER_MOCK_BACKEND_H
#define KILN_TESTS_DRIVER_MOCK_BACKEND_H

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "backend.h"

namespace kiln_test {

struct MockConfig {
  uint64_t boot_ns = 3000;              // FW_STATUS.READY after this much time
  uint32_t cmds_per_step = 0xFFFFFFFF;  // commands firmware consumes per wait_irq call
  uint32_t hwcfg = 0;                   // HWCFG register value
  uint32_t id = 0x4B494C4E;
  uint32_t version = 0x00010000;
  bool stalled = false;                 // firmware never consumes commands
  bool reset_clears_fence = true;       // soft reset zeroes FENCE_VALUE
  bool ignore_reset = false;            // never raise RESET_DONE
};

class MockBackend : public kiln::Backend {
 public:
  explicit MockBackend(const MockConfig& cfg);
  ~MockBackend() override;

  const char* name() const override { return "mock"; }
  uint32_t mmio_read32(uint32_t offset) override;
  void mmio_write32(uint32_t offset, uint32_t v) override;
  bool mem_write(uint64_t addr, const void* src, size_t n, std::string* err) override;
  bool mem_read(uint64_t addr, void* dst, size_t n, std::string* err) override;
  bool wait_irq(uint64_t timeout_ns) override;
  uint64_t now_ns() const override { return now_; }
  uint64_t rtl_cycles() const override { return cycles_; }

  // Test controls.
  MockConfig& config() { return cfg_; }
  // The next command with this opcode halts firmware with (code, addr).
  void fail_on_opcode(uint32_t opcode, uint32_t code, uint64_t addr);
  uint32_t reg(uint32_t offset) const;
  uint64_t doorbells() const { return doorbells_; }
  uint64_t commands_executed() const { return executed_; }
  uint64_t mem_write_calls() const { return mem_writes_; }
  std::vector<uint32_t> opcodes_seen;  // in execution order

 private:
  void step();
  void halt(uint32_t code, uint64_t addr, uint32_t offset);
  bool irq_line() const;
  uint8_t* page(uint64_t addr, bool create);

  MockConfig cfg_;
  std::map<uint32_t, uint32_t> regs_;
  std::map<uint64_t, std::unique_ptr<uint8_t[]>> pages_;
  uint64_t now_ = 0;
  uint64_t cycles_ = 0;
  uint64_t doorbells_ = 0;
  uint64_t executed_ = 0;
  uint64_t mem_writes_ = 0;
  uint32_t perf_hi_latch_ = 0;
  bool reset_pending_ = false;
  bool fail_armed_ = false;
  uint32_t fail_opcode_ = 0, fail_code_ = 0;
  uint64_t fail_addr_ = 0;
};

// Registers the "mock" backend; every open creates a MockBackend with the
// current config and publishes it in last_mock().
void register_mock_backend();
MockConfig& next_mock_config();
MockBackend* last_mock();

}  // namespace kiln_test

#endif  // KILN_TESTS_DRIVER_MOCK_BACKEND_H
