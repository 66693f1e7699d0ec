// A flat JSON report: ordered keys, numbers, strings, booleans and nested
// objects. Enough for report.json files; no external JSON library needed.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

namespace kiln::cosim {

class Json {
 public:
  Json &set(const std::string &key, double v);
  template <typename T, std::enable_if_t<std::is_integral_v<T> && !std::is_same_v<T, bool>, int> = 0>
  Json &set(const std::string &key, T v) {
    put(key, std::to_string(v));
    return *this;
  }
  Json &set(const std::string &key, bool v);
  Json &set(const std::string &key, const std::string &v);
  Json &set(const std::string &key, const char *v) { return set(key, std::string(v)); }
  Json &set(const std::string &key, const Json &obj);
  std::string dump(int indent = 0) const;
  bool write_file(const std::string &path, std::string *err) const;

 private:
  void put(const std::string &key, std::string raw);
  std::vector<std::pair<std::string, std::string>> items_;  // key, already-encoded value
};

std::string json_escape(const std::string &s);

}  // namespace kiln::cosim
