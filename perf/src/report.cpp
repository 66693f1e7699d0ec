// Text and JSON forms of a Prediction.
#include <cstdio>
#include <string>

#include "kiln/perf/model.h"

namespace kiln::perf {

namespace {
std::string esc(const std::string& s) {
  std::string o;
  for (char c : s) {
    if (c == '"' || c == '\\') o += '\\';
    o += c;
  }
  return o;
}
std::string u(uint64_t v) { return std::to_string(v); }
}  // namespace

std::string format_prediction(const Prediction& p, size_t max_lines) {
  std::string s;
  char buf[512];
  std::snprintf(buf, sizeof buf, "%5s %-5s %-34s %9s %9s %9s %7s %7s  %s\n", "#", "unit", "command", "fetch",
                "start", "end", "control", "wait", "why");
  s += buf;
  size_t n = 0;
  for (const CommandPrediction& c : p.commands) {
    if (n++ == max_lines) {
      s += "      ... " + u(p.commands.size() - max_lines) + " more (--json has them all)\n";
      break;
    }
    std::snprintf(buf, sizeof buf, "%5u %-5s %-34s %9llu %9llu %9llu %7llu %7llu  %s\n", c.index,
                  unit_name(c.unit), c.what.c_str(), static_cast<unsigned long long>(c.fetch),
                  static_cast<unsigned long long>(c.start), static_cast<unsigned long long>(c.end),
                  static_cast<unsigned long long>(c.control), static_cast<unsigned long long>(c.wait),
                  c.why.c_str());
    s += buf;
  }
  std::snprintf(buf, sizeof buf,
                "total %llu cycles (%.1f us): firmware control %llu, waiting %llu; busy: tensor core %llu, "
                "vector unit %llu, DMA %llu (sum over channels); %llu MACs, %llu DMA bytes\n",
                static_cast<unsigned long long>(p.cycles), p.ns / 1000.0, static_cast<unsigned long long>(p.control),
                static_cast<unsigned long long>(p.wait), static_cast<unsigned long long>(p.tc_busy),
                static_cast<unsigned long long>(p.vu_busy), static_cast<unsigned long long>(p.dma_busy),
                static_cast<unsigned long long>(p.macs), static_cast<unsigned long long>(p.dma_bytes));
  s += buf;
  return s;
}

std::string prediction_json(const Prediction& p, bool with_commands) {
  std::string s = "{\"cycles\": " + u(p.cycles) + ", \"control\": " + u(p.control) + ", \"wait\": " + u(p.wait) +
                  ", \"tc_busy\": " + u(p.tc_busy) + ", \"vu_busy\": " + u(p.vu_busy) +
                  ", \"dma_busy\": " + u(p.dma_busy) + ", \"macs\": " + u(p.macs) +
                  ", \"dma_bytes\": " + u(p.dma_bytes);
  if (with_commands) {
    s += ", \"commands\": [";
    for (size_t i = 0; i < p.commands.size(); ++i) {
      const CommandPrediction& c = p.commands[i];
      s += std::string(i ? ",\n  " : "\n  ") + "{\"index\": " + u(c.index) + ", \"unit\": \"" + unit_name(c.unit) +
           "\", \"what\": \"" + esc(c.what) + "\", \"fetch\": " + u(c.fetch) + ", \"issue\": " + u(c.issue) +
           ", \"start\": " + u(c.start) + ", \"end\": " + u(c.end) + ", \"control\": " + u(c.control) +
           ", \"wait\": " + u(c.wait) + ", \"compute\": " + u(c.compute) + ", \"fill\": " + u(c.fill) +
           ", \"memory\": " + u(c.memory) + ", \"bytes\": " + u(c.bytes) + ", \"macs\": " + u(c.macs) +
           ", \"why\": \"" + esc(c.why) + "\"}";
    }
    s += "]";
  }
  return s + "}";
}

}  // namespace kiln::perf
