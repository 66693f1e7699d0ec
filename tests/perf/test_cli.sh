#!/usr/bin/env bash
# kiln-perf: wrong arguments and bad stream files get exit 2 / 1 and a message
# naming the problem; a good stream is explained.
set -u
perf=$1 dir=$2
mkdir -p "$dir"
fail=0
expect() {  # expect <exit> <text> <args...>
  local want=$1 text=$2; shift 2
  out=$("$perf" "$@" 2>&1); rc=$?
  if [ "$rc" != "$want" ] || ! grep -qF -- "$text" <<<"$out"; then
    echo "FAIL: kiln-perf $* -> exit $rc (want $want), output:"; echo "$out"; fail=1
  fi
}
expect 2 "no command"
expect 2 "unknown command 'frobnicate'" frobnicate
expect 2 "explain wants one STREAM.bin" explain
expect 2 "cannot open '$dir/missing.bin'" explain "$dir/missing.bin"
printf 'abc' > "$dir/short.bin"
expect 2 "is 3 bytes: a command stream is a non-empty multiple of 64" explain "$dir/short.bin"
head -c 64 /dev/zero | tr '\0' '\077' > "$dir/bad.bin"
expect 1 "unknown opcode 0x3f" explain "$dir/bad.bin"
expect 2 "unknown hardware key 'nope'" config --hw nope=1
expect 2 "op wants 'gemm MxNxK'" op gemm 0x4x4
expect 0 "GEMM 64x64x64: " op gemm 64x64x64
expect 0 "keys for --hw:" config
# A NOP and a FENCE with IRQ: explained, total printed.
{ printf '\000\001\000\000'; head -c 60 /dev/zero; printf '\005\001\000\000\001\000\000\000'; head -c 56 /dev/zero; } > "$dir/nop_fence.bin"
expect 0 "FENCE + IRQ" explain "$dir/nop_fence.bin"
expect 0 "total " explain "$dir/nop_fence.bin"
expect 2 "unknown model 'gpt5'" whatif --model gpt5
expect 2 "--prompt wants a whole number" whatif --prompt 0
exit $fail
