/* Kiln command-processor firmware: entry points.
 *
 * kiln_fw_main() is what the control core runs (never returns). It is
 * kiln_fw_init() followed by { hal_wait_event(); kiln_fw_poll(); } forever;
 * the two halves are public so a test or a platform can step the firmware
 * without a thread.
 */
#ifndef KILN_FW_H
#define KILN_FW_H

#ifdef __cplusplus
extern "C" {
#endif

/* Cold start: clears ERR_*, QUEUE_HEAD = 0, FW_STATUS = READY. */
void kiln_fw_init(void);

/* Handles whatever FW_EVENT holds now (reset, doorbell, unit completion) and
 * runs the ring until HEAD == TAIL, an error halts the firmware, or a soft
 * reset interrupts it. May call hal_wait_event() while a unit is busy.
 * Returns the number of commands completed. */
int kiln_fw_poll(void);

void kiln_fw_main(void);

#ifdef __cplusplus
}  /* extern "C" */
#endif

#endif /* KILN_FW_H */
