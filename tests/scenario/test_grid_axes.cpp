// [grid.axes]: the axes in file order, each combination equal to the scenario with those values
// --set, the effective scenario reproducing the axes, and the sweep's path passes (objective
// axes share one, bit-identical to a cell evaluated alone). Bad input through the binary is in
// tests/python/test_grid_axes.py.
#include <gtest/gtest.h>

#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "host/cpu/simd_hedging.hpp"
#include "host/families/hedging.hpp"
#include "host/scenario/grid_axes.hpp"
#include "host/scenario/parser.hpp"
#include "host/sweep.hpp"
#include "tests/support/scenario_inputs.hpp"
#include "tests/support/scoped_env.hpp"

namespace hedgemap {
namespace {

using test_support::all_lines;
using test_support::problems_of;

const std::string kBase = R"(name = "t"
seed = 7
[simulation]
paths = 256
dt_hours = 6.0
precision = "double"
[grid]
volatility = [0.4, 0.8]
expiry_days = [1, 2]
[costs]
gas_volatility = 0.3
[[book]]
type = "call"
strike = 1.0
quantity = -1.0
[hedging]
policies = ["delta_band"]
delta_band.band = [0.05, 0.1, 0.2, 0.4]
)";

// Written fee_bps first: toml++ sorts keys, the axes keep the file's order.
const std::string kAxes = R"(
[grid.axes]
"costs.fee_bps" = [1, 5, 25]
"costs.gas" = [0.5, 2.0]
"hedging.objective.risk_aversion" = [0.5, 2.0]
)";

TEST(GridAxes, AxesKeepTheFileOrderNamesValuesAndTexts) {
  const Scenario s = parse_scenario(kBase + kAxes, "x.toml");
  ASSERT_EQ(s.grid.axes.size(), 3u);
  EXPECT_EQ(s.grid.axes[0].key, "costs.fee_bps");
  EXPECT_EQ(s.grid.axes[0].name, "fee_bps");
  EXPECT_EQ(s.grid.axes[0].values, (std::vector<double>{1, 5, 25}));
  EXPECT_EQ(s.grid.axes[0].texts, (std::vector<std::string>{"1", "5", "25"}));
  EXPECT_EQ(s.grid.axes[1].name, "gas");
  EXPECT_FALSE(s.grid.axes[1].paths_unchanged);
  EXPECT_TRUE(s.grid.axes[2].paths_unchanged);
  EXPECT_EQ(s.grid.axis_combinations(), 12u);
  // The base scenario is the first combination.
  EXPECT_EQ(s.costs.fee_bps, 1.0);
  EXPECT_EQ(s.costs.gas, 0.5);
}

TEST(GridAxes, EveryCombinationIsTheScenarioWithThoseValuesSet) {
  const Scenario s = parse_scenario(kBase + kAxes, "x.toml");
  for (std::size_t k = 0; k < s.grid.axis_combinations(); ++k) {
    const std::vector<std::size_t> i = axis_indices(s.grid, k);
    const Scenario cell = scenario_at(s, k);
    const Scenario set = parse_scenario(
        kBase, "x.toml",
        {"costs.fee_bps=" + s.grid.axes[0].texts[i[0]], "costs.gas=" + s.grid.axes[1].texts[i[1]],
         "hedging.objective.risk_aversion=" + s.grid.axes[2].texts[i[2]]});
    EXPECT_TRUE(cell.grid.axes.empty());
    EXPECT_EQ(cell.costs.fee_bps, set.costs.fee_bps) << k;
    EXPECT_EQ(cell.costs.gas, set.costs.gas) << k;
    EXPECT_EQ(cell.hedging.objective.risk_aversion, set.hedging.objective.risk_aversion) << k;
    EXPECT_EQ(cell.costs.fee_bps, s.grid.axes[0].values[i[0]]);
    EXPECT_EQ(cell.costs.gas, s.grid.axes[1].values[i[1]]);
  }
  // Row-major, the last axis fastest.
  EXPECT_EQ(axis_indices(s.grid, 5), (std::vector<std::size_t>{1, 0, 1}));
}

TEST(GridAxes, TheEffectiveScenarioReproducesTheAxes) {
  const Scenario s = parse_scenario(kBase + kAxes, "x.toml");
  const Scenario again = parse_scenario(s.effective_toml, "effective.toml");
  ASSERT_EQ(again.grid.axes.size(), s.grid.axes.size());
  for (std::size_t a = 0; a < s.grid.axes.size(); ++a) {
    EXPECT_EQ(again.grid.axes[a].key, s.grid.axes[a].key);
    EXPECT_EQ(again.grid.axes[a].values, s.grid.axes[a].values);
  }
  EXPECT_EQ(again.effective_toml, s.effective_toml);
}

TEST(GridAxes, AScenarioWithoutAxesIsUnchanged) {
  const Scenario s = parse_scenario(kBase, "x.toml");
  EXPECT_TRUE(s.grid.axes.empty());
  EXPECT_EQ(s.grid.axis_combinations(), 1u);
  EXPECT_EQ(s.effective_toml.find("axes"), std::string::npos);
}

TEST(GridAxes, ARequiredObjectiveKeyMaySweep) {
  // mean_variance requires risk_aversion: given by the axis, the scenario is complete.
  const std::string text = kBase + "objective.kind = \"mean_variance\"\n" +
                           "\n[grid.axes]\n\"hedging.objective.risk_aversion\" = [1e-4, 1e-3]\n";
  EXPECT_TRUE(problems_of(text).empty()) << all_lines(problems_of(text));
}

TEST(GridAxes, AxesGivenBySetReplaceTheFilesValuesOfTheirKeys) {
  // The file gives costs.gas = 3.0; --set grid.axes={...} sweeps it, as --set overrides a value.
  std::string file = kBase;
  file.replace(file.find("gas_volatility = 0.3\n"), 0, "gas = 3.0\n");
  const Scenario s = parse_scenario(
      file, "x.toml", {"grid.axes={\"costs.gas\" = [0.5, 2.0], \"costs.fee_bps\" = [1, 5]}"});
  ASSERT_EQ(s.grid.axes.size(), 2u);
  EXPECT_EQ(s.grid.axes[0].key, "costs.gas");  // the inline table's order
  EXPECT_EQ(s.grid.axes[1].key, "costs.fee_bps");
  EXPECT_EQ(s.costs.gas, 0.5);
  EXPECT_EQ(scenario_at(s, 3).costs.gas, 2.0);
  EXPECT_EQ(s.effective_toml.find("gas = 3.0"), std::string::npos);
  // Given twice by --set, or twice in the file, a key is still refused.
  const std::vector<ScenarioProblem> twice =
      problems_of(file, {"costs.gas=1.0", "grid.axes={\"costs.gas\" = [0.5, 2.0]}"});
  ASSERT_EQ(twice.size(), 1u) << all_lines(twice);
  EXPECT_NE(twice[0].message.find("is also given by --set"), std::string::npos);
  const std::vector<ScenarioProblem> in_file =
      problems_of(file + "\n[grid.axes]\n\"costs.gas\" = [0.5, 2.0]\n");
  ASSERT_EQ(in_file.size(), 1u) << all_lines(in_file);
  EXPECT_NE(in_file[0].message.find("is also given at line"), std::string::npos);
  // A bad value of a --set axis points at --set, not at a line of the file.
  const std::vector<ScenarioProblem> bad =
      problems_of(file, {"grid.axes={\"costs.gas\" = [-1.0]}"});
  ASSERT_EQ(bad.size(), 1u) << all_lines(bad);
  EXPECT_EQ(bad[0].location, "--set");
  EXPECT_EQ(bad[0].line, 0);
}

TEST(GridAxes, ACombinationThatBreaksACrossSectionRuleIsNamed) {
  // latency must be shorter than a step (6 h): fine alone at 100 s, not at 30000 s.
  const std::string text = kBase + "\n[grid.axes]\n\"costs.latency_seconds\" = [100.0, 30000.0]\n";
  const std::vector<ScenarioProblem> problems = problems_of(text);
  ASSERT_EQ(problems.size(), 1u) << all_lines(problems);
  EXPECT_EQ(problems[0].key, "grid.axes.\"costs.latency_seconds\"[1]");
  EXPECT_EQ(problems[0].line, 21);
  EXPECT_NE(problems[0].message.find("shorter than one time step"), std::string::npos);
}

TEST(SweepLayout, ObjectiveAndCostAxesShareOnePathPass) {
  const Scenario s = parse_scenario(kBase + kAxes, "x.toml");
  EXPECT_TRUE(s.grid.axes[0].cost_only);   // fee_bps
  EXPECT_TRUE(s.grid.axes[1].cost_only);   // gas
  EXPECT_FALSE(s.grid.axes[2].cost_only);  // risk_aversion: objective only
  const SweepLayout layout(s);
  EXPECT_EQ(layout.cells(), 2u * 2u * 12u);
  // 5 points a slot: every one of the 6 cost settings fits one pass with both risk aversions.
  EXPECT_EQ(layout.passes_per_market_cell(), 1u);
  EXPECT_EQ(layout.pass_cost_slots, std::vector<std::size_t>{6});
  EXPECT_EQ(layout.passes(), 2u * 2u);
  std::vector<int> seen(layout.cells(), 0);
  for (std::size_t p = 0; p < layout.passes(); ++p) {
    const std::vector<std::size_t> cells = layout.pass_cells(p);
    ASSERT_EQ(cells.size(), 12u);
    for (std::size_t c : cells) ++seen[c];
    EXPECT_EQ(cells[0] / 12 / 2, layout.vol_index(p));
    EXPECT_EQ(cells[0] / 12 % 2, layout.expiry_index(p));
  }
  for (int n : seen) EXPECT_EQ(n, 1);  // every cell in exactly one pass
}

TEST(SweepLayout, APathChangingAxisKeepsItsOwnPasses) {
  // latency_seconds moves the fill times (the paths), fee_bps only the costs.
  const Scenario s = parse_scenario(kBase + R"(
[grid.axes]
"costs.latency_seconds" = [0, 60]
"costs.fee_bps" = [1, 5, 25]
)",
                                    "x.toml");
  EXPECT_FALSE(s.grid.axes[0].cost_only);
  EXPECT_TRUE(s.grid.axes[1].cost_only);
  const SweepLayout layout(s);
  ASSERT_EQ(layout.passes_per_market_cell(), 2u);
  EXPECT_EQ(layout.pass_combinations[0], (std::vector<std::size_t>{0, 1, 2}));
  EXPECT_EQ(layout.pass_combinations[1], (std::vector<std::size_t>{3, 4, 5}));
  EXPECT_EQ(layout.pass_cost_slots, (std::vector<std::size_t>{3, 3}));
  // Keys that reach the paths are never cost-only.
  for (const char* key :
       {"costs.latency_seconds", "costs.gas_volatility", "costs.gas_halflife_hours",
        "gaps.gas_multiplier", "funding.rate", "hedging.objective.level"})
    EXPECT_FALSE(cost_only_key(key)) << key;
}

TEST(SweepLayout, CostSettingsBeyondTheSlotsTakeFurtherPasses) {
  // 33 points a slot (none + 32 bands): 161 / 33 = 4 slots a pass, so 6 cost settings take two.
  std::string bands = "delta_band.band = [";
  for (int i = 1; i <= 32; ++i) bands += std::to_string(0.01 * i) + (i < 32 ? ", " : "]\n");
  std::string text = kBase + kAxes;
  text.replace(text.find("delta_band.band = [0.05, 0.1, 0.2, 0.4]\n"),
               std::string("delta_band.band = [0.05, 0.1, 0.2, 0.4]\n").size(), bands);
  const Scenario s = parse_scenario(text, "x.toml");
  const SweepLayout layout(s);
  EXPECT_EQ(layout.cost_slots_per_pass, 4u);
  ASSERT_EQ(layout.passes_per_market_cell(), 2u);
  EXPECT_EQ(layout.pass_cost_slots, (std::vector<std::size_t>{4, 2}));
  // Row-major, risk_aversion fastest: the first four cost settings (8 combinations), then two.
  EXPECT_EQ(layout.pass_combinations[0], (std::vector<std::size_t>{0, 1, 2, 3, 4, 5, 6, 7}));
  EXPECT_EQ(layout.pass_combinations[1], (std::vector<std::size_t>{8, 9, 10, 11}));
}

bool same_bits(const std::vector<double>& a, const std::vector<double>& b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(double)) == 0;
}

TEST(SweepLayout, ASharedPassEqualsEachCellAlone) {
  const Scenario s = parse_scenario(kBase + kAxes, "x.toml");
  Execution exec;
  exec.backend = BackendKind::cpu;
  const std::vector<std::size_t> pass = {6, 7};  // fee 5, gas 2.0, both risk aversions
  const std::vector<CellResult> shared = evaluate_pass(s, 1, 0, pass, exec);
  ASSERT_EQ(shared.size(), 2u);
  for (std::size_t i = 0; i < pass.size(); ++i) {
    const CellResult alone = evaluate_cell(s, 1, 0, exec, pass[i]);
    ASSERT_EQ(alone.groups.size(), shared[i].groups.size());
    for (std::size_t g = 0; g < alone.groups.size(); ++g) {
      EXPECT_TRUE(same_bits(alone.groups[g].objective, shared[i].groups[g].objective));
      EXPECT_TRUE(same_bits(alone.groups[g].objective_paired_stderr,
                            shared[i].groups[g].objective_paired_stderr));
      EXPECT_EQ(alone.groups[g].bootstrap_optimum, shared[i].groups[g].bootstrap_optimum);
      for (std::size_t m = 0; m < alone.groups[g].metrics.size(); ++m)
        EXPECT_TRUE(same_bits(alone.groups[g].metrics[m], shared[i].groups[g].metrics[m]));
    }
  }
  // The objective axis changes the objective, not the P&L.
  EXPECT_TRUE(same_bits(shared[0].groups[1].metrics[0], shared[1].groups[1].metrics[0]));
  EXPECT_FALSE(same_bits(shared[0].groups[1].objective, shared[1].groups[1].objective));
}

// Every group of two results, bit for bit.
void expect_same_cells(const CellResult& alone, const CellResult& shared, const std::string& what) {
  ASSERT_EQ(alone.groups.size(), shared.groups.size()) << what;
  for (std::size_t g = 0; g < alone.groups.size(); ++g) {
    const GroupCellResult &a = alone.groups[g], &b = shared.groups[g];
    EXPECT_TRUE(same_bits(a.objective, b.objective)) << what << " group " << g;
    EXPECT_TRUE(same_bits(a.objective_stderr, b.objective_stderr)) << what << " group " << g;
    EXPECT_TRUE(same_bits(a.objective_paired_stderr, b.objective_paired_stderr)) << what;
    EXPECT_EQ(a.bootstrap_optimum, b.bootstrap_optimum) << what << " group " << g;
    EXPECT_TRUE(same_bits(a.bootstrap_refined, b.bootstrap_refined)) << what << " group " << g;
    ASSERT_EQ(a.metrics.size(), b.metrics.size());
    for (std::size_t m = 0; m < a.metrics.size(); ++m)
      EXPECT_TRUE(same_bits(a.metrics[m], b.metrics[m]))
          << what << " group " << g << " metric " << m;
  }
  EXPECT_EQ(std::memcmp(&alone.model, &shared.model, sizeof alone.model), 0) << what;
}

// Every policy that reads a cost (WW: the fee; fixed_cost_band: the gas; delta_vega_band: the
// option fee), an impact law, a minimum order, outages (the congested gas) and CPPI (an
// allocation family, evaluated per cost setting), on float paths.
const std::string kCostBase = R"(name = "slots"
seed = 11
[simulation]
paths = 300
dt_hours = 6.0
precision = "float"
[grid]
volatility = [0.6, 0.9]
expiry_days = [3]
[market]
spot = 3000.0
[jumps]
model = "merton"
intensity = 10.0
log_mean = -0.02
log_stdev = 0.06
[gaps]
intensity = 20.0
duration_hours = 6.0
gas_multiplier = 4.0
[costs]
gas_volatility = 0.4
impact = "sqrt"
daily_volume = 100.0
impact_coefficient = 0.5
latency_seconds = 30.0
[[book]]
type = "call"
strike = 1.0
quantity = -10.0
[hedging]
policies = ["periodic", "delta_band", "whalley_wilmott", "fixed_cost_band"]
periodic.every_steps = [1, 2]
delta_band.band = [0.5, 1.0]
whalley_wilmott.risk_aversion = [1e-4, 1e-3]
fixed_cost_band.risk_aversion = [1e-4, 1e-3]
[cppi]
multiplier = [2, 4]
tolerance = [0.0, 0.1]
[grid.axes]
"costs.fee_bps" = [1, 10]
"costs.gas" = [0.5, 5.0]
"costs.min_trade_units" = [0, 0.3]
"hedging.objective.risk_aversion" = [0.5, 2.0]
)";

// One pass of every cost setting and objective equals each cell evaluated alone (its own pass, a
// kernel of one slot), on the lane-batched and the scalar CPU kernels, with 1 and 2 threads.
TEST(SweepLayout, ACostSlotPassEqualsEachCellAlone) {
  const Scenario s = parse_scenario(kCostBase, "x.toml");
  const SweepLayout layout(s);
  ASSERT_EQ(layout.passes_per_market_cell(), 1u);
  ASSERT_EQ(layout.pass_cost_slots[0], 8u);
  const std::vector<std::size_t>& pass = layout.pass_combinations[0];
  // The CPU runs this scenario's float paths on the lane-batched kernel where SLEEF is built in.
  EXPECT_EQ(simd_eligible(make_hedging_kernel<float>(s, cell_coordinates(s, 1, 0))),
            simd_best_isa() != SimdIsa::none);
  for (const bool scalar : {false, true}) {
    std::unique_ptr<test_support::ScopedEnv> env;
    if (scalar) env = std::make_unique<test_support::ScopedEnv>("HEDGEMAP_SCALAR_CPU", "1");
    for (const int threads : {1, 2}) {
      Execution exec;
      exec.backend = BackendKind::cpu;
      exec.threads = threads;
      const std::vector<CellResult> shared = evaluate_pass(s, 1, 0, pass, exec);
      ASSERT_EQ(shared.size(), 16u);
      for (std::size_t i = 0; i < pass.size(); ++i)
        expect_same_cells(evaluate_cell(s, 1, 0, exec, pass[i]), shared[i],
                          std::string(scalar ? "scalar" : "lanes") + ", " +
                              std::to_string(threads) + " threads, combination " +
                              std::to_string(pass[i]));
      // The costs matter: gas 5 pays more gas than gas 0.5 (fee 1, no minimum, periodic 1).
      EXPECT_GT(shared[4].groups[1].metrics[9][0], shared[0].groups[1].metrics[9][0]);
    }
  }
}

// delta_vega_band (the scalar kernel only): its option fee per slot.
TEST(SweepLayout, ACostSlotPassEqualsEachCellAloneWithAVegaHedge) {
  std::string text = kCostBase;
  text.replace(text.find("policies = ["), std::string("policies = [").size(),
               "policies = [\"delta_vega_band\", ");
  text.replace(text.find("[cppi]"), 0,
               "delta_vega_band.band = [0.5]\ndelta_vega_band.vega_band = [0.1, 0.5]\n"
               "vega_instrument.expiry_extra_days = 10\n");
  text.replace(text.find("\"costs.min_trade_units\" = [0, 0.3]"),
               std::string("\"costs.min_trade_units\" = [0, 0.3]").size(),
               "\"costs.option_fee_bps\" = [0, 50]");
  const Scenario s = parse_scenario(text, "x.toml");
  const SweepLayout layout(s);
  ASSERT_EQ(layout.passes_per_market_cell(), 1u);
  Execution exec;
  exec.backend = BackendKind::cpu;
  exec.threads = 2;
  const std::vector<std::size_t>& pass = layout.pass_combinations[0];
  const std::vector<CellResult> shared = evaluate_pass(s, 0, 0, pass, exec);
  for (std::size_t i = 0; i < pass.size(); ++i)
    expect_same_cells(evaluate_cell(s, 0, 0, exec, pass[i]), shared[i],
                      "combination " + std::to_string(pass[i]));
}

}  // namespace
}  // namespace hedgemap
