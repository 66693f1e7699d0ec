// Static checks of one 64-byte command, shared by the command-buffer builders
// and kiln_submit, so the rules (the firmware's, see docs/driver.md) live in
// exactly one place.
#ifndef KILN_DRIVER_CMD_CHECK_H
#define KILN_DRIVER_CMD_CHECK_H

#include <cstdint>
#include <string>
#include <vector>

#include "kiln/kiln.h"

namespace kiln {

// One memory footprint of a command: [begin, end) in the unit of its space.
struct Footprint {
  enum Space { kDeviceMemory, kScratchpadBytes, kScratchpadWords, kAccRows };
  Space space;
  const char* what;  // "A operand", "device-memory range", ...
  uint64_t begin;
  uint64_t end;
};

struct CmdCheck {
  kiln_status status = KILN_OK;
  std::string msg;  // without the "command N (OP): " prefix
  std::vector<Footprint> footprints;
};

// Decodes the header and fields of `cmd` (16 words), checks everything that
// does not depend on device state (opcode, version, reserved bits, field
// ranges, 32-byte alignment, scratchpad and accumulator bounds), and lists the
// device-memory ranges for the caller to check against its allocations.
// allow_fence: FENCE commands are appended by kiln_submit only.
CmdCheck check_command(const uint32_t* cmd, bool allow_fence);

// Name for messages, "UNKNOWN(0x7f)" for bad opcodes.
std::string opcode_label(uint32_t header);

}  // namespace kiln

#endif  // KILN_DRIVER_CMD_CHECK_H
