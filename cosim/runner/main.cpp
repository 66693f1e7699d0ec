// kiln-cosim: runs one registered co-simulation test and writes its report.
//   kiln-cosim --test gemm [--backend rtl] [--out-dir build/cosim] [--m 256 ...]
//   kiln-cosim --test list
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <iostream>
#include <map>
#include <string>

#include "kiln/kiln.hpp"
#include "registry.h"
#include "waves.h"

namespace kc = kiln::cosim;

static void usage(std::FILE *to) {
  std::fprintf(to,
               "usage: kiln-cosim --test <name|list> [--backend rtl] [--out-dir DIR] [--<option> VALUE]...\n"
               "         [--waves FILE.fst [--wave-from CYCLE] [--wave-to CYCLE] | [--wave-cmd N]]\n"
               "         [--trace FILE.json]   (run trace for ui.perfetto.dev; default $KILN_TRACE)\n"
               "       kiln-cosim --test <name> --help   (options of one test)\n");
}

static void list_tests() {
  std::printf("Registered co-simulation tests (make cosim TEST=<name>):\n");
  for (const auto &t : kc::registry()) std::printf("  %-16s %s\n", t.name.c_str(), t.description.c_str());
}

// Refuses window options that cannot work, before a long simulation.
static const char *wave_error(const std::string &waves, bool wave_given, const std::string &backend,
                              unsigned long long from, unsigned long long to, unsigned long long cmd) {
  if (waves.empty()) return wave_given ? "--wave-from/--wave-to/--wave-cmd need --waves FILE" : nullptr;
  if (backend == "fast")
    return "the fast backend has no waveform: it is a C++ model with no RTL signals (use --backend rtl)";
  if (to && from > to) return "--wave-from is after --wave-to: the window would be empty";
  if (cmd && (from || to)) return "--wave-cmd and --wave-from/--wave-to are exclusive: give a command or cycles";
  return nullptr;
}

static const kc::Test *find_test(const std::string &name) {
  for (const auto &t : kc::registry())
    if (t.name == name) return &t;
  return nullptr;
}

int main(int argc, char **argv) {
  std::string test_name, out_root = "build/cosim";
  const char *env_backend = std::getenv("KILN_BACKEND");
  std::string backend = env_backend && *env_backend ? env_backend : "rtl";
  bool help = false;
  std::string waves;
  std::string trace;  // --trace; else the driver honours $KILN_TRACE itself
  unsigned long long wave_from = 0, wave_to = 0, wave_cmd = 0;
  bool wave_given = false;
  std::map<std::string, std::string> given;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--help" || a == "-h") { help = true; continue; }
    if (a.rfind("--", 0) != 0) {
      std::fprintf(stderr, "kiln-cosim: unexpected argument '%s'\n", a.c_str());
      usage(stderr);
      return 2;
    }
    std::string key = a.substr(2), value;
    const auto eq = key.find('=');
    if (eq != std::string::npos) {
      value = key.substr(eq + 1);
      key = key.substr(0, eq);
    } else if (i + 1 < argc) {
      value = argv[++i];
    } else {
      std::fprintf(stderr, "kiln-cosim: option --%s needs a value\n", key.c_str());
      return 2;
    }
    if (key == "test") test_name = value;
    else if (key == "backend") backend = value;
    else if (key == "out-dir") out_root = value;
    else if (key == "waves") waves = value;
    else if (key == "trace") {
      if (value.empty()) {
        std::fprintf(stderr, "kiln-cosim: --trace needs a file name\n");
        return 2;
      }
      trace = value;
    }
    else if (key == "wave-from" || key == "wave-to" || key == "wave-cmd") {
      char *end = nullptr;
      const unsigned long long v = std::strtoull(value.c_str(), &end, 0);
      if (value.empty() || *end || value[0] == '-') {
        std::fprintf(stderr, "kiln-cosim: --%s must be a non-negative integer, got '%s'\n", key.c_str(), value.c_str());
        return 2;
      }
      (key == "wave-from" ? wave_from : key == "wave-to" ? wave_to : wave_cmd) = v;
      wave_given = true;
    }
    else given[key] = value;
  }
  if (test_name.empty() && !help) {
    usage(stderr);
    return 2;
  }
  if (test_name == "list" || (test_name.empty() && help)) {
    list_tests();
    return 0;
  }
  const kc::Test *t = find_test(test_name);
  if (!t) {
    std::fprintf(stderr, "kiln-cosim: no test named '%s'.\n", test_name.c_str());
    list_tests();
    return 2;
  }
  if (help) {
    std::printf("%s: %s\noptions:\n", t->name.c_str(), t->description.c_str());
    for (const auto &o : t->options)
      std::printf("  --%-12s %s (default %s)\n", o.name.c_str(), o.help.c_str(), o.default_value.c_str());
    return 0;
  }
  std::map<std::string, std::string> values;
  for (const auto &o : t->options) values[o.name] = o.default_value;
  for (const auto &kv : given) {
    if (!values.count(kv.first)) {
      std::fprintf(stderr, "kiln-cosim: test '%s' has no option --%s; it accepts:", t->name.c_str(),
                   kv.first.c_str());
      for (const auto &o : t->options) std::fprintf(stderr, " --%s", o.name.c_str());
      std::fprintf(stderr, "\n");
      return 2;
    }
    values[kv.first] = kv.second;
  }

  if (const char *err = wave_error(waves, wave_given, backend, wave_from, wave_to, wave_cmd)) {
    std::fprintf(stderr, "kiln-cosim: %s\n", err);
    return 2;
  }
  kc::Context ctx{backend, out_root + "/" + t->name, kc::Options(values)};
  ctx.waves = waves;
  ctx.open.wave_file = ctx.waves.c_str();
  ctx.open.wave_from = wave_from;
  ctx.open.wave_to = wave_to;
  ctx.open.wave_cmd = wave_cmd;
  ctx.trace = trace;
  ctx.open.trace_file = ctx.trace.empty() ? nullptr : ctx.trace.c_str();
  // Reported either way: the driver writes $KILN_TRACE when --trace is absent.
  const char *env_trace = std::getenv("KILN_TRACE");
  if (trace.empty() && env_trace && *env_trace) trace = env_trace;
  if (!trace.empty()) kc::remove_stale(trace);  // a stale trace must not pass for this run's
  if (!waves.empty()) {
    std::remove(waves.c_str());  // a stale file must not pass for this run's
    std::remove((waves + ".info").c_str());
  }
  std::printf("kiln-cosim: %s on backend %s\n", t->name.c_str(), backend.c_str());
  std::fflush(stdout);
  kc::Result r;
  const auto t0 = std::chrono::steady_clock::now();
  try {
    r = t->run(ctx);
  } catch (const kiln::Error &e) {
    r.passed = false;
    r.summary = std::string("error: ") + e.what() + " [" + kiln_status_name(e.status()) + "]";
  } catch (const std::exception &e) {
    r.passed = false;
    r.summary = std::string("error: ") + e.what();
  }
  if (!waves.empty()) {
    std::string msg;
    if (!kc::check_waves(waves, wave_cmd, &msg)) {
      r.passed = false;
      r.summary += (r.summary.empty() ? "" : "\n") + std::string("error: ") + msg;
    } else {
      std::printf("%s\n", msg.c_str());
    }
  }
  if (!trace.empty()) {
    std::string msg;
    if (!kc::check_trace(trace, &msg)) {
      r.passed = false;
      r.summary += (r.summary.empty() ? "" : "\n") + std::string("error: ") + msg;
    } else {
      std::printf("%s\n", msg.c_str());
    }
    r.report.set("trace", trace);
  }
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  r.report.set("test", t->name).set("backend", backend).set("passed", r.passed).set("wall_seconds", wall);
  const std::string path = ctx.out_dir + "/report.json";
  std::string err;
  if (!r.report.write_file(path, &err)) std::fprintf(stderr, "kiln-cosim: %s\n", err.c_str());
  std::printf("%s\n%s: %s  (report: %s)\n", r.summary.c_str(), t->name.c_str(), r.passed ? "PASSED" : "FAILED",
              path.c_str());
  return r.passed ? 0 : 1;
}
