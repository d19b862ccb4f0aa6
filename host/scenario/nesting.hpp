// How deeply a TOML text nests tables and arrays, measured before toml++ parses it: toml++
// parses and destroys nested tables recursively, so ~30,000 levels of dotted keys or table headers
// overflow the stack. A scenario needs 4 levels (hedging.objective.kind = "cvar"); a text deeper
// than kMaxTomlNesting is refused with the line where it gets too deep.
#pragma once
#include <cstddef>
#include <optional>
#include <string_view>

namespace hedgemap {

// Levels of tables and arrays a scenario may nest (README, "Scenario reference"): the key a.b.c
// in [x.y] is at depth 5; every array and inline table opened in a value adds one.
inline constexpr int kMaxTomlNesting = 32;

struct NestingExcess {
  int line = 0;   // 1-based line where the depth first exceeds the limit
  int depth = 0;  // the depth reached there (at least limit + 1)
};

// Scans `text` as TOML (strings, comments, headers, dotted keys, arrays and inline tables; no
// recursion, linear time) and returns where the nesting first exceeds `limit`, or nothing.
// Malformed TOML is scanned as well as it can be: toml++ reports the syntax afterwards.
// `base_depth` is the depth of the table the text is parsed into (an override's key segments).
std::optional<NestingExcess> find_excess_nesting(std::string_view text, int limit,
                                                 int base_depth = 0);

}  // namespace hedgemap
