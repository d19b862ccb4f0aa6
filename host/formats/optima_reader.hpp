// Reads back the optima of a results file (docs/results-format.md) for `hedgemap inspect` and
// `hedgemap export`: the grid axes, every policy group's optimal parameter(s), objective and
// confidence per (volatility, expiry_days, extra axes...) cell, the best hedging policy, and the
// root attributes worth showing. Per-cell arrays are row-major over the grid:
// cell = (v * expiry_count + e) * combinations + k.
#pragma once
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

namespace hedgemap {

// Any failure to read a results file: the file, the object and the HDF5 call.
class ResultsReadError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct OptimalParameter {
  std::string axis;             // "band", "every_steps", "multiplier", ...
  std::string units;            // the axis' `units` attribute ("" if absent)
  std::vector<double> grid;     // optimal_<axis> [cell]
  std::vector<double> refined;  // optimal_<axis>_refined [cell]; empty when the file has none
};

struct PolicyOptima {
  std::string path;    // "/hedging/delta_band", "/cppi", "/vol_target"
  std::string policy;  // attribute `policy` (else the last path component)
  std::string objective_kind, objective_sense, objective_units;
  std::vector<OptimalParameter> parameters;  // in the order of the objective's axes; none: empty
  std::vector<double> objective;             // optimal_objective [cell]
  std::vector<double> confidence;            // optimal_confidence [cell]
  bool is_hedging() const { return path.rfind("/hedging/", 0) == 0; }
};

// An extra swept axis of [grid.axes]: a root dimension scale after expiry_days.
struct ExtraAxis {
  std::string name;          // dimension name ("gas")
  std::string scenario_key;  // attribute scenario_key ("costs.gas")
  std::vector<double> values;
};

struct ResultsOptima {
  std::string file;
  std::map<std::string, std::string> attributes;  // root attributes as text (strings, numbers)
  std::vector<double> volatility, expiry_days;
  std::vector<ExtraAxis> extra_axes;           // in dimension order; empty for a 2-D file
  std::vector<PolicyOptima> policies;          // /hedging/* (file order), then /cppi, /vol_target
  std::vector<std::string> best_policy_names;  // attribute `policies` of /best/hedging_policy
  std::vector<double> best_policy_index;       // [cell], -1 or NaN: none; empty when absent

  // Combinations of the extra axes (1 without), and cells of the full grid.
  std::size_t combinations() const {
    std::size_t n = 1;
    for (const ExtraAxis& a : extra_axes) n *= a.values.size();
    return n;
  }
  std::size_t cells() const { return volatility.size() * expiry_days.size() * combinations(); }
  // Index of each extra axis in combination k (row-major, the last axis fastest).
  std::vector<std::size_t> extra_indices(std::size_t k) const;
  std::string attribute(const std::string& name) const {
    auto it = attributes.find(name);
    return it == attributes.end() ? std::string() : it->second;
  }
  // Name of the best hedging policy of a cell, "" when there is none.
  std::string best_policy(std::size_t cell) const;
};

// Throws ResultsReadError when the file cannot be opened or lacks the grid axes, or when a
// variable it has is malformed. HDF5's own error printing is silenced while reading.
ResultsOptima read_results_optima(const std::string& path);

}  // namespace hedgemap
