#!/usr/bin/env bash
# Installs what Kiln needs on a Debian 12 machine. Idempotent: when everything
# is present it only checks and returns. Run as root (or with sudo available).
set -euo pipefail

# Debian packages, pinned by the distribution release (bookworm).
DEB_PACKAGES=(
  build-essential cmake make pkg-config git
  verilator            # 5.006
  libsystemc-dev       # 2.3.4, C++17
  catch2               # v2
  gcc-riscv64-unknown-elf picolibc-riscv64-unknown-elf   # firmware cross build
)

missing=()
for p in "${DEB_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if [ ${#missing[@]} -gt 0 ]; then
  echo "bootstrap: installing Debian packages: ${missing[*]}"
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || { echo "bootstrap: need root or sudo to install ${missing[*]}" >&2; exit 1; }
    SUDO="sudo"
  fi
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# Python: the generators use only the standard library (tomllib, Python >= 3.11).
PY=${PYTHON:-python3}
"$PY" -c 'import sys, tomllib; assert sys.version_info >= (3, 11)' 2>/dev/null || {
  echo "bootstrap: $PY must be Python >= 3.11 (for tomllib)" >&2; exit 1; }

# Python packages (scripts/requirements.txt, pinned) for KILN_PYTHON (default
# python3 on PATH), installed with pip only when a pin is not satisfied; the
# check reads installed package metadata and takes a fraction of a second.
KILN_PY=${KILN_PYTHON:-python3}
REQS="$(cd "$(dirname "$0")" && pwd)/requirements.txt"
if [ -f "$REQS" ]; then
  if ! "$KILN_PY" - "$REQS" <<'PYEOF'
import sys
from importlib.metadata import PackageNotFoundError, version
missing = []
for line in open(sys.argv[1]):
    line = line.split("#", 1)[0].strip()
    if not line:
        continue
    name, _, want = line.partition("==")
    try:
        have = version(name.strip())
    except PackageNotFoundError:
        have = None
    if have != want.strip():
        missing.append(f"{line} (have {have})")
if missing:
    print("bootstrap: Python packages to install: " + ", ".join(missing))
    sys.exit(1)
PYEOF
  then
    echo "bootstrap: installing Python packages from $REQS with $KILN_PY"
    "$KILN_PY" -m pip install --quiet --disable-pip-version-check -r "$REQS" || {
      echo "bootstrap: '$KILN_PY -m pip install -r $REQS' failed" >&2; exit 1; }
  fi
fi

exit 0
