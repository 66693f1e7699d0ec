/* Kiln firmware HAL: the only way the firmware touches the platform.
 *
 * The contract is docs/design.md "Firmware HAL". Implementations:
 *   systemc/control_core.cpp  (the SystemC platform's control core)
 *   firmware/hal/hal_rv32.c   (MMIO on the rv32imc control core)
 *   tests/firmware/fake_hal.cpp (host unit tests)
 */
#ifndef KILN_HAL_H
#define KILN_HAL_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

uint32_t hal_reg_read(uint32_t offset);            /* CSR window offset */
void     hal_reg_write(uint32_t offset, uint32_t value);
int      hal_mem_read(uint64_t addr, void *dst, uint32_t bytes); /* 0 ok, -1 bus error */
void     hal_wait_event(void);                     /* returns when irq_fw_o is high */
uint64_t hal_time_ns(void);

#ifdef __cplusplus
}  /* extern "C" */
#endif

#endif /* KILN_HAL_H */
