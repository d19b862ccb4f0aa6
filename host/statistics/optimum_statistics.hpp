// How sure is a group's optimum, from the objective of each point on unions of path blocks
// (host/statistics/bootstrap.hpp: block b holds paths [b n / B, (b + 1) n / B)):
//
//  - paired standard error of D_p = objective(p) - objective(optimum), both on the same paths
//    (common random numbers), by the delete-one-block jackknife over the B blocks:
//        SE(D_p)^2 = (B - 1) / B  sum_b (D_p(-b) - mean_b D_p(-b))^2
//    where D_p(-b) is the difference on every block but b. It is far below the marginal
//    objective_stderr when the points share their paths' noise. 0 at the optimum itself.
//  - the bootstrap resamples' grid optima (optimal_confidence) and, for a 1-axis group, their
//    refined optima (host/statistics/optimum.hpp), whose 5% and 95% percentiles are the interval
//    of optimal_<p>_refined.
//
// Every value is a function of per-block sums that are fixed-order
// (host/statistics/pnl_samples.hpp, the allocation families' block sums), so the bits do not depend
// on threads, chunks or backend.
#pragma once
#include <cstddef>
#include <cstdint>
#include <functional>
#include <vector>

#include "host/statistics/bootstrap.hpp"
#include "host/statistics/policy_group.hpp"

namespace hedgemap {

// objective(point, blocks): the objective of `point` on the union (with repetition) of `blocks`.
using ObjectiveOnBlocks = std::function<double(std::size_t point, const std::vector<int>& blocks)>;

struct OptimumStatistics {
  std::vector<double> paired_stderr;      // [point]; NaN where a jackknife value is not finite
  std::vector<int> bootstrap_optimum;     // [resample]: grid optimum, -1 when none is finite
  std::vector<double> bootstrap_refined;  // [resample]: refined optimum (NaN: none, or not 1-D)
};

// `objective`: the full-sample objective per point (its best point is the optimum).
OptimumStatistics optimum_statistics(const GroupSpec& group, const std::vector<double>& objective,
                                     const BootstrapPlan& plan, const ObjectiveOnBlocks& on_blocks);

// The jackknife paired standard errors alone (see above); all NaN without a finite optimum or
// with fewer than 2 blocks.
std::vector<double> paired_stderr(std::size_t points, int optimum, int blocks,
                                  const ObjectiveOnBlocks& on_blocks);

// Points whose objective is within `z` paired standard errors of the optimum's (the optimum
// included): 1, else 0 (NaN objective or standard error: 0).
std::vector<std::uint8_t> near_optimal(const std::vector<double>& objective, int optimum,
                                       const std::vector<double>& paired_stderr, double z = 2.0);

// The q-quantile (0 <= q <= 1) of the finite values, linear between order statistics
// (position q (m - 1) among the m sorted finite values); NaN when there are none.
double percentile(std::vector<double> values, double q);

// Bootstrap percentile interval of the refined optimum: (5%, 95%).
constexpr double kRefinedIntervalLow = 0.05, kRefinedIntervalHigh = 0.95;

}  // namespace hedgemap
