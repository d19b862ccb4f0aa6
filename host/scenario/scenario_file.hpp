// Reading a scenario file: only a regular file of at most kMaxScenarioFileBytes is read, so a FIFO,
// a device (/dev/zero grows without end), a directory or a huge file is refused before any read.
#pragma once
#include <cstddef>
#include <string>

namespace hedgemap {

// The largest scenario file accepted (README, "Scenario reference"); the presets are ~3 KB.
inline constexpr std::size_t kMaxScenarioFileBytes = std::size_t{1} << 20;  // 1 MiB

// The file's bytes. Throws ScenarioError (location: the path) when it cannot be opened, is not a
// regular file, or is larger than kMaxScenarioFileBytes.
std::string read_scenario_file(const std::string& path);

}  // namespace hedgemap
