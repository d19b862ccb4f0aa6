// The vocabulary of bad input: one problem (key, file position, value, what is allowed) and the
// exception that carries all of a scenario's problems. Shared by the parser, the field reader
// and the overrides, so that none of them includes another for it.
#pragma once
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

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

}  // namespace hedgemap
