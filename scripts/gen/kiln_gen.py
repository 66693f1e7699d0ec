#!/usr/bin/env python3
"""Kiln code generator: turns the three sources of truth (rtl/kiln_hw.toml,
rtl/csr/kiln_regs.toml, firmware/kiln_commands.toml) into C headers,
SystemVerilog and the committed markdown docs.

  kiln_gen.py --root <repo> --out <dir>   headers and SV into <dir>
  kiln_gen.py --root <repo> --check-docs  non-zero if docs/*.md are stale
  kiln_gen.py --root <repo> --write-docs  regenerate docs/*.md
"""
import argparse
import difflib
import os
import sys

sys.dont_write_bytecode = True  # keep the source tree free of __pycache__
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import gen_c     # noqa: E402
import gen_docs  # noqa: E402
import gen_model  # noqa: E402
import gen_sv    # noqa: E402
import gen_table  # noqa: E402


def outputs(m):
    return {
        "kiln_hw.h": gen_c.hw_h(m),
        "kiln_regs.h": gen_c.regs_h(m),
        "kiln_cmds.h": gen_c.cmds_h(m),
        "kiln_regs_table.h": gen_table.regs_table_h(m),
        "kiln_hw_pkg.sv": gen_sv.hw_pkg(m),
        "kiln_csr_regs.sv": gen_sv.csr_regs(m),
    }


def docs(m):
    return {
        os.path.join("docs", "registers.md"): gen_docs.registers_md(m),
        os.path.join("docs", "commands.md"): gen_docs.commands_md(m),
    }


def write_if_changed(path, text):
    """Leaves unchanged files alone so their timestamps do not trigger
    rebuilds of everything that includes them."""
    try:
        with open(path, encoding="utf-8") as f:
            if f.read() == text:
                return
    except OSError:
        pass
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(text)
    os.replace(tmp, path)


def check_docs(root, m):
    stale = []
    for rel, text in docs(m).items():
        path = os.path.join(root, rel)
        try:
            with open(path, encoding="utf-8") as f:
                have = f.read()
        except OSError:
            have = None
        if have == text:
            continue
        stale.append(rel)
        if have is None:
            print(f"kiln_gen: {rel} is missing", file=sys.stderr)
            continue
        diff = difflib.unified_diff(have.splitlines(True), text.splitlines(True),
                                    fromfile=f"{rel} (committed)", tofile=f"{rel} (generated)", n=1)
        sys.stderr.writelines(list(diff)[:60])
    if stale:
        print(f"kiln_gen: stale generated docs: {', '.join(stale)}.\n"
              f"  Regenerate with: python3 scripts/gen/kiln_gen.py --root . --write-docs",
              file=sys.stderr)
        return 1
    return 0


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--root", default=os.path.join(os.path.dirname(__file__), "..", ".."),
                    help="repository root (default: this script's repository)")
    ap.add_argument("--out", help="directory for generated headers and SystemVerilog")
    ap.add_argument("--check-docs", action="store_true",
                    help="exit 1 if docs/registers.md or docs/commands.md differ from the TOML")
    ap.add_argument("--write-docs", action="store_true", help="regenerate docs/*.md")
    args = ap.parse_args(argv)
    if not (args.out or args.check_docs or args.write_docs):
        ap.error("nothing to do: give --out, --check-docs or --write-docs")
    try:
        m = gen_model.load(args.root)
    except (gen_model.ModelError, KeyError, ValueError, TypeError) as e:
        print(f"kiln_gen: error: {e}", file=sys.stderr)
        return 2
    if args.out:
        for name, text in outputs(m).items():
            write_if_changed(os.path.join(args.out, name), text)
    if args.write_docs:
        for rel, text in docs(m).items():
            write_if_changed(os.path.join(args.root, rel), text)
    if args.check_docs:
        return check_docs(args.root, m)
    return 0


if __name__ == "__main__":
    sys.exit(main())
