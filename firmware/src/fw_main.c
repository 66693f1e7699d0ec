/* Firmware main loop: events, the command ring, error reporting, reset.
 *
 * The ring is processed only after a doorbell. HEAD == TAIL alone is not a
 * reason to fetch: after a soft reset HEAD is 0 while QUEUE_TAIL may still
 * hold the old ring's tail, and the host says "the ring is valid again" by
 * ringing the doorbell. Within a walk QUEUE_TAIL is re-read after every
 * command, so commands appended meanwhile run without another wake-up.
 */
#include "kiln_fw.h"

#include "fw_internal.h"

struct fw_state fw;

static void set_ready(void)
{
  hal_reg_write(KILN_REG_ERR_ADDR_LO, 0);
  hal_reg_write(KILN_REG_ERR_ADDR_HI, 0);
  hal_reg_write(KILN_REG_ERR_CMD_OFFSET, 0);
  hal_reg_write(KILN_REG_ERR_CODE, KILN_ERR_NONE);
  hal_reg_write(KILN_REG_QUEUE_HEAD, 0);
  hal_reg_write(KILN_REG_FW_STATUS, KILN_FW_STATUS_READY_MASK);
}

void kiln_fw_init(void)
{
  /* FW_EVENT is left alone: a doorbell rung before boot is still valid. */
  fw = (struct fw_state){0};
  set_ready();
}

static void soft_reset(void)
{
  /* Events from before the reset describe work that no longer exists; the
   * host waits for RESET_DONE before ringing again. */
  hal_reg_write(KILN_REG_FW_EVENT, KILN_FW_EVENT_RESET_MASK | KILN_FW_EVENT_DOORBELL_MASK |
                                       KILN_FW_EVENT_DMA_DONE_MASK | KILN_FW_EVENT_TC_DONE_MASK |
                                       KILN_FW_EVENT_VU_DONE_MASK);
  kiln_fw_init();
  hal_reg_write(KILN_REG_IRQ_SET, KILN_IRQ_STATUS_RESET_DONE_MASK);
}

fw_result fw_fail(uint32_t code, uint64_t addr, uint32_t cmd_offset)
{
  if (hal_reg_read(KILN_REG_ERR_CODE) == KILN_ERR_NONE) {
    /* ERR_CODE last: a host that sees a code sees its address too. */
    hal_reg_write(KILN_REG_ERR_ADDR_LO, (uint32_t)addr);
    hal_reg_write(KILN_REG_ERR_ADDR_HI, (uint32_t)(addr >> 32));
    hal_reg_write(KILN_REG_ERR_CMD_OFFSET, cmd_offset);
    hal_reg_write(KILN_REG_ERR_CODE, code);
  }
  fw.halted = 1;
  hal_reg_write(KILN_REG_FW_STATUS, KILN_FW_STATUS_READY_MASK | KILN_FW_STATUS_HALTED_MASK);
  hal_reg_write(KILN_REG_IRQ_SET, KILN_IRQ_STATUS_ERROR_MASK);
  return FW_FAIL;
}

static int valid_offset(uint32_t off, uint32_t size)
{
  return off < size && off % KILN_CMD_BYTES == 0;
}

/* Runs commands from HEAD until HEAD == TAIL. */
static fw_result walk_ring(int *done)
{
  uint32_t size = hal_reg_read(KILN_REG_QUEUE_SIZE);
  if (size == 0 || size % KILN_CMD_BYTES != 0)
    return fw_fail(KILN_ERR_QUEUE_CONFIG, size, fw.head);
  /* HEAD is ours, but the host may have shrunk the ring under it. */
  if (!valid_offset(fw.head, size))
    return fw_fail(KILN_ERR_QUEUE_CONFIG, size, fw.head);
  uint64_t base = ((uint64_t)hal_reg_read(KILN_REG_QUEUE_BASE_HI) << 32) |
                  hal_reg_read(KILN_REG_QUEUE_BASE_LO);

  for (;;) {
    if (fw_take_events() & KILN_FW_EVENT_RESET_MASK)
      return FW_ABORT;
    fw.doorbell = 0;
    uint32_t tail = hal_reg_read(KILN_REG_QUEUE_TAIL);
    if (!valid_offset(tail, size))
      return fw_fail(KILN_ERR_QUEUE_CONFIG, tail, fw.head);
    if (tail == fw.head)
      return FW_OK;

    fw_cmd cmd;
    uint64_t addr = base + fw.head;
    if (hal_mem_read(addr, cmd.w, KILN_CMD_BYTES) != 0)
      return fw_fail(KILN_ERR_FETCH, addr, fw.head);
    fw_result r = fw_execute(&cmd, fw.head);
    if (r != FW_OK)
      return r;

    fw.head += KILN_CMD_BYTES;
    if (fw.head == size)
      fw.head = 0;
    hal_reg_write(KILN_REG_QUEUE_HEAD, fw.head);
    ++*done;
  }
}

int kiln_fw_poll(void)
{
  int done = 0;
  uint32_t ev = fw_take_events();

  if (ev & KILN_FW_EVENT_RESET_MASK) {
    soft_reset();
    return 0;
  }
  if (fw.halted) {
    /* Doorbells and completions are dropped until the host resets us. */
    fw.doorbell = 0;
    return 0;
  }
  /* Surface a DMA error as soon as its descriptor ends, not only at the next
   * command on that channel or fence: the host hears of it even if none follows. */
  if ((ev & KILN_FW_EVENT_DMA_DONE_MASK) && fw_dma_check(FW_UNIT_DMA_ALL) != FW_OK)
    return 0;
  if (fw.doorbell) {
    if (walk_ring(&done) == FW_ABORT)
      soft_reset();
  }
  return done;
}

void kiln_fw_main(void)
{
  kiln_fw_init();
  for (;;) {
    hal_wait_event();
    kiln_fw_poll();
  }
}
