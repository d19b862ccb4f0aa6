// Extra swept axes, [grid.axes]: any numeric scalar key of [market], [volatility], [jumps],
// [gaps], [costs], [funding] and [hedging.objective], at most kMaxSweptAxes of them. A key is
// sweepable when the parser reads it as a number (FieldReader::number/integer), so a key added
// to the parser is sweepable without code here. Each combination of values is the scenario
// re-read with `key=value` overrides, exactly as `--set` applies them: a cell of the full grid
// is bit-identical to a 2-D run with those --set values.
#pragma once
#include <cstddef>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include <toml++/toml.h>

#include "host/scenario/field_reader.hpp"
#include "host/scenario/scenario.hpp"

namespace hedgemap {

// Index of each extra axis for a combination (row-major over the axes, the last fastest).
std::vector<std::size_t> axis_indices(const GridConfig& grid, std::size_t combination);

// The `--set` overrides ("costs.gas=4.0") that make combination `combination`.
std::vector<std::string> axis_overrides(const GridConfig& grid, std::size_t combination);

// The scenario of one combination: grid.axes empty, every axis key set to its value. Without
// extra axes, `s` itself.
Scenario scenario_at(const Scenario& s, std::size_t combination);

// True when every axis changes only the objective, not the per-path P&L (hedging.objective.*).
bool axes_leave_paths_unchanged(const GridConfig& grid);

// The unit of a key that [grid.axes] may sweep, in the spelling of the results file's `units`
// attributes ("1" for a pure number, "1/year", "hour", "quote currency"): the units of the
// key's axis in the results. hedging.objective.risk_aversion's unit depends on the objective
// (`objective_kind`): 1 for mean_std, 1/quote currency for mean_variance and utility. Empty for
// a key that is not in the table; tests/scenario/test_swept_key_units.cpp keeps every numeric
// key of the sweepable sections of docs/scenario.md in it, with the unit given there.
std::string swept_key_unit(const std::string& key, const std::string& objective_kind);

// Whether a [costs] key changes only what a trade costs, not the simulated paths (prices, fill
// times, gas factors, outages, funding): then one path pass evaluates several of its values,
// each in a cost slot of the hedging kernel (kernels/hedging_kernel.hpp). The list and the
// reason for each key left out are in grid_axes.cpp.
bool cost_only_key(const std::string& key);

// The indices of a combination's cost-only axes (the other axes at 0): combinations with the
// same cost setting and the same path setting give the same per-path P&L.
std::vector<std::size_t> cost_setting(const GridConfig& grid, std::size_t combination);

// The indices of a combination's path-changing axes (objective and cost-only axes at 0):
// combinations with the same path setting are simulated on the same paths.
std::vector<std::size_t> path_setting(const GridConfig& grid, std::size_t combination);

namespace scenario_detail {

// The table of swept_key_unit: key -> unit (risk_aversion's row names both of its units).
const std::map<std::string, std::string>& swept_key_units();

// Reads the scenario table (without [grid.axes]) into a Scenario, recording problems in the
// reader; the parser's own conversion.
using ConvertRoot =
    std::function<Scenario(const toml::table&, FieldReader&, std::vector<ScenarioProblem>&)>;

// The scenario sections whose numeric scalar keys [grid.axes] may sweep ("costs.", ...).
const std::vector<std::string>& sweepable_prefixes();

// The scenario of a file with [grid.axes] (`axes`, taken out of `root`): checks every key and
// every combination of values against the rest of the scenario (`root`, overrides applied), and
// returns the scenario of the first combination with grid.axes, grid.axes_base_toml and
// grid.source_name filled. `root` is left with the first combination set. Problems are appended
// to `problems`, at the [grid.axes] entry they come from.
Scenario read_swept_scenario(toml::table& root, const toml::table& axes,
                             const std::string& source_name, const ConvertRoot& convert,
                             std::vector<ScenarioProblem>& problems);

}  // namespace scenario_detail
}  // namespace hedgemap
