/* HAL for the rv32imc control core: the CSR window and device memory are
 * plain loads and stores on the core's bus.
 *
 * Interrupt assumption: irq_fw_o (|FW_EVENT) is wired to the core's machine
 * external interrupt. crt0 enables it in mie (MEIE) but leaves mstatus.MIE
 * clear, so it is never taken as a trap; WFI still wakes on a pending enabled
 * interrupt. The line is level-sensitive and stays high until firmware
 * clears FW_EVENT, so an event that arrives between the FW_EVENT read and
 * the WFI is not lost: WFI simply returns at once.
 */
#include <string.h>

#include "kiln_hal.h"
#include "kiln_hw.h"
#include "kiln_regs.h"

static volatile uint32_t *csr(uint32_t offset)
{
  return (volatile uint32_t *)(uintptr_t)((uint32_t)KILN_HW_CSR_BASE + offset);
}

uint32_t hal_reg_read(uint32_t offset) { return *csr(offset); }

void hal_reg_write(uint32_t offset, uint32_t value) { *csr(offset) = value; }

int hal_mem_read(uint64_t addr, void *dst, uint32_t bytes)
{
  /* A load from an unmapped address would trap (the trap handler in crt0
   * parks the core), so refuse what the address map says is not DRAM and
   * report it as the bus error it would be. */
  uint64_t dram_end = (uint64_t)KILN_HW_DRAM_BASE + KILN_HW_DRAM_SIZE;
  if (addr < KILN_HW_DRAM_BASE || addr > dram_end || bytes > dram_end - addr)
    return -1;
  memcpy(dst, (const void *)(uintptr_t)addr, bytes);
  return 0;
}

void hal_wait_event(void)
{
  while (hal_reg_read(KILN_REG_FW_EVENT) == 0)
    __asm__ volatile("wfi");
}

uint64_t hal_time_ns(void)
{
  /* The NPU's cycle counter rather than the core's cycle CSR: it is the
   * platform's time base, and reading it needs no Zicsr. LO first: the
   * read latches HI. */
  uint32_t lo = hal_reg_read(KILN_REG_PERF_CYCLES_LO);
  uint32_t hi = hal_reg_read(KILN_REG_PERF_CYCLES_HI);
  uint64_t cycles = ((uint64_t)hi << 32) | lo;
  return cycles * 1000u / KILN_HW_CLOCK_MHZ;
}
