#include "report.h"

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>
#include <sys/stat.h>

namespace kiln::cosim {

std::string json_escape(const std::string &s) {
  std::string out = "\"";
  for (char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out += c;
        }
    }
  }
  return out + "\"";
}

void Json::put(const std::string &key, std::string raw) {
  for (auto &kv : items_)
    if (kv.first == key) {
      kv.second = std::move(raw);
      return;
    }
  items_.emplace_back(key, std::move(raw));
}

Json &Json::set(const std::string &key, double v) {
  if (!std::isfinite(v)) {
    put(key, "null");  // JSON has no Inf/NaN
  } else {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.9g", v);
    put(key, buf);
  }
  return *this;
}
Json &Json::set(const std::string &key, bool v) { put(key, v ? "true" : "false"); return *this; }
Json &Json::set(const std::string &key, const std::string &v) { put(key, json_escape(v)); return *this; }
Json &Json::set(const std::string &key, const Json &obj) { put(key, obj.dump(-1)); return *this; }

std::string Json::dump(int indent) const {
  // indent < 0: compact (nested objects); otherwise one key per line.
  std::ostringstream os;
  os << "{";
  for (size_t i = 0; i < items_.size(); ++i) {
    os << (i ? "," : "");
    if (indent >= 0) os << "\n  ";
    os << json_escape(items_[i].first) << (indent >= 0 ? ": " : ":") << items_[i].second;
  }
  if (indent >= 0 && !items_.empty()) os << "\n";
  os << "}";
  return os.str();
}

static bool make_dirs(const std::string &dir, std::string *err) {
  std::string cur;
  std::stringstream ss(dir);
  std::string part;
  if (!dir.empty() && dir[0] == '/') cur = "/";
  while (std::getline(ss, part, '/')) {
    if (part.empty()) continue;
    cur += part + "/";
    if (mkdir(cur.c_str(), 0755) != 0 && errno != EEXIST) {
      *err = "cannot create directory " + cur + ": " + std::strerror(errno);
      return false;
    }
  }
  return true;
}

bool Json::write_file(const std::string &path, std::string *err) const {
  const auto slash = path.rfind('/');
  if (slash != std::string::npos && !make_dirs(path.substr(0, slash), err)) return false;
  std::ofstream f(path);
  if (!f) {
    *err = "cannot write " + path + ": " + std::strerror(errno);
    return false;
  }
  f << dump() << "\n";
  return bool(f);
}

}  // namespace kiln::cosim
