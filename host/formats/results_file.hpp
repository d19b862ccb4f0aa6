// The results file of docs/results-format.md, written from the finished cells of a sweep.
#pragma once
#include <string>
#include <vector>

#include "host/families/cell_result.hpp"
#include "host/formats/non_finite_values.hpp"
#include "host/statistics/policy_group.hpp"
#include "host/scenario/scenario.hpp"

namespace hedgemap {

struct Provenance {
  std::string command_line;
  std::string backend, device;
  double wall_seconds = 0.0;
  std::string scenario_sha256;
};

// cells: volatility-major (cell = vol_index * expiry_count + expiry_index). Returns the
// non-finite values the file holds (those it does not define as NaN), for the caller to list.
NonFiniteValues write_results_file(const std::string& path, bool overwrite, const Scenario& s,
                                   const std::vector<GroupSpec>& groups,
                                   const std::vector<CellResult>& cells,
                                   const Provenance& provenance);

// Best hedging policy per cell: index into the hedging groups' policy names, -1 if none finite.
int best_hedging_policy(const std::vector<GroupSpec>& groups, const CellResult& cell,
                        std::vector<std::string>* policy_names);

}  // namespace hedgemap
