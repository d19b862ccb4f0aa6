// The hedging policy family: which /hedging/<policy> groups a scenario asks for, and their
// results on one grid cell, all computed from one HedgingKernel pass over the cell's paths.
#pragma once
#include <vector>

#include "host/exec/backend.hpp"
#include "host/statistics/bootstrap.hpp"
#include "host/scenario/kernel_params.hpp"
#include "host/families/model_summary.hpp"
#include "host/statistics/policy_group.hpp"
#include "host/scenario/scenario.hpp"
#include "kernels/hedging_kernel.hpp"

namespace hedgemap {

// "/hedging/none" always, then periodic, delta_band, whalley_wilmott, fixed_cost_band in that order
// when listed in hedging.policies. Throws std::invalid_argument for more than kMaxHedgeParams
// values of an axis.
std::vector<GroupSpec> hedging_groups(const Scenario& s);

// One GroupCellResult per hedging_groups(s) entry, in the same order. With `model`, also the
// /model/ summary of the same paths (no second pass).
std::vector<GroupCellResult> evaluate_hedging_cell(const Scenario& s, const CellCoordinates& cell,
                                                   const Execution& exec, const BootstrapPlan& plan,
                                                   ModelCell* model = nullptr);

// Proportional cost rate lambda of the Whalley-Wilmott band: the fee plus the impact's marginal
// cost per notional at zero size, which is 0 for every impact law (so: the fee). Independent of
// the step dt and of gas (the fixed_cost_band's cost).
double whalley_wilmott_lambda(const CostParams& costs);

// evaluate_hedging_cell for scenarios that differ only in [hedging.objective] and in cost-only
// keys (swept objective and cost axes, host/scenario/grid_axes.hpp): one path pass whose kernel
// has a cost slot per cost setting, slot_of[i] the slot of variants[i] (0, 1, ... in order of
// first appearance; variants in one slot have the same costs); each slot's per-path P&L is
// reduced under each of its variants' objectives. One result per scenario, each bit-identical to
// evaluate_hedging_cell of that scenario alone. At most kMaxCostSlots slots whose points fit
// kMaxHedgePoints (std::logic_error otherwise: SweepLayout splits the passes).
std::vector<std::vector<GroupCellResult>> evaluate_hedging_cell_variants(
    const std::vector<const Scenario*>& variants, const std::vector<int>& slot_of,
    const CellCoordinates& cell, const Execution& exec, const BootstrapPlan& plan,
    ModelCell* model = nullptr);

// The path kernel of a cell (the Real precision is the caller's choice).
template <class Real>
HedgingKernel<Real> make_hedging_kernel(const Scenario& s, const CellCoordinates& cell);

}  // namespace hedgemap
