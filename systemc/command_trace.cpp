#include "command_trace.h"

#include <cstring>
#include <string>

#include "kiln_cmds.h"
#include "kiln_regs.h"
#include "kiln_vu_footprint.h"

namespace kiln {

CommandTrace::CommandTrace(TraceWriter& w) : w_(w), track_(w.add_track("commands (firmware)")) {}

void CommandTrace::mem_read(uint64_t begin_ns, uint64_t addr, const void* data, uint32_t bytes) {
  if (bytes != KILN_CMD_BYTES) return;
  uint32_t c[KILN_CMD_WORDS];
  std::memcpy(c, data, sizeof c);
  const uint32_t opcode = c[0] & KILN_CMD_HDR_OPCODE_MASK;  // header bits [7:0]
  std::string name = kiln_cmd_opcode_name(opcode);
  TraceArgs a;
  a.num("cmd", ++count_).hex("addr", addr);
  switch (opcode) {
    case KILN_OP_DMA: {
      kiln_cmd_dma_t d;
      std::memcpy(&d, c, sizeof d);
      const bool store = (d.channel >> 8) & 1u;
      name += store ? " store" : " load";
      a.num("channel", d.channel & 0xFu).num("bytes", uint64_t(d.row_bytes) * d.rows);
      break;
    }
    case KILN_OP_GEMM: {
      kiln_cmd_gemm_t g;
      std::memcpy(&g, c, sizeof g);
      a.num("m", g.m).num("n", g.n).num("k", g.k);
      break;
    }
    case KILN_OP_WRITEBACK: {
      kiln_cmd_writeback_t wb;
      std::memcpy(&wb, c, sizeof wb);
      a.num("m", wb.m).num("n", wb.n);
      break;
    }
    case KILN_OP_BARRIER: {
      kiln_cmd_barrier_t b;
      std::memcpy(&b, c, sizeof b);
      a.hex("unit_mask", b.unit_mask);
      break;
    }
    case KILN_OP_FENCE: {
      kiln_cmd_fence_t f;
      std::memcpy(&f, c, sizeof f);
      a.num("value", f.value);
      break;
    }
    case KILN_OP_VECTOR: {
      kiln_cmd_vector_t v;
      std::memcpy(&v, c, sizeof v);
      name += std::string(" ") + kiln_vu_op_name(v.op);
      a.num("rows", v.rows).num("cols", v.cols);
      break;
    }
    case KILN_OP_NOP:
      break;
    default:
      // An unknown opcode is still a command (the firmware will refuse it).
      name = "opcode " + std::to_string(opcode);
      break;
  }
  w_.begin(track_, begin_ns, name, "command", a);
}

void CommandTrace::reg_write(uint64_t ns, uint32_t offset, uint32_t value) {
  if (offset == KILN_REG_QUEUE_HEAD) {
    w_.end(track_, ns);  // HEAD = 0 at boot or reset has no command open: nothing happens
  } else if (offset == KILN_REG_FENCE_VALUE) {
    w_.instant(track_, ns, "fence " + std::to_string(value), "fence", TraceArgs().num("value", value));
  } else if (offset == KILN_REG_ERR_CODE && value != KILN_ERR_NONE) {
    w_.instant(track_, ns, std::string("error ") + kiln_device_error_name(value), "error",
               TraceArgs().num("code", value).num("cmd", count_));
    w_.end(track_, ns);
  }
}

}  // namespace kiln
