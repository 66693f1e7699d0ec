#!/usr/bin/env bash
# ctest cases for run traces, kiln-cosim --trace (registered in CMakeLists.txt):
#   test_trace.sh <build dir> <work dir> <python> fast_decoder_layer|rtl_attention|errors
# Each kiln-cosim run is its own process (one SystemC platform per process);
# check_trace.py validates the JSON and measures DMA/compute overlap.
set -euo pipefail
B=$1 D=$2 PY=$3 CASE=$4
COSIM=$B/cosim/kiln-cosim
CHECK=$(dirname "$0")/check_trace.py
rm -rf "$D" && mkdir -p "$D"
fail() { echo "FAIL: $*" >&2; exit 1; }

# run <backend> <test> [args...]: the test passes, names its trace in the
# text and the JSON report, and the trace passes the checker.
run() {
  local backend=$1 test=$2; shift 2
  "$COSIM" --test "$test" --backend "$backend" --out-dir "$D" --trace "$D/trace.json" "$@" | tee "$D/run.log"
  grep -q "^trace: $D/trace.json ([1-9][0-9]* events" "$D/run.log" || fail "kiln-cosim did not report the trace"
  grep -q "\"trace\": \"$D/trace.json\"" "$D/$test/report.json" || fail "report.json does not name the trace"
}

case $CASE in
  fast_decoder_layer)
    # The acceptance check: the SDK's decoder layer keeps the DMA busy while
    # the tensor core and vector unit compute.
    run fast decoder_layer
    "$PY" "$CHECK" "$D/trace.json" --require-overlap \
      --require-spans "commands (firmware)" "DMA ch0" "DMA ch1" "tensor core" "vector unit"
    ;;
  rtl_attention)
    # The same from the RTL's status_o (a shorter test: decoder_layer takes minutes on RTL).
    run rtl attention
    "$PY" "$CHECK" "$D/trace.json" --require-overlap \
      --require-spans "commands (firmware)" "DMA ch0" "tensor core" "vector unit"
    ;;
  errors)
    expect() {  # expect <exit code> <message part> <kiln-cosim args...>
      local code=$1 msg=$2; shift 2
      set +e; "$COSIM" "$@" >"$D/out.txt" 2>&1; local rc=$?; set -e
      cat "$D/out.txt"
      [ "$rc" -eq "$code" ] || fail "exit $rc, expected $code for: $*"
      grep -q -- "$msg" "$D/out.txt" || fail "no '$msg' for: $*"
    }
    GEMM=(--test gemm --backend fast --m 16 --n 16 --k 16 --out-dir "$D/e")
    expect 1 "cannot write the trace file '$D/no/such/dir/t.json': No such file or directory" \
      "${GEMM[@]}" --trace "$D/no/such/dir/t.json"
    grep -q "KILN_ERR_INVALID_ARGUMENT" "$D/out.txt" || fail "a bad trace path is not KILN_ERR_INVALID_ARGUMENT"
    expect 1 "cannot write the trace file '$D': Is a directory" "${GEMM[@]}" --trace "$D"
    expect 2 "needs a file name" "${GEMM[@]}" --trace=
    # $KILN_TRACE reaches the driver without kiln-cosim's option; a bad one
    # is refused the same way and says where it came from.
    set +e; KILN_TRACE="$D/no/dir/t.json" "$COSIM" "${GEMM[@]}" >"$D/out.txt" 2>&1; rc=$?; set -e
    cat "$D/out.txt"
    [ "$rc" -eq 1 ] || fail "a bad \$KILN_TRACE did not fail the run"
    grep -q "from \$KILN_TRACE" "$D/out.txt" || fail "the error does not name \$KILN_TRACE"
    KILN_TRACE="$D/env.json" "$COSIM" "${GEMM[@]}" | tee "$D/out.txt"
    "$PY" "$CHECK" "$D/env.json" --require-spans "tensor core" "DMA ch0"
    ;;
  *) fail "unknown case $CASE" ;;
esac
echo "trace $CASE: OK"
