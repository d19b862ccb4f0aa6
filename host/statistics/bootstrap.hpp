// Confidence in a grid optimum: resample the paths of a cell in blocks (with replacement, a fixed
// seed, so runs are reproducible) and record which grid point each resample picks.
//
//   objective(point, blocks) -> value of the objective at `point` on the union of the given path
//   blocks (block b holds paths [b * n / B, (b + 1) * n / B)); NaN marks an infeasible point.
#pragma once
#include <cstdint>
#include <functional>
#include <vector>

#include "host/statistics/policy_group.hpp"

namespace hedgemap {

struct BootstrapPlan {
  int blocks = 32;
  int resamples = 64;
  std::uint64_t seed = 0;
};

// Index of the best finite value under `sense`, -1 if none is finite. Ties: the first.
int best_point(const std::vector<double>& values, Sense sense);

// For each resample: best_point over points of objective(point, resampled blocks); with
// `resampled`, also every resample's objective per point (resampled[r][point]).
std::vector<int> bootstrap_optima(
    std::size_t points, Sense sense, const BootstrapPlan& plan,
    const std::function<double(std::size_t point, const std::vector<int>& blocks)>& objective,
    std::vector<std::vector<double>>* resampled = nullptr);

// Share of resamples whose optimum equals `full_optimum` (NaN if there are none or it is -1).
double optimum_confidence(const std::vector<int>& resample_optima, int full_optimum);

}  // namespace hedgemap
