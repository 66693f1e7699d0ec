// kiln-fst: the small FST tool behind `make cosim WAVES=1` / `make waves`.
//   kiln-fst signals FILE.fst             every signal, with its block group
//   kiln-fst gtkw FILE.fst OUT.gtkw       GTKWave save file: groups per block,
//                                         markers at command boundaries
//   kiln-fst span FILE.fst                per group: value changes and the
//                                         first/last NPU cycle they happen at
//   kiln-fst filter DEPTH IN.fst OUT.fst  only the signals DEPTH levels below
//                                         TOP or less (fst_filter.cpp)
// Command boundaries and the cycle window come from FILE.fst.info, which the
// RTL island writes next to the FST (systemc/npu_island.cpp).
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "fstapi.h"

namespace {

struct Var {
  std::string scope;  // dotted, e.g. TOP.kiln_npu_top.u_dma
  std::string name;   // as GTKWave names it: "addr[31:0]"
  uint32_t width;
  fstHandle handle;
  std::string group;  // "" = not shown
};

struct Info {
  uint64_t ps_per_cycle = 1000, commands = 0, wave_cmd = 0, from = 0, to = 0;
  bool window = false;
  std::vector<std::pair<uint64_t, uint64_t>> boundaries;  // (cycle, command starting)
};

Info read_info(const std::string& fst) {
  Info in;
  std::ifstream f(fst + ".info");
  for (std::string line; std::getline(f, line);) {
    std::istringstream ls(line);
    std::string key;
    ls >> key;
    if (key == "ps_per_cycle") ls >> in.ps_per_cycle;
    else if (key == "commands") ls >> in.commands;
    else if (key == "wave_cmd") ls >> in.wave_cmd;
    else if (key == "window") in.window = static_cast<bool>(ls >> in.from >> in.to);
    else if (key == "boundary") {
      uint64_t c = 0, n = 0;
      if (ls >> c >> n) in.boundaries.emplace_back(c, n);
    }
  }
  return in;
}

// The block a signal belongs to, from its instance path below the NPU top
// (rtl/top/kiln_npu_top.sv: u_csr, u_dma, u_tc, u_vu, u_spad). Only each
// block's own signals are shown (plus the DMA's per-channel engines and its
// shared arbiters): the tensor core's lanes and PEs alone have thousands,
// which nobody reads by default (add them from GTKWave's tree when needed).
std::string group_of(const std::string& scope, const std::string& name) {
  std::vector<std::string> parts;
  std::stringstream ss(scope);
  for (std::string p; std::getline(ss, p, '.');) parts.push_back(p);
  size_t top = 0;
  while (top < parts.size() && parts[top] != "kiln_npu_top") ++top;
  if (top == parts.size()) return "";
  const std::vector<std::string> below(parts.begin() + top + 1, parts.end());
  for (const auto& p : below)
    if (p.rfind("unnamedblk", 0) == 0) return "";  // loop variables of always blocks
  if (below.empty()) {
    if (name.rfind("m_axi", 0) == 0 || name.rfind("s_axil", 0) == 0) return "AXI";
    return "Top (clock, reset, interrupts, CSR fields)";
  }
  const std::string& b = below[0];
  if (b == "u_dma") {
    // u_dma.g_ch[N].u_ch: one group per channel; u_ar_arb, u_aw_arb, u_worder: shared.
    if (below.size() == 3 && below[1].rfind("g_ch[", 0) == 0 && below[2] == "u_ch")
      return "DMA channel " + below[1].substr(5, below[1].size() - 6);
    return below.size() <= 2 && below.back().rfind("g_ch", 0) != 0 ? "DMA" : "";
  }
  if (below.size() > 1) return "";
  if (b == "u_csr") return "CSR";
  if (b == "u_tc") return "Tensor core";
  if (b == "u_vu") return "Vector unit";
  if (b == "u_spad") return "Scratchpad";
  return "Other (" + b + ")";
}

bool load_vars(const char* file, void** ctx, std::vector<Var>* vars) {
  *ctx = fstReaderOpen(file);
  if (!*ctx) {
    std::fprintf(stderr, "kiln-fst: cannot read FST %s\n", file);
    return false;
  }
  std::vector<std::string> scope;
  while (fstHier* h = fstReaderIterateHier(*ctx)) {
    if (h->htyp == FST_HT_SCOPE) {
      scope.push_back(h->u.scope.name);
    } else if (h->htyp == FST_HT_UPSCOPE) {
      if (!scope.empty()) scope.pop_back();
    } else if (h->htyp == FST_HT_VAR) {
      std::string path;
      for (const auto& s : scope) path += (path.empty() ? "" : ".") + s;
      std::string n = h->u.var.name;
      n.erase(std::remove(n.begin(), n.end(), ' '), n.end());  // "x [3:0]" -> "x[3:0]", GTKWave's spelling
      Var v{path, n, h->u.var.length, h->u.var.handle, ""};
      v.group = group_of(path, n);
      vars->push_back(v);
    }
  }
  return true;
}

// Groups in the order a reader follows a command: registers, DMA, compute, memory, bus.
int group_rank(const std::string& g) {
  static const char* order[] = {"Top", "CSR", "DMA", "Tensor core", "Vector unit", "Scratchpad", "AXI", "Other"};
  for (int i = 0; i < 8; ++i)
    if (g.rfind(order[i], 0) == 0) return i;
  return 9;
}

std::vector<std::string> sorted_groups(const std::vector<Var>& vars) {
  std::vector<std::string> gs;
  for (const auto& v : vars)
    if (!v.group.empty() && std::find(gs.begin(), gs.end(), v.group) == gs.end()) gs.push_back(v.group);
  std::stable_sort(gs.begin(), gs.end(),
                   [](const std::string& a, const std::string& b) { return group_rank(a) < group_rank(b); });
  return gs;
}

int cmd_signals(const char* file) {
  void* ctx;
  std::vector<Var> vars;
  if (!load_vars(file, &ctx, &vars)) return 1;
  for (const auto& v : vars)
    std::printf("%-36s %s.%s\n", v.group.empty() ? "-" : v.group.c_str(), v.scope.c_str(), v.name.c_str());
  fstReaderClose(ctx);
  return 0;
}

int cmd_gtkw(const char* file, const char* out) {
  void* ctx;
  std::vector<Var> vars;
  if (!load_vars(file, &ctx, &vars)) return 1;
  const Info info = read_info(file);
  const uint64_t start = fstReaderGetStartTime(ctx), end = fstReaderGetEndTime(ctx);
  fstReaderClose(ctx);
  FILE* f = std::fopen(out, "w");
  if (!f) {
    std::fprintf(stderr, "kiln-fst: cannot write %s\n", out);
    return 1;
  }
  std::string base = file;
  if (const auto slash = base.rfind('/'); slash != std::string::npos) base = base.substr(slash + 1);
  std::fprintf(f, "[*] Kiln NPU waveform, written by kiln-fst gtkw (docs/debugging.md)\n");
  // Relative: the .gtkw sits next to the FST, so the pair can be moved together.
  std::fprintf(f, "[dumpfile] \"%s\"\n[timestart] %llu\n", base.c_str(), (unsigned long long)start);
  // Markers: the primary marker at the first boundary, named markers A..Z at
  // every command boundary inside the window (time = cycle * ps_per_cycle,
  // the island's dump times).
  std::vector<std::pair<uint64_t, uint64_t>> marks = info.boundaries;
  if (marks.size() > 25) marks.resize(25);
  if (info.wave_cmd && info.window) marks.emplace_back(info.to, 0);  // 0: the window's end
  const double zoom = end > start ? -std::log2(double(end - start) / 1000.0) : 0.0;
  std::fprintf(f, "*%.6f %lld", zoom, marks.empty() ? -1LL : (long long)(marks[0].first * info.ps_per_cycle));
  for (size_t i = 0; i < 26; ++i)
    std::fprintf(f, " %lld", i < marks.size() ? (long long)(marks[i].first * info.ps_per_cycle) : -1LL);
  std::fprintf(f, "\n");
  for (size_t i = 0; i < marks.size(); ++i)
    if (marks[i].second)
      std::fprintf(f, "[*] marker %c: cycle %llu, command %llu starts\n", char('A' + i),
                   (unsigned long long)marks[i].first, (unsigned long long)marks[i].second);
    else
      std::fprintf(f, "[*] marker %c: cycle %llu, the units command %llu started are idle (window end)\n",
                   char('A' + i), (unsigned long long)marks[i].first, (unsigned long long)info.wave_cmd);
  std::fprintf(f, "[sst_width] 260\n[signals_width] 320\n[sst_expanded] 1\n");
  std::fprintf(f, "@200\n-Kiln NPU, cycles %llu..%llu%s\n", (unsigned long long)info.from, (unsigned long long)info.to,
               info.wave_cmd ? (" (command " + std::to_string(info.wave_cmd) + ")").c_str() : "");
  for (const std::string& g : sorted_groups(vars)) {
    // 800200 opens a group (shown open), 1000200 closes it; 22 = hex, 28 = binary.
    std::fprintf(f, "@800200\n-%s\n", g.c_str());
    for (const auto& v : vars)
      if (v.group == g) std::fprintf(f, "@%s\n%s.%s\n", v.width > 1 ? "22" : "28", v.scope.c_str(), v.name.c_str());
    std::fprintf(f, "@1000200\n-%s\n", g.c_str());
  }
  std::fclose(f);
  return 0;
}

struct SpanAcc {
  // Verilator shares one handle between a port and the signals it connects
  // (aliases), so one handle can count for several groups.
  std::vector<std::vector<std::string>>* group_of_handle;
  std::map<std::string, std::vector<uint64_t>>* span;  // group -> {changes, first, last}
};

void on_change(void* user, uint64_t time, fstHandle h, const unsigned char*) {
  auto* a = static_cast<SpanAcc*>(user);
  if (h >= a->group_of_handle->size()) return;
  for (const std::string& g : (*a->group_of_handle)[h]) {
    auto& s = (*a->span)[g];
    if (s.empty()) s = {0, time, time};
    ++s[0];
    s[1] = std::min(s[1], time);
    s[2] = std::max(s[2], time);
  }
}

int cmd_span(const char* file) {
  void* ctx;
  std::vector<Var> vars;
  if (!load_vars(file, &ctx, &vars)) return 1;
  const Info info = read_info(file);
  std::vector<std::vector<std::string>> group_of_handle(fstReaderGetMaxHandle(ctx) + 1);
  for (const auto& v : vars) {
    // Clock and reset are aliased into every block: they would make every
    // group look active. Count real activity only.
    if (v.name.rfind("clk", 0) == 0 || v.name.rfind("rst", 0) == 0) continue;
    auto& gs = group_of_handle[v.handle];
    if (!v.group.empty() && std::find(gs.begin(), gs.end(), v.group) == gs.end()) gs.push_back(v.group);
  }
  std::map<std::string, std::vector<uint64_t>> span;
  SpanAcc acc{&group_of_handle, &span};
  fstReaderSetFacProcessMaskAll(ctx);
  fstReaderIterBlocks(ctx, on_change, &acc, nullptr);
  fstReaderClose(ctx);
  // Cycle c is dumped at c * ps (after its rising edge) and half a period
  // later (falling edge): both round down to c.
  const uint64_t ps = info.ps_per_cycle ? info.ps_per_cycle : 1;
  std::printf("window %llu %llu\n", (unsigned long long)info.from, (unsigned long long)info.to);
  for (const std::string& g : sorted_groups(vars)) {
    const auto it = span.find(g);
    if (it == span.end()) {
      std::printf("group \"%s\" changes 0\n", g.c_str());
      continue;
    }
    std::printf("group \"%s\" changes %llu first_cycle %llu last_cycle %llu\n", g.c_str(),
                (unsigned long long)it->second[0], (unsigned long long)(it->second[1] / ps),
                (unsigned long long)(it->second[2] / ps));
  }
  return 0;
}

}  // namespace

int cmd_filter(unsigned depth, const char* in, const char* out);  // fst_filter.cpp

int main(int argc, char** argv) {
  const std::string cmd = argc > 1 ? argv[1] : "";
  if (cmd == "signals" && argc == 3) return cmd_signals(argv[2]);
  if (cmd == "gtkw" && argc == 4) return cmd_gtkw(argv[2], argv[3]);
  if (cmd == "span" && argc == 3) return cmd_span(argv[2]);
  if (cmd == "filter" && argc == 5) {
    char* end = nullptr;
    const unsigned long d = std::strtoul(argv[2], &end, 10);
    if (*end || d < 1 || d > 99) {
      std::fprintf(stderr, "kiln-fst filter: DEPTH must be 1..99 (levels below TOP), got '%s'\n", argv[2]);
      return 2;
    }
    return cmd_filter(static_cast<unsigned>(d), argv[3], argv[4]);
  }
  std::fprintf(stderr,
               "usage: kiln-fst signals FILE.fst | kiln-fst gtkw FILE.fst OUT.gtkw | kiln-fst span FILE.fst\n"
               "       kiln-fst filter DEPTH IN.fst OUT.fst\n");
  return 2;
}
