// Design-space projection: prefill and decode of a Llama-family model on
// NPU variants (array size, SRAM, DRAM bandwidth, clock), from the same
// per-operation costs as the command model. docs/perf_model.md, "What-if".
#pragma once

namespace kiln::perf {

// `kiln-perf whatif ...` (argv[0] == "whatif"); returns the exit status.
int whatif_main(int argc, char** argv);

}  // namespace kiln::perf
