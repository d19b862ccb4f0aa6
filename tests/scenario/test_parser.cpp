// The scenario reader: presets parse, defaults fill absent keys, --set overrides apply (bad input
// is in test_scenario_bad_input.cpp).
#include <gtest/gtest.h>

#include <cstdlib>

#include <algorithm>
#include <string>
#include <vector>

#include "host/scenario/parser.hpp"
#include "tests/support/scenario_inputs.hpp"

namespace hedgemap {
namespace {

using test_support::all_lines;
using test_support::find_key;
using test_support::kMinimalCppi;
using test_support::kMinimalHedging;
using test_support::problems_of;

// The repository root: compiled in, or HEDGEMAP_SOURCE_DIR from the environment when the test
// binary runs elsewhere (scripts/gpu_check.sh --prebuilt on a lent GPU machine).
const std::string kSourceDir =
    std::getenv("HEDGEMAP_SOURCE_DIR") ? std::getenv("HEDGEMAP_SOURCE_DIR") : HEDGEMAP_SOURCE_DIR;

// ---- files -----------------------------------------------------------------------------------

TEST(ScenarioParserFiles, DefaultScenarioParses) {
  const Scenario s = load_scenario_file(kSourceDir + "/scenarios/default.toml");
  EXPECT_EQ(s.name, "default");
  EXPECT_EQ(s.seed, 20261124u);
  EXPECT_EQ(s.simulation.paths, 10000u);
  EXPECT_EQ(s.grid.volatility, (std::vector<double>{0.4, 0.6, 0.8, 1.0}));
  EXPECT_EQ(s.grid.expiry_days, (std::vector<double>{1, 7, 30}));
  EXPECT_EQ(s.jumps.model, "merton");
  EXPECT_DOUBLE_EQ(s.jumps.log_stdev, 0.06);
  EXPECT_DOUBLE_EQ(s.gaps.gas_multiplier, 10.0);
  EXPECT_EQ(s.costs.impact, "amm");
  ASSERT_EQ(s.book.size(), 2u);
  EXPECT_EQ(s.book[1].type, "put");
  EXPECT_DOUBLE_EQ(s.book[1].quantity, -10.0);
  EXPECT_TRUE(s.hedging.present);
  EXPECT_EQ(s.hedging.policies.size(), 3u);
  EXPECT_EQ(s.hedging.whalley_wilmott_risk_aversion, (std::vector<double>{1e-4, 1e-3, 1e-2}));
  EXPECT_TRUE(s.cppi.present);
  EXPECT_EQ(s.cppi.objective.kind, "max_mean_gap");
  EXPECT_TRUE(s.vol_target.present);
  EXPECT_EQ(s.vol_target.target, (std::vector<double>{0.2, 0.4}));
}

TEST(ScenarioParserFiles, EveryPresetParses) {
  for (const char* preset : {"quantlib_discrete_hedging", "eth_l1_amm", "eth_l2_amm", "btc_cex",
                             "flash_crash_stress", "cppi_gap_risk", "eth_vega_risk"}) {
    SCOPED_TRACE(preset);
    const std::string path = kSourceDir + "/scenarios/" + preset + ".toml";
    try {
      const Scenario s = load_scenario_file(path);
      EXPECT_TRUE(s.hedging.present || s.cppi.present || s.vol_target.present);
      EXPECT_LE(s.simulation.paths, 50000u);  // presets stay quick on 2 cores
    } catch (const ScenarioError& error) {
      ADD_FAILURE() << error.what();
    }
  }
}

TEST(ScenarioParserFiles, QuantLibPresetMatchesTheExample) {
  const Scenario s = load_scenario_file(kSourceDir + "/scenarios/quantlib_discrete_hedging.toml");
  ASSERT_EQ(s.grid.expiry_days.size(), 1u);
  EXPECT_DOUBLE_EQ(s.grid.expiry_days[0] / s.days_per_year, 1.0 / 12.0);
  EXPECT_EQ(s.grid.volatility, std::vector<double>{0.2});
  EXPECT_EQ(s.simulation.steps, 21);
  EXPECT_EQ(s.steps_for_expiry(s.grid.expiry_days[0]), 21);
  EXPECT_EQ(s.simulation.precision, "double");
  EXPECT_DOUBLE_EQ(s.market.spot, 100.0);
  EXPECT_DOUBLE_EQ(s.market.rate, 0.05);
  EXPECT_DOUBLE_EQ(s.market.drift, 0.05);
  EXPECT_EQ(s.jumps.model, "none");
  EXPECT_DOUBLE_EQ(s.gaps.intensity, 0.0);
  EXPECT_DOUBLE_EQ(s.costs.fee_bps + s.costs.gas + s.costs.latency_seconds, 0.0);
  EXPECT_EQ(s.costs.impact, "none");
  ASSERT_EQ(s.book.size(), 1u);
  EXPECT_EQ(s.book[0].type, "call");
  EXPECT_DOUBLE_EQ(s.book[0].strike, 1.0);
  EXPECT_DOUBLE_EQ(s.book[0].quantity, -1.0);
  EXPECT_EQ(s.hedging.policies, std::vector<std::string>{"periodic"});
  EXPECT_EQ(s.hedging.periodic_every_steps, std::vector<int>{1});
  const Scenario s84 = load_scenario_file(kSourceDir + "/scenarios/quantlib_discrete_hedging.toml",
                                          {"simulation.steps=84"});
  EXPECT_EQ(s84.steps_for_expiry(s84.grid.expiry_days[0]), 84);
}

TEST(ScenarioParserFiles, EffectiveTomlParsesBackToTheSameScenario) {
  const Scenario a = load_scenario_file(kSourceDir + "/scenarios/default.toml",
                                        {"grid.volatility=[0.55, 0.9]", "costs.gas=10"});
  const Scenario b = parse_scenario(a.effective_toml, "effective.toml");
  EXPECT_EQ(b.grid.volatility, a.grid.volatility);
  EXPECT_EQ(b.grid.expiry_days, a.grid.expiry_days);
  EXPECT_EQ(b.costs.gas, 10.0);
  EXPECT_EQ(b.gaps.crash_log_stdev, a.gaps.crash_log_stdev);
  EXPECT_EQ(b.hedging.delta_band_band, a.hedging.delta_band_band);
  EXPECT_EQ(b.cppi.tolerance, a.cppi.tolerance);
  EXPECT_EQ(b.book.size(), a.book.size());
  EXPECT_EQ(b.effective_toml, a.effective_toml);
  // Shortest round-trip floats, not toml++'s 17 digits.
  EXPECT_NE(a.effective_toml.find("volatility = [0.55, 0.9]"), std::string::npos)
      << a.effective_toml;
}

TEST(ScenarioParserFiles, MissingFileIsAProblem) {
  try {
    load_scenario_file(kSourceDir + "/scenarios/no_such_file.toml");
    FAIL() << "no error";
  } catch (const ScenarioError& error) {
    ASSERT_EQ(error.problems.size(), 1u);
    EXPECT_NE(error.problems[0].location.find("no_such_file.toml"), std::string::npos);
  }
}

// ---- defaults --------------------------------------------------------------------------------

TEST(ScenarioParserDefaults, AbsentKeysAndSectionsTakeTheirDefaults) {
  const Scenario s = parse_scenario(kMinimalCppi, "x.toml");
  const Scenario d;  // the defaults of scenario.hpp
  EXPECT_EQ(s.name, "t");
  EXPECT_EQ(s.seed, d.seed);
  EXPECT_EQ(s.days_per_year, 365.0);
  EXPECT_EQ(s.simulation.paths, 1'000'000u);
  EXPECT_EQ(s.simulation.dt_hours, 1.0);
  EXPECT_FALSE(s.simulation.steps.has_value());
  EXPECT_EQ(s.simulation.precision, "float");
  EXPECT_EQ(s.simulation.backend, "auto");
  EXPECT_EQ(s.market.spot, 3000.0);
  EXPECT_EQ(s.volatility.model, "constant");
  EXPECT_EQ(s.volatility.realised_to_implied, 1.0);
  EXPECT_EQ(s.jumps.model, "none");
  EXPECT_EQ(s.jumps.intensity, 0.0);
  EXPECT_EQ(s.gaps.intensity, 0.0);
  EXPECT_EQ(s.costs.fee_bps, 0.0);
  EXPECT_EQ(s.costs.gas, 0.0);
  EXPECT_EQ(s.costs.impact, "none");
  EXPECT_TRUE(s.book.empty());
  EXPECT_FALSE(s.hedging.present);
  EXPECT_FALSE(s.vol_target.present);
  EXPECT_TRUE(s.cppi.present);
  EXPECT_EQ(s.cppi.floor, 0.9);
  EXPECT_EQ(s.cppi.multiplier, d.cppi.multiplier);
  EXPECT_EQ(s.cppi.tolerance, d.cppi.tolerance);
  EXPECT_EQ(s.cppi.objective.kind, "max_mean_gap");
  EXPECT_EQ(s.cppi.objective.gap_probability_max, 0.01);
}

TEST(ScenarioParserDefaults, HedgingWithoutPoliciesEvaluatesAllThree) {
  std::string text = kMinimalHedging;
  const std::string policies = "policies = [\"periodic\"]";
  text.replace(text.find(policies), policies.size(), "");
  const Scenario s = parse_scenario(text, "x.toml");
  EXPECT_EQ(s.hedging.policies,
            (std::vector<std::string>{"periodic", "delta_band", "whalley_wilmott"}));
  EXPECT_EQ(s.hedging.periodic_every_steps, (std::vector<int>{1, 2, 4, 8, 24}));
  EXPECT_EQ(s.hedging.objective.kind, "mean_std");
}

// delta_vega_band runs only when named; its keys, the vega instrument's and the option fee.
TEST(ScenarioParserDefaults, DeltaVegaBandKeys) {
  std::string text = kMinimalHedging;
  const std::string policies = "policies = [\"periodic\"]";
  text.replace(text.find(policies), policies.size(),
               "policies = [\"delta_vega_band\"]\n"
               "delta_vega_band.band = [0.1, 0.3]\n"
               "delta_vega_band.vega_band = [0, 0.2]\n"
               "vega_instrument.type = \"put\"\n"
               "vega_instrument.strike = 0.9\n"
               "vega_instrument.expiry_extra_days = 7\n"
               "[costs]\noption_fee_bps = 3.0");
  const Scenario s = parse_scenario(text, "x.toml");
  EXPECT_EQ(s.hedging.policies, (std::vector<std::string>{"delta_vega_band"}));
  EXPECT_EQ(s.hedging.delta_vega_band_band, (std::vector<double>{0.1, 0.3}));
  EXPECT_EQ(s.hedging.delta_vega_band_vega_band, (std::vector<double>{0.0, 0.2}));
  EXPECT_EQ(s.hedging.vega_instrument_type, "put");
  EXPECT_EQ(s.hedging.vega_instrument_strike, 0.9);
  EXPECT_EQ(s.hedging.vega_instrument_expiry_extra_days, 7.0);
  EXPECT_EQ(s.costs.option_fee_bps, 3.0);
}

TEST(ScenarioParserDefaults, FixedCostBandIsReadAndEvaluatedOnlyWhenListed) {
  std::string text = kMinimalHedging;
  const std::string policies = "policies = [\"periodic\"]";
  text.replace(text.find(policies), policies.size(),
               "policies = [\"whalley_wilmott\", \"fixed_cost_band\"]\n"
               "fixed_cost_band.risk_aversion = [1e-3, 2e-2]");
  const Scenario s = parse_scenario(text, "x.toml");
  EXPECT_EQ(s.hedging.policies, (std::vector<std::string>{"whalley_wilmott", "fixed_cost_band"}));
  EXPECT_EQ(s.hedging.fixed_cost_band_risk_aversion, (std::vector<double>{1e-3, 2e-2}));
  // Absent: the default axis, and the policy is not among the defaults' (old files unchanged).
  const Scenario d = parse_scenario(kMinimalHedging, "x.toml");
  EXPECT_EQ(d.hedging.fixed_cost_band_risk_aversion, (std::vector<double>{1e-4, 1e-3, 1e-2}));
}

TEST(ScenarioParserDefaults, StepsForExpiry) {
  Scenario s;
  s.simulation.dt_hours = 1.0;
  EXPECT_EQ(s.steps_for_expiry(7.0), 168);
  s.simulation.dt_hours = 0.5;
  EXPECT_EQ(s.steps_for_expiry(1.0), 48);
  EXPECT_EQ(s.steps_for_expiry(0.01), 1);  // 0.48 rounds to 0: at least one step
  s.simulation.dt_hours = 5.0;
  EXPECT_EQ(s.steps_for_expiry(1.0), 5);  // 24 / 5 = 4.8 -> 5
  s.simulation.steps = 21;
  EXPECT_EQ(s.steps_for_expiry(90.0), 21);
}

// ---- overrides -------------------------------------------------------------------------------

TEST(ScenarioParserOverrides, NumberArrayStringAndBareWord) {
  const Scenario s =
      parse_scenario(kMinimalCppi, "x.toml",
                     {"costs.gas=10", "grid.volatility=[0.5,0.9]", "jumps.model=\"kou\"",
                      "simulation.precision=double", "seed=7", "cppi.floor = 0.8"});
  EXPECT_EQ(s.costs.gas, 10.0);  // an integer where a float is expected is fine
  EXPECT_EQ(s.grid.volatility, (std::vector<double>{0.5, 0.9}));
  EXPECT_EQ(s.jumps.model, "kou");
  EXPECT_EQ(s.simulation.precision, "double");  // bare word read as a string
  EXPECT_EQ(s.seed, 7u);
  EXPECT_EQ(s.cppi.floor, 0.8);
  for (const char* expected : {"gas = 10", "volatility = [0.5, 0.9]", "model = \"kou\"",
                               "precision = \"double\"", "seed = 7", "floor = 0.8"}) {
    EXPECT_NE(s.effective_toml.find(expected), std::string::npos) << expected << " not in\n"
                                                                  << s.effective_toml;
  }
}

TEST(ScenarioParserOverrides, CreateAbsentSectionsAndLaterOverridesWin) {
  const Scenario s = parse_scenario(
      kMinimalHedging, "x.toml",
      {"vol_target.capital=5e5", "costs.fee_bps=1", "costs.fee_bps=3", "book[0].strike=1.1"});
  EXPECT_TRUE(s.vol_target.present);
  EXPECT_EQ(s.vol_target.capital, 5e5);
  EXPECT_EQ(s.costs.fee_bps, 3.0);
  EXPECT_EQ(s.book[0].strike, 1.1);
}

TEST(ScenarioParserOverrides, BadOverridesAreReportedAtSet) {
  const auto problems = problems_of(kMinimalCppi, {"costs.fee_bp=3", "grid.volatility=[0.5,-0.9]",
                                                   "noequals", "book[3].strike=1"});
  ASSERT_EQ(problems.size(), 4u) << all_lines(problems);
  for (const ScenarioProblem& p : problems) EXPECT_EQ(p.location, "--set") << p.line_text();
  const ScenarioProblem* typo = find_key(problems, "costs.fee_bp");
  ASSERT_NE(typo, nullptr) << all_lines(problems);
  EXPECT_NE(typo->message.find("fee_bps"), std::string::npos);
  const ScenarioProblem* negative = find_key(problems, "grid.volatility[1]");
  ASSERT_NE(negative, nullptr) << all_lines(problems);
  EXPECT_EQ(negative->line_text(), "--set: grid.volatility[1] = -0.9: must be > 0");
  EXPECT_NE(find_key(problems, "noequals"), nullptr);
  EXPECT_NE(find_key(problems, "book[3].strike"), nullptr);
}

}  // namespace
}  // namespace hedgemap
