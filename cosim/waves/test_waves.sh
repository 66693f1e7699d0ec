#!/usr/bin/env bash
# ctest cases for kiln-cosim --waves (registered in CMakeLists.txt):
#   test_waves.sh <build dir> <work dir> cmd|cycles|errors|depth
# Each kiln-cosim run is its own process (one SystemC platform per process).
set -euo pipefail
B=$1 D=$2 CASE=$3
COSIM=$B/cosim/kiln-cosim FST_TOOL=$B/cosim/kiln-fst
GEMM=(--test gemm --m 64 --n 48 --k 80)
rm -rf "$D" && mkdir -p "$D"
fail() { echo "FAIL: $*" >&2; exit 1; }

# Every group's value changes lie inside the window the island reports
# (cycle c is dumped at c*T and c*T + T/2; kiln-fst span rounds both down to c).
check_span() {
  "$FST_TOOL" span "$1" | tee "$D/span.txt"
  read -r _ from to < <(grep '^window' "$D/span.txt")
  awk -v from="$from" -v to="$to" '/^group/ && / first_cycle / {
      for (i = 1; i <= NF; i++) { if ($i == "first_cycle") f = $(i+1); if ($i == "last_cycle") l = $(i+1) }
      if (f < from || l > to) { print "change outside the window " from ".." to ": " $0; bad = 1 } }
    END { exit bad }' "$D/span.txt" || fail "value changes outside the window"
  for g in '"DMA' '"Tensor core"'; do
    grep -q "^group $g" "$D/span.txt" || fail "no $g signals in $1"
  done
}

case $CASE in
  cmd)
    "$COSIM" "${GEMM[@]}" --out-dir "$D/whole" --waves "$D/whole.fst" | tee "$D/whole.log"
    "$COSIM" "${GEMM[@]}" --out-dir "$D/win" --waves "$D/win.fst" --wave-cmd 2 | tee "$D/win.log"
    grep -q "holds NPU cycles .* (command 2 of" "$D/win.log" || fail "window not printed"
    whole=$(stat -c %s "$D/whole.fst") win=$(stat -c %s "$D/win.fst")
    echo "whole run $whole bytes, command 2 $win bytes"
    [ "$win" -lt "$whole" ] || fail "windowed FST ($win) not smaller than the whole run ($whole)"
    [ "$win" -lt 2000000 ] || fail "windowed FST is $win bytes"
    check_span "$D/win.fst"
    # The DMA moves data in command 2 (a load): its signals change in the window.
    grep -E '^group "DMA[^"]*" changes [1-9]' "$D/span.txt" >/dev/null || fail "no DMA activity in command 2"
    "$FST_TOOL" gtkw "$D/win.fst" "$D/win.gtkw"
    for g in CSR DMA "Tensor core" "Vector unit" Scratchpad AXI; do
      grep -q "^-$g" "$D/win.gtkw" || fail "no group $g in the .gtkw"
    done
    grep -q '^\*-\?[0-9.]* [0-9]' "$D/win.gtkw" || fail "no command-boundary marker in the .gtkw"
    ;;
  cycles)
    "$COSIM" "${GEMM[@]}" --out-dir "$D/c" --waves "$D/c.fst" --wave-from 3000 --wave-to 4000 | tee "$D/c.log"
    grep -q "holds NPU cycles 3000..4000" "$D/c.log" || fail "cycle window not as asked"
    check_span "$D/c.fst"
    ;;
  errors)
    expect() {  # expect <exit code> <message part> <kiln-cosim args...>
      local code=$1 msg=$2; shift 2
      set +e; "$COSIM" "$@" >"$D/out.txt" 2>&1; local rc=$?; set -e
      cat "$D/out.txt"
      [ "$rc" -eq "$code" ] || fail "exit $rc, expected $code for: $*"
      grep -q -- "$msg" "$D/out.txt" || fail "no '$msg' for: $*"
    }
    expect 2 "after --wave-to" "${GEMM[@]}" --waves "$D/e.fst" --wave-from 10 --wave-to 5
    expect 2 "fast backend has no waveform" "${GEMM[@]}" --backend fast --waves "$D/e.fst"
    expect 2 "need --waves" "${GEMM[@]}" --wave-cmd 2
    expect 2 "exclusive" "${GEMM[@]}" --waves "$D/e.fst" --wave-cmd 2 --wave-to 9
    expect 2 "non-negative integer" "${GEMM[@]}" --waves "$D/e.fst" --wave-cmd x
    expect 1 "executed only" "${GEMM[@]}" --out-dir "$D/e" --waves "$D/e.fst" --wave-cmd 100000
    [ ! -e "$D/e.fst" ] || fail "an FST was written for a command the run never reached"
    ;;
  depth)
    # A tensor-core command (4: the GEMM) trimmed to 3 levels below TOP: much
    # smaller, no PE of the array left, every block's own signals and value
    # changes still there and inside the window.
    "$COSIM" "${GEMM[@]}" --out-dir "$D/tc" --waves "$D/tc.fst" --wave-cmd 4 | tee "$D/tc.log"
    "$FST_TOOL" filter 3 "$D/tc.fst" "$D/tc3.fst"
    cp "$D/tc.fst.info" "$D/tc3.fst.info"
    full=$(stat -c %s "$D/tc.fst") trimmed=$(stat -c %s "$D/tc3.fst")
    echo "command 4: $full bytes, depth 3: $trimmed bytes"
    [ $((trimmed * 10)) -lt "$full" ] || fail "depth 3 ($trimmed) is not a tenth of the full window ($full)"
    "$FST_TOOL" signals "$D/tc3.fst" > "$D/tc3.signals"
    ! grep -q 'u_pe\.' "$D/tc3.signals" || fail "PE signals left at depth 3"
    grep -q '^Tensor core ' "$D/tc3.signals" || fail "no tensor-core signals at depth 3"
    check_span "$D/tc3.fst"
    out=$("$FST_TOOL" filter 0 "$D/tc.fst" "$D/x.fst" 2>&1 || true)
    grep -q "DEPTH must be 1..99" <<<"$out" || fail "depth 0 accepted: $out"
    out=$("$FST_TOOL" filter 3 "$D/missing.fst" "$D/x.fst" 2>&1 || true)
    grep -q "cannot read FST" <<<"$out" || fail "missing input accepted: $out"
    ;;
  *) fail "unknown case $CASE" ;;
esac
echo "waves $CASE: OK"
