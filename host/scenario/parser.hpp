// Reading a scenario: TOML text (+ command-line `--set key=value` overrides) -> Scenario, with
// every problem of the input collected and reported at once (docs/scenario.md, "Bad input").
// A scenario that parses is complete and in range; nothing downstream re-validates it.
#pragma once
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "host/scenario/problem.hpp"
#include "host/scenario/scenario.hpp"

namespace hedgemap {

// Parses `toml_text` (named `source_name` in messages), applies `overrides` ("dotted.key=value",
// value read as a TOML value, or as a string when it is not one: `jumps.model=kou`), then the
// options that set one key (`--paths`, `--seed`; refused when a --set gave that key another
// value), validates, and returns the scenario with defaults for absent keys. A text toml++ must not
// see (nested deeper than kMaxTomlNesting, non-ASCII outside strings:
// host/scenario/toml_precheck.hpp) is refused before it is parsed. Throws ScenarioError.
Scenario parse_scenario(std::string_view toml_text, const std::string& source_name,
                        const std::vector<std::string>& overrides = {},
                        const std::vector<OptionOverride>& options = {});

// Reads the file at `path` (a regular file of at most 1 MiB: host/scenario/scenario_file.hpp) and
// calls parse_scenario with the path as source name.
Scenario load_scenario_file(const std::string& path, const std::vector<std::string>& overrides = {},
                            const std::vector<OptionOverride>& options = {});

}  // namespace hedgemap
