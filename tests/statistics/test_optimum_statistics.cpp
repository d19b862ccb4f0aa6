// Statistics of a group's optimum (host/statistics/optimum_statistics.hpp): the paired standard
// error of objective(point) - objective(optimum) against the spread of that difference over
// independent samples (synthetic P&L for every objective kind, and 30 seeds of the simulator),
// the near-optimal flags, and the coverage of the bootstrap percentile interval of the refined
// optimum for an objective whose minimum is known.
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

#include "host/exec/backend.hpp"
#include "host/families/hedging.hpp"
#include "host/statistics/hedging_statistics.hpp"
#include "host/statistics/optimum.hpp"
#include "host/statistics/optimum_statistics.hpp"

namespace hedgemap {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Objective of every point on unions of blocks, from host P&L columns (32 bootstrap blocks).
struct SyntheticGroup {
  std::vector<std::vector<double>> pnl;  // [point][path]
  std::vector<PointStatistics> statistics;
  std::vector<double> objective;

  SyntheticGroup(std::vector<std::vector<double>> columns, HedgeObjective kind, double k,
                 double level)
      : pnl(std::move(columns)) {
    std::vector<const double*> pointers;
    for (const auto& c : pnl) pointers.push_back(c.data());
    const std::uint64_t n = pnl[0].size();
    statistics = pnl_statistics(HostPnlSamples(pointers, n), pnl_segments(n, 32), kind, k, level);
    for (const auto& s : statistics) objective.push_back(s.summary.objective);
  }
  ObjectiveOnBlocks on_blocks() const {
    return [this](std::size_t p, const std::vector<int>& blocks) {
      return statistics[p].on_blocks(blocks);
    };
  }
};

TEST(OptimumStatistics, PercentileIsLinearBetweenSortedFiniteValues) {
  EXPECT_DOUBLE_EQ(percentile({4.0, kNaN, 1.0, 3.0, 2.0}, 0.5), 2.5);
  EXPECT_DOUBLE_EQ(percentile({4.0, 1.0, 3.0, 2.0}, 0.0), 1.0);
  EXPECT_DOUBLE_EQ(percentile({4.0, 1.0, 3.0, 2.0}, 1.0), 4.0);
  EXPECT_DOUBLE_EQ(percentile({4.0, 1.0, 3.0, 2.0}, 0.05), 1.15);  // position 0.15
  EXPECT_TRUE(std::isnan(percentile({kNaN, kNaN}, 0.5)));
  EXPECT_TRUE(std::isnan(percentile({}, 0.5)));
}

TEST(OptimumStatistics, NearOptimalFlagsPointsWithinTwoPairedStandardErrors) {
  const std::vector<double> objective{10.0, 12.0, 13.0, kNaN, 10.5};
  const std::vector<double> paired{0.0, 1.0, 1.4, 1.0, 0.2};
  // 0: the optimum; 1: 2 <= 2 x 1; 2: 3 > 2 x 1.4; 3: NaN; 4: 0.5 > 2 x 0.2
  EXPECT_EQ(near_optimal(objective, 0, paired), (std::vector<std::uint8_t>{1, 1, 0, 0, 0}));
  EXPECT_EQ(near_optimal(objective, -1, paired), (std::vector<std::uint8_t>(5, 0)));
}

// Three points that share a common noise (common random numbers) plus noise of their own; D =
// objective(p) - objective(0) over 200 independent samples. The jackknife's paired standard
// error must match the spread of D, and be far below the marginal standard errors (a marginal
// or an independent-samples formula fails the test).
TEST(OptimumStatistics, PairedStderrMatchesTheSpreadOfTheDifferenceForEveryObjective) {
  const int replicates = 200;
  const std::size_t n = 4000;
  for (HedgeObjective kind : {HedgeObjective::mean_std, HedgeObjective::mean_variance,
                              HedgeObjective::cvar, HedgeObjective::utility}) {
    std::mt19937_64 rng(1000 + int(kind));
    std::normal_distribution<double> z;
    std::vector<std::vector<double>> d(3);
    std::vector<std::vector<double>> se(3), marginal(3);
    for (int r = 0; r < replicates; ++r) {
      std::vector<std::vector<double>> columns(3, std::vector<double>(n));
      for (std::size_t i = 0; i < n; ++i) {
        const double common = 2.0 - std::exp(0.5 * z(rng));  // skewed, shared by every point
        for (int p = 0; p < 3; ++p)
          columns[p][i] = (1.0 + 0.1 * p) * common + 0.2 * p * z(rng) - 0.05 * p;
      }
      const SyntheticGroup g(std::move(columns), kind, 0.8, 0.9);
      const std::vector<double> paired = paired_stderr(3, 0, 32, g.on_blocks());
      EXPECT_EQ(paired[0], 0.0);
      for (int p = 1; p < 3; ++p) {
        d[p].push_back(g.objective[p] - g.objective[0]);
        se[p].push_back(paired[p]);
        marginal[p].push_back(g.statistics[p].summary.objective_stderr);
      }
    }
    for (int p = 1; p < 3; ++p) {
      double mean = 0.0, spread = 0.0, rms_se = 0.0, rms_marginal = 0.0;
      for (int r = 0; r < replicates; ++r) mean += d[p][r] / replicates;
      for (int r = 0; r < replicates; ++r) {
        spread += (d[p][r] - mean) * (d[p][r] - mean) / (replicates - 1);
        rms_se += se[p][r] * se[p][r] / replicates;
        rms_marginal += marginal[p][r] * marginal[p][r] / replicates;
      }
      spread = std::sqrt(spread);
      rms_se = std::sqrt(rms_se);
      // The sample std of 200 values is within 3 x 1/sqrt(2 x 199) = 15% of the truth (at 3 SE;
      // heavier tails widen that a little: 18%).
      EXPECT_NEAR(rms_se / spread, 1.0, 0.18) << "objective " << int(kind) << " point " << p;
      // Common random numbers: the neighbour's difference is much better resolved than either
      // objective alone (measured: 0.21 to 0.39 of its marginal standard error).
      if (p == 1) {
        EXPECT_LT(rms_se, 0.5 * std::sqrt(rms_marginal)) << "objective " << int(kind);
      }
    }
  }
}

// The simulator: a short straddle's delta bands with fee and gas, 30 seeds of 3,000 paths.
Scenario banded_straddle(std::uint64_t seed) {
  Scenario s;
  s.seed = seed;
  s.simulation.paths = 3000;
  s.simulation.steps = 48;
  s.simulation.precision = "double";
  s.simulation.backend = "cpu";
  s.grid.volatility = {0.8};
  s.grid.expiry_days = {7.0};
  s.market.spot = 3000.0;
  s.costs.fee_bps = 5.0;
  s.costs.gas = 2.0;
  s.book = {BookLeg{"call", 1.0, -10.0}, BookLeg{"put", 1.0, -10.0}};
  s.hedging.present = true;
  s.hedging.policies = {"delta_band"};
  s.hedging.delta_band_band = {0.15, 0.35, 0.7, 1.6, 3.5};
  s.hedging.objective.kind = "mean_std";
  s.hedging.objective.risk_aversion = 1.0;
  return s;
}

TEST(OptimumStatistics, PairedStderrMatchesTheSpreadOverThirtySeeds) {
  const int seeds = 30, points = 5;
  Execution cpu;
  cpu.backend = BackendKind::cpu;
  cpu.threads = 2;
  std::vector<std::vector<double>> d(points), se(points), marginal(points);
  int optimum = -1;
  for (int seed = 1; seed <= seeds; ++seed) {
    const Scenario s = banded_straddle(std::uint64_t(seed));
    BootstrapPlan plan;
    plan.seed = std::uint64_t(seed);
    const auto groups = evaluate_hedging_cell(s, cell_coordinates(s, 0, 0), cpu, plan);
    const GroupCellResult& band = groups[1];  // [0] is "none"
    const int best = best_point(band.objective, Sense::minimize);
    if (optimum < 0) optimum = best;
    ASSERT_EQ(best, optimum) << "seed " << seed << ": the test needs a well-resolved optimum";
    for (int p = 0; p < points; ++p) {
      d[p].push_back(band.objective[p] - band.objective[best]);
      se[p].push_back(band.objective_paired_stderr[p]);
      marginal[p].push_back(band.objective_stderr[p]);
    }
  }
  double rms_marginal_optimum = 0.0;
  for (double v : marginal[optimum]) rms_marginal_optimum += v * v / seeds;
  for (int p = 0; p < points; ++p) {
    if (p == optimum) {
      for (double v : se[p]) EXPECT_EQ(v, 0.0);
      continue;
    }
    double mean = 0.0, spread = 0.0, rms_se = 0.0, rms_marginal = 0.0;
    for (int r = 0; r < seeds; ++r) mean += d[p][r] / seeds;
    for (int r = 0; r < seeds; ++r) {
      spread += (d[p][r] - mean) * (d[p][r] - mean) / (seeds - 1);
      rms_se += se[p][r] * se[p][r] / seeds;
      rms_marginal += marginal[p][r] * marginal[p][r] / seeds;
    }
    spread = std::sqrt(spread);
    rms_se = std::sqrt(rms_se);
    // The std of 30 values has a relative standard error of 1/sqrt(2 x 29) = 13%: 3 SE = 40%.
    EXPECT_NEAR(rms_se / spread, 1.0, 0.40)
        << "band point " << p << ": paired SE " << rms_se << ", std over seeds " << spread;
    // Common random numbers: the optimum's neighbours' differences are far better resolved than
    // independent samples would give, sqrt(SE_p^2 + SE_optimum^2) (measured: about 0.2 and 0.5).
    if (std::abs(p - optimum) == 1) {
      EXPECT_LT(rms_se, 0.75 * std::sqrt(rms_marginal + rms_marginal_optimum)) << "point " << p;
    }
  }
}

// An objective with a known minimum: point x has P&L -a (ln x - ln x*)^2 + common + own noise, so
// mean_std with k = 0 is exactly a parabola in ln x plus noise; the refined optimum (the vertex
// through the grid optimum and its neighbours) is then unbiased to first order. Over 300
// independent samples the 5%-95% bootstrap interval must cover x* about 90% of the time.
TEST(OptimumStatistics, RefinedIntervalCoversTheKnownOptimumAtTheNominalRate) {
  GroupSpec group;
  group.sense = Sense::minimize;
  group.axes.push_back(Axis{"band", {0.25, 0.5, 1.0, 2.0, 4.0}, "1", "band", true, false});
  const double x_star = 1.3, a = 4.0;
  const std::size_t n = 4000;
  const int replicates = 300;
  std::mt19937_64 rng(2024);
  std::normal_distribution<double> z;
  int covered = 0, below = 0, above = 0;
  for (int r = 0; r < replicates; ++r) {
    std::vector<std::vector<double>> columns(5, std::vector<double>(n));
    for (std::size_t i = 0; i < n; ++i) {
      const double common = 3.0 * z(rng);
      for (int p = 0; p < 5; ++p) {
        const double u = std::log(group.axes[0].values[p] / x_star);
        columns[p][i] = -a * u * u + common + 1.0 * z(rng);
      }
    }
    const SyntheticGroup g(std::move(columns), HedgeObjective::mean_std, 0.0, 0.95);
    BootstrapPlan plan;
    plan.seed = std::uint64_t(r);
    const OptimumStatistics o = optimum_statistics(group, g.objective, plan, g.on_blocks());
    const double low = percentile(o.bootstrap_refined, kRefinedIntervalLow);
    const double high = percentile(o.bootstrap_refined, kRefinedIntervalHigh);
    ASSERT_LE(low, high);
    covered += low <= x_star && x_star <= high;
    below += high < x_star;
    above += low > x_star;
  }
  const double coverage = double(covered) / replicates;
  // Binomial standard error at 0.9 over 300 samples: 1.7%; 64 resamples' percentiles and the
  // percentile method's small-sample bias undercover a little: accept 0.9 - 3 SE - 3% .. 0.9 + 3
  // SE.
  EXPECT_GT(coverage, 0.90 - 0.052 - 0.03) << covered << " of " << replicates;
  EXPECT_LT(coverage, 0.90 + 0.052) << covered << " of " << replicates;
  // Misses on both sides about equally (5% each; binomial 3 SE = 3.8%): an interval shifted off
  // x* would miss on one side only.
  EXPECT_LT(double(below) / replicates, 0.05 + 0.038 + 0.015) << below << " below";
  EXPECT_LT(double(above) / replicates, 0.05 + 0.038 + 0.015) << above << " above";
}

}  // namespace
}  // namespace hedgemap
