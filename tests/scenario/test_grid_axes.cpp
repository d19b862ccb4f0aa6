// [grid.axes]: the axes in file order, each combination equal to the scenario with those values
// --set, the effective scenario reproducing the axes, and the sweep's path passes (objective
// axes share one, bit-identical to a cell evaluated alone). Bad input through the binary is in
// tests/python/test_grid_axes.py.
#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

#include "host/scenario/grid_axes.hpp"
#include "host/scenario/parser.hpp"
#include "host/sweep.hpp"
#include "tests/support/scenario_inputs.hpp"

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

TEST(SweepLayout, ObjectiveAxesSharePathPasses) {
  const Scenario s = parse_scenario(kBase + kAxes, "x.toml");
  const SweepLayout layout(s);
  EXPECT_EQ(layout.cells(), 2u * 2u * 12u);
  EXPECT_EQ(layout.passes_per_market_cell(), 6u);  // fee_bps x gas; risk_aversion shares
  EXPECT_EQ(layout.passes(), 2u * 2u * 6u);
  std::vector<int> seen(layout.cells(), 0);
  for (std::size_t p = 0; p < layout.passes(); ++p) {
    const std::vector<std::size_t> cells = layout.pass_cells(p);
    ASSERT_EQ(cells.size(), 2u);
    EXPECT_EQ(cells[1], cells[0] + 1);  // the two risk_aversion values of one cell
    for (std::size_t c : cells) ++seen[c];
    EXPECT_EQ(cells[0] / 12 / 2, layout.vol_index(p));
    EXPECT_EQ(cells[0] / 12 % 2, layout.expiry_index(p));
  }
  for (int n : seen) EXPECT_EQ(n, 1);  // every cell in exactly one pass
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

}  // namespace
}  // namespace hedgemap
