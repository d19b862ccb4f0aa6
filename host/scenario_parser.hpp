// Reading a scenario: TOML text (+ command-line `--set key=value` overrides) -> Scenario, with
// every problem of the input collected and reported at once (../shared/spec/scenario.md, "Bad
// input"). A scenario that parses is complete and in range; nothing downstream re-validates it.
#pragma once
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "host/scenario.hpp"

namespace hedgemap {

// One thing wrong with the input. Print it with line():
//   scenarios/x.toml:12:14: grid.volatility[2] = -0.3: must be > 0
struct ScenarioProblem {
  std::string key;       // dotted key, arrays indexed: "grid.volatility[2]", "book[1].strike";
                         // empty for a TOML syntax error
  std::string location;  // "file:line:col" where toml++ knows it, else "file", or "--set"
  std::string message;   // what is allowed: "must be > 0", "unknown key; allowed keys of ..."
  std::string value;     // the offending value as TOML ("-0.3", "\"kou\""), empty if none/absent
  int line = 0;          // 1-based source position inside the file, 0 when unknown
  int column = 0;

  // "<location>: <key> = <value>: <message>" (parts that are empty are left out).
  std::string line_text() const;
};

// Thrown by parse_scenario / load_scenario_file; what() is every problem's line_text(), one per
// line, in file order. The CLI prints what() and exits with status 2.
class ScenarioError : public std::runtime_error {
 public:
  explicit ScenarioError(std::vector<ScenarioProblem> problems);
  std::vector<ScenarioProblem> problems;
};

// Location string used for problems that come from command-line overrides.
inline constexpr std::string_view kOverrideLocation = "--set";

// Parses `toml_text` (named `source_name` in messages), applies `overrides` ("dotted.key=value",
// value read as a TOML value, or as a string when it is not one: `jumps.model=kou`), validates,
// and returns the scenario with defaults for absent keys. Throws ScenarioError.
Scenario parse_scenario(std::string_view toml_text, const std::string& source_name,
                        const std::vector<std::string>& overrides = {});

// Reads the file at `path` and calls parse_scenario with the path as source name.
Scenario load_scenario_file(const std::string& path,
                            const std::vector<std::string>& overrides = {});

}  // namespace hedgemap
