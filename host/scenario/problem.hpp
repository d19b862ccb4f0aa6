// The vocabulary of bad input: one problem (key, file position, value, what is allowed) and the
// exception that carries all of a scenario's problems. Shared by the parser, the field reader
// and the overrides, so that none of them includes another for it.
#pragma once
#include <cstddef>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace hedgemap {

// Longest location, key or value echoed in a problem line.
inline constexpr std::size_t kMaxEchoedBytes = 160;

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

  // "<location>: <key> = <value>: <message>" (parts that are empty are left out), control
  // characters escaped (printable()), a location, key or value longer than kMaxEchoedBytes cut.
  std::string line_text() const;
};

// At most this many problems are listed per key (array indices ignored: grid.volatility[7] counts
// for grid.volatility) and in all; the rest are counted on one line per key,
//   x.toml: ... and 99,990 more problems in grid.volatility
inline constexpr std::size_t kMaxProblemsPerKey = 10, kMaxProblemsListed = 100;

// Thrown by parse_scenario / load_scenario_file; what() is every listed problem's line_text(),
// one per line, in file order. The CLI prints them and exits with status 2.
class ScenarioError : public std::runtime_error {
 public:
  // Keeps the first kMaxProblemsPerKey problems of each key and kMaxProblemsListed in all, and
  // appends the count of the rest (see above).
  explicit ScenarioError(std::vector<ScenarioProblem> problems);
  std::vector<ScenarioProblem> problems;  // the listed ones, then the "... and N more" lines
  std::size_t count = 0;                  // every problem found, listed or not

 private:
  struct Listed {
    std::size_t count;
    std::vector<ScenarioProblem> problems;
  };
  explicit ScenarioError(Listed listed);
};

// `text` with control characters (C0, DEL, and C1 as UTF-8) written as \u00XX, so that no input
// reaches a terminal raw (an escape sequence in a name, a key or a path).
std::string printable(std::string_view text);

// Location string used for problems that come from command-line overrides.
inline constexpr std::string_view kOverrideLocation = "--set";

// A command-line option that sets one scenario key: `--paths 100` is {"--paths",
// "simulation.paths", "100"}. Problems with its value are reported at the option's name.
struct OptionOverride {
  std::string option;  // "--paths"
  std::string key;     // "simulation.paths"
  std::string value;   // as given, read as a TOML value
};

}  // namespace hedgemap
