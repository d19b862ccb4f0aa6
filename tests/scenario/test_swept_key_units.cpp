// The units of the keys [grid.axes] may sweep (swept_key_unit): every numeric key of the
// sweepable sections that docs/scenario.md documents has a unit in the table, the one the docs
// give it, and no key of the table is missing from the docs; a swept axis carries its key's unit,
// risk_aversion's following the objective. The units in a results file: tests/python.
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <sstream>
#include <string>

#include "host/scenario/grid_axes.hpp"
#include "host/scenario/parser.hpp"

namespace hedgemap {
namespace {

// docs/scenario.md's rows "| `costs.gas` | number, quote | ..." of the sweepable sections:
// key -> the unit after "number, " ("" for a pure number).
std::map<std::string, std::string> documented_numeric_keys() {
  std::ifstream in(std::string(HEDGEMAP_SOURCE_DIR) + "/docs/scenario.md");
  EXPECT_TRUE(in.good());
  std::map<std::string, std::string> keys;
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("| `", 0) != 0) continue;
    const std::size_t key_end = line.find("` | ", 3);
    if (key_end == std::string::npos) continue;
    const std::string key = line.substr(3, key_end - 3);
    bool sweepable = false;
    for (const std::string& prefix : scenario_detail::sweepable_prefixes())
      if (key.rfind(prefix, 0) == 0 && key.find('.', prefix.size()) == std::string::npos)
        sweepable = true;
    const std::string type = line.substr(key_end + 4, line.find(" |", key_end + 4) - key_end - 4);
    if (!sweepable || type.rfind("number", 0) != 0) continue;
    keys[key] = type.size() > 8 ? type.substr(8) : "";  // "number, quote" -> "quote"
  }
  return keys;
}

// The docs' short spelling -> the results file's.
std::string results_spelling(const std::string& documented) {
  static const std::map<std::string, std::string> spelling{
      {"", "1"},
      {"1/yr", "1/year"},
      {"1/yr^0.5", "1/year^0.5"},
      {"h", "hour"},
      {"s", "s"},
      {"bp", "bps"},
      {"bps", "bps"},
      {"quote", "quote currency"},
      {"units", "units of the underlying"},
      {"units/day", "units of the underlying per day"}};
  const auto found = spelling.find(documented);
  return found == spelling.end() ? "(undocumented spelling: " + documented + ")" : found->second;
}

TEST(SweptKeyUnits, EveryDocumentedNumericKeyHasItsDocumentedUnit) {
  const std::map<std::string, std::string> documented = documented_numeric_keys();
  ASSERT_GE(documented.size(), 30u);  // the docs' tables were found
  for (const auto& [key, unit] : documented) {
    if (key == "hedging.objective.risk_aversion") continue;  // depends on the objective: below
    const std::string expected = results_spelling(unit);
    const std::string got = swept_key_unit(key, "mean_std");
    // The table may say more ("quote currency per transaction" for "quote").
    EXPECT_TRUE(got == expected || got.rfind(expected + " per ", 0) == 0)
        << key << ": docs '" << unit << "', table '" << got << "'";
  }
}

TEST(SweptKeyUnits, EveryKeyOfTheTableIsDocumented) {
  const std::map<std::string, std::string> documented = documented_numeric_keys();
  for (const auto& [key, unit] : scenario_detail::swept_key_units())
    EXPECT_EQ(documented.count(key), 1u) << key << " is not a documented numeric key";
  for (const char* key : {"costs.gas_price", "jumps.model", "costs.impact", "simulation.paths"})
    EXPECT_EQ(swept_key_unit(key, "mean_std"), "") << key;
}

TEST(SweptKeyUnits, RiskAversionFollowsTheObjective) {
  EXPECT_EQ(swept_key_unit("hedging.objective.risk_aversion", "mean_std"), "1");
  EXPECT_EQ(swept_key_unit("hedging.objective.risk_aversion", "mean_variance"), "1/quote currency");
  EXPECT_EQ(swept_key_unit("hedging.objective.risk_aversion", "utility"), "1/quote currency");
}

const std::string kScenario = R"(name = "t"
[simulation]
paths = 256
dt_hours = 6.0
[grid]
volatility = [0.4, 0.8]
expiry_days = [1, 2]
[[book]]
type = "call"
strike = 1.0
quantity = -1.0
[hedging]
policies = ["delta_band"]
)";

TEST(SweptKeyUnits, ASweptAxisCarriesItsKeysUnit) {
  const Scenario s = parse_scenario(kScenario + R"(
[hedging.objective]
kind = "mean_variance"
[grid.axes]
"costs.fee_bps" = [1, 5]
"costs.gas" = [0.5, 2.0]
"gaps.duration_hours" = [1.0, 6.0]
"hedging.objective.risk_aversion" = [0.001, 0.01]
)",
                                    "x.toml");
  ASSERT_EQ(s.grid.axes.size(), 4u);
  EXPECT_EQ(s.grid.axes[0].unit, "bps");
  EXPECT_EQ(s.grid.axes[1].unit, "quote currency per transaction");
  EXPECT_EQ(s.grid.axes[2].unit, "hour");
  EXPECT_EQ(s.grid.axes[3].unit, "1/quote currency");
  const Scenario mean_std = parse_scenario(
      kScenario + "[grid.axes]\n\"hedging.objective.risk_aversion\" = [0.5, 2.0]\n", "x.toml");
  EXPECT_EQ(mean_std.grid.axes[0].unit, "1");
}

}  // namespace
}  // namespace hedgemap
