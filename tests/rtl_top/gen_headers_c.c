/* Compiled as C11 with -Wall -Wextra -Werror -pedantic: proves the generated
 * headers are valid C and lets the C++ test compare both views. */
#include "kiln_cmds.h"
#include "kiln_hw.h"
#include "kiln_regs.h"
/* A second inclusion checks the include guards. */
#include "kiln_cmds.h"
#include "kiln_regs.h"

uint32_t kiln_test_c_reg_offset(int which);
uint32_t kiln_test_c_cmd_size(void);
uint32_t kiln_test_c_header(uint32_t op);
const char *kiln_test_c_error_name(uint32_t code);

uint32_t kiln_test_c_reg_offset(int which)
{
  return which == 0 ? KILN_REG_QUEUE_TAIL : KILN_REG_DMA_ERR_ADDR(1);
}

uint32_t kiln_test_c_cmd_size(void) { return (uint32_t)sizeof(kiln_cmd_writeback_t); }

uint32_t kiln_test_c_header(uint32_t op) { return kiln_cmd_header(op); }

const char *kiln_test_c_error_name(uint32_t code) { return kiln_device_error_name(code); }
