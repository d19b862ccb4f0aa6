#include "host/statistics/optimum_statistics.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>

#include "host/statistics/optimum.hpp"

namespace hedgemap {
namespace {
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
}

std::vector<double> paired_stderr(std::size_t points, int optimum, int blocks,
                                  const ObjectiveOnBlocks& on_blocks) {
  std::vector<double> se(points, kNaN);
  if (optimum < 0 || blocks < 2) return se;
  // D_p(-b) for every block b left out, per point.
  auto left_out =
      std::vector<std::vector<double>>(std::size_t(blocks), std::vector<double>(points));
  std::vector<int> kept;
  for (int b = 0; b < blocks; ++b) {
    kept.clear();
    for (int j = 0; j < blocks; ++j)
      if (j != b) kept.push_back(j);
    const double at_optimum = on_blocks(std::size_t(optimum), kept);
    for (std::size_t p = 0; p < points; ++p)
      left_out[b][p] = std::size_t(optimum) == p ? 0.0 : on_blocks(p, kept) - at_optimum;
  }
  const double B = double(blocks);
  for (std::size_t p = 0; p < points; ++p) {
    double mean = 0.0;
    for (int b = 0; b < blocks; ++b) mean += left_out[b][p];
    mean /= B;
    double squares = 0.0;
    for (int b = 0; b < blocks; ++b) {
      const double d = left_out[b][p] - mean;
      squares += d * d;
    }
    se[p] = std::sqrt((B - 1.0) / B * squares);  // NaN when any D_p(-b) is
  }
  return se;
}

OptimumStatistics optimum_statistics(const GroupSpec& group, const std::vector<double>& objective,
                                     const BootstrapPlan& plan,
                                     const ObjectiveOnBlocks& on_blocks) {
  OptimumStatistics out;
  const std::size_t points = objective.size();
  out.paired_stderr =
      paired_stderr(points, best_point(objective, group.sense), plan.blocks, on_blocks);
  std::vector<std::vector<double>> resampled;
  out.bootstrap_optimum = bootstrap_optima(
      points, group.sense, plan,
      [&](std::size_t p, const std::vector<int>& blocks) { return on_blocks(p, blocks); },
      &resampled);
  out.bootstrap_refined.assign(resampled.size(), kNaN);
  if (group.axes.size() == 1)
    for (std::size_t r = 0; r < resampled.size(); ++r)
      out.bootstrap_refined[r] = find_optimum(group, resampled[r]).refined;
  return out;
}

std::vector<std::uint8_t> near_optimal(const std::vector<double>& objective, int optimum,
                                       const std::vector<double>& paired_stderr, double z) {
  std::vector<std::uint8_t> near(objective.size(), 0);
  if (optimum < 0) return near;
  const double best = objective[std::size_t(optimum)];
  for (std::size_t p = 0; p < objective.size(); ++p) {
    if (int(p) == optimum) {
      near[p] = 1;
      continue;
    }
    const double gap = std::abs(objective[p] - best),
                 se = p < paired_stderr.size() ? paired_stderr[p] : kNaN;
    near[p] = std::isfinite(gap) && std::isfinite(se) && gap <= z * se ? 1 : 0;
  }
  return near;
}

double percentile(std::vector<double> values, double q) {
  values.erase(
      std::remove_if(values.begin(), values.end(), [](double v) { return !std::isfinite(v); }),
      values.end());
  if (values.empty()) return kNaN;
  std::sort(values.begin(), values.end());
  const double position = std::clamp(q, 0.0, 1.0) * double(values.size() - 1);
  const std::size_t below = std::size_t(std::floor(position));
  const std::size_t above = std::min(below + 1, values.size() - 1);
  const double w = position - double(below);
  return values[below] + w * (values[above] - values[below]);
}

}  // namespace hedgemap
