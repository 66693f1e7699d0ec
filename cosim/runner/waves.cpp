#include "waves.h"

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <sys/stat.h>

namespace kiln::cosim {

bool check_waves(const std::string &fst, uint64_t wave_cmd, std::string *msg) {
  std::ifstream in(fst + ".info");
  if (!in) {
    *msg = "no waveform written to " + fst + ": the RTL island never ran (is the backend rtl?)";
    return false;
  }
  uint64_t commands = 0, from = 0, to = 0;
  bool window = false;
  for (std::string line; std::getline(in, line);) {
    std::istringstream ls(line);
    std::string key;
    ls >> key;
    if (key == "commands") ls >> commands;
    else if (key == "window") window = static_cast<bool>(ls >> from >> to);
  }
  struct stat st {};
  if (!window || stat(fst.c_str(), &st) != 0) {
    if (wave_cmd)
      *msg = "--wave-cmd " + std::to_string(wave_cmd) + ": the run executed only " + std::to_string(commands) +
             " commands (1.." + std::to_string(commands) + "), no waveform written";
    else
      *msg = "the cycle window was never reached (the NPU clocked fewer cycles), no waveform written to " + fst;
    return false;
  }
  *msg = "waves: " + fst + " holds NPU cycles " + std::to_string(from) + ".." + std::to_string(to) +
         (wave_cmd ? " (command " + std::to_string(wave_cmd) + " of " + std::to_string(commands) + ")" : "") +
         ", " + std::to_string((st.st_size + 1023) / 1024) + " KiB";
  return true;
}

void remove_stale(const std::string &path) {
  struct stat st {};
  if (stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode)) std::remove(path.c_str());
}

bool check_trace(const std::string &path, std::string *msg) {
  struct stat st {};
  std::ifstream in(path, std::ios::binary);
  if (stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode) || !in) {
    *msg = "no trace written to " + path;
    return false;
  }
  // The writer ends the file with {"otherData":{...,"end_ns":N,"events":N}}.
  in.seekg(0, std::ios::end);
  const std::streamoff size = in.tellg();
  const std::streamoff tail = std::min<std::streamoff>(size, 512);
  std::string end(static_cast<size_t>(tail), '\0');
  in.seekg(size - tail);
  in.read(&end[0], tail);
  auto field = [&](const char *key, unsigned long long *v) {
    const std::string k = std::string("\"") + key + "\":";
    const size_t at = end.rfind(k);
    return at != std::string::npos && std::sscanf(end.c_str() + at + k.size(), "%llu", v) == 1;
  };
  unsigned long long events = 0, end_ns = 0;
  if (end.find("\"otherData\"") == std::string::npos || !field("events", &events) || !field("end_ns", &end_ns)) {
    *msg = "the trace " + path + " is incomplete (the device was not closed, or writing it failed)";
    return false;
  }
  *msg = "trace: " + path + " (" + std::to_string(events) + " events over " + std::to_string(end_ns) +
         " simulated ns, " + std::to_string((size + 1023) / 1024) + " KiB; open it in ui.perfetto.dev)";
  return true;
}

}  // namespace kiln::cosim
