// Small scenario texts and the problems parse_scenario reports, for the scenario parser tests.
#pragma once
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "host/scenario/parser.hpp"

namespace hedgemap::test_support {

// A minimal valid scenario: one grid and CPPI with every CPPI key at its default.
inline const char* const kMinimalCppi = R"(name = "t"
[grid]
volatility = [0.4, 0.8]
expiry_days = [1, 7]
[cppi]
)";

// A minimal valid hedging scenario; line numbers matter to the position tests.
inline const char* const kMinimalHedging = R"(name = "t"
[grid]
volatility = [0.4, 0.8]
expiry_days = [1, 7]
[[book]]
type = "call"
strike = 1.0
quantity = -1.0
[hedging]
policies = ["periodic"]
)";

// The problems parse_scenario reports (empty when it succeeds).
inline std::vector<ScenarioProblem> problems_of(const std::string& text,
                                                const std::vector<std::string>& overrides = {}) {
  try {
    parse_scenario(text, "x.toml", overrides);
  } catch (const ScenarioError& error) {
    EXPECT_FALSE(error.problems.empty());
    return error.problems;
  }
  return {};
}

inline const ScenarioProblem* find_key(const std::vector<ScenarioProblem>& problems,
                                       const std::string& key) {
  for (const ScenarioProblem& p : problems) {
    if (p.key == key) return &p;
  }
  return nullptr;
}

inline std::string all_lines(const std::vector<ScenarioProblem>& problems) {
  std::string out;
  for (const ScenarioProblem& p : problems) out += p.line_text() + "\n";
  return out;
}

}  // namespace hedgemap::test_support
