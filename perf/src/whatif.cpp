// kiln-perf whatif: prefill and decode of a Llama-family model on variants of
// the NPU. Each layer is broken into the operations the SDK runs (GEMMs in
// its block plans, attention, vector kernels); each operation is a pipeline
// of block steps, a step costing max(DMA of its operands, tensor-core or
// vector-unit time) with the unit costs of unit_costs.cpp, plus the first
// load, the pipeline fill and the firmware's per-command control time.
// docs/perf_model.md, "What-if", compares it with the command-level model.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include "kiln/perf/model.h"
#include "kiln/perf/whatif.h"

#ifndef KILN_PERF_PYTHON
#define KILN_PERF_PYTHON "python3"
#endif
#ifndef KILN_PERF_SCRIPTS
#define KILN_PERF_SCRIPTS "perf/scripts"
#endif

namespace kiln::perf {

namespace {

struct LlmShape {
  const char* name;
  uint32_t hidden, heads, kv_heads, head_dim, ffn, layers, vocab;
};
const LlmShape kModels[] = {
    {"smollm2", 576, 9, 3, 64, 1536, 30, 49152},        // SmolLM2-135M
    {"llama3-8b", 4096, 32, 8, 128, 14336, 32, 128256},  // Llama-3-8B
};

constexpr double kCmdControl = 150;  // firmware cycles per command (fetch + checks + CSR writes), measured mean

double div_up(double a, double b) { return std::ceil(a / b); }

struct Cost {
  double cycles = 0, macs = 0, bytes = 0, compute = 0, memory = 0;
  void add(const Cost& o) {
    cycles += o.cycles, macs += o.macs, bytes += o.bytes, compute += o.compute, memory += o.memory;
  }
};

struct Projector {
  HwConfig hw;
  double bw = 0;  // DMA bytes per cycle: the DRAM or the AXI data path, whichever is narrower

  explicit Projector(const HwConfig& h) : hw(h) {
    bw = std::min(hw.dram_bytes_per_cycle, double(hw.axi_bytes ? hw.axi_bytes : hw.word_bytes));
  }
  double load(double bytes) const { return bytes / bw; }

  // C[M][N] = A[M][K] x W[K][N], BF16 weights streamed from DRAM, in the
  // SDK's plans: small M keeps A and streams weight blocks that fill a bank;
  // large M uses square blocks, A and B tiles double-buffered.
  Cost gemm(double M, double N, double K, double out_bytes = 2) const {
    Cost c;
    const double lanes = hw.tc_cols, bank_words = double(hw.spad_words()) / hw.spad_banks;
    const double scale = std::max(1.0, double(hw.spad_bytes) / (512.0 * 1024));
    double bm, bn, bk;
    if (M <= 2.0 * hw.tc_rows) {
      bm = M;
      bk = std::min(K, 1024.0);
      bn = std::max(lanes, std::min({std::floor(bank_words * lanes / bk / lanes) * lanes, 256.0 * scale,
                                     div_up(N, lanes) * lanes}));
    } else {
      bm = std::min(M, 128.0 * scale);
      bn = std::min(N, 128.0 * scale);
      bk = std::min(K, 256.0);
    }
    const double sm = div_up(M, bm), sn = div_up(N, bn), sk = div_up(K, bk);
    const double steps = sm * sn * sk;
    const OpCost tc = gemm_cost(hw, uint32_t(bm), uint32_t(bn), uint32_t(bk));
    const double step_bytes = (bn * bk + bm * bk) * 2;  // weights + the A block (reloaded per step)
    const double step_load = load(step_bytes);
    const double step_tc = double(tc.compute);
    c.compute = steps * step_tc;
    c.memory = steps * step_load;
    c.bytes = steps * step_bytes + M * N * out_bytes;
    c.macs = M * N * K;
    // Double-buffered steps: step i+1 loads while step i computes, so the
    // first load, the last compute and the last result store are exposed.
    c.cycles = step_load + (steps - 1) * std::max(step_load, step_tc) + step_tc + hw.dram_latency +
               double(tc.fill) + load(bm * bn * out_bytes) + steps * 5 * kCmdControl * 0.2;
    return c;
  }

  // rows x cols elements through the vector unit `passes` times, FP32 in and
  // out of device memory once.
  Cost vector(double rows, double cols, double passes, double bytes) const {
    Cost c;
    c.compute = passes * rows * div_up(cols, hw.vu_lanes) + hw.vu_latency;
    c.memory = load(bytes);
    c.bytes = bytes;
    c.cycles = std::max(c.compute, c.memory) + hw.dram_latency + passes * kCmdControl;
    return c;
  }

  // T new tokens attending to L positions (GQA): per head QK^T and PV on the
  // tensor core, an online softmax on the vector unit, the KV cache streamed.
  Cost attention(const LlmShape& m, double T, double L) const {
    Cost c;
    const double D = m.head_dim, H = m.heads, G = m.heads / m.kv_heads;
    const double kv_bytes = 2 * L * m.kv_heads * D * 2;
    const double rows = T * G;  // query rows sharing one KV head
    const OpCost qk = gemm_cost(hw, uint32_t(std::min(rows, 128.0)), uint32_t(std::min(L, 256.0)), uint32_t(D));
    const OpCost pv = gemm_cost(hw, uint32_t(std::min(rows, 128.0)), uint32_t(D), uint32_t(std::min(L, 256.0)));
    const double blocks = div_up(rows, 128) * div_up(L, 256) * m.kv_heads;
    const double vu = 4 * T * H * div_up(L, hw.vu_lanes);  // max, exp + row sum, scale, rescale
    c.compute = blocks * double(qk.cycles + pv.cycles) + vu;
    c.memory = load(kv_bytes + 2 * T * H * D * 2);
    c.bytes = kv_bytes + 2 * T * H * D * 2;
    c.macs = 2 * T * H * L * D;
    c.cycles = std::max(c.compute, c.memory) + hw.dram_latency + blocks * 8 * kCmdControl * 0.3;
    return c;
  }

  struct Phase {
    Cost total, qkv, attn, o, ffn, head, vec;
  };
  // One forward pass of T tokens after `past` cached positions; logits for
  // the last token only.
  Phase forward(const LlmShape& m, double T, double past) const {
    Phase p;
    const double Hd = m.hidden, QD = m.heads * m.head_dim, KD = m.kv_heads * m.head_dim, F = m.ffn;
    const double L = past + T;
    for (uint32_t l = 0; l < m.layers; ++l) {
      p.qkv.add(gemm(T, QD + 2 * KD, Hd));
      p.attn.add(attention(m, T, L));
      p.o.add(gemm(T, Hd, QD, 4));
      p.ffn.add(gemm(T, 2 * F, Hd));
      p.ffn.add(gemm(T, Hd, F, 4));
      p.vec.add(vector(T, Hd, 3, T * Hd * 6));            // rmsnorm (attention)
      p.vec.add(vector(T, QD + KD, 1, T * (QD + KD) * 4));  // rope
      p.vec.add(vector(T, Hd, 1, T * Hd * 12));           // residual add
      p.vec.add(vector(T, Hd, 3, T * Hd * 6));            // rmsnorm (FFN)
      p.vec.add(vector(T, F, 1, T * F * 6));              // silu(gate) * up
      p.vec.add(vector(T, Hd, 1, T * Hd * 12));           // residual add
    }
    p.head.add(vector(1, Hd, 3, Hd * 6));
    p.head.add(gemm(1, m.vocab, Hd, 4));
    for (const Cost* c : {&p.qkv, &p.attn, &p.o, &p.ffn, &p.vec, &p.head}) p.total.add(*c);
    return p;
  }
};

struct Variant {
  std::string sweep, label;
  HwConfig hw;
};

const char* kUsage =
    "usage: kiln-perf whatif [--model smollm2|llama3-8b] [--prompt N] [--context N] [--out DIR]\n"
    "                        [--hw KEY=VALUE]... [--no-plot]\n"
    "  Projects prefill (N prompt tokens, default 512) and decode (one token after --context\n"
    "  positions, default: the prompt) as the tensor-core array, the SRAM, the DRAM bandwidth and\n"
    "  the clock vary one at a time around the base hardware (the build's, changed by --hw).\n"
    "  Writes DIR/whatif.json and DIR/roofline.png (default DIR build/whatif).\n";

int fail(const std::string& m) {
  std::fprintf(stderr, "kiln-perf whatif: %s\n%s", m.c_str(), kUsage);
  return 2;
}

}  // namespace

int whatif_main(int argc, char** argv) {
  std::string model = "llama3-8b", out = "build/whatif";
  double prompt = 512, context = -1;
  bool plot = true;
  HwConfig base = HwConfig::from_build();
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto val = [&](std::string* v) {
      if (i + 1 >= argc) return false;
      *v = argv[++i];
      return true;
    };
    std::string v;
    if (a == "-h" || a == "--help") {
      std::fputs(kUsage, stdout);
      return 0;
    } else if (a == "--model") {
      if (!val(&model)) return fail("--model needs a name");
    } else if (a == "--prompt" || a == "--context") {
      if (!val(&v)) return fail(a + " needs a number");
      char* end = nullptr;
      const double n = std::strtod(v.c_str(), &end);
      if (*end || !(n >= (a == "--prompt" ? 1 : 0)) || n > 1e6 || n != std::floor(n))
        return fail(a + " wants a whole number " + (a == "--prompt" ? "1" : "0") + "..1000000, got '" + v + "'");
      (a == "--prompt" ? prompt : context) = n;
    } else if (a == "--out") {
      if (!val(&out)) return fail("--out needs a directory");
    } else if (a == "--hw") {
      std::string err;
      if (!val(&v)) return fail("--hw needs KEY=VALUE");
      if (!base.set(v, &err)) return fail(err);
    } else if (a == "--no-plot") {
      plot = false;
    } else {
      return fail("unknown argument '" + a + "'");
    }
  }
  const LlmShape* m = nullptr;
  for (const LlmShape& s : kModels)
    if (model == s.name) m = &s;
  if (!m) return fail("unknown model '" + model + "' (smollm2, llama3-8b)");
  if (context < 0) context = prompt;

  std::vector<Variant> vs;
  vs.push_back({"base", "base", base});
  auto add = [&](const char* sweep, const std::string& kv, const std::string& label) {
    HwConfig h = base;
    std::string err;
    if (!h.set(kv, &err)) return;
    if (std::string(sweep) == "dram") h.axi_bytes = std::max<uint32_t>(h.word_bytes, uint32_t(h.dram_bytes_per_cycle));
    vs.push_back({sweep, label, h});
  };
  for (const char* t : {"8x8", "32x32", "64x64"}) add("array", std::string("tc=") + t, std::string(t) + " array");
  for (int k : {256, 1024, 4096}) add("sram", "spad_kib=" + std::to_string(k), std::to_string(k) + " KiB SRAM");
  for (int g : {32, 128, 256, 1024}) add("dram", "dram_gbps=" + std::to_string(g), std::to_string(g) + " GB/s DRAM");
  for (int c : {500, 1500, 2000}) add("clock", "clock_mhz=" + std::to_string(c), std::to_string(c) + " MHz");

  std::printf("kiln-perf whatif: %s, prefill %.0f tokens, decode at position %.0f; base: %s\n", m->name, prompt,
              context, base.summary().c_str());
  std::printf("%-18s %12s %12s %13s %12s %10s %10s\n", "variant", "prefill ms", "prefill t/s", "decode ms/tok",
              "decode t/s", "decode BW%", "prefill TC%");
  std::string json = "{\"model\": \"" + std::string(m->name) + "\", \"prompt\": " + std::to_string(int(prompt)) +
                     ", \"context\": " + std::to_string(int(context)) + ", \"variants\": [";
  for (size_t i = 0; i < vs.size(); ++i) {
    const Projector pj(vs[i].hw);
    const auto pre = pj.forward(*m, prompt, 0), dec = pj.forward(*m, 1, context);
    const double ns = 1000.0 / vs[i].hw.clock_mhz;
    const double pre_ms = pre.total.cycles * ns / 1e6, dec_ms = dec.total.cycles * ns / 1e6;
    const double dec_bw = 100.0 * dec.total.memory / dec.total.cycles;
    const double pre_tc = 100.0 * pre.total.macs / (pre.total.cycles * vs[i].hw.peak_macs_per_cycle());
    std::printf("%-18s %12.2f %12.1f %13.3f %12.2f %9.0f%% %9.0f%%\n", vs[i].label.c_str(), pre_ms,
                prompt / (pre_ms / 1e3), dec_ms, 1e3 / dec_ms, dec_bw, pre_tc);
    char buf[640];
    std::snprintf(buf, sizeof buf,
                  "%s{\"sweep\": \"%s\", \"label\": \"%s\", \"hardware\": \"%s\", \"peak_gflops\": %.1f, "
                  "\"bandwidth_gbs\": %.2f, \"prefill_ms\": %.4f, \"decode_ms\": %.5f, "
                  "\"prefill\": {\"flops\": %.6g, \"bytes\": %.6g}, \"decode\": {\"flops\": %.6g, \"bytes\": %.6g}",
                  i ? ",\n  " : "\n  ", vs[i].sweep.c_str(), vs[i].label.c_str(), vs[i].hw.summary().c_str(),
                  2 * vs[i].hw.peak_macs_per_cycle() * vs[i].hw.clock_mhz / 1e3, pj.bw * vs[i].hw.clock_mhz / 1e3,
                  pre_ms, dec_ms, 2 * pre.total.macs, pre.total.bytes, 2 * dec.total.macs, dec.total.bytes);
    json += buf;
    if (i == 0) {  // the base hardware's operations, for the roofline
      json += ", \"ops\": [";
      const char* names[] = {"qkv", "attention", "o_proj", "ffn", "lm_head", "vector"};
      bool first = true;
      for (int ph = 0; ph < 2; ++ph) {
        const auto& P = ph ? dec : pre;
        const Cost* cs[] = {&P.qkv, &P.attn, &P.o, &P.ffn, &P.head, &P.vec};
        for (int k = 0; k < 6; ++k) {
          if (cs[k]->macs <= 0) continue;
          std::snprintf(buf, sizeof buf, "%s{\"phase\": \"%s\", \"op\": \"%s\", \"flops\": %.6g, \"bytes\": %.6g, "
                        "\"ms\": %.5f}", first ? "" : ", ", ph ? "decode" : "prefill", names[k], 2 * cs[k]->macs,
                        cs[k]->bytes, cs[k]->cycles * ns / 1e6);
          json += buf;
          first = false;
        }
      }
      json += "]";
    }
    json += "}";
  }
  json += "]}\n";
  if (std::system(("mkdir -p '" + out + "'").c_str()) != 0) return fail("cannot create " + out);
  const std::string jpath = out + "/whatif.json";
  std::ofstream f(jpath);
  f << json;
  if (!f.good()) {
    std::fprintf(stderr, "kiln-perf whatif: writing %s failed\n", jpath.c_str());
    return 1;
  }
  std::printf("projection: %s\n", jpath.c_str());
  if (plot) {
    const std::string cmd = std::string("'") + KILN_PERF_PYTHON + "' '" + KILN_PERF_SCRIPTS + "/roofline.py' '" +
                            jpath + "' '" + out + "/roofline.png'";
    std::fflush(stdout);
    if (std::system(cmd.c_str()) != 0) {
      std::fprintf(stderr, "kiln-perf whatif: the plot was not written (%s failed; --no-plot skips it)\n",
                   cmd.c_str());
      return 1;
    }
  }
  return 0;
}

}  // namespace kiln::perf
