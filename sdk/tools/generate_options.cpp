#include "generate_options.h"

#include <cerrno>
#include <climits>
#include <cstdlib>
#include <sstream>

namespace kiln::tools {
namespace {

const char* kUsage =
    "usage: kiln-generate [options]\n"
    "Greedy text generation with SmolLM2-135M on the virtual NPU (docs/model.md).\n"
    "  --prompt TEXT        user message, wrapped in the model's chat template\n"
    "                       (default: \"What is the capital of France?\")\n"
    "  --raw                use the prompt as plain text, without the chat template\n"
    "  --prompt-ids LIST    token ids instead of a prompt (comma separated)\n"
    "  --tokens N           tokens to generate (default 32)\n"
    "  --backend NAME       fast | rtl | both | lockstep (default $KILN_BACKEND, else fast)\n"
    "  --rtl-layers LIST    run these decoder layers on the RTL NPU and the rest on the\n"
    "                       fast model, e.g. 7 or 0,7 or 0-3 or all (uses backend both)\n"
    "  --rtl-head           with --rtl-layers: embedding and LM head on the RTL too\n"
    "  --model PATH         GGUF file (default $KILN_MODEL, else the fetch_model.sh cache)\n"
    "  --max-ctx N          KV-cache length (default prompt + tokens)\n"
    "  --stop-at-eos        stop after the end-of-turn token\n"
    "  --report PATH        JSON report (default build/generate/report.json)\n"
    "  --logits-out PATH    write each step's FP32 logits (steps x vocab, raw)\n"
    "  --force-ids LIST     teacher forcing: feed these ids as the generated tokens\n"
    "                       (the report still records the device's argmax per step)\n"
    "  --quiet              no streamed text, only the summary\n";

bool parse_u32(const std::string& s, uint32_t* v) {
  if (s.empty() || s[0] == '-' || s[0] == '+') return false;
  errno = 0;
  char* end = nullptr;
  const unsigned long long x = std::strtoull(s.c_str(), &end, 10);
  if (errno || *end || x > UINT32_MAX) return false;
  *v = static_cast<uint32_t>(x);
  return true;
}

}  // namespace

bool parse_id_list(const std::string& s, std::vector<int32_t>* out, std::string* err) {
  out->clear();
  std::stringstream ss(s);
  std::string item;
  while (std::getline(ss, item, ',')) {
    uint32_t v = 0;
    if (!parse_u32(item, &v) || v > INT32_MAX) {
      *err = "bad token id \"" + item + "\" in \"" + s + "\" (expected comma-separated ids)";
      return false;
    }
    out->push_back(static_cast<int32_t>(v));
  }
  if (out->empty()) {
    *err = "empty token id list";
    return false;
  }
  return true;
}

bool parse_layer_list(const std::string& s, std::set<uint32_t>* out, std::string* err) {
  out->clear();
  if (s == "all") {
    out->insert(UINT32_MAX);
    return true;
  }
  std::stringstream ss(s);
  std::string item;
  while (std::getline(ss, item, ',')) {
    const size_t dash = item.find('-');
    uint32_t a = 0, b = 0;
    const bool ok = dash == std::string::npos ? parse_u32(item, &a) && (b = a, true)
                                              : parse_u32(item.substr(0, dash), &a) &&
                                                    parse_u32(item.substr(dash + 1), &b) && a <= b;
    if (!ok || b - a > 100000) {
      *err = "bad layer \"" + item + "\" in \"" + s + "\" (expected e.g. 7, 0,7, 0-3 or all)";
      return false;
    }
    for (uint32_t l = a; l <= b; ++l) out->insert(l);
  }
  if (out->empty()) {
    *err = "empty layer list";
    return false;
  }
  return true;
}

bool parse_generate_options(int argc, char** argv, GenerateOptions* o, std::string* err, std::string* help) {
  err->clear();
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto value = [&](std::string* v) {
      if (i + 1 >= argc) {
        *err = a + " needs a value";
        return false;
      }
      *v = argv[++i];
      return true;
    };
    std::string v;
    if (a == "--help" || a == "-h") {
      *help = kUsage;
      return false;
    } else if (a == "--raw") {
      o->raw = true;
    } else if (a == "--stop-at-eos") {
      o->stop_at_eos = true;
    } else if (a == "--quiet") {
      o->quiet = true;
    } else if (a == "--rtl-head") {
      o->rtl_head = true;
    } else if (a == "--prompt") {
      if (!value(&o->prompt)) return false;
    } else if (a == "--prompt-ids") {
      if (!value(&v) || !parse_id_list(v, &o->prompt_ids, err)) return false;
    } else if (a == "--force-ids") {
      if (!value(&v) || !parse_id_list(v, &o->force_ids, err)) return false;
    } else if (a == "--tokens") {
      if (!value(&v)) return false;
      if (!parse_u32(v, &o->tokens) || o->tokens == 0 || o->tokens > 100000) {
        *err = "--tokens must be a number in 1..100000, got \"" + v + "\"";
        return false;
      }
    } else if (a == "--max-ctx") {
      if (!value(&v)) return false;
      if (!parse_u32(v, &o->max_ctx) || o->max_ctx == 0) {
        *err = "--max-ctx must be a positive number, got \"" + v + "\"";
        return false;
      }
    } else if (a == "--backend") {
      if (!value(&o->backend)) return false;
    } else if (a == "--rtl-layers") {
      if (!value(&v)) return false;
      if (!v.empty() && !parse_layer_list(v, &o->rtl_layers, err)) return false;
    } else if (a == "--model") {
      if (!value(&o->model)) return false;
    } else if (a == "--report") {
      if (!value(&o->report)) return false;
    } else if (a == "--logits-out") {
      if (!value(&o->logits_out)) return false;
    } else {
      *err = "unknown argument \"" + a + "\" (see --help)";
      return false;
    }
  }
  if (o->backend.empty()) {
    const char* env = std::getenv("KILN_BACKEND");
    o->backend = env && *env ? env : "fast";
  }
  if (!o->rtl_layers.empty()) {
    if (o->backend != "both" && o->backend != "fast" && o->backend != "rtl") {
      *err = "--rtl-layers needs the two-NPU platform; it cannot be combined with backend \"" + o->backend + "\"";
      return false;
    }
    o->backend = "both";
  }
  if (o->rtl_head && o->rtl_layers.empty()) {
    *err = "--rtl-head only makes sense with --rtl-layers";
    return false;
  }
  if (!o->force_ids.empty() && o->force_ids.size() + 1 < o->tokens) {
    *err = "--force-ids gives " + std::to_string(o->force_ids.size()) + " ids; " + std::to_string(o->tokens) +
           " tokens need at least " + std::to_string(o->tokens - 1);
    return false;
  }
  return true;
}

}  // namespace kiln::tools
