// A Llama-family model (SmolLM2) running on the NPU: GGUF weights dequantized
// to BF16 device matrices, token embedding, n decoder layers from the kernel
// library, final RMSNorm and the LM head (tied to the embedding when the file
// has no output.weight) as a transposed-B GEMM, argmax on the device.
// docs/model.md, "Running the model".
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "kiln/kiln.hpp"
#include "kiln/model/gguf.h"
#include "kiln/sdk/kernels.h"

namespace kiln::model {

// Hyperparameters read from `llama.*` metadata (GgufError naming the key when
// one is missing or the architecture is not llama).
struct LlamaHparams {
  sdk::LlamaConfig layer;     // hidden, heads, kv heads, head_dim, ffn, eps, rope theta
  uint32_t n_layers = 0;
  uint32_t vocab = 0;
  uint32_t context_length = 0;  // what the model was trained for
  bool tied_output = true;      // LM head = token_embd (no output.weight in the file)
};
LlamaHparams llama_hparams(const GgufFile& f);

// Where scripts/fetch_model.sh caches SmolLM2-135M-Instruct.Q4_1.gguf:
// $KILN_MODEL if set, else ${KILN_CACHE:-$HOME/.cache/kiln}/models/<file>.
std::string default_model_path();

// Called while weights load: tensors done so far, total, the tensor's name.
using LoadProgress = std::function<void(size_t done, size_t total, const std::string& tensor)>;

// What one forward() cost on the device.
struct ForwardStats {
  uint32_t tokens = 0;        // tokens processed (prompt length, or 1 when decoding)
  uint64_t device_ns = 0;     // simulated device time of the submissions
  uint64_t npu_cycles = 0;    // NPU clock cycles in that time
  uint32_t submissions = 0;
  uint64_t commands = 0;
  kiln_counters counters{};   // performance-counter increments over the submissions
};

class LlamaModel {
 public:
  // Loads every tensor into `dev` (projections and embedding BF16, norm
  // weights FP32) and allocates a KV cache of `max_ctx` positions per layer.
  // Throws GgufError for a bad file and kiln::Error for device problems
  // (e.g. not enough device memory, with the sizes in the message).
  LlamaModel(kiln::Device& dev, const GgufFile& file, uint32_t max_ctx,
             const LoadProgress& progress = {});
  ~LlamaModel();
  LlamaModel(const LlamaModel&) = delete;
  LlamaModel& operator=(const LlamaModel&) = delete;

  const LlamaHparams& hparams() const;
  uint32_t max_ctx() const;
  uint32_t position() const;  // tokens already in the KV cache
  void reset();               // forget the cache: the next forward starts at position 0

  // Runs `ids` at positions position()..position()+n-1 (prefill when n > 1,
  // decode when n == 1), appends their keys and values to the cache and
  // returns the FP32 logits of the last token (vocab entries). Refuses (kiln::Error,
  // KILN_ERR_INVALID_ARGUMENT) an empty list, an id outside the vocabulary or
  // a run past max_ctx, before anything is submitted.
  std::vector<float> forward(const std::vector<int32_t>& ids);
  // The device argmax of the last forward's logits (first maximum).
  int32_t last_argmax() const;
  const ForwardStats& last_stats() const;

  // Called before each submission with the part about to run: -1 embedding,
  // 0..n_layers-1 a decoder layer, n_layers the final norm and LM head. Lets
  // the caller switch the active NPU (kiln_select_npu) per layer.
  std::function<void(int part)> before_submit;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace kiln::model
