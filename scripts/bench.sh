#!/usr/bin/env bash
# make bench: simulation-speed figures, printed and written to build/bench/*.json.
#   bench.json      Verilated NPU cycles/s, bare and inside the platform
#   decode.json     SmolLM2-135M greedy decode on the fast backend: host
#                   tokens/s (the figure docs/performance.md tracks) and
#                   simulated device time per token
# KILN_BENCH_TOKENS (default 24) sets the decode length.
set -euo pipefail
build=${1:-build}
[ -x "$build/bench/kiln-bench" ] || { echo "bench: $build/bench/kiln-bench is not built (run make)" >&2; exit 1; }
mkdir -p "$build/bench"
"$build/bench/kiln-bench" "$build/bench/bench.json"

here=$(cd "$(dirname "$0")" && pwd)
gen="$build/sdk/kiln-generate"
if [ ! -x "$gen" ]; then
  echo "bench: $gen is not built; decode benchmark skipped" >&2
  exit 0
fi
if ! model=$("$here/fetch_model.sh"); then
  echo "bench: the model could not be fetched (scripts/fetch_model.sh); decode benchmark skipped" >&2
  exit 0
fi
tokens=${KILN_BENCH_TOKENS:-24}
echo "== decode: SmolLM2-135M on the fast backend, $tokens greedy tokens =="
SC_COPYRIGHT_MESSAGE=DISABLE "$gen" --model "$model" --backend fast --tokens "$tokens" --quiet \
  --report "$build/bench/decode.json"
python3 - "$build/bench/decode.json" <<'PY'
import json, os, sys
r = json.load(open(sys.argv[1]))
print(f"decode tokens/s (host, fast backend): {r['host_tokens_per_s']:.2f}  "
      f"[{r['decode_tokens']} tokens after a {r['prefill']['tokens']}-token prompt; load average "
      f"{os.getloadavg()[0]:.2f}]")
print(f"device time per token: {r['device_ns_per_token'] / 1e6:.3f} ms at {r['clock_mhz']} MHz "
      f"({r['device_tokens_per_s']:.0f} tokens/s simulated)")
PY
