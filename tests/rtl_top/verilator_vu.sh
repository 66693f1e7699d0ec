#!/usr/bin/env bash
# VERILATOR stand-in for the rtl_top.lint test: scripts/lint.sh lints the
# whole kiln_npu_top from the scratchpad, dma, tensor_core and top folders
# only, but the top also instantiates kiln_vector_unit (rtl/vector_unit).
# For the kiln_npu_top run this appends the vector unit's synthesizable
# sources (packages first) unless lint.sh already passed them; every other
# call goes to Verilator unchanged. Remove once lint.sh lists vector_unit.
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
REAL=${KILN_REAL_VERILATOR:-verilator}

top=""
prev=""
have_vu=0
for a in "$@"; do
  [ "$prev" = "--top-module" ] && top=$a
  case $a in */rtl/vector_unit/*) have_vu=1 ;; esac
  prev=$a
done

if [ "$top" = kiln_npu_top ] && [ $have_vu -eq 0 ] && [ -d "$ROOT/rtl/vector_unit" ]; then
  mapfile -t vu < <(find "$ROOT/rtl/vector_unit" -name '*.sv' |
    grep -Ev '(_tb\.sv$|/tb_[^/]*\.sv$|/tb/|/tests?/)' | sort |
    awk '/_pkg\.sv$/ { print; next } { rest[n++] = $0 } END { for (i = 0; i < n; i++) print rest[i] }')
  exec "$REAL" "$@" "${vu[@]}"
fi
exec "$REAL" "$@"
