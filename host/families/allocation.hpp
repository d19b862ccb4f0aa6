// The allocation policy families: CPPI (/cppi, axes multiplier x tolerance) and volatility
// targeting (/vol_target, axes target x tolerance), evaluated per grid cell on the cell's paths
// with the cell's expiry as horizon (kernels/cppi_kernel.hpp, kernels/vol_target_kernel.hpp).
//
// Objectives (GroupCellResult::objective, per axis point):
//   cppi max_mean_gap:  maximise terminal_mean subject to gap_probability <= gap_probability_max;
//                       an infeasible point is NaN (no feasible point: NaN optimum + a warning)
//   mean_std (both):    minimise -terminal_mean + risk_aversion * terminal_std   (quote currency,
//                       the sign convention of the hedging family's mean_std)
// objective_stderr: terminal_stderr for max_mean_gap; for mean_std the batch-means error over the
// bootstrap plan's path blocks, std_b(objective on block b) / sqrt(B).
// bootstrap_optimum: from per-block sums of V_T - capital, its square and the gap count (enough
// for mean, std and P(gap) on any union of blocks).
#pragma once
#include <vector>

#include "host/exec/backend.hpp"
#include "host/statistics/bootstrap.hpp"
#include "host/scenario/kernel_params.hpp"
#include "host/statistics/policy_group.hpp"
#include "host/scenario/scenario.hpp"
#include "kernels/cppi_kernel.hpp"
#include "kernels/vol_target_kernel.hpp"

namespace hedgemap {

// Groups of the families present in the scenario, in the order "/cppi", "/vol_target".
// Throws std::invalid_argument for more than kMaxAllocationPoints points or an objective kind
// these families do not implement.
std::vector<GroupSpec> allocation_groups(const Scenario& s);

// One GroupCellResult per group of allocation_groups(s), in the same order.
std::vector<GroupCellResult> evaluate_allocation_cell(const Scenario& s,
                                                      const CellCoordinates& cell,
                                                      const Execution& exec,
                                                      const BootstrapPlan& plan);

// Kernel settings of a cell (points row-major: first axis outer).
CppiSettings cppi_settings(const Scenario& s, const CellCoordinates& cell);
VolTargetSettings vol_target_settings(const Scenario& s, const CellCoordinates& cell);

}  // namespace hedgemap
