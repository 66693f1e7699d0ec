// The cases of `make correlate` (kiln-correlate --list prints them).
#pragma once

#include <deque>
#include <functional>
#include <string>
#include <vector>

#include "kiln/kiln.hpp"
#include "kiln/sdk/kernels.h"

namespace kiln::perf {

// What a case builds into: one command buffer, operands from the workspace.
struct Ctx {
  kiln::Device& dev;
  kiln::sdk::Workspace& ws;
  kiln::CommandBuffer& cb;
  std::deque<kiln::sdk::KvCache> kv;       // kept alive until the case has run
  std::deque<kiln::sdk::RopeTable> rope;
  std::deque<kiln::sdk::LlamaLayerWeights> layers;
};

struct Case {
  std::string name;
  std::string kind;  // gemm, gemv, attention_prefill, attention_decode, vector, mlp, decoder_layer
  std::function<void(Ctx&)> build;
};

std::vector<Case> correlation_cases();

}  // namespace kiln::perf
