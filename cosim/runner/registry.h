// The co-simulation test registry: each test is a workload, its golden check,
// its tolerance and the performance figures it reports.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "kiln/kiln.h"
#include "report.h"

namespace kiln::cosim {

// Options given on the command line as --name value. Each test declares the
// options it accepts; anything else is refused with the list of valid ones.
struct Option {
  std::string name;
  std::string default_value;
  std::string help;
};

class Options {
 public:
  explicit Options(std::map<std::string, std::string> v) : values_(std::move(v)) {}
  std::string str(const std::string &name) const;
  long long integer(const std::string &name) const;  // throws std::invalid_argument with a message
  double real(const std::string &name) const;

 private:
  std::map<std::string, std::string> values_;
};

struct Context {
  std::string backend;
  std::string out_dir;  // build/cosim/<test>
  Options opts;
  // --waves/--wave-*: passed to every device the test opens (wave_file
  // points into `waves`, which outlives the test run).
  std::string waves;
  std::string trace;  // --trace: run trace JSON (open.trace_file points into it)
  kiln_open_options open{};
  const kiln_open_options *open_options() const { return waves.empty() && trace.empty() ? nullptr : &open; }
};

struct Result {
  bool passed = false;
  std::string summary;  // a few lines for the terminal
  Json report;          // written to <out_dir>/report.json
};

struct Test {
  std::string name;
  std::string description;
  std::vector<Option> options;
  std::function<Result(Context &)> run;
};

std::vector<Test> &registry();
struct Register {
  explicit Register(Test t) { registry().push_back(std::move(t)); }
};

}  // namespace kiln::cosim
