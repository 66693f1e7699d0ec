// Command line of kiln-generate (make generate): parsing and validation, so
// that a wrong argument is a one-line message and exit status 2.
#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <vector>

namespace kiln::tools {

struct GenerateOptions {
  std::string prompt = "What is the capital of France?";
  bool raw = false;                  // prompt is plain text, not a chat user turn
  std::vector<int32_t> prompt_ids;   // given directly (overrides prompt)
  std::vector<int32_t> force_ids;    // teacher forcing: feed these instead of the argmax
  uint32_t tokens = 32;
  std::string backend;               // fast | rtl | both | lockstep; empty: $KILN_BACKEND or fast
  std::set<uint32_t> rtl_layers;     // layers run on the RTL NPU (backend "both")
  bool rtl_head = false;             // also run embedding and LM head on the RTL
  std::string model;                 // GGUF path; empty: kiln::model::default_model_path()
  std::string report = "build/generate/report.json";
  std::string logits_out;            // raw FP32 logits per step (steps x vocab)
  uint32_t max_ctx = 0;              // 0: prompt + tokens
  bool stop_at_eos = false;
  bool quiet = false;                // no streamed text, only the summary
};

// Parses argv. On a bad argument returns false and sets *err; on --help sets
// *help (usage text) and returns false with *err empty.
bool parse_generate_options(int argc, char** argv, GenerateOptions* o, std::string* err, std::string* help);

// "3", "0,7", "0-3,10", "all" (n_layers known later: "all" -> {UINT32_MAX}).
bool parse_layer_list(const std::string& s, std::set<uint32_t>* out, std::string* err);
bool parse_id_list(const std::string& s, std::vector<int32_t>* out, std::string* err);

}  // namespace kiln::tools
