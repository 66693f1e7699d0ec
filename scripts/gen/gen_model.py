"""Loads and validates the three sources of truth into plain Python objects.

Everything the emitters need is resolved here (group counts, flattened
register instances, LO/HI pairs) so the emitters stay simple string builders.
"""
import os
import tomllib
from dataclasses import dataclass, field
from typing import Optional


class ModelError(Exception):
    pass


def camel(*parts):
    """'tensor_core', 'acc_rows' -> 'TensorCoreAccRows'."""
    out = []
    for p in parts:
        out.extend(w.capitalize() for w in p.split("_") if w)
    return "".join(out)


@dataclass
class Field:
    name: str
    lsb: int
    width: int
    desc: str = ""

    @property
    def mask(self):
        return ((1 << self.width) - 1) << self.lsb


@dataclass
class Reg:
    name: str          # as in the TOML, e.g. "START"
    offset: int        # inside the group for group registers
    access: str
    reset: int
    desc: str
    fields: list


@dataclass
class Group:
    name: str
    offset: int
    count: int
    stride: int
    desc: str
    regs: list
    # Name of the kiln_hw_pkg parameter the count follows, or None.
    count_param: Optional[str] = None
    count_hw_key: Optional[str] = None


@dataclass
class RegInstance:
    """One addressable 32-bit register: a top-level register or one instance
    of a group register."""
    reg: Reg
    group: Optional[Group]
    index: Optional[int]
    offset: int        # absolute byte offset in the CSR window

    @property
    def sv_base(self):
        """Lower-case port stem: 'queue_tail', 'dma_start'."""
        if self.group is None:
            return self.reg.name.lower()
        return f"{self.group.name.lower()}_{self.reg.name.lower()}"

    @property
    def sv_ref_suffix(self):
        return "" if self.group is None else f"[{self.index}]"


@dataclass
class HwConfig:
    sections: dict     # section -> {key: int}

    def items(self):
        for sec, kv in self.sections.items():
            for key, val in kv.items():
                yield sec, key, val

    def derived(self):
        """Parameters computed from the configuration that several blocks
        need; emitted next to the raw keys so nobody recomputes them."""
        sp = self.sections.get("scratchpad", {})
        out = []
        if "bytes" in sp and "word_bytes" in sp:
            words = sp["bytes"] // sp["word_bytes"]
            out.append(("scratchpad", "words", words,
                        "scratchpad words (bytes / word_bytes)"))
            out.append(("scratchpad", "addr_bits", max(1, (words - 1).bit_length()),
                        "bits of a scratchpad word address"))
        return out


@dataclass
class Command:
    name: str
    opcode: int
    desc: str
    words: list        # list of (name, desc)


@dataclass
class ErrorCode:
    name: str
    code: int
    desc: str


@dataclass
class Model:
    hw: HwConfig
    regs_version: int
    regs: list         # top-level Reg
    groups: list       # Group
    cmd_version: int
    cmd_bytes: int
    commands: list
    errors: list

    def instances(self):
        """All addressable registers in offset order."""
        out = [RegInstance(r, None, None, r.offset) for r in self.regs]
        for g in self.groups:
            for i in range(g.count):
                for r in g.regs:
                    out.append(RegInstance(r, g, i, g.offset + i * g.stride + r.offset))
        out.sort(key=lambda x: x.offset)
        return out


ACCESS = ("const", "rw", "ro", "w1c", "wo")


def _load(path):
    try:
        with open(path, "rb") as f:
            return tomllib.load(f)
    except (OSError, tomllib.TOMLDecodeError) as e:
        raise ModelError(f"{path}: {e}") from e


def _fields(where, d):
    out = []
    used = 0
    for fd in d.get("fields", []):
        f = Field(fd["name"], int(fd["lsb"]), int(fd["width"]), fd.get("desc", ""))
        if f.width < 1 or f.lsb + f.width > 32:
            raise ModelError(f"{where}.{f.name}: field outside 32 bits")
        if used & f.mask:
            raise ModelError(f"{where}.{f.name}: field overlaps another field")
        used |= f.mask
        out.append(f)
    return out


def _reg(where, d):
    access = d.get("access")
    if access not in ACCESS:
        raise ModelError(f"{where}: access must be one of {ACCESS}, got {access!r}")
    off = int(d["offset"])
    if off % 4:
        raise ModelError(f"{where}: offset 0x{off:x} is not 4-byte aligned")
    reset = int(d.get("reset", 0))
    if not 0 <= reset < (1 << 32):
        raise ModelError(f"{where}: reset does not fit 32 bits")
    if reset and access not in ("const", "rw"):
        raise ModelError(f"{where}: only const and rw registers have a reset value")
    return Reg(d["name"], off, access, reset, d.get("desc", ""),
               _fields(f"{where}", d))


def _group_count(g, hw):
    """Group count rule: a group whose lower-case name is a section of
    kiln_hw.toml holding `channels` (or `count`) takes its count from there,
    so e.g. the DMA register group always matches dma.channels. Otherwise the
    TOML `count` is used. `count_from = "section.key"` names the kiln_hw.toml
    value explicitly, for groups that follow another section (DMA_PERF)."""
    if "count_from" in g:
        sec, _, key = str(g["count_from"]).partition(".")
        if sec not in hw.sections or key not in hw.sections[sec]:
            raise ModelError(f"group {g['name']}: count_from {g['count_from']!r} is not in kiln_hw.toml")
        return hw.sections[sec][key], camel(sec, key), f"{sec}.{key}"
    sec = g["name"].lower()
    for key in ("channels", "count"):
        if sec in hw.sections and key in hw.sections[sec]:
            return hw.sections[sec][key], camel(sec, key), f"{sec}.{key}"
    return int(g["count"]), None, None


def load(root):
    hw_raw = _load(os.path.join(root, "rtl", "kiln_hw.toml"))
    sections = {}
    for sec, kv in hw_raw.items():
        if not isinstance(kv, dict):
            raise ModelError(f"kiln_hw.toml: top-level key {sec!r} must be a [section]")
        for key, val in kv.items():
            if not isinstance(val, int) or isinstance(val, bool) or val < 0:
                raise ModelError(f"kiln_hw.toml: {sec}.{key} must be a non-negative integer")
        sections[sec] = dict(kv)
    hw = HwConfig(sections)

    rr = _load(os.path.join(root, "rtl", "csr", "kiln_regs.toml"))
    regs = [_reg(f"reg {d.get('name')}", d) for d in rr.get("reg", [])]
    groups = []
    for gd in rr.get("group", []):
        count, param, key = _group_count(gd, hw)
        g = Group(gd["name"], int(gd["offset"]), count, int(gd["stride"]),
                  gd.get("desc", ""),
                  [_reg(f"group {gd['name']} reg {d.get('name')}", d) for d in gd.get("reg", [])],
                  param, key)
        if count < 1:
            raise ModelError(f"group {g.name}: count must be >= 1")
        span = max((r.offset for r in g.regs), default=0) + 4
        if span > g.stride:
            raise ModelError(f"group {g.name}: registers exceed the stride 0x{g.stride:x}")
        groups.append(g)
    m_tmp = Model(hw, int(rr.get("version", 1)), regs, groups, 0, 0, [], [])
    seen = {}
    names = set()
    for inst in m_tmp.instances():
        if inst.offset >= (1 << 16):
            raise ModelError(f"{inst.sv_base}: offset 0x{inst.offset:x} outside the 64 KiB window")
        if inst.offset in seen:
            raise ModelError(f"{inst.sv_base} and {seen[inst.offset]} share offset 0x{inst.offset:x}")
        seen[inst.offset] = inst.sv_base
    for r in regs:
        names.add(r.name)
    for g in groups:
        for r in g.regs:
            if f"{g.name}_{r.name}" in names:
                raise ModelError(f"group register {g.name}_{r.name} collides with a register name")

    cr = _load(os.path.join(root, "firmware", "kiln_commands.toml"))
    cmd_bytes = int(cr.get("command_bytes", 64))
    commands = []
    for cd in cr.get("command", []):
        words = [(w["name"], w.get("desc", "")) for w in cd.get("words", [])]
        if 4 * (1 + len(words)) > cmd_bytes:
            raise ModelError(f"command {cd['name']}: more words than fit {cmd_bytes} bytes")
        commands.append(Command(cd["name"], int(cd["opcode"]), cd.get("desc", ""), words))
    if len({c.opcode for c in commands}) != len(commands):
        raise ModelError("kiln_commands.toml: duplicate opcode")
    errors = [ErrorCode(e["name"], int(e["code"]), e.get("desc", "")) for e in cr.get("error", [])]
    if len({e.code for e in errors}) != len(errors):
        raise ModelError("kiln_commands.toml: duplicate error code")

    return Model(hw, m_tmp.regs_version, regs, groups, int(cr.get("version", 1)),
                 cmd_bytes, commands, errors)


def lo_hi_pairs(instances):
    """ro registers named X_LO with a ro X_HI in the same group instance:
    reading X_LO latches X_HI so software sees a consistent 64-bit value.
    Returns {lo_instance_offset: hi_instance}."""
    by_key = {}
    for inst in instances:
        by_key[(inst.group.name if inst.group else None, inst.index, inst.reg.name)] = inst
    pairs = {}
    for (g, i, name), inst in by_key.items():
        if name.endswith("_LO") and inst.reg.access == "ro":
            hi = by_key.get((g, i, name[:-3] + "_HI"))
            if hi is not None and hi.reg.access == "ro":
                pairs[inst.offset] = hi
    return pairs
