#!/usr/bin/env python3
"""Points this interpreter at a build's Python package: writes kiln.pth (one
line, the directory holding kiln/) into site-packages, or the user site when
site-packages is not writable. Never fails the build: when neither can be
written it says how to use PYTHONPATH instead."""
import os
import site
import sys


def main():
    py_dir = os.path.abspath(sys.argv[1])
    line = py_dir + "\n"
    dirs = list(site.getsitepackages())
    if site.ENABLE_USER_SITE:
        dirs.append(site.getusersitepackages())
    for d in dirs:
        pth = os.path.join(d, "kiln.pth")
        try:
            with open(pth) as f:
                if f.read() == line:
                    return 0  # already points here
        except OSError:
            pass
        try:
            os.makedirs(d, exist_ok=True)
            with open(pth, "w") as f:
                f.write(line)
        except OSError:
            continue
        print(f"kiln: `import kiln` with {sys.executable} now loads {py_dir} (via {pth})")
        return 0
    print(f"kiln: note: cannot write kiln.pth for {sys.executable} (site-packages not writable); "
          f"use PYTHONPATH={py_dir}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
