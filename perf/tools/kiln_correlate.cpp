// kiln-correlate: runs the correlation sweep on the NPU (the RTL by default)
// and through the performance model, and writes report.json.
//
// Measured = device time of the submission: from the doorbell landing to the
// final fence's host interrupt (kiln_read_timestamps), in NPU cycles.
// Predicted = kiln::perf::predict over the very command stream submitted
// (the case's commands plus the driver's FENCE).
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#include "correlate_cases.h"
#include "kiln/perf/model.h"
#include "kiln_cmds.h"

namespace {

const char* kUsage =
    "usage: kiln-correlate [--backend rtl|fast] [--out DIR] [--only NAME[,NAME...]] [--list]\n"
    "                      [--check MEAN_PCT,MAX_PCT] [--dump]\n"
    "  Runs each case on the NPU and through the performance model; writes DIR/report.json\n"
    "  (default DIR build/correlate). --only runs the cases whose name contains one of the\n"
    "  NAMEs; --check exits 1 when the mean |error| or any case's |error| exceeds the limits;\n"
    "  --dump writes each case's command stream to DIR/streams/<case>.bin (kiln-perf explain).\n";

constexpr size_t kMaxCommands = 1000;  // one ring (1024 slots, one kept empty) with the fence

struct Row {
  std::string name, kind;
  size_t commands = 0;
  uint64_t measured = 0, predicted = 0;
  double error_pct = 0;
  kiln::perf::Prediction pred;
  double wall_s = 0;
};

bool matches(const std::string& name, const std::vector<std::string>& only) {
  if (only.empty()) return true;
  for (const std::string& o : only)
    if (name.find(o) != std::string::npos) return true;
  return false;
}

std::string json_row(const Row& r) {
  char buf[512];
  std::snprintf(buf, sizeof buf,
                "{\"name\": \"%s\", \"kind\": \"%s\", \"commands\": %zu, \"measured_cycles\": %llu, "
                "\"predicted_cycles\": %llu, \"error_pct\": %.3f, \"wall_seconds\": %.2f, \"predicted\": ",
                r.name.c_str(), r.kind.c_str(), r.commands, static_cast<unsigned long long>(r.measured),
                static_cast<unsigned long long>(r.predicted), r.error_pct, r.wall_s);
  return buf + kiln::perf::prediction_json(r.pred, false) + "}";
}

}  // namespace

int main(int argc, char** argv) {
  std::string backend = "rtl", out = "build/correlate";
  std::vector<std::string> only;
  bool list = false, check = false, dump = false;
  double max_mean = 0, max_case = 0;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "kiln-correlate: %s needs a value\n%s", a.c_str(), kUsage);
        std::exit(2);
      }
      return argv[++i];
    };
    if (a == "--backend") backend = value();
    else if (a == "--out") out = value();
    else if (a == "--only") {
      std::string v = value();
      for (size_t p = 0; p <= v.size();) {
        size_t q = v.find(',', p);
        if (q == std::string::npos) q = v.size();
        if (q > p) only.push_back(v.substr(p, q - p));
        p = q + 1;
      }
    } else if (a == "--list") list = true;
    else if (a == "--dump") dump = true;
    else if (a == "--check") {
      const std::string v = value();
      if (std::sscanf(v.c_str(), "%lf,%lf", &max_mean, &max_case) != 2 || max_mean <= 0 || max_case <= 0) {
        std::fprintf(stderr, "kiln-correlate: --check wants MEAN_PCT,MAX_PCT (e.g. 2,5), got '%s'\n", v.c_str());
        return 2;
      }
      check = true;
    } else if (a == "-h" || a == "--help") {
      std::fputs(kUsage, stdout);
      return 0;
    } else {
      std::fprintf(stderr, "kiln-correlate: unknown argument '%s'\n%s", a.c_str(), kUsage);
      return 2;
    }
  }
  const std::vector<kiln::perf::Case> cases = kiln::perf::correlation_cases();
  if (list) {
    for (const auto& c : cases) std::printf("%-34s %s\n", c.name.c_str(), c.kind.c_str());
    return 0;
  }
  size_t selected = 0;
  for (const auto& c : cases) selected += matches(c.name, only);
  if (!selected) {
    std::fprintf(stderr, "kiln-correlate: no case matches --only (kiln-correlate --list)\n");
    return 2;
  }

  const kiln::perf::HwConfig hw = kiln::perf::HwConfig::from_build();
  std::vector<Row> rows;
  if (std::system(("mkdir -p '" + out + (dump ? "/streams'" : "'")).c_str()) != 0) {
    std::fprintf(stderr, "kiln-correlate: cannot create %s\n", out.c_str());
    return 1;
  }
  std::remove((out + "/report.json").c_str());  // a failed run leaves none behind
  try {
    kiln::Device dev(backend.c_str());
    std::printf("kiln-correlate: %zu cases on %s, model of %s\n", selected, backend.c_str(), hw.summary().c_str());
    std::printf("%-32s %6s %11s %11s %8s\n", "case", "cmds", "measured", "predicted", "error");
    size_t n = 0;
    for (const auto& c : cases) {
      if (!matches(c.name, only)) continue;
      ++n;
      std::printf("%-32s ", c.name.c_str());
      std::fflush(stdout);
      Row r;
      r.name = c.name;
      r.kind = c.kind;
      kiln::sdk::Workspace ws(dev);
      kiln::CommandBuffer cb;
      kiln::perf::Ctx ctx{dev, ws, cb, {}, {}, {}};
      c.build(ctx);
      r.commands = cb.size();
      if (r.commands > kMaxCommands) {
        std::fprintf(stderr, "\nkiln-correlate: %s has %zu commands, more than one ring holds (%zu)\n",
                     c.name.c_str(), r.commands, kMaxCommands);
        return 1;
      }
      // The stream the firmware will run: the case plus the driver's fence.
      std::vector<uint32_t> words(size_t(r.commands + 1) * 16, 0);
      std::memcpy(words.data(), cb.data(), r.commands * 64);
      words[r.commands * 16] = kiln_cmd_header(KILN_OP_FENCE);
      words[r.commands * 16 + 1] = 1;  // raise the interrupt, as kiln_submit's fence does
      if (dump) {
        std::ofstream sf(out + "/streams/" + c.name + ".bin", std::ios::binary);
        sf.write(reinterpret_cast<const char*>(words.data()), std::streamsize(words.size() * 4));
      }
      r.pred = kiln::perf::predict(hw, words.data(), r.commands + 1, {false});
      if (!r.pred.error.empty()) {
        std::fprintf(stderr, "\nkiln-correlate: %s: the model refused the stream: %s\n", c.name.c_str(),
                     r.pred.error.c_str());
        return 1;
      }
      r.predicted = r.pred.cycles;
      const auto w0 = std::chrono::steady_clock::now();
      dev.wait(dev.submit(cb));
      r.wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - w0).count();
      const kiln_timestamps ts = dev.timestamps();
      if (ts.irq_ns == 0 || ts.irq_ns <= ts.doorbell_ns) {
        // The fence interrupt came while kiln_wait was still in its first host-link
        // reads: the device time is not known to the cycle.
        std::fprintf(stderr, "\nkiln-correlate: %s finished before the host started waiting on its interrupt "
                             "(too short to time); make the case longer\n", c.name.c_str());
        return 1;
      }
      r.measured = static_cast<uint64_t>(std::llround(double(ts.irq_ns - ts.doorbell_ns) * hw.clock_mhz / 1000.0));
      r.error_pct = 100.0 * (double(r.predicted) - double(r.measured)) / double(r.measured);
      std::printf("%6zu %11llu %11llu %+7.2f%%   [%zu/%zu, %.1f s]\n", r.commands,
                  static_cast<unsigned long long>(r.measured), static_cast<unsigned long long>(r.predicted),
                  r.error_pct, n, selected, r.wall_s);
      std::fflush(stdout);
      rows.push_back(std::move(r));
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "\nkiln-correlate: %s\n", e.what());
    return 1;
  }

  double sum = 0, worst = 0;
  std::string worst_name;
  for (const Row& r : rows) {
    sum += std::fabs(r.error_pct);
    if (std::fabs(r.error_pct) >= worst) worst = std::fabs(r.error_pct), worst_name = r.name;
  }
  const double mean = sum / double(rows.size());
  std::printf("%zu cases: mean |error| %.2f %%, max |error| %.2f %% (%s)\n", rows.size(), mean, worst,
              worst_name.c_str());

  const std::string path = out + "/report.json";
  std::ofstream f(path);
  f << "{\"backend\": \"" << backend << "\", \"hardware\": \"" << hw.summary() << "\",\n \"summary\": {\"cases\": "
    << rows.size() << ", \"mean_abs_error_pct\": " << mean << ", \"max_abs_error_pct\": " << worst
    << ", \"worst_case\": \"" << worst_name << "\"},\n \"cases\": [";
  for (size_t i = 0; i < rows.size(); ++i) f << (i ? ",\n  " : "\n  ") << json_row(rows[i]);
  f << "]}\n";
  if (!f) {
    std::fprintf(stderr, "kiln-correlate: writing %s failed\n", path.c_str());
    return 1;
  }
  std::printf("report: %s\n", path.c_str());
  if (check && (mean > max_mean || worst > max_case)) {
    std::fprintf(stderr, "kiln-correlate: over the limits: mean %.2f %% (limit %.2f), max %.2f %% (limit %.2f)\n",
                 mean, max_mean, worst, max_case);
    return 1;
  }
  return 0;
}
