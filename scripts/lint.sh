#!/usr/bin/env bash
# verilator --lint-only -Wall on every RTL block standalone, then on the whole
# kiln_npu_top. Usage: scripts/lint.sh <build_dir> [block ...]
# (blocks: csr scratchpad dma tensor_core top; default: all).
# Exits non-zero if any lint run reports a warning or an error. A block whose
# top file does not exist yet is reported as SKIP.
set -uo pipefail

if [ $# -lt 1 ]; then
  echo "usage: $0 <build_dir> [block ...]" >&2
  exit 2
fi
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=$1
shift
GEN="$BUILD/generated"
VERILATOR=${VERILATOR:-verilator}

if [ ! -f "$GEN/kiln_hw_pkg.sv" ] || [ ! -f "$GEN/kiln_csr_regs.sv" ]; then
  mkdir -p "$GEN"
  python3 "$ROOT/scripts/gen/kiln_gen.py" --root "$ROOT" --out "$GEN" || exit 1
fi

# Synthesizable sources of one block folder: packages first, testbenches out
# (same rule as rtl/rtl_sources.cmake).
block_sources() {
  local dir="$ROOT/rtl/$1"
  [ -d "$dir" ] || return 0
  find "$dir" -name '*.sv' | grep -Ev '(_tb\.sv$|/tb_[^/]*\.sv$|/tb/|/tests?/)' | sort |
    awk '/_pkg\.sv$/ { print; next } { rest[n++] = $0 } END { for (i = 0; i < n; i++) print rest[i] }'
}

declare -A TOP=([csr]=kiln_csr_regs [scratchpad]=kiln_spad [dma]=kiln_dma
                [tensor_core]=kiln_tensor_core [top]=kiln_npu_top)
ORDER=(csr scratchpad dma tensor_core top)
[ $# -gt 0 ] && ORDER=("$@")

failed=0
LOG=$(mktemp)
trap 'rm -f "$LOG"' EXIT

lint() {  # lint <label> <top module> <files...>
  local label=$1 top=$2
  shift 2
  if "$VERILATOR" --lint-only -Wall --top-module "$top" "$GEN/kiln_hw_pkg.sv" "$@" >"$LOG" 2>&1; then
    printf '  PASS  %s\n' "$label"
  else
    printf '  FAIL  %s\n' "$label"
    sed 's/^/        /' "$LOG" | head -60
    failed=1
  fi
}

has_module() {  # has_module <module> <files...>
  local m=$1
  shift
  [ $# -gt 0 ] && grep -qE "^\s*module\s+$m\b" "$@"
}

echo "lint: verilator --lint-only -Wall ($("$VERILATOR" --version | head -1))"
for blk in "${ORDER[@]}"; do
  top=${TOP[$blk]:-}
  if [ -z "$top" ]; then
    echo "  FAIL  $blk: unknown block" >&2
    failed=1
    continue
  fi
  if [ "$blk" = csr ]; then
    lint "csr (kiln_csr_regs, generated)" kiln_csr_regs "$GEN/kiln_csr_regs.sv"
    continue
  fi
  mapfile -t files < <(block_sources "$blk")
  if [ "$blk" = top ]; then
    # Leaf modules of the top folder on their own, then the whole NPU.
    for f in "${files[@]}"; do
      m=$(basename "$f" .sv)
      [ "$m" = kiln_npu_top ] && continue
      has_module "$m" "$f" && lint "top/$m" "$m" "$f"
    done
    mapfile -t all < <(for b in scratchpad dma tensor_core top; do block_sources "$b"; done |
      awk '/_pkg\.sv$/ { print; next } { rest[n++] = $0 } END { for (i = 0; i < n; i++) print rest[i] }')
    missing=""
    for m in kiln_spad kiln_dma kiln_tensor_core kiln_npu_top; do
      has_module "$m" "${all[@]}" || missing="$missing $m"
    done
    if [ -n "$missing" ]; then
      echo "  SKIP  kiln_npu_top (missing modules:$missing)"
    else
      lint "kiln_npu_top (all sources)" kiln_npu_top "$GEN/kiln_csr_regs.sv" "${all[@]}"
    fi
    continue
  fi
  if ! has_module "$top" "${files[@]}"; then
    echo "  SKIP  $blk ($top not written yet)"
    continue
  fi
  lint "$blk ($top)" "$top" "${files[@]}"
done

if [ $failed -ne 0 ]; then
  echo "lint: FAILED"
  exit 1
fi
echo "lint: clean"
