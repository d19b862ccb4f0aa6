// Bad scenarios (docs/scenario.md, "Bad input"): every class of problem is reported
// with the key, the file:line:col where toml++ knows it, and what is allowed.
#include <gtest/gtest.h>

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

TEST(ScenarioParserBadInput, WrongType) {
  const auto problems = problems_of(std::string(kMinimalCppi) + "capital = \"lots\"\n");
  ASSERT_EQ(problems.size(), 1u) << all_lines(problems);
  EXPECT_EQ(problems[0].key, "cppi.capital");
  EXPECT_EQ(problems[0].location, "x.toml:6:11");
  EXPECT_EQ(problems[0].line_text(), "x.toml:6:11: cppi.capital = \"lots\": must be a number > 0");
}

TEST(ScenarioParserBadInput, OutOfRangeGridElement) {
  std::string text = kMinimalCppi;
  text.replace(text.find("[0.4, 0.8]"), 10, "[0.4, 0.8, -0.3]");
  const auto problems = problems_of(text);
  ASSERT_EQ(problems.size(), 1u) << all_lines(problems);
  EXPECT_EQ(problems[0].line_text(), "x.toml:3:25: grid.volatility[2] = -0.3: must be > 0");
  EXPECT_EQ(problems[0].line, 3);
  EXPECT_EQ(problems[0].column, 25);
}

TEST(ScenarioParserBadInput, EmptyGrid) {
  std::string text = kMinimalCppi;
  text.replace(text.find("[1, 7]"), 6, "[]");
  const auto problems = problems_of(text);
  ASSERT_EQ(problems.size(), 1u) << all_lines(problems);
  EXPECT_EQ(problems[0].key, "grid.expiry_days");
  EXPECT_EQ(problems[0].location, "x.toml:4:15");
  EXPECT_NE(problems[0].message.find("must not be empty"), std::string::npos);
}

TEST(ScenarioParserBadInput, MissingGridIsReportedAgainstTheFile) {
  const auto problems = problems_of("[cppi]\n");
  ASSERT_EQ(problems.size(), 2u) << all_lines(problems);
  EXPECT_EQ(find_key(problems, "grid.volatility")->location, "x.toml");
  EXPECT_NE(find_key(problems, "grid.expiry_days"), nullptr);
}

TEST(ScenarioParserBadInput, UnsortedGrid) {
  std::string text = kMinimalCppi;
  text.replace(text.find("[1, 7]"), 6, "[7, 7]");
  const auto problems = problems_of(text);
  ASSERT_EQ(problems.size(), 1u) << all_lines(problems);
  EXPECT_EQ(problems[0].key, "grid.expiry_days[1]");
  EXPECT_EQ(problems[0].location, "x.toml:4:19");
  EXPECT_NE(problems[0].message.find("strictly increasing"), std::string::npos);
}

TEST(ScenarioParserBadInput, UnknownKeyNamesItAndListsTheAllowedOnes) {
  const auto problems = problems_of(std::string(kMinimalCppi) + "[costs]\nfee_bp = 5\n");
  ASSERT_EQ(problems.size(), 1u) << all_lines(problems);
  EXPECT_EQ(problems[0].key, "costs.fee_bp");
  EXPECT_EQ(problems[0].location, "x.toml:7:1");
  EXPECT_NE(problems[0].message.find("did you mean \"fee_bps\""), std::string::npos);
  EXPECT_NE(problems[0].message.find("latency_seconds"), std::string::npos);  // allowed list
  // An unknown section and an unknown dotted key inside [hedging].
  std::string text = std::string(kMinimalHedging) + "periodic.every_step = [1]\n[costz]\n";
  const auto more = problems_of(text);
  EXPECT_NE(find_key(more, "hedging.periodic.every_step"), nullptr) << all_lines(more);
  EXPECT_NE(find_key(more, "costz"), nullptr) << all_lines(more);
}

TEST(ScenarioParserBadInput, UnknownAndDuplicatePolicy) {
  std::string text = kMinimalHedging;
  text.replace(text.find("[\"periodic\"]"), 12, "[\"periodic\", \"delta_bnd\", \"periodic\"]");
  const auto problems = problems_of(text);
  ASSERT_EQ(problems.size(), 2u) << all_lines(problems);
  EXPECT_EQ(problems[0].key, "hedging.policies[1]");
  EXPECT_EQ(problems[0].location, "x.toml:10:25");
  EXPECT_NE(problems[0].message.find("whalley_wilmott"), std::string::npos);
  EXPECT_EQ(problems[1].key, "hedging.policies[2]");
  EXPECT_NE(problems[1].message.find("twice"), std::string::npos);
}

TEST(ScenarioParserBadInput, FixedCostBandRiskAversionMustBePositive) {
  const auto problems =
      problems_of(std::string(kMinimalHedging) + "fixed_cost_band.risk_aversion = [1e-3, 0.0]\n");
  ASSERT_EQ(problems.size(), 1u) << all_lines(problems);
  EXPECT_EQ(problems[0].key, "hedging.fixed_cost_band.risk_aversion[1]");
  EXPECT_NE(problems[0].message.find("> 0"), std::string::npos) << all_lines(problems);
}

TEST(ScenarioParserBadInput, BrokenTomlGivesLineAndColumn) {
  const auto problems = problems_of("name = \"t\"\n[grid]\nvolatility = [0.4,\nexpiry_days = 3\n");
  ASSERT_EQ(problems.size(), 1u) << all_lines(problems);
  EXPECT_GE(problems[0].line, 3);
  EXPECT_GT(problems[0].column, 0);
  EXPECT_EQ(problems[0].location.rfind("x.toml:" + std::to_string(problems[0].line) + ":", 0), 0u)
      << problems[0].location;
  EXPECT_NE(problems[0].message.find("invalid TOML"), std::string::npos);
}

TEST(ScenarioParserBadInput, NoPolicyFamily) {
  std::string text = kMinimalCppi;
  text.replace(text.find("[cppi]"), 6, "");
  const auto problems = problems_of(text);
  ASSERT_EQ(problems.size(), 1u) << all_lines(problems);
  EXPECT_EQ(problems[0].location, "x.toml");
  EXPECT_NE(problems[0].line_text().find("[vol_target]"), std::string::npos);
}

TEST(ScenarioParserBadInput, FloorOutsideTheOpenUnitInterval) {
  for (const char* floor : {"0", "1", "1.5", "-0.1"}) {
    const auto problems = problems_of(std::string(kMinimalCppi) + "floor = " + floor + "\n");
    ASSERT_EQ(problems.size(), 1u) << floor;
    EXPECT_EQ(problems[0].key, "cppi.floor");
    EXPECT_EQ(problems[0].location, "x.toml:6:9");
    EXPECT_EQ(problems[0].message, "must be in (0, 1)");
  }
  EXPECT_TRUE(problems_of(std::string(kMinimalCppi) + "floor = 0.5\n").empty());
}

TEST(ScenarioParserBadInput, FloatWhereAnIntegerIsExpected) {
  const auto problems = problems_of(std::string(kMinimalHedging) +
                                    "periodic.every_steps = [1, 2.0]\n"
                                    "[simulation]\npaths = 1e5\nsteps = 21.0\n");
  ASSERT_EQ(problems.size(), 3u) << all_lines(problems);
  EXPECT_EQ(problems[0].key, "hedging.periodic.every_steps[1]");
  EXPECT_EQ(problems[0].location, "x.toml:11:28");
  EXPECT_NE(problems[0].message.find("integer"), std::string::npos);
  EXPECT_EQ(problems[1].key, "simulation.paths");
  EXPECT_EQ(problems[2].key, "simulation.steps");
}

TEST(ScenarioParserBadInput, LatencyMustBeShorterThanAStep) {
  // dt = 1 h = 3600 s for every expiry.
  EXPECT_TRUE(problems_of(std::string(kMinimalCppi) + "[costs]\nlatency_seconds = 3599\n").empty());
  const auto hourly = problems_of(std::string(kMinimalCppi) + "[costs]\nlatency_seconds = 3600\n");
  ASSERT_EQ(hourly.size(), 1u) << all_lines(hourly);
  EXPECT_EQ(hourly[0].key, "costs.latency_seconds");
  EXPECT_EQ(hourly[0].location, "x.toml:7:19");
  // With a fixed 21 steps, the 1-day expiry has steps of 86400 / 21 = 4114.3 s.
  const std::string fixed = std::string(kMinimalCppi) + "[simulation]\nsteps = 21\n[costs]\n";
  EXPECT_TRUE(problems_of(fixed + "latency_seconds = 4000\n").empty());
  const auto coarse = problems_of(fixed + "latency_seconds = 4200\n");
  ASSERT_EQ(coarse.size(), 1u) << all_lines(coarse);
  EXPECT_NE(coarse[0].message.find("expiry_days = 1"), std::string::npos) << coarse[0].message;
}

TEST(ScenarioParserBadInput, NegativeMinTradeUnits) {
  const std::string costs = std::string(kMinimalCppi) + "[costs]\n";
  const auto problems = problems_of(costs + "min_trade_units = -0.001\n");
  ASSERT_EQ(problems.size(), 1u) << all_lines(problems);
  EXPECT_EQ(problems[0].key, "costs.min_trade_units");
  EXPECT_EQ(problems[0].location, "x.toml:7:19");
  EXPECT_NE(problems[0].message.find(">= 0"), std::string::npos) << problems[0].message;
  const auto text = problems_of(costs + "min_trade_units = \"1\"\n");
  ASSERT_EQ(text.size(), 1u) << all_lines(text);
  EXPECT_EQ(text[0].key, "costs.min_trade_units");
  EXPECT_TRUE(problems_of(costs + "min_trade_units = 0\n").empty());
  EXPECT_EQ(parse_scenario(costs + "min_trade_units = 0.25\n", "x.toml", {}).costs.min_trade_units,
            0.25);
  EXPECT_EQ(parse_scenario(kMinimalCppi, "x.toml", {}).costs.min_trade_units, 0.0);
}

TEST(ScenarioParserBadInput, CrossSectionRules) {
  // [hedging] without [[book]]; merton hedger without merton jumps; all-zero book.
  std::string no_book = "[grid]\nvolatility = [0.4]\nexpiry_days = [1]\n[hedging]\n";
  auto problems = problems_of(no_book);
  ASSERT_EQ(problems.size(), 1u) << all_lines(problems);
  EXPECT_EQ(problems[0].key, "book");
  EXPECT_EQ(problems[0].location, "x.toml:4:1");

  problems = problems_of(std::string(kMinimalHedging) + "model = \"merton\"\n");
  ASSERT_EQ(problems.size(), 1u) << all_lines(problems);
  EXPECT_EQ(problems[0].key, "hedging.model");
  EXPECT_TRUE(
      problems_of(std::string(kMinimalHedging) + "model = \"merton\"\n", {"jumps.model=merton"})
          .empty());

  std::string zero = kMinimalHedging;
  zero.replace(zero.find("quantity = -1.0"), 15, "quantity = 0");
  problems = problems_of(zero);
  ASSERT_EQ(problems.size(), 1u) << all_lines(problems);
  EXPECT_EQ(problems[0].key, "book");
}

TEST(ScenarioParserBadInput, EnumsSeedsAndNonFiniteNumbers) {
  const auto problems = problems_of(std::string(kMinimalCppi) +
                                        "objective.kind = \"cvar\"\n"
                                        "[simulation]\nprecision = \"half\"\n"
                                        "[market]\nspot = nan\n",
                                    {"seed=-1", "jumps.model=levy"});
  ASSERT_EQ(problems.size(), 5u) << all_lines(problems);
  EXPECT_NE(find_key(problems, "cppi.objective.kind"), nullptr);  // cvar is not a CPPI objective
  EXPECT_NE(find_key(problems, "simulation.precision"), nullptr);
  EXPECT_NE(find_key(problems, "market.spot"), nullptr);
  EXPECT_NE(find_key(problems, "seed"), nullptr);
  EXPECT_NE(find_key(problems, "jumps.model"), nullptr);
}

TEST(ScenarioParserBadInput, MultipleProblemsAreReportedTogetherInFileOrder) {
  const std::string text = R"(name = "t"
seed = 1.5
[grid]
volatility = [0.4, 0.3]
expiry_days = [-1]
[cppi]
floor = 2.0
multiplier = [0.5]
)";
  try {
    parse_scenario(text, "x.toml");
    FAIL() << "no error";
  } catch (const ScenarioError& error) {
    const auto& p = error.problems;
    ASSERT_EQ(p.size(), 5u) << error.what();
    EXPECT_EQ(p[0].key, "seed");
    EXPECT_EQ(p[1].key, "grid.volatility[1]");
    EXPECT_EQ(p[2].key, "grid.expiry_days[0]");
    EXPECT_EQ(p[3].key, "cppi.floor");
    EXPECT_EQ(p[4].key, "cppi.multiplier[0]");
    // what() is every line, in the same order.
    std::string expected;
    for (const ScenarioProblem& q : p) expected += (expected.empty() ? "" : "\n") + q.line_text();
    EXPECT_EQ(std::string(error.what()), expected);
  }
}

TEST(ScenarioParserBadInput, AxesLongerThanTheKernelsHoldAreRefused) {
  std::string band = "[";
  for (int i = 1; i <= 33; ++i) band += std::to_string(i) + (i < 33 ? ", " : "]");
  auto problems = problems_of(std::string(kMinimalHedging) + "delta_band.band = " + band + "\n");
  ASSERT_EQ(problems.size(), 1u) << all_lines(problems);
  EXPECT_EQ(problems[0].key, "hedging.delta_band.band");
  EXPECT_NE(problems[0].message.find("at most 32"), std::string::npos) << problems[0].message;

  problems = problems_of(std::string(kMinimalCppi) +
                         "multiplier = [1, 2, 3, 4, 5, 6, 7, 8, 9]\n"
                         "tolerance = [0, 0.01, 0.02, 0.03, 0.04, 0.05, 0.06, 0.07]\n");
  ASSERT_EQ(problems.size(), 1u) << all_lines(problems);
  EXPECT_EQ(problems[0].key, "cppi.multiplier");
  EXPECT_NE(problems[0].message.find("72 combinations"), std::string::npos) << problems[0].message;
}

TEST(ScenarioParserBadInput, VolTargetObjectiveIsMeanStdOnly) {
  const auto problems =
      problems_of(std::string(kMinimalCppi) + "[vol_target]\nobjective.kind = \"cvar\"\n");
  ASSERT_EQ(problems.size(), 1u) << all_lines(problems);
  EXPECT_EQ(problems[0].key, "vol_target.objective.kind");
  EXPECT_NE(problems[0].message.find("mean_std"), std::string::npos) << problems[0].message;
}

// The cell's implied volatility must leave the diffusion some variance after the jumps and the
// outage crashes: (realised_to_implied x 0.4)^2 = 0.1024 against 10 (0.02^2 + 0.06^2) + 4 (0.12^2
// + 0.05^2) = 0.1076 per year. Named by cell, at the grid element, with the smallest valid value.
TEST(ScenarioParserBadInput, CellWithoutDiffusiveVarianceIsNamed) {
  const std::string model =
      "[jumps]\nmodel = \"merton\"\nintensity = 10.0\nlog_mean = -0.02\nlog_stdev = 0.06\n"
      "[gaps]\nintensity = 4.0\ncrash_log_mean = -0.12\ncrash_log_stdev = 0.05\n";
  EXPECT_TRUE(problems_of(std::string(kMinimalCppi) + model).empty());  // 0.16 > 0.1076
  const auto problems =
      problems_of(std::string(kMinimalCppi) + model + "[volatility]\nrealised_to_implied = 0.8\n");
  ASSERT_EQ(problems.size(), 1u) << all_lines(problems);
  EXPECT_EQ(problems[0].key, "grid.volatility[0]");
  EXPECT_EQ(problems[0].location, "x.toml:3:15");
  EXPECT_EQ(problems[0].value, "0.4");
  EXPECT_NE(problems[0].message.find("no diffusive variance"), std::string::npos);
  EXPECT_NE(problems[0].message.find("0.1024"), std::string::npos) << problems[0].message;
  // sqrt(0.1076) / 0.8 = 0.41002...
  EXPECT_NE(problems[0].message.find("must be > 0.4100"), std::string::npos) << problems[0].message;
  // The same through --set, and Kou jumps count too: 8 (0.4 2/25^2 + 0.6 2/20^2) = 0.03424.
  const auto kou = problems_of(
      kMinimalCppi, {"jumps.model=\"kou\"", "jumps.intensity=8", "jumps.up_probability=0.4",
                     "jumps.up_rate=25", "jumps.down_rate=20", "grid.volatility=[0.18, 0.4]"});
  ASSERT_EQ(kou.size(), 1u) << all_lines(kou);
  EXPECT_EQ(kou[0].key, "grid.volatility[0]");
  EXPECT_NE(kou[0].message.find("0.03424"), std::string::npos) << kou[0].message;
}

TEST(ScenarioParserBadInput, VolatilitySectionKeysAndValues) {
  auto problems =
      problems_of(std::string(kMinimalCppi) + "[volatility]\nrealised_to_implied = 0.0\n");
  ASSERT_EQ(problems.size(), 1u) << all_lines(problems);
  EXPECT_EQ(problems[0].line_text(),
            "x.toml:7:23: volatility.realised_to_implied = 0.0: must be > 0");
  problems = problems_of(std::string(kMinimalCppi) + "[volatility]\nmodel = \"sabr\"\n");
  ASSERT_EQ(problems.size(), 1u) << all_lines(problems);
  EXPECT_EQ(problems[0].key, "volatility.model");
  EXPECT_NE(problems[0].message.find("constant"), std::string::npos) << problems[0].message;
  problems = problems_of(std::string(kMinimalCppi) + "[volatility]\nratio = 0.9\n");
  ASSERT_EQ(problems.size(), 1u) << all_lines(problems);
  EXPECT_NE(problems[0].message.find("realised_to_implied"), std::string::npos);
  // Heston's keys: accepted with the model, checked for range.
  const std::string heston =
      "[volatility]\nmodel = \"heston\"\nmean_reversion = 3.0\nvol_of_vol = 1.5\n"
      "correlation = -0.5\ninitial_to_long_run = 0.5\n";
  EXPECT_TRUE(problems_of(std::string(kMinimalCppi) + heston).empty());
  problems = problems_of(std::string(kMinimalCppi) + heston,
                         {"volatility.correlation=1.5", "volatility.mean_reversion=0",
                          "volatility.vol_of_vol=-0.1", "volatility.initial_to_long_run=-1"});
  ASSERT_EQ(problems.size(), 4u) << all_lines(problems);
  EXPECT_NE(find_key(problems, "volatility.correlation"), nullptr) << all_lines(problems);
  EXPECT_NE(find_key(problems, "volatility.correlation")->message.find("[-1, 1]"),
            std::string::npos);
  EXPECT_NE(find_key(problems, "volatility.mean_reversion"), nullptr) << all_lines(problems);
  EXPECT_NE(find_key(problems, "volatility.vol_of_vol"), nullptr) << all_lines(problems);
  EXPECT_NE(find_key(problems, "volatility.initial_to_long_run"), nullptr) << all_lines(problems);
}

// hedging.model = "merton" believes the total variance is the implied one (ratio 1): with a ratio
// above 1 the paths keep a diffusion where the hedger's model has none left.
TEST(ScenarioParserBadInput, VolatilityInputAndEwmaHalfLife) {
  auto problems = problems_of(std::string(kMinimalHedging) + "volatility_input = \"market\"\n");
  ASSERT_EQ(problems.size(), 1u) << all_lines(problems);
  EXPECT_EQ(problems[0].key, "hedging.volatility_input");
  EXPECT_NE(problems[0].message.find("realised"), std::string::npos) << problems[0].message;
  problems = problems_of(std::string(kMinimalHedging) + "ewma_halflife_hours = 0\n");
  ASSERT_EQ(problems.size(), 1u) << all_lines(problems);
  EXPECT_EQ(problems[0].key, "hedging.ewma_halflife_hours");
  EXPECT_TRUE(problems_of(std::string(kMinimalHedging) +
                          "volatility_input = \"realised\"\newma_halflife_hours = 6\n")
                  .empty());
}

TEST(ScenarioParserBadInput, MertonHedgerNeedsDiffusiveVarianceToo) {
  const std::string text = std::string(kMinimalHedging) +
                           "model = \"merton\"\n[jumps]\nmodel = \"merton\"\nintensity = 10.0\n"
                           "log_mean = -0.1\nlog_stdev = 0.1\n[volatility]\n"
                           "realised_to_implied = 1.5\n";
  // jumps: 10 (0.01 + 0.01) = 0.2 per year; 0.4^2 = 0.16 < 0.2 < (1.5 x 0.4)^2 = 0.36
  const auto problems = problems_of(text);
  ASSERT_EQ(problems.size(), 1u) << all_lines(problems);
  EXPECT_EQ(problems[0].key, "grid.volatility[0]");
  EXPECT_NE(problems[0].message.find("hedger's Merton model"), std::string::npos)
      << problems[0].message;
  EXPECT_TRUE(problems_of(text, {"hedging.model=\"black_scholes\""}).empty());
}

}  // namespace
}  // namespace hedgemap

namespace hedgemap {
namespace {

using test_support::all_lines;
using test_support::kMinimalCppi;
using test_support::problems_of;

// Too few paths for the statistics (issue 17: `paths = 1` gave NaN standard deviations, and up
// to 33 paths a NaN vol_target objective_stderr, with exit 0): refused, saying the minimum.
TEST(ScenarioParserBadInput, TooFewPathsForTheStatistics) {
  for (const char* paths : {"1", "32", "63"}) {
    const auto problems =
        problems_of(std::string(kMinimalCppi) + "[simulation]\npaths = " + paths + "\n");
    ASSERT_EQ(problems.size(), 1u) << all_lines(problems);
    EXPECT_EQ(problems[0].key, "simulation.paths");
    EXPECT_EQ(problems[0].location, "x.toml:7:9");
    EXPECT_NE(problems[0].message.find("in [64, 2^40]"), std::string::npos) << problems[0].message;
    EXPECT_NE(problems[0].message.find("bootstrap blocks"), std::string::npos);
  }
  EXPECT_TRUE(problems_of(std::string(kMinimalCppi) + "[simulation]\npaths = 64\n").empty());
  EXPECT_EQ(problems_of(kMinimalCppi, {"simulation.paths=2"}).size(), 1u);
}

// Volatility targeting's realised volatility needs 2 steps per path (issue 17: expiry_days = 0.01
// gave 1 step and a NaN with exit 0): the expiry or the fixed step count is named.
TEST(ScenarioParserBadInput, VolTargetNeedsTwoStepsPerPath) {
  std::string text = std::string(kMinimalCppi) + "[vol_target]\n";
  text.replace(text.find("[1, 7]"), 6, "[0.01, 7]");
  const auto short_expiry = problems_of(text);
  ASSERT_EQ(short_expiry.size(), 1u) << all_lines(short_expiry);
  EXPECT_EQ(short_expiry[0].key, "grid.expiry_days[0]");
  EXPECT_EQ(short_expiry[0].location, "x.toml:4:16");
  EXPECT_NE(short_expiry[0].message.find("gives 1 step per path"), std::string::npos)
      << short_expiry[0].message;
  EXPECT_NE(short_expiry[0].message.find("dt_hours"), std::string::npos);
  // 0.01 days at dt_hours = 0.1 is 2.4 -> 2 steps: accepted; so is CPPI alone at 1 step.
  EXPECT_TRUE(problems_of(text, {"simulation.dt_hours=0.1"}).empty());
  std::string cppi_only = kMinimalCppi;
  cppi_only.replace(cppi_only.find("[1, 7]"), 6, "[0.01, 7]");
  EXPECT_TRUE(problems_of(cppi_only).empty());

  const auto one_step =
      problems_of(std::string(kMinimalCppi) + "[vol_target]\n", {"simulation.steps=1"});
  ASSERT_EQ(one_step.size(), 1u) << all_lines(one_step);
  EXPECT_EQ(one_step[0].key, "simulation.steps");
}

// Paths that float prices cannot follow (issue 17's extreme matrix: vol 5 over 10 years, 1e4
// jumps a year over 10 years gave inf and NaN): refused against the expiry, with the numbers.
// ln(S_T/S_0) for GBM at vol 5, T = 10 y: mean -sigma^2 T / 2 = -125, sd sigma sqrt(T) = 15.8.
TEST(ScenarioParserBadInput, PricePathsBeyondFloatRange) {
  const auto wide =
      problems_of(kMinimalCppi, {"grid.volatility=[5]", "grid.expiry_days=[30, 3650]"});
  ASSERT_EQ(wide.size(), 1u) << all_lines(wide);
  EXPECT_EQ(wide[0].key, "grid.expiry_days[1]");
  EXPECT_NE(wide[0].message.find("mean of -125 and a standard deviation of 15.8"),
            std::string::npos)
      << wide[0].message;
  // vol 5 over 30 days (sd 1.43) and over half a year (|mean| + 6 sd = 6.25 + 21.2) run.
  EXPECT_TRUE(
      problems_of(kMinimalCppi, {"grid.volatility=[5]", "grid.expiry_days=[30, 182.5]"}).empty());
  // 1e4 Merton jumps a year (sd 0.05: variance 25 a year, so the implied volatility must exceed
  // 5; at 5.1 the diffusion keeps 1.01) over 10 years: sd sqrt(10 x 26.01) = 16.1.
  const auto jumps = problems_of(
      kMinimalCppi, {"jumps.model=\"merton\"", "jumps.intensity=1e4", "jumps.log_stdev=0.05",
                     "grid.volatility=[5.1]", "grid.expiry_days=[3650]"});
  ASSERT_EQ(jumps.size(), 1u) << all_lines(jumps);
  EXPECT_EQ(jumps[0].key, "grid.expiry_days[0]");
  EXPECT_TRUE(problems_of(kMinimalCppi,
                          {"jumps.model=\"merton\"", "jumps.intensity=1e4", "jumps.log_stdev=0.05",
                           "grid.volatility=[5.1]", "grid.expiry_days=[7]"})
                  .empty());
  // A huge jump compensator (Kou up jumps with eta_1 near 1) drags the log drift to -1e6; their
  // variance, ~1e4 a year, needs an implied volatility above 100.
  EXPECT_EQ(problems_of(kMinimalCppi, {"jumps.model=\"kou\"", "jumps.intensity=1e4",
                                       "jumps.up_rate=1.0001", "grid.volatility=[101]"})
                .size(),
            1u);
  // Cash growth e^(rate T): 20 a year over 10 years is e^200.
  const auto rate = problems_of(kMinimalCppi, {"market.rate=20", "market.drift=0",
                                               "grid.volatility=[0.1]", "grid.expiry_days=[3650]"});
  ASSERT_EQ(rate.size(), 1u) << all_lines(rate);
  EXPECT_EQ(rate[0].key, "market.rate");
}

TEST(ScenarioParserBadInput, SpotWithinFloatRange) {
  for (const char* spot : {"1e-30", "1e-13", "2e15", "1e30"}) {
    const auto problems = problems_of(kMinimalCppi, {std::string("market.spot=") + spot});
    ASSERT_EQ(problems.size(), 1u) << spot;
    EXPECT_EQ(problems[0].key, "market.spot");
    EXPECT_NE(problems[0].message.find("in [1e-12, 1e15]"), std::string::npos);
  }
  for (const char* spot : {"1e-12", "1e-8", "1e12", "1e15"})
    EXPECT_TRUE(problems_of(kMinimalCppi, {std::string("market.spot=") + spot}).empty()) << spot;
}

}  // namespace
}  // namespace hedgemap
