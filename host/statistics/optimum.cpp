#include "host/statistics/optimum.hpp"

#include <cmath>
#include <limits>

#include "host/statistics/bootstrap.hpp"

namespace hedgemap {

double parabola_vertex(double x0, double y0, double x1, double y1, double x2, double y2,
                       Sense sense) {
  // y = a x^2 + b x + c through the three points (divided differences); vertex at -b / 2a.
  const double d01 = (y1 - y0) / (x1 - x0);
  const double d12 = (y2 - y1) / (x2 - x1);
  const double a = (d12 - d01) / (x2 - x0);
  if (!std::isfinite(a) || a == 0.0) return x1;
  if ((sense == Sense::minimize && a < 0.0) || (sense == Sense::maximize && a > 0.0)) return x1;
  const double b = d01 - a * (x0 + x1);
  const double x = -b / (2.0 * a);
  if (!std::isfinite(x)) return x1;
  return std::fmin(std::fmax(x, x0), x2);
}

GridOptimum find_optimum(const GroupSpec& group, const std::vector<double>& objective) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  GridOptimum opt;
  opt.index = best_point(objective, group.sense);
  opt.parameter.assign(group.axes.size(), nan);
  opt.objective = nan;
  opt.refined = nan;
  if (opt.index < 0) return opt;
  opt.objective = objective[opt.index];
  // Row-major: the last axis varies fastest.
  std::size_t rest = static_cast<std::size_t>(opt.index);
  for (std::size_t a = group.axes.size(); a-- > 0;) {
    const auto& values = group.axes[a].values;
    opt.parameter[a] = values[rest % values.size()];
    rest /= values.size();
  }
  if (group.axes.size() != 1) return opt;

  const Axis& axis = group.axes[0];
  const int i = opt.index;
  opt.refined = axis.values[i];
  if (i == 0 || i + 1 >= static_cast<int>(axis.values.size())) return opt;
  if (!std::isfinite(objective[i - 1]) || !std::isfinite(objective[i + 1])) return opt;
  auto x = [&](int k) { return axis.geometric ? std::log(axis.values[k]) : axis.values[k]; };
  const double v = parabola_vertex(x(i - 1), objective[i - 1], x(i), objective[i], x(i + 1),
                                   objective[i + 1], group.sense);
  opt.refined = axis.geometric ? std::exp(v) : v;
  return opt;
}

}  // namespace hedgemap
