/* Minimal start-up for the rv32imc control core: stack, .data copy, .bss
 * clear, external-interrupt enable for WFI wake-up (see hal_rv32.c), then
 * kiln_fw_main(). Traps park the core: the firmware never expects one. */
  .option arch, +zicsr
  .section .text.init, "ax"
  .globl _start
_start:
  .option push
  .option norelax
  la    gp, __global_pointer$
  .option pop
  la    sp, __stack_top

  la    t0, __trap
  csrw  mtvec, t0
  csrci mstatus, 8            /* MIE = 0: interrupts only wake WFI */
  li    t0, 0x800
  csrs  mie, t0               /* MEIE: irq_fw_o */

  la    t0, __data_load
  la    t1, __data_start
  la    t2, __data_end
1:bgeu  t1, t2, 2f
  lw    t3, 0(t0)
  sw    t3, 0(t1)
  addi  t0, t0, 4
  addi  t1, t1, 4
  j     1b
2:la    t1, __bss_start
  la    t2, __bss_end
3:bgeu  t1, t2, 4f
  sw    zero, 0(t1)
  addi  t1, t1, 4
  j     3b
4:call  kiln_fw_main
  /* kiln_fw_main never returns; fall into the trap loop if it does. */

  .align 2
__trap:
  wfi
  j     __trap
