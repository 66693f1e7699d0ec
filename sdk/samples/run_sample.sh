#!/usr/bin/env bash
# Runs one SDK sample (make sample NAME=<sample> [ARGS="..."] [BACKEND=fast|rtl]).
#
#   run_sample.sh --list                 list the samples
#   run_sample.sh --check NAME           exit 0 if NAME is a sample, else list them and exit 2
#   run_sample.sh BUILD_DIR NAME [ARGS]  run it: C++ samples from BUILD_DIR/sdk/samples,
#                                        Python ones with BUILD_DIR/python on PYTHONPATH
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)

# First line of a sample's description: the header comment of a .cpp, the
# docstring of a .py.
describe() {
  case "$1" in
    *.cpp) sed -n '1s|^// *||p' "$1" ;;
    *.py)  sed -n 's|^"""||p' "$1" | head -n 1 ;;
  esac
}

list() {
  echo "SDK samples (sdk/samples/README.md); run one with: make sample NAME=<sample> [ARGS=\"--help\"]"
  local f
  for f in "$HERE"/*.cpp "$HERE"/*.py; do
    [ -e "$f" ] || continue
    printf '  %-18s %-7s %s\n' "$(basename "${f%.*}")" "[${f##*.}]" "$(describe "$f" | sed 's/^[a-z_]*: //')"
  done
}

source_of() {  # the sample's file, or nothing
  local name=$1
  case "$name" in ''|*/*|.*) return 0 ;; esac
  for ext in cpp py; do
    [ -f "$HERE/$name.$ext" ] && { echo "$HERE/$name.$ext"; return 0; }
  done
  return 0
}

case "${1:-}" in
  --list) list; exit 0 ;;
  --check)
    if [ -z "$(source_of "${2:-}")" ]; then
      [ -n "${2:-}" ] && echo "make sample: unknown sample '${2}'" >&2
      list >&2
      exit 2
    fi
    exit 0 ;;
esac

BUILD=${1:?usage: run_sample.sh BUILD_DIR NAME [ARGS...]}
NAME=${2:-}
shift 2 || shift $#
SRC=$(source_of "$NAME")
if [ -z "$SRC" ]; then
  [ -n "$NAME" ] && echo "make sample: unknown sample '$NAME'" >&2
  list >&2
  exit 2
fi
BUILD=$(cd "$BUILD" && pwd)
case "$SRC" in
  *.cpp)
    BIN="$BUILD/sdk/samples/$NAME"
    [ -x "$BIN" ] || { echo "make sample: $BIN is not built (run make build)" >&2; exit 1; }
    exec "$BIN" "$@" ;;
  *.py)
    [ -d "$BUILD/python/kiln" ] || { echo "make sample: $BUILD/python/kiln is not built (run make build)" >&2; exit 1; }
    PY=${KILN_PYTHON:-python3}
    exec env PYTHONPATH="$BUILD/python${PYTHONPATH:+:$PYTHONPATH}" "$PY" "$SRC" "$@" ;;
esac
