// The mean_variance objective, -mean + (k/2) var with k in 1/quote currency: its value and
// standard error against direct computations, the scenario's refusal of a missing risk_aversion
// (mean_variance and utility have no default), the allocation families' version, and the
// validation of ../shared/validation.md item 13: under mean_variance with k, the optimal
// Whalley-Wilmott risk aversion is k (asymptotically, for small proportional costs), and so is the
// fixed-cost band's (small fixed costs).
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "host/exec/backend.hpp"
#include "host/families/allocation.hpp"
#include "host/families/hedging.hpp"
#include "host/scenario/kernel_params.hpp"
#include "host/statistics/hedging_statistics.hpp"
#include "host/statistics/optimum.hpp"
#include "host/statistics/optimum_statistics.hpp"
#include "tests/support/scenario_inputs.hpp"

namespace hedgemap {
namespace {

std::vector<double> skewed_sample(std::mt19937_64& rng, std::size_t n) {
  std::normal_distribution<double> z;
  std::vector<double> x(n);
  for (double& v : x) v = 40.0 - 30.0 * std::exp(0.6 * z(rng));  // a long left tail
  return x;
}

TEST(MeanVariance, ObjectiveIsMinusMeanPlusHalfKTimesTheVariance) {
  std::mt19937_64 rng(5);
  const std::vector<double> x = skewed_sample(rng, 10007);
  double mean = 0.0, var = 0.0;
  for (double v : x) mean += v / double(x.size());
  for (double v : x) var += (v - mean) * (v - mean) / double(x.size() - 1);
  const double k = 0.01;
  const PnlSummary s = summarize_pnl(x.data(), x.size(), HedgeObjective::mean_variance, k, 0.95);
  EXPECT_NEAR(s.objective, -mean + 0.5 * k * var, 1e-9 * std::fabs(s.objective));
  EXPECT_EQ(objective_sense(HedgeObjective::mean_variance), Sense::minimize);
  EXPECT_EQ(hedge_objective("mean_variance"), HedgeObjective::mean_variance);
  // The bootstrap's block objective on every block once is the full-sample objective.
  std::vector<int> all(32);
  for (int b = 0; b < 32; ++b) all[b] = b;
  const BlockObjective blocks(x.data(), x.size(), 32, HedgeObjective::mean_variance, k, 0.95);
  EXPECT_NEAR(blocks(all), s.objective, 1e-9 * std::fabs(s.objective));
}

// Delta method: Var = (m2 + (k^2/4)(m4 - m2^2) - k m3) / n; against the spread over 300 samples.
TEST(MeanVariance, StandardErrorMatchesTheSpreadOverIndependentSamples) {
  std::mt19937_64 rng(11);
  const int replicates = 300;
  const double k = 0.02;
  std::vector<double> objective, stderr2;
  for (int r = 0; r < replicates; ++r) {
    const std::vector<double> x = skewed_sample(rng, 4000);
    const PnlSummary s = summarize_pnl(x.data(), x.size(), HedgeObjective::mean_variance, k, 0.95);
    objective.push_back(s.objective);
    stderr2.push_back(s.objective_stderr * s.objective_stderr);
  }
  double mean = 0.0, spread = 0.0, rms = 0.0;
  for (int r = 0; r < replicates; ++r) mean += objective[r] / replicates;
  for (int r = 0; r < replicates; ++r) {
    spread += (objective[r] - mean) * (objective[r] - mean) / (replicates - 1);
    rms += stderr2[r] / replicates;
  }
  // Relative SE of a std over 300 samples: 1/sqrt(2 x 299) = 4.1%; the variance term's heavy
  // tail widens it: 3 SE at 5% = 15%.
  EXPECT_NEAR(std::sqrt(rms) / std::sqrt(spread), 1.0, 0.15);
}

// ---- scenario: no silent default for risk_aversion -------------------------------------------

TEST(MeanVarianceScenario, RiskAversionIsRequiredForMeanVarianceAndUtility) {
  using test_support::all_lines;
  using test_support::problems_of;
  for (const std::string kind : {"mean_variance", "utility"}) {
    const std::string text =
        std::string(test_support::kMinimalHedging) + "objective.kind = \"" + kind + "\"\n";
    const auto problems = problems_of(text);
    ASSERT_EQ(problems.size(), 1u) << all_lines(problems);
    EXPECT_EQ(problems[0].key, "hedging.objective.risk_aversion");
    EXPECT_EQ(problems[0].location.rfind("x.toml:11:", 0), 0u) << problems[0].location;
    EXPECT_NE(problems[0].message.find("is required when hedging.objective.kind = \"" + kind),
              std::string::npos)
        << problems[0].message;
    EXPECT_NE(problems[0].message.find("1/quote currency"), std::string::npos);
    // The same through --set on a file without an objective.
    const auto by_override =
        problems_of(test_support::kMinimalHedging, {"hedging.objective.kind=" + kind});
    ASSERT_EQ(by_override.size(), 1u) << all_lines(by_override);
    EXPECT_EQ(by_override[0].key, "hedging.objective.risk_aversion");
    // Given, it is kept.
    const Scenario s = parse_scenario(text + "objective.risk_aversion = 2.5e-4\n", "x.toml");
    EXPECT_EQ(s.hedging.objective.kind, kind);
    EXPECT_EQ(s.hedging.objective.risk_aversion, 2.5e-4);
  }
  // mean_std keeps its default of 1 (a multiple of std, not a unit of money).
  const Scenario s = parse_scenario(
      std::string(test_support::kMinimalHedging) + "objective.kind = \"mean_std\"\n", "x.toml");
  EXPECT_EQ(s.hedging.objective.risk_aversion, 1.0);
}

TEST(MeanVarianceScenario, AllocationFamiliesAcceptMeanVarianceWithARiskAversion) {
  using test_support::all_lines;
  using test_support::problems_of;
  const std::string cppi =
      std::string(test_support::kMinimalCppi) + "objective.kind = \"mean_variance\"\n";
  const auto problems = problems_of(cppi);
  ASSERT_EQ(problems.size(), 1u) << all_lines(problems);
  EXPECT_EQ(problems[0].key, "cppi.objective.risk_aversion");
  const Scenario s = parse_scenario(cppi + "objective.risk_aversion = 1e-6\n", "x.toml");
  EXPECT_EQ(s.cppi.objective.kind, "mean_variance");
  const Scenario v = parse_scenario(
      "[grid]\nvolatility = [0.5]\nexpiry_days = [7]\n[vol_target]\n"
      "objective.kind = \"mean_variance\"\nobjective.risk_aversion = 1e-6\n",
      "x.toml");
  EXPECT_EQ(v.vol_target.objective.kind, "mean_variance");
}

// ---- allocation: the objective from the group's own metrics -----------------------------------

TEST(MeanVarianceAllocation, CppiAndVolTargetObjectiveIsMinusMeanPlusHalfKVariance) {
  Scenario s;
  s.seed = 3;
  s.simulation.paths = 2000;
  s.simulation.dt_hours = 4.0;
  s.simulation.precision = "double";
  s.grid.volatility = {0.6};
  s.grid.expiry_days = {7.0};
  s.costs.fee_bps = 10.0;
  s.cppi.present = true;
  s.cppi.multiplier = {2.0, 4.0};
  s.cppi.tolerance = {0.0, 0.1};
  s.cppi.objective.kind = "mean_variance";
  s.cppi.objective.risk_aversion = 2e-5;
  s.vol_target.present = true;
  s.vol_target.target = {0.2, 0.4};
  s.vol_target.tolerance = {0.1};
  s.vol_target.objective = s.cppi.objective;
  Execution cpu;
  cpu.backend = BackendKind::cpu;
  BootstrapPlan plan;
  plan.seed = 1;
  const auto groups = allocation_groups(s);
  const auto results = evaluate_allocation_cell(s, cell_coordinates(s, 0, 0), cpu, plan);
  ASSERT_EQ(results.size(), 2u);
  for (std::size_t g = 0; g < 2; ++g) {
    EXPECT_EQ(groups[g].sense, Sense::minimize);
    EXPECT_EQ(groups[g].objective_kind, "mean_variance");
    const GroupCellResult& r = results[g];
    for (std::size_t p = 0; p < r.objective.size(); ++p) {
      const double mean = r.metrics[0][p], std = r.metrics[1][p];  // terminal_mean, _std
      EXPECT_NEAR(r.objective[p], -mean + 0.5 * 2e-5 * std * std, 1e-9 * std::fabs(mean))
          << groups[g].policy << " point " << p;
      EXPECT_GT(r.objective_stderr[p], 0.0);
    }
  }
}

// ---- validation.md 13: the Whalley-Wilmott band is the mean-variance optimum ------------------

// A short 10-call ETH book, 30 days, 10 bps fee and nothing else, hedged every 15 minutes by the
// Whalley-Wilmott band at 7 risk aversions around k. Asymptotic theory (small costs, band much
// wider than a step's delta move: here about 15 x) says the best gamma is k.
TEST(MeanVarianceValidation, OptimalWhalleyWilmottRiskAversionIsK) {
  const double k = 1e-4;
  Scenario s;
  s.seed = 7;
  s.simulation.paths = 40000;
  s.simulation.dt_hours = 0.25;
  s.simulation.precision = "float";
  s.grid.volatility = {0.8};
  s.grid.expiry_days = {30.0};
  s.market.spot = 3000.0;
  s.costs.fee_bps = 10.0;
  s.book = {BookLeg{"call", 1.0, -10.0}};
  s.hedging.present = true;
  s.hedging.policies = {"whalley_wilmott"};
  for (double f : {0.125, 0.25, 0.5, 1.0, 2.0, 4.0, 8.0})
    s.hedging.whalley_wilmott_risk_aversion.push_back(f * k);
  s.hedging.objective.kind = "mean_variance";
  s.hedging.objective.risk_aversion = k;
  Execution cpu;
  cpu.backend = BackendKind::cpu;
  BootstrapPlan plan;
  plan.seed = 1;
  const auto results = evaluate_hedging_cell(s, cell_coordinates(s, 0, 0), cpu, plan);
  const GroupSpec group = hedging_groups(s)[1];
  const GroupCellResult& ww = results[1];
  const GridOptimum opt = find_optimum(group, ww.objective);
  const double ratio = opt.refined / k;
  const double low = percentile(ww.bootstrap_refined, kRefinedIntervalLow) / k;
  const double high = percentile(ww.bootstrap_refined, kRefinedIntervalHigh) / k;
  std::printf(
      "optimal Whalley-Wilmott risk aversion / k = %.3f, bootstrap 90%% interval [%.3f, "
      "%.3f]\n",
      ratio, low, high);
  // Measured over 8 seeds of this cell (40,000 paths each): ln(ratio) has mean 0.035 and standard
  // deviation 0.145 (ratios 0.81 .. 1.35). 3 standard deviations: |ln ratio| < 0.44, i.e. the
  // ratio in [0.65, 1.55]; an objective with k var instead of k/2 var would put it near 2.
  EXPECT_LT(std::fabs(std::log(ratio)), 0.44) << "ratio " << ratio;
  EXPECT_LT(low, high);
  EXPECT_GT(ww.objective_paired_stderr[std::size_t(opt.index) == 0 ? 1 : 0], 0.0);
}

// The same for a fixed cost per trade: gas 4 and nothing else, the fixed-cost band
// H = (12 gas Gamma^2 / gamma)^{1/4} back to the centre at 9 risk aversions k/16 .. 16k (the band
// about 25 x a step's delta move). The constant 12 is right if gamma = k is as good as the best
// point and the ends are worse: 12 x 16 in its place would make k as bad as k/16 is here. With the
// fourth root the objective is flat in gamma (x4 in gamma: x1.41 in the band), so the test compares
// objectives on the same paths (paired standard errors) rather than the optimum's location alone.
TEST(MeanVarianceValidation, FixedCostBandAtRiskAversionKIsOptimal) {
  const double k = 1e-4;
  Scenario s;
  s.seed = 7;
  s.simulation.paths = 20000;
  s.simulation.dt_hours = 0.25;
  s.simulation.precision = "float";
  s.grid.volatility = {0.8};
  s.grid.expiry_days = {30.0};
  s.market.spot = 3000.0;
  s.costs.gas = 4.0;
  s.book = {BookLeg{"call", 1.0, -10.0}};
  s.hedging.present = true;
  s.hedging.policies = {"fixed_cost_band"};
  s.hedging.fixed_cost_band_risk_aversion.clear();
  for (double f : {1.0 / 16, 1.0 / 8, 0.25, 0.5, 1.0, 2.0, 4.0, 8.0, 16.0})
    s.hedging.fixed_cost_band_risk_aversion.push_back(f * k);
  s.hedging.objective.kind = "mean_variance";
  s.hedging.objective.risk_aversion = k;
  Execution cpu;
  cpu.backend = BackendKind::cpu;
  BootstrapPlan plan;
  plan.seed = 1;
  const auto results = evaluate_hedging_cell(s, cell_coordinates(s, 0, 0), cpu, plan);
  const GroupSpec group = hedging_groups(s)[1];
  ASSERT_EQ(group.policy, "fixed_cost_band");
  const GroupCellResult& band = results[1];
  const GridOptimum opt = find_optimum(group, band.objective);
  // Objective above the optimum's, in paired standard errors, at gamma = k/16, k, 16k.
  auto excess = [&](std::size_t i) {
    const double d = band.objective[i] - band.objective[std::size_t(opt.index)];
    return d == 0.0 ? 0.0 : d / band.objective_paired_stderr[i];
  };
  std::printf(
      "fixed_cost_band: optimal risk aversion / k = %.3f; objective above the optimum at k/16, k, "
      "16k: %.1f, %.1f, %.1f paired standard errors\n",
      opt.refined / k, excess(0), excess(4), excess(8));
  // Measured over seeds 1..8 of this cell: at k 0 .. 1.9 (k near-optimal in all 8), at k/16
  // 3.1 .. 4.5, at 16k 5.9 .. 10.8; the refined optimum / k has ln mean -0.22 and sd 0.6.
  EXPECT_LT(excess(4), 2.5);
  EXPECT_GT(excess(0), 2.0);
  EXPECT_GT(excess(8), 3.0);
  EXPECT_LT(std::fabs(std::log(opt.refined / k)), 1.8) << "ratio " << opt.refined / k;
}

}  // namespace
}  // namespace hedgemap
