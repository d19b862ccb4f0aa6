// The unit of results: a policy group (one HDF5 group such as /hedging/delta_band or /cppi) with
// its parameter axes, evaluated on every path of a cell. A family evaluator (hedging, cppi,
// vol_target) returns one GroupCellResult per group and cell; host/sweep.cpp stacks them over the
// volatility x expiry grid, finds optima and writes the file.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace hedgemap {

struct Axis {
  std::string name;  // dimension name and scale dataset name, e.g. "band"
  std::vector<double> values;
  std::string units, long_name;
  bool geometric = false;  // refine the optimum in log(parameter)
  bool integer = false;    // stored as int64 (every_steps)
};

struct MetricInfo {
  std::string name, units, long_name;
};

enum class Sense { minimize, maximize };

struct GroupSpec {
  std::string path;                 // "/hedging/periodic", "/cppi", "/vol_target"
  std::string policy;               // "periodic", ..., "cppi", "vol_target"
  std::vector<Axis> axes;           // empty for "none"; row-major order of metric values
  std::vector<MetricInfo> metrics;  // every metric a GroupCellResult carries, in order
  std::string objective_kind;       // as in the scenario
  Sense sense = Sense::minimize;
  std::string objective_long_name, objective_units;

  std::size_t points() const {
    std::size_t n = 1;
    for (const Axis& a : axes) n *= a.values.size();
    return n;
  }
};

struct GroupCellResult {
  // metrics[m][p]: metric m (GroupSpec::metrics order) at axis point p (row-major over axes).
  std::vector<std::vector<double>> metrics;
  std::vector<double> objective;         // [p], NaN where infeasible / not computable
  std::vector<double> objective_stderr;  // [p]
  // Standard error of objective(p) - objective(optimum) on the same paths, [p]
  // (host/statistics/optimum_statistics.hpp).
  std::vector<double> objective_paired_stderr;
  // Grid optimum of each bootstrap resample over path blocks (-1: none feasible), for
  // optimal_confidence = share of resamples that agree with the full-sample optimum.
  std::vector<int> bootstrap_optimum;
  // Refined optimum of each resample (1-axis groups; NaN otherwise), for its percentile interval.
  std::vector<double> bootstrap_refined;
};

}  // namespace hedgemap
