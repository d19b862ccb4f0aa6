// What a TOML text must not contain before toml++ (Debian's 3.3.0) parses it, found by one scan:
// - nesting deeper than kMaxTomlNesting: toml++ parses and destroys nested tables recursively, so
//   ~30,000 levels of dotted keys or table headers overflow the stack (a segfault). A scenario
//   needs 4 levels (hedging.objective.kind = "cvar").
// - a non-ASCII character where toml++ asks whether it is whitespace: outside strings and
//   comments, in a quoted key, or after a backslash in a multi-line basic string. toml++'s
//   is_non_ascii_horizontal_whitespace() reaches __builtin_unreachable() for U+00A1..U+0499
//   (undefined behaviour, found by fuzz_scenario). TOML allows non-ASCII characters outside
//   strings and comments nowhere, and every scenario key is ASCII.
#pragma once
#include <optional>
#include <string>
#include <string_view>

namespace hedgemap {

// Levels of tables and arrays a scenario may nest (README, "Scenario reference"): the key a.b.c
// in [x.y] is at depth 5; every array and inline table opened in a value adds one.
inline constexpr int kMaxTomlNesting = 32;

struct TomlPrecheckProblem {
  enum class Kind { nesting, non_ascii };
  Kind kind = Kind::nesting;
  int line = 0;         // 1-based line of the problem
  int depth = 0;        // nesting: the depth reached there (at least the limit + 1)
  std::string message;  // what is wrong and what is allowed, without the position
};

// Scans `text` as TOML (strings, comments, headers, dotted keys, arrays and inline tables; no
// recursion, linear time) and returns its first problem, or nothing. Malformed TOML is scanned as
// well as it can be: toml++ reports the syntax afterwards. `base_depth` is the depth of the table
// the text is parsed into (an override's key parts).
std::optional<TomlPrecheckProblem> precheck_toml(std::string_view text, int nesting_limit,
                                                 int base_depth = 0);

}  // namespace hedgemap
