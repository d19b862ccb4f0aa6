#include "host/families/allocation.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <stdexcept>
#include <string>

#include "host/statistics/column_moments.hpp"
#include "host/statistics/optimum_statistics.hpp"
#include "host/exec/path_runner.hpp"

namespace hedgemap {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// The batch-means standard error below needs 2 paths in every bootstrap block: the scenario's
// minimum number of paths guarantees it.
static_assert(kMinPathsPerCell >= 2 * std::uint64_t(BootstrapPlan{}.blocks));

// Per axis point and bootstrap block: sums of d = V_T - capital, d^2 and the gap indicator, in
// path order (so they do not depend on threads or backend).
class BlockSums {
 public:
  BlockSums(int points, int blocks, std::uint64_t paths)
      : points_(points),
        blocks_(blocks > 0 ? blocks : 0),
        paths_(paths),
        cells_(std::size_t(points) * std::size_t(blocks_)) {}

  // values(p, i): V_T of point p for path i of the chunk starting at `first`.
  template <class ValueOf>
  void add_chunk(std::uint64_t first, std::uint64_t n, double capital, double floor_value,
                 const ValueOf& values) {
    if (blocks_ == 0) return;
    for (int p = 0; p < points_; ++p) {
      int b = block_of(first);
      std::uint64_t end = block_end(b);
      for (std::uint64_t i = 0; i < n; ++i) {
        while (first + i >= end) end = block_end(++b);
        Cell& c = cells_[std::size_t(p) * blocks_ + b];
        const double v = values(p, i);
        const double d = v - capital;
        c.count += 1.0;
        c.sum += d;
        c.sum_sq += d * d;
        c.gaps += v < floor_value ? 1.0 : 0.0;
      }
    }
  }

  struct Cell {
    double count = 0.0, sum = 0.0, sum_sq = 0.0, gaps = 0.0;
  };
  // The union (with repetition) of `blocks` for point p.
  Cell merged(int p, const std::vector<int>& blocks) const {
    Cell m;
    for (int b : blocks) {
      const Cell& c = cells_[std::size_t(p) * blocks_ + b];
      m.count += c.count;
      m.sum += c.sum;
      m.sum_sq += c.sum_sq;
      m.gaps += c.gaps;
    }
    return m;
  }
  int blocks() const { return blocks_; }

 private:
  std::uint64_t block_end(int b) const { return (std::uint64_t(b) + 1) * paths_ / blocks_; }
  int block_of(std::uint64_t path) const {
    int b = int(path * blocks_ / paths_);
    while (b > 0 && path < std::uint64_t(b) * paths_ / blocks_) --b;
    while (path >= block_end(b)) ++b;
    return b;
  }
  int points_, blocks_;
  std::uint64_t paths_;
  std::vector<Cell> cells_;
};

// Objective of one axis point from the moments of V_T (mean, std) and P(gap).
struct ObjectiveRule {
  std::string kind;
  double risk_aversion = 1.0;
  double gap_probability_max = 0.01;

  double operator()(double mean, double std, double gap_probability) const {
    if (kind == "max_mean_gap") return gap_probability <= gap_probability_max ? mean : kNaN;
    if (kind == "mean_variance") return -mean + 0.5 * risk_aversion * std * std;
    return -mean + risk_aversion * std;  // mean_std
  }
  double of(const BlockSums::Cell& c, double capital) const {
    if (c.count < 2.0) return kNaN;
    const double mean_d = c.sum / c.count;
    double var = (c.sum_sq - c.sum * mean_d) / (c.count - 1.0);
    if (var < 0.0) var = 0.0;
    return (*this)(capital + mean_d, std::sqrt(var), c.gaps / c.count);
  }
};

// Fills objective, objective_stderr and bootstrap_optimum of `r` (metrics already set).
void finish_objective(GroupCellResult& r, const GroupSpec& spec, const ObjectiveRule& rule,
                      const BlockSums& sums, double capital, int mean_metric, int std_metric,
                      int stderr_metric, int gap_metric, const BootstrapPlan& plan) {
  const std::size_t points = spec.points();
  r.objective.assign(points, kNaN);
  r.objective_stderr.assign(points, kNaN);
  for (std::size_t p = 0; p < points; ++p) {
    const double gap = gap_metric >= 0 ? r.metrics[gap_metric][p] : 0.0;
    r.objective[p] = rule(r.metrics[mean_metric][p], r.metrics[std_metric][p], gap);
    if (!std::isfinite(r.objective[p])) continue;
    if (rule.kind == "max_mean_gap") {
      r.objective_stderr[p] = r.metrics[stderr_metric][p];
    } else if (sums.blocks() >= 2) {  // batch means over the blocks
      double s = 0.0, s2 = 0.0;
      int used = 0;
      for (int b = 0; b < sums.blocks(); ++b) {
        const double v = rule.of(sums.merged(int(p), {b}), capital);
        if (!std::isfinite(v)) continue;
        s += v;
        s2 += v * v;
        ++used;
      }
      if (used >= 2) {
        const double mean = s / used;
        const double var = std::max(0.0, (s2 - s * mean) / (used - 1));
        r.objective_stderr[p] = std::sqrt(var / used);
      }
    }
  }
  if (sums.blocks() > 0 && plan.resamples > 0) {
    OptimumStatistics optimum = optimum_statistics(
        spec, r.objective, plan, [&](std::size_t p, const std::vector<int>& blocks) {
          return rule.of(sums.merged(int(p), blocks), capital);
        });
    r.objective_paired_stderr = std::move(optimum.paired_stderr);
    r.bootstrap_optimum = std::move(optimum.bootstrap_optimum);
    r.bootstrap_refined = std::move(optimum.bootstrap_refined);
  }
}

std::string allocation_objective_long_name(const std::string& kind) {
  return kind == "mean_variance" ? "-mean(V_T) + risk_aversion / 2 * var(V_T)"
                                 : "-mean(V_T) + risk_aversion * std(V_T)";
}

ObjectiveRule objective_rule(const ObjectiveConfig& o) {
  return ObjectiveRule{o.kind, o.risk_aversion, o.gap_probability_max};
}

void check_points(const char* family, std::size_t a, std::size_t b) {
  if (a == 0 || b == 0) throw std::invalid_argument(std::string(family) + ": empty axis");
  if (a * b > std::size_t(kMaxAllocationPoints))
    throw std::invalid_argument(std::string(family) + ": " + std::to_string(a) + " x " +
                                std::to_string(b) + " axis points, at most " +
                                std::to_string(kMaxAllocationPoints));
}

std::vector<MetricInfo> terminal_metrics() {
  return {{"terminal_mean", "quote currency", "mean terminal portfolio value V_T"},
          {"terminal_std", "quote currency", "standard deviation of V_T"},
          {"terminal_stderr", "quote currency", "standard error of the mean of V_T"},
          {"return_mean", "1", "mean simple return V_T / capital - 1"}};
}

// ---- CPPI ---------------------------------------------------------------------------------
enum CppiMetric : int {
  c_terminal_mean,
  c_terminal_std,
  c_terminal_stderr,
  c_return_mean,
  c_gap_probability,
  c_gap_probability_stderr,
  c_floor_breach_probability,
  c_shortfall_mean,
  c_cost_mean,
  c_trades_mean,
  c_metrics
};

GroupSpec cppi_group(const Scenario& s) {
  const CppiConfig& c = s.cppi;
  check_points("cppi", c.multiplier.size(), c.tolerance.size());
  GroupSpec g;
  g.path = "/cppi";
  g.policy = "cppi";
  g.axes = {
      {"multiplier", c.multiplier, "1", "CPPI multiplier m: exposure = m x cushion", true, false},
      {"tolerance", c.tolerance, "1", "rebalancing tolerance on |exposure / target - 1|", false,
       false}};
  g.metrics = terminal_metrics();
  g.metrics.push_back({"gap_probability", "1", "probability that V_T ends below the floor G"});
  g.metrics.push_back({"gap_probability_stderr", "1", "standard error of gap_probability"});
  g.metrics.push_back(
      {"floor_breach_probability", "1", "probability that V_t < G exp(-r (T - t)) at some step"});
  g.metrics.push_back({"shortfall_mean", "quote currency", "mean shortfall E[(G - V_T)^+]"});
  g.metrics.push_back(
      {"cost_mean", "quote currency", "mean total trading cost (fee, gas, impact)"});
  g.metrics.push_back({"trades_mean", "1", "mean number of rebalancing trades"});
  g.objective_kind = c.objective.kind;
  if (c.objective.kind == "max_mean_gap") {
    g.sense = Sense::maximize;
    g.objective_long_name =
        "mean terminal value where P(gap) <= " + std::to_string(c.objective.gap_probability_max) +
        " (NaN otherwise)";
  } else if (c.objective.kind == "mean_std" || c.objective.kind == "mean_variance") {
    g.sense = Sense::minimize;
    g.objective_long_name = allocation_objective_long_name(c.objective.kind);
  } else {
    throw std::invalid_argument("cppi.objective.kind = \"" + c.objective.kind +
                                "\": must be \"max_mean_gap\", \"mean_std\" or \"mean_variance\"");
  }
  g.objective_units = "quote currency";
  return g;
}

template <class Real>
GroupCellResult evaluate_cppi(const Scenario& s, const GroupSpec& spec, const CellCoordinates& cell,
                              const Execution& exec, const BootstrapPlan& plan) {
  CppiKernel<Real> kernel;
  kernel.process = process_params(s, cell);
  kernel.costs = cost_params(s);
  kernel.settings = cppi_settings(s, cell);
  const CppiSettings& set = kernel.settings;
  const int points = set.points;
  const int per = CppiKernel<Real>::kPerPoint;
  const double capital = set.capital, floor_value = set.floor_fraction * set.capital;
  const std::uint64_t paths = s.simulation.paths;

  ColumnMoments moments(kernel.columns());
  ColumnMoments derived_moments(2 * points);  // per point: gap indicator, shortfall
  BlockSums sums(points, plan.blocks, paths);
  std::vector<double> derived;
  // What needs each path's terminal value: point p's at terminal[p * stride + i].
  const auto add_terminal_values = [&](std::uint64_t first, std::uint64_t n, const double* terminal,
                                       std::uint64_t stride) {
    derived.resize(std::size_t(2 * points) * n);
    for (int p = 0; p < points; ++p) {
      const double* v = terminal + p * stride;
      double* gap = derived.data() + std::size_t(2 * p) * n;
      double* shortfall = gap + n;
      for (std::uint64_t i = 0; i < n; ++i) {
        gap[i] = v[i] < floor_value ? 1.0 : 0.0;
        shortfall[i] = v[i] < floor_value ? floor_value - v[i] : 0.0;
      }
    }
    derived_moments.add_chunk(derived.data(), n, exec.threads);
    sums.add_chunk(first, n, capital, floor_value,
                   [&](int p, std::uint64_t i) { return terminal[p * stride + i]; });
  };
  run_paths_with_moments(exec, kernel, paths,
                         KeptColumns{CppiKernel<Real>::terminal_value, per, points}, moments,
                         add_terminal_values);

  GroupCellResult r;
  r.metrics.assign(c_metrics, std::vector<double>(points, kNaN));
  for (int p = 0; p < points; ++p) {
    const int v = p * per + CppiKernel<Real>::terminal_value;
    r.metrics[c_terminal_mean][p] = moments.mean(v);
    r.metrics[c_terminal_std][p] = moments.stddev(v);
    r.metrics[c_terminal_stderr][p] = moments.stderr_of_mean(v);
    r.metrics[c_return_mean][p] = moments.mean(v) / capital - 1.0;
    r.metrics[c_gap_probability][p] = derived_moments.mean(2 * p);
    r.metrics[c_gap_probability_stderr][p] = derived_moments.stderr_of_mean(2 * p);
    r.metrics[c_floor_breach_probability][p] =
        moments.mean(p * per + CppiKernel<Real>::floor_breach);
    r.metrics[c_shortfall_mean][p] = derived_moments.mean(2 * p + 1);
    r.metrics[c_cost_mean][p] = moments.mean(p * per + CppiKernel<Real>::cost_paid);
    r.metrics[c_trades_mean][p] = moments.mean(p * per + CppiKernel<Real>::trade_count);
  }
  finish_objective(r, spec, objective_rule(s.cppi.objective), sums, capital, c_terminal_mean,
                   c_terminal_std, c_terminal_stderr, c_gap_probability, plan);
  if (best_point(r.objective, spec.sense) < 0)
    std::fprintf(
        stderr,
        "warning: /cppi at volatility=%g, expiry_days=%g: no (multiplier, tolerance) has a "
        "finite objective (max_mean_gap: P(gap) <= %g nowhere); the optimum is NaN\n",
        cell.volatility, cell.expiry_days, s.cppi.objective.gap_probability_max);
  return r;
}

// ---- volatility targeting -----------------------------------------------------------------
enum VolTargetMetric : int {
  v_terminal_mean,
  v_terminal_std,
  v_terminal_stderr,
  v_return_mean,
  v_cost_mean,
  v_trades_mean,
  v_realised_volatility_mean,
  v_max_drawdown_mean,
  v_metrics
};

GroupSpec vol_target_group(const Scenario& s) {
  const VolTargetConfig& c = s.vol_target;
  check_points("vol_target", c.target.size(), c.tolerance.size());
  GroupSpec g;
  g.path = "/vol_target";
  g.policy = "vol_target";
  g.axes = {{"target", c.target, "1", "annualized target volatility", true, false},
            {"tolerance", c.tolerance, "1", "rebalancing tolerance on |exposure / target - 1|",
             false, false}};
  g.metrics = terminal_metrics();
  g.metrics.push_back(
      {"cost_mean", "quote currency", "mean total trading cost (fee, gas, impact)"});
  g.metrics.push_back({"trades_mean", "1", "mean number of rebalancing trades"});
  g.metrics.push_back({"realised_volatility_mean", "1",
                       "mean annualized standard deviation of per-step log portfolio returns"});
  g.metrics.push_back(
      {"max_drawdown_mean", "1", "mean maximum drawdown, fraction of the running peak"});
  if (c.objective.kind != "mean_std" && c.objective.kind != "mean_variance")
    throw std::invalid_argument("vol_target.objective.kind = \"" + c.objective.kind +
                                "\": only \"mean_std\" and \"mean_variance\" are implemented for "
                                "volatility targeting");
  g.objective_kind = c.objective.kind;
  g.sense = Sense::minimize;
  g.objective_long_name = allocation_objective_long_name(c.objective.kind);
  g.objective_units = "quote currency";
  return g;
}

template <class Real>
GroupCellResult evaluate_vol_target(const Scenario& s, const GroupSpec& spec,
                                    const CellCoordinates& cell, const Execution& exec,
                                    const BootstrapPlan& plan) {
  VolTargetKernel<Real> kernel;
  kernel.process = process_params(s, cell);
  kernel.costs = cost_params(s);
  kernel.settings = vol_target_settings(s, cell);
  const int points = kernel.settings.points;
  const int per = VolTargetKernel<Real>::kPerPoint;
  const double capital = kernel.settings.capital;
  const std::uint64_t paths = s.simulation.paths;

  ColumnMoments moments(kernel.columns());
  BlockSums sums(points, plan.blocks, paths);
  // Point p's terminal value of path first + i at terminal[p * stride + i].
  const auto add_terminal_values = [&](std::uint64_t first, std::uint64_t n, const double* terminal,
                                       std::uint64_t stride) {
    sums.add_chunk(first, n, capital, -std::numeric_limits<double>::infinity(),
                   [&](int p, std::uint64_t i) { return terminal[p * stride + i]; });
  };
  run_paths_with_moments(exec, kernel, paths,
                         KeptColumns{VolTargetKernel<Real>::terminal_value, per, points}, moments,
                         add_terminal_values);

  GroupCellResult r;
  r.metrics.assign(v_metrics, std::vector<double>(points, kNaN));
  for (int p = 0; p < points; ++p) {
    const int v = p * per + VolTargetKernel<Real>::terminal_value;
    r.metrics[v_terminal_mean][p] = moments.mean(v);
    r.metrics[v_terminal_std][p] = moments.stddev(v);
    r.metrics[v_terminal_stderr][p] = moments.stderr_of_mean(v);
    r.metrics[v_return_mean][p] = moments.mean(v) / capital - 1.0;
    r.metrics[v_cost_mean][p] = moments.mean(p * per + VolTargetKernel<Real>::cost_paid);
    r.metrics[v_trades_mean][p] = moments.mean(p * per + VolTargetKernel<Real>::trade_count);
    r.metrics[v_realised_volatility_mean][p] =
        moments.mean(p * per + VolTargetKernel<Real>::realised_volatility);
    r.metrics[v_max_drawdown_mean][p] = moments.mean(p * per + VolTargetKernel<Real>::max_drawdown);
  }
  finish_objective(r, spec, objective_rule(s.vol_target.objective), sums, capital, v_terminal_mean,
                   v_terminal_std, v_terminal_stderr, -1, plan);
  return r;
}

bool double_precision(const Scenario& s) { return s.simulation.precision == "double"; }

}  // namespace

CppiSettings cppi_settings(const Scenario& s, const CellCoordinates& cell) {
  const CppiConfig& c = s.cppi;
  check_points("cppi", c.multiplier.size(), c.tolerance.size());
  const ProcessParams process = process_params(s, cell);
  CppiSettings set{};
  set.capital = c.capital;
  set.floor_fraction = c.floor;
  set.max_leverage = c.max_leverage;
  set.rate = s.market.rate;
  set.horizon = process.expiry;
  set.dt = process.dt;
  set.points = int(c.multiplier.size() * c.tolerance.size());
  int p = 0;
  for (double m : c.multiplier)
    for (double t : c.tolerance) {
      set.multiplier[p] = m;
      set.tolerance[p] = t;
      ++p;
    }
  return set;
}

VolTargetSettings vol_target_settings(const Scenario& s, const CellCoordinates& cell) {
  const VolTargetConfig& c = s.vol_target;
  check_points("vol_target", c.target.size(), c.tolerance.size());
  const ProcessParams process = process_params(s, cell);
  VolTargetSettings set{};
  set.capital = c.capital;
  set.max_leverage = c.max_leverage;
  set.rate = s.market.rate;
  set.dt = process.dt;
  const double half_life = c.ewma_halflife_hours / (24.0 * s.days_per_year);
  set.ewma_decay = ewma_decay(process.dt, half_life);  // 2^(-dt / half-life)
  set.initial_volatility = cell.volatility;  // the implied sigma_i (the sqrt impact law: process)
  set.points = int(c.target.size() * c.tolerance.size());
  int p = 0;
  for (double target : c.target)
    for (double t : c.tolerance) {
      set.target[p] = target;
      set.tolerance[p] = t;
      ++p;
    }
  return set;
}

std::vector<GroupSpec> allocation_groups(const Scenario& s) {
  std::vector<GroupSpec> groups;
  if (s.cppi.present) groups.push_back(cppi_group(s));
  if (s.vol_target.present) groups.push_back(vol_target_group(s));
  return groups;
}

std::vector<GroupCellResult> evaluate_allocation_cell(const Scenario& s,
                                                      const CellCoordinates& cell,
                                                      const Execution& exec,
                                                      const BootstrapPlan& plan) {
  std::vector<GroupCellResult> results;
  for (const GroupSpec& spec : allocation_groups(s)) {
    if (spec.policy == "cppi")
      results.push_back(double_precision(s) ? evaluate_cppi<double>(s, spec, cell, exec, plan)
                                            : evaluate_cppi<float>(s, spec, cell, exec, plan));
    else
      results.push_back(double_precision(s)
                            ? evaluate_vol_target<double>(s, spec, cell, exec, plan)
                            : evaluate_vol_target<float>(s, spec, cell, exec, plan));
  }
  return results;
}

}  // namespace hedgemap
