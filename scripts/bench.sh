#!/usr/bin/env bash
# make bench: simulation-speed figures, printed and written to build/bench/*.json.
set -euo pipefail
build=${1:-build}
[ -x "$build/bench/kiln-bench" ] || { echo "bench: $build/bench/kiln-bench is not built (run make)" >&2; exit 1; }
mkdir -p "$build/bench"
"$build/bench/kiln-bench" "$build/bench/bench.json"
