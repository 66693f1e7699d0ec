#include "waves.h"

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

}  // namespace kiln::cosim
