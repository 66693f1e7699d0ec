// Waveform window checks for kiln-cosim --waves (docs/debugging.md).
#pragma once

#include <cstdint>
#include <string>

namespace kiln::cosim {

// After the run: reads <fst>.info written by the RTL island and says which
// cycle window the FST holds (true, *msg) or why there is no FST (false,
// *msg: e.g. --wave-cmd beyond the run's command count).
bool check_waves(const std::string &fst, uint64_t wave_cmd, std::string *msg);

}  // namespace kiln::cosim
