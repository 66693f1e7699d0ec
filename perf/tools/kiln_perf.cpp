// kiln-perf: the analytical performance model from the command line.
//   kiln-perf explain STREAM.bin [--json] [--hw KEY=VALUE]...   per-command prediction of a command stream
//   kiln-perf op gemm MxNxK | writeback MxN[:fp32]              one unit operation on idle hardware
//   kiln-perf config [--hw KEY=VALUE]...                        the modelled hardware and the keys
//   kiln-perf whatif --model smollm2|llama3-8b ...              design-space projection (kiln-perf whatif --help)
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "kiln/perf/model.h"
#include "kiln/perf/whatif.h"

namespace {

const char* kUsage =
    "usage: kiln-perf explain STREAM.bin [--json] [--hw KEY=VALUE]...\n"
    "       kiln-perf op gemm MxNxK | op writeback MxN[:fp32] [--hw KEY=VALUE]...\n"
    "       kiln-perf config [--hw KEY=VALUE]...\n"
    "       kiln-perf whatif [--model smollm2|llama3-8b] [--prompt N] [--context N] [--out DIR] [--hw KEY=VALUE]...\n"
    "STREAM.bin: 64-byte device commands as kiln_submit writes them to the ring\n"
    "(kiln-correlate --dump writes one per case). --hw changes the modelled hardware\n"
    "(kiln-perf config lists the keys).\n";

int usage_error(const std::string& msg) {
  std::fprintf(stderr, "kiln-perf: %s\n%s", msg.c_str(), kUsage);
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) return usage_error("no command");
  const std::string cmd = argv[1];
  if (cmd == "-h" || cmd == "--help") {
    std::fputs(kUsage, stdout);
    return 0;
  }
  if (cmd == "whatif") return kiln::perf::whatif_main(argc - 1, argv + 1);

  kiln::perf::HwConfig hw = kiln::perf::HwConfig::from_build();
  std::vector<std::string> pos;
  bool json = false;
  for (int i = 2; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--hw") {
      if (i + 1 >= argc) return usage_error("--hw needs KEY=VALUE");
      std::string err;
      if (!hw.set(argv[++i], &err)) return usage_error(err);
    } else if (a == "--json") {
      json = true;
    } else if (!a.empty() && a[0] == '-') {
      return usage_error("unknown option '" + a + "'");
    } else {
      pos.push_back(a);
    }
  }

  if (cmd == "config") {
    std::printf("%s\n", hw.summary().c_str());
    std::printf("keys for --hw:\n");
    for (const auto& [k, m] : kiln::perf::HwConfig::keys()) std::printf("  %-13s %s\n", k.c_str(), m.c_str());
    return 0;
  }
  if (cmd == "op") {
    unsigned m = 0, n = 0, k = 0;
    if (pos.size() == 2 && pos[0] == "gemm" && std::sscanf(pos[1].c_str(), "%ux%ux%u", &m, &n, &k) == 3 && m && n && k) {
      const auto c = kiln::perf::gemm_cost(hw, m, n, k);
      std::printf("GEMM %ux%ux%u: %llu cycles = %s\n", m, n, k, static_cast<unsigned long long>(c.cycles),
                  c.why.c_str());
      return 0;
    }
    if (pos.size() == 2 && pos[0] == "writeback" && std::sscanf(pos[1].c_str(), "%ux%u", &m, &n) == 2 && m && n) {
      const bool fp32 = pos[1].find(":fp32") != std::string::npos;
      const auto c = kiln::perf::writeback_cost(hw, m, n, fp32);
      std::printf("WRITEBACK %ux%u %s: %llu cycles = %s\n", m, n, fp32 ? "fp32" : "bf16",
                  static_cast<unsigned long long>(c.cycles), c.why.c_str());
      return 0;
    }
    return usage_error("op wants 'gemm MxNxK' or 'writeback MxN[:fp32]' with non-zero sizes");
  }
  if (cmd == "explain") {
    if (pos.size() != 1) return usage_error("explain wants one STREAM.bin");
    std::ifstream f(pos[0], std::ios::binary);
    if (!f) return usage_error("cannot open '" + pos[0] + "'");
    const std::vector<char> bytes((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
    if (bytes.empty() || bytes.size() % 64)
      return usage_error("'" + pos[0] + "' is " + std::to_string(bytes.size()) +
                         " bytes: a command stream is a non-empty multiple of 64");
    const auto p = kiln::perf::predict(hw, bytes.data(), bytes.size() / 64);
    if (!p.error.empty()) {
      std::fprintf(stderr, "kiln-perf: %s: %s\n", pos[0].c_str(), p.error.c_str());
      return 1;
    }
    if (json)
      std::printf("%s\n", kiln::perf::prediction_json(p, true).c_str());
    else
      std::printf("%s: %zu commands on %s\n%s", pos[0].c_str(), bytes.size() / 64, hw.summary().c_str(),
                  kiln::perf::format_prediction(p).c_str());
    return 0;
  }
  return usage_error("unknown command '" + cmd + "'");
}
