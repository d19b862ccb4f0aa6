// `--set dotted.key=value` overrides, applied to the parsed TOML table before validation so the
// same checks cover them. Keys may index arrays: `book[1].strike=1.1`, `grid.volatility[0]=0.5`.
#pragma once
#include <string>
#include <string_view>
#include <vector>

#include <toml++/toml.h>

#include "host/scenario/problem.hpp"

namespace hedgemap::scenario_detail {

// Sets `text` = "dotted.key=value" in `root`. The value is read as a TOML value ("10",
// "[0.5, 0.9]", "\"kou\"") or, when it is not one, as a string (`jumps.model=kou`). Missing tables
// are created, so an absent section appears. Unknown keys are inserted too: the validating pass
// reports them, with `location` ("--set", or the option that gave the override: override nodes
// carry it as their source path, not a file position). Malformed overrides, and overrides nested
// deeper than kMaxTomlNesting (host/scenario/toml_precheck.hpp), are appended to `problems`; a
// value with non-ASCII characters outside quotes is read as a string (toml++ must not parse it).
void apply_override(toml::table& root, const std::string& text,
                    std::vector<ScenarioProblem>& problems,
                    std::string_view location = kOverrideLocation);

// Sets a command-line option's key (`--paths 100`: simulation.paths = 100) after the --set
// overrides. A --set that gave the same key another value is a problem (which one was meant?).
void apply_option_override(toml::table& root, const OptionOverride& option,
                           std::vector<ScenarioProblem>& problems);

}  // namespace hedgemap::scenario_detail
