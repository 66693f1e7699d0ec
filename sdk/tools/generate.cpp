// kiln-generate (make generate): greedy generation with a GGUF llama model on
// the virtual NPU. Streams the text to stdout, progress to stderr, and writes
// a JSON report (prompt, ids, host tokens/s, simulated device time per token).
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "generate_options.h"
#include "kiln/kiln.hpp"
#include "kiln/model/llama.h"
#include "kiln/model/tokenizer.h"
#include "kiln_hw.h"

namespace {

using Clock = std::chrono::steady_clock;
double seconds_since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

std::string json_str(const std::string& s) {
  std::string o = "\"";
  for (unsigned char c : s) {
    if (c == '"' || c == '\\') {
      o += '\\';
      o += char(c);
    } else if (c < 0x20) {
      char b[8];
      std::snprintf(b, sizeof b, "\\u%04x", c);
      o += b;
    } else {
      o += char(c);
    }
  }
  return o + "\"";
}
template <typename T>
std::string json_list(const std::vector<T>& v) {
  std::ostringstream os;
  os << "[";
  for (size_t i = 0; i < v.size(); ++i) os << (i ? "," : "") << v[i];
  return os.str() + "]";
}

// The per-unit counters of a step as JSON fields (leading ", "): vector-unit
// busy/stall and one object per DMA channel.
std::string json_unit_counters(const kiln_counters& c) {
  std::ostringstream os;
  os << ", \"vu_busy_cycles\": " << c.vu_busy_cycles << ", \"vu_stall_cycles\": " << c.vu_stall_cycles
     << ", \"dma_channels\": [";
  for (unsigned ch = 0; ch < KILN_HW_DMA_CHANNELS && ch < KILN_COUNTERS_MAX_DMA_CHANNELS; ++ch)
    os << (ch ? ", " : "") << "{\"read_bytes\": " << c.dma_ch_read_bytes[ch] << ", \"write_bytes\": "
       << c.dma_ch_write_bytes[ch] << ", \"busy_cycles\": " << c.dma_ch_busy_cycles[ch]
       << ", \"stall_cycles\": " << c.dma_ch_stall_cycles[ch] << "}";
  return os.str() + "]";
}

struct Step {  // one forward pass
  int32_t fed_tokens = 0;
  int32_t argmax = -1;
  double host_s = 0;
  kiln::model::ForwardStats dev;
};

// Text of a token as it streams: bytes for normal tokens, the name for control ones.
std::string shown(const kiln::model::Tokenizer& tok, int32_t id) {
  if (tok.token_type(id) == kiln::model::TokenType::kControl) return tok.token_text(id);
  return tok.token_bytes(id);
}

int run(const kiln::tools::GenerateOptions& o) {
  const bool tty = isatty(2);
  const std::string path = o.model.empty() ? kiln::model::default_model_path() : o.model;
  if (!std::filesystem::exists(path)) {
    std::fprintf(stderr, "kiln-generate: model file not found: %s\n  run scripts/fetch_model.sh (or set KILN_MODEL)\n",
                 path.c_str());
    return 1;
  }
  const auto file = kiln::model::GgufFile::open(path);
  const auto tok = kiln::model::Tokenizer::from_gguf(file);
  const auto hp = kiln::model::llama_hparams(file);

  std::vector<int32_t> prompt = o.prompt_ids;
  if (prompt.empty())
    prompt = o.raw ? tok.encode(o.prompt, true, tok.add_bos_default()) : tok.encode_chat({{"user", o.prompt}});
  uint32_t max_ctx = o.max_ctx ? o.max_ctx : uint32_t(prompt.size()) + o.tokens;
  max_ctx = std::min(max_ctx, hp.context_length);
  if (prompt.size() + o.tokens > max_ctx) {
    std::fprintf(stderr, "kiln-generate: %zu prompt tokens + %u new tokens exceed the context of %u\n",
                 prompt.size(), o.tokens, max_ctx);
    return 2;
  }
  std::set<uint32_t> rtl_layers = o.rtl_layers;
  if (rtl_layers.count(UINT32_MAX)) {
    rtl_layers.clear();
    for (uint32_t l = 0; l < hp.n_layers; ++l) rtl_layers.insert(l);
  }
  for (uint32_t l : rtl_layers)
    if (l >= hp.n_layers) {
      std::fprintf(stderr, "kiln-generate: --rtl-layers names layer %u; the model has layers 0..%u\n", l,
                   hp.n_layers - 1);
      return 2;
    }

  std::fprintf(stderr, "kiln-generate: %s, %u layers, vocab %u; backend %s", path.c_str(), hp.n_layers, hp.vocab,
               o.backend.c_str());
  if (!rtl_layers.empty()) {
    std::fprintf(stderr, " (RTL layers:");
    for (uint32_t l : rtl_layers) std::fprintf(stderr, " %u", l);
    std::fprintf(stderr, "%s)", o.rtl_head ? " + embedding/head" : "");
  }
  std::fprintf(stderr, "\n");

  kiln::Device dev(o.backend.c_str());
  const auto t_load = Clock::now();
  int last_pct = -1;
  kiln::model::LlamaModel model(dev, file, max_ctx, [&](size_t done, size_t total, const std::string&) {
    const int pct = int(done * 100 / total);
    if (pct / 10 != last_pct / 10 || (tty && pct != last_pct)) {
      std::fprintf(stderr, tty ? "\rloading weights to the device (BF16): %3d%%" : "loading weights (BF16): %d%%\n",
                   pct);
      last_pct = pct;
    }
  });
  const double load_s = seconds_since(t_load);
  std::fprintf(stderr, "%sweights on the device in %.1f s; prompt %zu tokens\n", tty ? "\n" : "", load_s,
               prompt.size());
  // Per-part hook: NPU choice for --rtl-layers, and progress when a forward
  // pass is slow enough to need it (any RTL in the run: minutes per pass).
  const bool slow = o.backend != "fast";
  const uint32_t n_layers = hp.n_layers;
  size_t step_no = 0;
  model.before_submit = [&](int part) {
    if (!rtl_layers.empty()) {
      const bool on_rtl = (part >= 0 && part < int(n_layers)) ? rtl_layers.count(uint32_t(part)) > 0 : o.rtl_head;
      dev.select_npu(on_rtl ? "rtl" : "fast");
    }
    // On a terminal one line is rewritten; in a log only RTL parts get a line.
    if (slow && part >= 0 && (tty || dev.active_npu() != "fast")) {
      std::fprintf(stderr, tty ? "\r[token %zu: %s %d/%u on %s]   " : "[token %zu: %s %d/%u on %s]\n", step_no + 1,
                   part < int(n_layers) ? "layer" : "head", part < int(n_layers) ? part + 1 : int(n_layers),
                   n_layers, dev.active_npu().c_str());
      std::fflush(stderr);
    }
  };

  std::FILE* logits_f = nullptr;
  if (!o.logits_out.empty()) {
    std::filesystem::create_directories(std::filesystem::absolute(o.logits_out).parent_path());
    logits_f = std::fopen(o.logits_out.c_str(), "wb");
    if (!logits_f) {
      std::fprintf(stderr, "kiln-generate: cannot write %s\n", o.logits_out.c_str());
      return 1;
    }
  }

  if (!o.quiet) {
    std::fprintf(stdout, "%s", tok.decode(prompt).c_str());
    std::fflush(stdout);
  }
  std::vector<Step> steps;
  std::vector<int32_t> out_ids;
  std::vector<int32_t> feed = prompt;
  const auto t_gen = Clock::now();
  while (out_ids.size() < o.tokens) {
    const auto t0 = Clock::now();
    const std::vector<float> logits = model.forward(feed);
    if (slow && tty) std::fprintf(stderr, "\r%60s\r", "");
    ++step_no;
    Step s;
    s.host_s = seconds_since(t0);
    s.fed_tokens = int32_t(feed.size());
    s.argmax = model.last_argmax();
    s.dev = model.last_stats();
    steps.push_back(s);
    if (logits_f) std::fwrite(logits.data(), sizeof(float), logits.size(), logits_f);
    const size_t i = out_ids.size();
    const int32_t next = o.force_ids.empty() ? s.argmax : o.force_ids[i];
    out_ids.push_back(next);
    if (!o.quiet) {
      std::fprintf(stdout, "%s", shown(tok, next).c_str());
      std::fflush(stdout);
    } else if (tty) {
      std::fprintf(stderr, "\rtoken %zu/%u", out_ids.size(), o.tokens);
    }
    if (o.stop_at_eos && next == tok.eos_id()) break;
    feed = {next};
  }
  const double gen_s = seconds_since(t_gen);
  if (logits_f) std::fclose(logits_f);
  if (!o.quiet) {
    std::fprintf(stdout, "\n");
    std::fflush(stdout);  // before the summary on stderr
  }

  // Decode = every step after the prompt pass.
  double dec_host = 0;
  uint64_t dec_ns = 0, dec_cyc = 0;
  for (size_t i = 1; i < steps.size(); ++i) {
    dec_host += steps[i].host_s;
    dec_ns += steps[i].dev.device_ns;
    dec_cyc += steps[i].dev.npu_cycles;
  }
  // Unit counters over every pass: which DMA channel carried the weights, how
  // much of it waited, and how often the vector unit stalled.
  kiln_counters total{};
  for (const Step& st : steps) total = kiln::counters_sum(total, st.dev.counters);
  std::fprintf(stderr, "device counters, all passes:\n%s",
               kiln::format_unit_counters(total, KILN_HW_DMA_CHANNELS, "  ").c_str());
  const size_t n_dec = steps.size() - 1;
  const double host_tps = n_dec && dec_host > 0 ? n_dec / dec_host : 0;
  const double dev_ns_tok = n_dec ? double(dec_ns) / n_dec : 0;
  std::fprintf(stderr, "prefill: %zu tokens, %.2f s host, %.3f ms device\n", prompt.size(), steps[0].host_s,
               steps[0].dev.device_ns / 1e6);
  if (n_dec)
    std::fprintf(stderr, "decode: %zu tokens, %.2f tokens/s host, %.3f ms device per token (%.0f tokens/s at %d MHz)\n",
                 n_dec, host_tps, dev_ns_tok / 1e6, dev_ns_tok > 0 ? 1e9 / dev_ns_tok : 0.0, KILN_HW_CLOCK_MHZ);

  std::vector<int32_t> argmaxes;
  for (const Step& s : steps) argmaxes.push_back(s.argmax);
  std::ostringstream js;
  js << "{\n  \"model\": " << json_str(path) << ",\n  \"backend\": " << json_str(o.backend)
     << ",\n  \"rtl_layers\": " << json_list(std::vector<uint32_t>(rtl_layers.begin(), rtl_layers.end()))
     << ",\n  \"rtl_head\": " << (o.rtl_head ? "true" : "false") << ",\n  \"prompt\": " << json_str(o.prompt)
     << ",\n  \"chat_template\": " << (o.raw || !o.prompt_ids.empty() ? "false" : "true")
     << ",\n  \"prompt_ids\": " << json_list(prompt) << ",\n  \"token_ids\": " << json_list(out_ids)
     << ",\n  \"device_argmax_ids\": " << json_list(argmaxes) << ",\n  \"teacher_forced\": "
     << (o.force_ids.empty() ? "false" : "true") << ",\n  \"text\": " << json_str(tok.decode(out_ids))
     << ",\n  \"clock_mhz\": " << KILN_HW_CLOCK_MHZ << ",\n  \"load_host_s\": " << load_s
     << ",\n  \"generate_host_s\": " << gen_s << ",\n  \"prefill\": {\"tokens\": " << prompt.size()
     << ", \"host_s\": " << steps[0].host_s << ", \"device_ns\": " << steps[0].dev.device_ns
     << ", \"npu_cycles\": " << steps[0].dev.npu_cycles << "},\n  \"decode_tokens\": " << n_dec
     << ",\n  \"host_tokens_per_s\": " << host_tps << ",\n  \"device_ns_per_token\": " << dev_ns_tok
     << ",\n  \"device_tokens_per_s\": " << (dev_ns_tok > 0 ? 1e9 / dev_ns_tok : 0.0)
     << ",\n  \"npu_cycles_per_token\": " << (n_dec ? double(dec_cyc) / n_dec : 0.0) << ",\n  \"steps\": [";
  for (size_t i = 0; i < steps.size(); ++i)
    js << (i ? "," : "") << "\n    {\"fed\": " << steps[i].fed_tokens << ", \"argmax\": " << steps[i].argmax
       << ", \"host_s\": " << steps[i].host_s << ", \"device_ns\": " << steps[i].dev.device_ns
       << ", \"npu_cycles\": " << steps[i].dev.npu_cycles << ", \"commands\": " << steps[i].dev.commands
       << ", \"macs\": " << steps[i].dev.counters.macs << ", \"tc_busy_cycles\": " << steps[i].dev.counters.tc_busy_cycles
       << ", \"dma_read_bytes\": " << steps[i].dev.counters.dma_read_bytes
       << ", \"dma_write_bytes\": " << steps[i].dev.counters.dma_write_bytes
       << json_unit_counters(steps[i].dev.counters) << "}";
  js << "\n  ]\n}\n";
  const std::filesystem::path rp = std::filesystem::absolute(o.report);
  std::filesystem::create_directories(rp.parent_path());
  std::ofstream(rp) << js.str();
  std::fprintf(stderr, "report: %s\n", rp.c_str());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  kiln::tools::GenerateOptions o;
  std::string err, help;
  if (!kiln::tools::parse_generate_options(argc, argv, &o, &err, &help)) {
    if (!help.empty()) {
      std::fputs(help.c_str(), stdout);
      return 0;
    }
    std::fprintf(stderr, "kiln-generate: %s\n", err.c_str());
    return 2;
  }
  try {
    return run(o);
  } catch (const kiln::model::GgufError& e) {
    std::fprintf(stderr, "kiln-generate: bad model file: %s\n", e.what());
  } catch (const kiln::model::TokenizerError& e) {
    std::fprintf(stderr, "kiln-generate: tokenizer: %s\n", e.what());
  } catch (const kiln::Error& e) {
    std::fprintf(stderr, "kiln-generate: device error (status %d): %s\n", int(e.status()), e.what());
  } catch (const std::exception& e) {
    std::fprintf(stderr, "kiln-generate: %s\n", e.what());
  }
  return 1;
}
