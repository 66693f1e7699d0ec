#!/usr/bin/env bash
# kiln-perf whatif for both models: a table, whatif.json with every variant,
# and the roofline PNG.
set -eu
perf=$1 dir=$2 py=$3
mkdir -p "$dir"
for model in smollm2 llama3-8b; do
  rm -rf "$dir/$model"
  "$perf" whatif --model "$model" --prompt 64 --out "$dir/$model" > "$dir/$model.txt"
  grep -q "^base " "$dir/$model.txt"
  grep -q "^32x32 array " "$dir/$model.txt"
  "$py" - "$dir/$model/whatif.json" <<'PY'
import json, sys
w = json.load(open(sys.argv[1]))
sweeps = {v["sweep"] for v in w["variants"]}
assert sweeps == {"base", "array", "sram", "dram", "clock"}, sweeps
base = w["variants"][0]
assert base["prefill_ms"] > 0 and base["decode_ms"] > 0
fast = [v for v in w["variants"] if v["label"] == "2000 MHz"][0]
assert fast["decode_ms"] < base["decode_ms"], "a faster clock must not slow decode"
assert base["ops"], "the base variant lists its operations"
PY
  test -s "$dir/$model/roofline.png"
  head -c 8 "$dir/$model/roofline.png" | od -An -c | grep -q "P   N   G"
done
echo "whatif: ok"
