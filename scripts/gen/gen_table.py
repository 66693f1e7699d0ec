"""kiln_regs_table.h: every addressable register as one table row, so a
register-file model (the fast NPU in systemc/fast) implements the CSR block's
semantics from data instead of hand-written cases. A register added to
kiln_regs.toml appears here without any edit to the model."""

from gen_c import BANNER
from gen_sv import _impl_mask
from gen_model import lo_hi_pairs

_ACCESS = {"const": "KILN_ACCESS_CONST", "rw": "KILN_ACCESS_RW", "ro": "KILN_ACCESS_RO",
           "w1c": "KILN_ACCESS_W1C", "wo": "KILN_ACCESS_WO"}


def regs_table_h(m):
    insts = m.instances()
    pairs = lo_hi_pairs(insts)
    latched_by = {hi.offset: lo_off for lo_off, hi in pairs.items()}
    g = "KILN_REGS_TABLE_H"
    o = [BANNER.format(src="rtl/csr/kiln_regs.toml")]
    o.append(f"#ifndef {g}\n#define {g}\n\n#include <stdint.h>\n\n")
    o.append("#ifdef __cplusplus\nextern \"C\" {\n#endif\n\n")
    o.append("/* Access kinds, same meaning as in kiln_regs.toml and the generated\n"
             " * kiln_csr_regs.sv: const, rw, ro (hardware value), w1c, wo (pulse). */\n")
    for i, a in enumerate(_ACCESS.values()):
        o.append(f"#define {a} {i}\n")
    o.append("\n/* impl_mask: bits that exist in a rw/w1c register (its fields, or all 32).\n"
             " * latched_by: for the HI half of a 64-bit ro counter, the offset of its LO\n"
             " * register (reading LO snapshots HI); 0xFFFFFFFF otherwise.\n"
             " * group: -1 for a top-level register, else the index into\n"
             " * kiln_reg_group_names; index: the instance of that group. */\n")
    o.append("typedef struct {\n  uint32_t offset;\n  const char *name;\n  uint8_t access;\n"
             "  uint32_t reset;\n  uint32_t impl_mask;\n  uint32_t latched_by;\n"
             "  int8_t group;\n  uint8_t index;\n} kiln_reg_info_t;\n\n")
    o.append("static const char *const kiln_reg_group_names[] = {")
    o.append(", ".join(f"\"{grp.name}\"" for grp in m.groups) or "0")
    o.append("};\n\n")
    gidx = {grp.name: i for i, grp in enumerate(m.groups)}
    o.append(f"#define KILN_REG_TABLE_COUNT {len(insts)}\n")
    o.append("static const kiln_reg_info_t kiln_reg_table[KILN_REG_TABLE_COUNT] = {\n")
    for i in insts:
        name = i.reg.name if i.group is None else f"{i.group.name}{i.index}_{i.reg.name}"
        reset = i.reg.reset if i.reg.access in ("const", "rw") else 0
        mask = _impl_mask(i.reg) if i.reg.access in ("rw", "w1c") else 0xFFFFFFFF
        lb = latched_by.get(i.offset, 0xFFFFFFFF)
        grp = -1 if i.group is None else gidx[i.group.name]
        idx = 0 if i.index is None else i.index
        o.append(f"  {{0x{i.offset:03X}u, \"{name}\", {_ACCESS[i.reg.access]}, 0x{reset:08X}u, "
                 f"0x{mask:08X}u, 0x{lb:08X}u, {grp}, {idx}}},\n")
    o.append("};\n")
    o.append("\n#ifdef __cplusplus\n}  /* extern \"C\" */\n#endif\n\n#endif /* " + g + " */\n")
    return "".join(o)
