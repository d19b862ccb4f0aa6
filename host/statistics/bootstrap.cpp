#include "host/statistics/bootstrap.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "kernels/philox_stream.hpp"

namespace hedgemap {

int best_point(const std::vector<double>& values, Sense sense) {
  int best = -1;
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (!std::isfinite(values[i])) continue;
    if (best < 0 ||
        (sense == Sense::minimize ? values[i] < values[best] : values[i] > values[best]))
      best = static_cast<int>(i);
  }
  return best;
}

std::vector<int> bootstrap_optima(
    std::size_t points, Sense sense, const BootstrapPlan& plan,
    const std::function<double(std::size_t, const std::vector<int>&)>& objective,
    std::vector<std::vector<double>>* resampled) {
  std::vector<int> optima(plan.resamples, -1);
  if (resampled) resampled->assign(std::size_t(std::max(plan.resamples, 0)), {});
  std::vector<int> blocks(plan.blocks);
  std::vector<double> values(points);
  // Block choices come from their own Philox stream (path index = 2^63 + resample), disjoint
  // from every simulated path.
  for (int r = 0; r < plan.resamples; ++r) {
    const PhiloxStream stream(plan.seed, (1ull << 63) + std::uint64_t(r));
    for (int b = 0; b < plan.blocks; ++b) {
      const Uint4 w = stream.words(0, std::uint32_t(b));
      blocks[b] = static_cast<int>(u01_open(w.x) * plan.blocks);
      if (blocks[b] >= plan.blocks) blocks[b] = plan.blocks - 1;
    }
    for (std::size_t p = 0; p < points; ++p) values[p] = objective(p, blocks);
    optima[r] = best_point(values, sense);
    if (resampled) (*resampled)[std::size_t(r)] = values;
  }
  return optima;
}

double optimum_confidence(const std::vector<int>& resample_optima, int full_optimum) {
  if (resample_optima.empty() || full_optimum < 0) return std::numeric_limits<double>::quiet_NaN();
  int same = 0;
  for (int o : resample_optima) same += (o == full_optimum);
  return double(same) / double(resample_optima.size());
}

}  // namespace hedgemap
