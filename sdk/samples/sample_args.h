// Command-line handling shared by the C++ samples: --backend NAME (default
// $KILN_BACKEND, else "fast", like the Python SDK) and --help.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

namespace kiln_samples {

// Returns false when the program should exit (help shown, or a bad argument:
// *exit_code says which).
inline bool parse_args(int argc, char** argv, const char* usage, std::string* backend, int* exit_code) {
  const char* env = std::getenv("KILN_BACKEND");
  *backend = env && *env ? env : "fast";
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--help") || !std::strcmp(argv[i], "-h")) {
      std::printf("%s\n  --backend NAME   fast (default, or $KILN_BACKEND) or rtl (the Verilated NPU)\n", usage);
      *exit_code = 0;
      return false;
    }
    if (!std::strcmp(argv[i], "--backend") && i + 1 < argc) {
      *backend = argv[++i];
      continue;
    }
    std::fprintf(stderr, "%s: unknown argument '%s' (try --help)\n", argv[0], argv[i]);
    *exit_code = 2;
    return false;
  }
  return true;
}

}  // namespace kiln_samples
