// Small formatting helpers for error messages.
#ifndef KILN_DRIVER_UTIL_H
#define KILN_DRIVER_UTIL_H

#include <cstdarg>
#include <cstdint>
#include <cstdio>
#include <string>

namespace kiln {

inline std::string hex(uint64_t v) {
  char b[24];
  std::snprintf(b, sizeof b, "0x%llx", static_cast<unsigned long long>(v));
  return b;
}

// "[0x80000000, 0x80001000)"
inline std::string hex_range(uint64_t begin, uint64_t end) {
  return "[" + hex(begin) + ", " + hex(end) + ")";
}

__attribute__((format(printf, 1, 2))) inline std::string fmt(const char* f, ...) {
  va_list ap;
  va_start(ap, f);
  char buf[512];
  int n = std::vsnprintf(buf, sizeof buf, f, ap);
  va_end(ap);
  if (n < 0) return f;
  if (static_cast<size_t>(n) < sizeof buf) return std::string(buf, static_cast<size_t>(n));
  std::string out(static_cast<size_t>(n) + 1, '\0');
  va_start(ap, f);
  std::vsnprintf(&out[0], out.size(), f, ap);
  va_end(ap);
  out.resize(static_cast<size_t>(n));
  return out;
}

inline uint64_t ceil_div(uint64_t a, uint64_t b) { return (a + b - 1) / b; }

}  // namespace kiln

#endif  // KILN_DRIVER_UTIL_H
