#include "mock_backend.h"

#include <cstring>

#include "kiln_cmds.h"
#include "kiln_hw.h"
#include "kiln_regs.h"

namespace kiln_test {

namespace {
constexpr uint64_t kPage = 4096;
constexpr uint64_t kNsPerCommand = 10;
MockConfig g_next;
MockBackend* g_last = nullptr;
}  // namespace

MockBackend::MockBackend(const MockConfig& cfg) : cfg_(cfg) { g_last = this; }
MockBackend::~MockBackend() {
  if (g_last == this) g_last = nullptr;
}

uint32_t MockBackend::reg(uint32_t offset) const {
  auto it = regs_.find(offset);
  return it == regs_.end() ? 0 : it->second;
}

uint32_t MockBackend::mmio_read32(uint32_t off) {
  switch (off) {
    case KILN_REG_ID: return cfg_.id;
    case KILN_REG_VERSION: return cfg_.version;
    case KILN_REG_HWCFG: return cfg_.hwcfg;
    case KILN_REG_CTRL: case KILN_REG_DOORBELL: case KILN_REG_IRQ_SET: return 0;
    case KILN_REG_PERF_CYCLES_LO: perf_hi_latch_ = static_cast<uint32_t>(now_ >> 32); return static_cast<uint32_t>(now_);
    case KILN_REG_PERF_CYCLES_HI: return perf_hi_latch_;
    default: return reg(off);
  }
}

void MockBackend::mmio_write32(uint32_t off, uint32_t v) {
  switch (off) {
    case KILN_REG_ID: case KILN_REG_VERSION: case KILN_REG_HWCFG: case KILN_REG_STATUS: return;
    case KILN_REG_IRQ_STATUS: case KILN_REG_FW_EVENT: regs_[off] &= ~v; return;
    case KILN_REG_DOORBELL: ++doorbells_; regs_[KILN_REG_FW_EVENT] |= KILN_FW_EVENT_DOORBELL_MASK; return;
    case KILN_REG_CTRL: if (v & KILN_CTRL_SOFT_RESET_MASK) reset_pending_ = true; return;
    default: regs_[off] = v;
  }
}

uint8_t* MockBackend::page(uint64_t addr, bool create) {
  const uint64_t key = addr / kPage;
  auto it = pages_.find(key);
  if (it != pages_.end()) return it->second.get();
  if (!create) return nullptr;
  auto& p = pages_[key];
  p.reset(new uint8_t[kPage]());
  return p.get();
}

bool MockBackend::mem_write(uint64_t addr, const void* src, size_t n, std::string* err) {
  ++mem_writes_;
  if (addr < KILN_HW_DRAM_BASE || addr + n > KILN_HW_DRAM_BASE + KILN_HW_DRAM_SIZE) {
    *err = "mock: DECERR, no target";
    return false;
  }
  const uint8_t* s = static_cast<const uint8_t*>(src);
  while (n) {
    const size_t chunk = std::min<uint64_t>(n, kPage - addr % kPage);
    std::memcpy(page(addr, true) + addr % kPage, s, chunk);
    addr += chunk, s += chunk, n -= chunk;
  }
  return true;
}

bool MockBackend::mem_read(uint64_t addr, void* dst, size_t n, std::string* err) {
  if (addr < KILN_HW_DRAM_BASE || addr + n > KILN_HW_DRAM_BASE + KILN_HW_DRAM_SIZE) {
    *err = "mock: DECERR, no target";
    return false;
  }
  uint8_t* d = static_cast<uint8_t*>(dst);
  while (n) {
    const size_t chunk = std::min<uint64_t>(n, kPage - addr % kPage);
    const uint8_t* p = page(addr, false);
    if (p) std::memcpy(d, p + addr % kPage, chunk); else std::memset(d, 0, chunk);
    addr += chunk, d += chunk, n -= chunk;
  }
  return true;
}

void MockBackend::fail_on_opcode(uint32_t opcode, uint32_t code, uint64_t addr) {
  fail_armed_ = true, fail_opcode_ = opcode, fail_code_ = code, fail_addr_ = addr;
}

bool MockBackend::irq_line() const {
  return (reg(KILN_REG_IRQ_STATUS) & reg(KILN_REG_IRQ_ENABLE)) != 0;
}

void MockBackend::halt(uint32_t code, uint64_t addr, uint32_t offset) {
  regs_[KILN_REG_ERR_CODE] = code;
  regs_[KILN_REG_ERR_ADDR_LO] = static_cast<uint32_t>(addr);
  regs_[KILN_REG_ERR_ADDR_HI] = static_cast<uint32_t>(addr >> 32);
  regs_[KILN_REG_ERR_CMD_OFFSET] = offset;
  regs_[KILN_REG_FW_STATUS] = KILN_FW_STATUS_READY_MASK | KILN_FW_STATUS_HALTED_MASK;
  regs_[KILN_REG_IRQ_STATUS] |= KILN_IRQ_STATUS_ERROR_MASK;
}

// Firmware's main loop, condensed: reset handling, then fetch/execute.
void MockBackend::step() {
  if (reset_pending_ && !cfg_.ignore_reset) {
    reset_pending_ = false;
    regs_[KILN_REG_QUEUE_HEAD] = 0;
    regs_[KILN_REG_ERR_CODE] = regs_[KILN_REG_ERR_ADDR_LO] = regs_[KILN_REG_ERR_ADDR_HI] = 0;
    regs_[KILN_REG_ERR_CMD_OFFSET] = 0;
    if (cfg_.reset_clears_fence) regs_[KILN_REG_FENCE_VALUE] = 0;
    regs_[KILN_REG_FW_STATUS] = KILN_FW_STATUS_READY_MASK;
    regs_[KILN_REG_IRQ_STATUS] |= KILN_IRQ_STATUS_RESET_DONE_MASK;
    now_ += 200;
  }
  if (now_ >= cfg_.boot_ns && !(reg(KILN_REG_FW_STATUS) & KILN_FW_STATUS_HALTED_MASK))
    regs_[KILN_REG_FW_STATUS] |= KILN_FW_STATUS_READY_MASK;
  if (cfg_.stalled || (reg(KILN_REG_FW_STATUS) & KILN_FW_STATUS_HALTED_MASK) ||
      !(reg(KILN_REG_FW_STATUS) & KILN_FW_STATUS_READY_MASK))
    return;
  const uint64_t base = reg(KILN_REG_QUEUE_BASE_LO) | (uint64_t{reg(KILN_REG_QUEUE_BASE_HI)} << 32);
  const uint32_t size = reg(KILN_REG_QUEUE_SIZE);
  if (size == 0 || size % KILN_CMD_BYTES) return;
  for (uint32_t n = 0; n < cfg_.cmds_per_step && reg(KILN_REG_QUEUE_HEAD) != reg(KILN_REG_QUEUE_TAIL); ++n) {
    const uint32_t head = reg(KILN_REG_QUEUE_HEAD);
    uint32_t w[KILN_CMD_WORDS];
    std::string err;
    if (!mem_read(base + head, w, sizeof w, &err)) return halt(KILN_ERR_FETCH, base + head, head);
    const uint32_t op = w[0] & KILN_CMD_HDR_OPCODE_MASK;
    opcodes_seen.push_back(op);
    now_ += kNsPerCommand;
    cycles_ += kNsPerCommand;
    if (fail_armed_ && op == fail_opcode_) {
      fail_armed_ = false;
      return halt(fail_code_, fail_addr_, head);
    }
    if (op == KILN_OP_DMA) {
      const uint64_t a = w[2] | (uint64_t{w[3]} << 32);
      if (a < KILN_HW_DRAM_BASE || a >= KILN_HW_DRAM_BASE + KILN_HW_DRAM_SIZE)
        return halt(KILN_ERR_DMA_DECERR, a, head);
    } else if (op == KILN_OP_FENCE) {
      regs_[KILN_REG_FENCE_VALUE] = w[2];
      if (w[1] & 1) regs_[KILN_REG_IRQ_STATUS] |= KILN_IRQ_STATUS_FENCE_MASK;
    } else if (std::strcmp(kiln_cmd_opcode_name(op), "UNKNOWN") == 0) {
      return halt(KILN_ERR_BAD_OPCODE, w[0], head);
    }
    ++executed_;
    regs_[KILN_REG_QUEUE_HEAD] = (head + KILN_CMD_BYTES) % size;
  }
}

// Time advances by kNsPerCommand per executed command, or jumps to the
// deadline when firmware has nothing to do.
bool MockBackend::wait_irq(uint64_t timeout_ns) {
  const uint64_t deadline = now_ + timeout_ns;
  for (;;) {
    const uint64_t before = executed_;
    step();
    if (irq_line()) return true;
    if (now_ >= deadline) return false;
    if (executed_ == before) {
      cycles_ += deadline - now_;
      now_ = deadline;
      step();  // e.g. boot completes at the deadline
      return irq_line();
    }
  }
}

void register_mock_backend() {
  kiln::register_backend("mock", [](const kiln::BackendOptions&, kiln_status*, std::string*) {
    return std::unique_ptr<kiln::Backend>(new MockBackend(g_next));
  });
}

MockConfig& next_mock_config() { return g_next; }
MockBackend* last_mock() { return g_last; }

}  // namespace kiln_test
