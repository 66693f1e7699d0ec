// Debug outputs of kiln-cosim (docs/debugging.md): the --waves window and
// the --trace file.
#pragma once

#include <cstdint>
#include <string>

namespace kiln::cosim {

// After the run: reads <fst>.info written by the RTL island and says which
// cycle window the FST holds (true, *msg) or why there is no FST (false,
// *msg: e.g. --wave-cmd beyond the run's command count).
bool check_waves(const std::string &fst, uint64_t wave_cmd, std::string *msg);

// After the run: whether the run trace at `path` was completed (its closing
// otherData block is there) and, in *msg, its path, event count, simulated
// span and size; false + *msg saying what is wrong otherwise.
bool check_trace(const std::string &path, std::string *msg);
// Removes `path` if it is a regular file (never a directory given by mistake).
void remove_stale(const std::string &path);

}  // namespace kiln::cosim
