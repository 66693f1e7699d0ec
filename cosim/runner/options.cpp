#include <stdexcept>

#include "registry.h"

namespace kiln::cosim {

std::vector<Test> &registry() {
  static std::vector<Test> tests;
  return tests;
}

std::string Options::str(const std::string &name) const {
  auto it = values_.find(name);
  if (it == values_.end()) throw std::invalid_argument("option --" + name + " is not declared by this test");
  return it->second;
}

long long Options::integer(const std::string &name) const {
  const std::string s = str(name);
  size_t used = 0;
  long long v = 0;
  try {
    v = std::stoll(s, &used, 0);
  } catch (const std::exception &) {
    used = 0;
  }
  if (used != s.size() || s.empty()) throw std::invalid_argument("option --" + name + " must be an integer, got '" + s + "'");
  return v;
}

double Options::real(const std::string &name) const {
  const std::string s = str(name);
  size_t used = 0;
  double v = 0;
  try {
    v = std::stod(s, &used);
  } catch (const std::exception &) {
    used = 0;
  }
  if (used != s.size() || s.empty()) throw std::invalid_argument("option --" + name + " must be a number, got '" + s + "'");
  return v;
}

}  // namespace kiln::cosim
