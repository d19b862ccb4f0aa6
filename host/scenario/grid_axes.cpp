// Extra swept axes, [grid.axes] (see the header).
#include "host/scenario/grid_axes.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <utility>
#include <set>

#include "host/scenario/overrides.hpp"
#include "host/scenario/parser.hpp"

namespace hedgemap {

std::vector<std::size_t> axis_indices(const GridConfig& grid, std::size_t combination) {
  std::vector<std::size_t> index(grid.axes.size());
  for (std::size_t a = grid.axes.size(); a-- > 0;) {
    index[a] = combination % grid.axes[a].values.size();
    combination /= grid.axes[a].values.size();
  }
  return index;
}

std::vector<std::string> axis_overrides(const GridConfig& grid, std::size_t combination) {
  const std::vector<std::size_t> index = axis_indices(grid, combination);
  std::vector<std::string> overrides;
  for (std::size_t a = 0; a < grid.axes.size(); ++a)
    overrides.push_back(grid.axes[a].key + "=" + grid.axes[a].texts[index[a]]);
  return overrides;
}

Scenario scenario_at(const Scenario& s, std::size_t combination) {
  if (s.grid.axes.empty()) return s;
  Scenario cell = parse_scenario(s.grid.axes_base_toml, s.grid.source_name,
                                 axis_overrides(s.grid, combination));
  cell.effective_toml = s.effective_toml;  // the run's scenario, [grid.axes] included
  return cell;
}

bool axes_leave_paths_unchanged(const GridConfig& grid) {
  for (const SweptAxis& a : grid.axes)
    if (!a.paths_unchanged) return false;
  return true;
}

std::string swept_key_unit(const std::string& key, const std::string& objective_kind) {
  if (key == "hedging.objective.risk_aversion")  // k of -mean + k std, or of k/2 var, e^{-k x}
    return objective_kind == "mean_variance" || objective_kind == "utility" ? "1/quote currency"
                                                                            : "1";
  const auto& units = scenario_detail::swept_key_units();
  const auto found = units.find(key);
  return found == units.end() ? std::string() : found->second;
}

bool cost_only_key(const std::string& key) {
  // Read only where a trade is priced (CostParams, the Whalley-Wilmott lambda = the fee, the
  // fixed-cost band's gas, the vega instrument's fee): the paths do not see them. Left out:
  // costs.latency_seconds splits each step at the fill time (the path draws the fill price);
  // costs.gas_volatility and costs.gas_halflife_hours make the path's gas factor; costs.impact
  // is text. gaps.gas_multiplier is in the path's gas factor when
  // gaps.congestion_halflife_hours is set, so it keeps a pass of its own.
  static const char* const keys[] = {"costs.fee_bps",       "costs.gas",
                                     "costs.pool_depth",    "costs.impact_coefficient",
                                     "costs.daily_volume",  "costs.min_trade_units",
                                     "costs.option_fee_bps"};
  for (const char* k : keys)
    if (key == k) return true;
  return false;
}

namespace {

// The combination's axis indices with those of the axes failing `keep` at 0.
template <class Keep>
std::vector<std::size_t> indices_where(const GridConfig& grid, std::size_t combination, Keep keep) {
  std::vector<std::size_t> index = axis_indices(grid, combination);
  for (std::size_t a = 0; a < index.size(); ++a)
    if (!keep(grid.axes[a])) index[a] = 0;
  return index;
}

}  // namespace

std::vector<std::size_t> cost_setting(const GridConfig& grid, std::size_t combination) {
  return indices_where(grid, combination, [](const SweptAxis& a) { return a.cost_only; });
}

std::vector<std::size_t> path_setting(const GridConfig& grid, std::size_t combination) {
  return indices_where(grid, combination,
                       [](const SweptAxis& a) { return !a.cost_only && !a.paths_unchanged; });
}

namespace scenario_detail {

const std::map<std::string, std::string>& swept_key_units() {
  // One row per numeric scalar key of the sweepable sections (sweepable_prefixes below).
  static const std::map<std::string, std::string> kUnits{
      {"market.spot", "quote currency"},
      {"market.rate", "1/year"},
      {"market.drift", "1/year"},
      {"volatility.realised_to_implied", "1"},
      {"volatility.mean_reversion", "1/year"},
      {"volatility.vol_of_vol", "1/year^0.5"},
      {"volatility.correlation", "1"},
      {"volatility.initial_to_long_run", "1"},
      {"jumps.intensity", "1/year"},
      {"jumps.log_mean", "1"},
      {"jumps.log_stdev", "1"},
      {"jumps.up_probability", "1"},
      {"jumps.up_rate", "1"},
      {"jumps.down_rate", "1"},
      {"gaps.intensity", "1/year"},
      {"gaps.duration_hours", "hour"},
      {"gaps.crash_log_mean", "1"},
      {"gaps.crash_log_stdev", "1"},
      {"gaps.gas_multiplier", "1"},
      {"gaps.congestion_halflife_hours", "hour"},
      {"costs.fee_bps", "bps"},
      {"costs.gas", "quote currency per transaction"},
      {"costs.gas_volatility", "1"},
      {"costs.gas_halflife_hours", "hour"},
      {"costs.pool_depth", "quote currency"},
      {"costs.impact_coefficient", "1"},
      {"costs.daily_volume", "units of the underlying per day"},
      {"costs.latency_seconds", "s"},
      {"costs.min_trade_units", "units of the underlying"},
      {"costs.option_fee_bps", "bps"},
      {"funding.rate", "1/year"},
      {"funding.volatility", "1/year"},
      {"funding.halflife_hours", "hour"},
      {"funding.correlation", "1"},
      {"hedging.objective.level", "1"},
      {"hedging.objective.risk_aversion", "1 (mean_std) or 1/quote currency"},
  };
  return kUnits;
}

namespace {

const char* kAllowedText =
    "[grid.axes] takes a numeric scalar key of [market], [volatility], [jumps], [gaps], [costs], "
    "[funding] or [hedging.objective], written in full (\"costs.gas\" = [1.0, 4.0])";

// "costs . gas" -> "costs.gas"; empty when a part is empty.
std::string normalized_key(const std::string& raw) {
  std::string out, part;
  const auto flush = [&]() {
    const auto b = part.find_first_not_of(" \t"), e = part.find_last_not_of(" \t");
    if (b == std::string::npos) return false;
    out += (out.empty() ? "" : ".") + part.substr(b, e - b + 1);
    part.clear();
    return true;
  };
  for (const char c : raw) {
    if (c != '.') {
      part += c;
    } else if (!flush()) {
      return {};
    }
  }
  return flush() ? out : std::string();
}

bool sweepable(const std::string& key) {
  for (const std::string& prefix : sweepable_prefixes()) {
    if (key.rfind(prefix, 0) != 0) continue;
    return key.find('.', prefix.size()) == std::string::npos;  // a scalar of that section
  }
  return false;
}

// A problem's key is about axis `key` when it is the key, or a table on its path ("volatility"
// unknown at the top level), or an element of it.
bool concerns(const std::string& problem_key, const std::string& key) {
  if (problem_key.empty()) return false;
  if (problem_key == key) return true;
  if (key.rfind(problem_key + ".", 0) == 0) return true;
  return problem_key.rfind(key + "[", 0) == 0;
}

bool given_by_set(const toml::source_region& src) {
  return src.begin.line == 0 || (src.path && *src.path == kOverrideLocation);
}

std::string where(const toml::node& node) {
  const toml::source_region& src = node.source();
  if (given_by_set(src)) return "by --set";
  return "at line " + std::to_string(src.begin.line) + ", column " +
         std::to_string(src.begin.column);
}

// Takes `key` ("costs.gas") out of `root`.
void erase_key(toml::table& root, const std::string& key) {
  const std::size_t dot = key.rfind('.');
  if (toml::table* parent = root.at_path(key.substr(0, dot)).as_table())
    parent->erase(key.substr(dot + 1));
}

// Moves a problem found on a combination to the [grid.axes] entry it comes from.
ScenarioProblem relocated(const ScenarioProblem& p, const std::string& key, const toml::node& at,
                          const std::string& source_name) {
  ScenarioProblem q = p;
  q.key = key;
  q.value = render_value(at);
  const toml::source_region& src = at.source();
  if (given_by_set(src)) {  // a value of --set grid.axes={...}: no line of the file
    q.line = q.column = 0;
    q.location = std::string(kOverrideLocation);
    return q;
  }
  q.line = int(src.begin.line);
  q.column = int(src.begin.column);
  q.location =
      source_name +
      (q.line > 0 ? ":" + std::to_string(q.line) + ":" + std::to_string(q.column) : std::string());
  return q;
}

struct AxisEntry {
  SweptAxis axis;
  std::string label;  // grid.axes."costs.gas"
  const toml::array* values = nullptr;
};

}  // namespace

const std::vector<std::string>& sweepable_prefixes() {
  static const std::vector<std::string> prefixes{
      "market.", "volatility.", "jumps.", "gaps.", "costs.", "funding.", "hedging.objective."};
  return prefixes;
}

Scenario read_swept_scenario(toml::table& root, const toml::table& axes,
                             const std::string& source_name, const ConvertRoot& convert,
                             std::vector<ScenarioProblem>& problems) {
  const std::size_t problems_before = problems.size();
  FieldReader syntax(source_name, problems);
  if (axes.size() > kMaxSweptAxes)
    syntax.report("grid.axes", &axes, nullptr,
                  "has " + std::to_string(axes.size()) + " keys; at most " +
                      std::to_string(kMaxSweptAxes) + " extra axes are allowed");
  if (axes.empty())
    syntax.report("grid.axes", &axes, nullptr,
                  "is empty: give at least one key, or leave [grid.axes] out");
  // toml++ keeps a table's keys sorted: the axes' order is their order in the file.
  std::vector<std::pair<const toml::key*, const toml::node*>> in_file_order;
  for (auto&& [k, node] : axes) in_file_order.emplace_back(&k, &node);
  std::stable_sort(in_file_order.begin(), in_file_order.end(), [](const auto& a, const auto& b) {
    const auto pa = a.first->source().begin, pb = b.first->source().begin;
    return std::make_pair(pa.line, pa.column) < std::make_pair(pb.line, pb.column);
  });
  std::vector<AxisEntry> entries;
  std::set<std::string> seen;
  for (const auto& [key_node, value_node] : in_file_order) {
    const toml::key& k = *key_node;
    const toml::node& node = *value_node;
    const std::string raw(k.str());
    AxisEntry e;
    e.label = "grid.axes.\"" + raw + "\"";
    const std::string key = normalized_key(raw);
    if (key.empty() || !sweepable(key)) {
      syntax.report_at(e.label, &k.source(), nullptr,
                       std::string("is not a sweepable key: ") + kAllowedText);
      continue;
    }
    if (!seen.insert(key).second) {
      syntax.report_at(e.label, &k.source(), nullptr,
                       "repeats " + key + ": each key may be swept by one axis");
      continue;
    }
    // Axes given by --set (grid.axes={...}) override the file's single values of their keys, as
    // --set overrides any value of the file; a key given twice in the file or by --set is refused.
    const toml::node* other = root.at_path(key).node();
    if (other && given_by_set(k.source()) && !given_by_set(other->source())) {
      erase_key(root, key);
      other = nullptr;
    }
    if (other) {
      syntax.report_at(e.label, &k.source(), nullptr,
                       "is also given " + where(*other) + " (" + key + " = " +
                           render_value(*other) +
                           "): give it in one place, [grid.axes] or a single value");
      continue;
    }
    e.values = node.as_array();
    const std::string allowed = "a non-empty, strictly increasing array of finite numbers";
    if (!e.values || e.values->empty()) {
      syntax.report(e.label, &node, &node, "must be " + allowed);
      continue;
    }
    bool ok = true;
    for (std::size_t i = 0; i < e.values->size() && ok; ++i) {
      const toml::node& element = (*e.values)[i];
      const std::string label = e.label + "[" + std::to_string(i) + "]";
      double x = NAN;
      if (const auto* f = element.as_floating_point()) x = f->get();
      if (const auto* n = element.as_integer()) x = double(n->get());
      if (!std::isfinite(x) || (i > 0 && !(x > e.axis.values.back()))) {
        syntax.report(label, &element, &element,
                      std::isfinite(x)
                          ? "must be greater than the value before it (" + allowed + ")"
                          : "must be a finite number (" + allowed + ")");
        ok = false;
        continue;
      }
      e.axis.values.push_back(x);
      e.axis.texts.push_back(render_value(element));
    }
    if (!ok) continue;
    e.axis.key = key;
    e.axis.name = key.substr(key.rfind('.') + 1);
    e.axis.paths_unchanged = key.rfind("hedging.objective.", 0) == 0;
    e.axis.cost_only = cost_only_key(key);
    entries.push_back(std::move(e));
  }
  std::size_t combinations = 1;
  for (const AxisEntry& e : entries) combinations *= e.axis.values.size();
  if (problems.size() == problems_before && combinations > kMaxAxisCombinations)
    syntax.report("grid.axes", &axes, nullptr,
                  "gives " + std::to_string(combinations) + " combinations of values; at most " +
                      std::to_string(kMaxAxisCombinations) + " are allowed");
  const bool axes_valid = problems.size() == problems_before;
  GridConfig grid;
  if (axes_valid)
    for (const AxisEntry& e : entries) grid.axes.push_back(e.axis);
  const std::string base_text = to_toml_text(root);  // before any axis value is set

  // Every combination must be a scenario that parses: the keys are numeric scalars, and each
  // value is in range with the rest of the scenario (cross-section rules included). The first
  // combination is set on `root` itself, so that problems elsewhere keep their file position.
  Scenario base;
  const auto check = [&](std::size_t combination, bool first) {
    toml::table copy;
    if (!first) copy = root;
    toml::table& table = first ? root : copy;
    std::vector<ScenarioProblem> found;
    for (const std::string& text : axis_overrides(grid, combination))
      apply_override(table, text, found);
    FieldReader reader(source_name, found);
    std::set<std::string> numeric;
    reader.record_numeric_keys(&numeric);
    Scenario converted = convert(table, reader, found);
    if (first) base = std::move(converted);
    const std::vector<std::size_t> index = axis_indices(grid, combination);
    std::string with;
    for (std::size_t a = 0; a < grid.axes.size(); ++a)
      with += (a ? ", " : "") + grid.axes[a].key + " = " + grid.axes[a].texts[index[a]];
    std::vector<bool> not_numeric(grid.axes.size(), false);
    for (std::size_t a = 0; a < grid.axes.size() && first; ++a)
      if (!numeric.count(grid.axes[a].key)) {
        not_numeric[a] = true;
        bool named = false;  // the parser's own word on the key (unknown key, not a number)
        for (const ScenarioProblem& p : found)
          if (concerns(p.key, grid.axes[a].key)) named = true;
        if (!named)
          syntax.report(entries[a].label, entries[a].values, nullptr,
                        std::string("is not a numeric scalar key: ") + kAllowedText);
      }
    for (const ScenarioProblem& p : found) {
      std::size_t a = 0;
      while (a < grid.axes.size() && !concerns(p.key, grid.axes[a].key)) ++a;
      if (a < grid.axes.size()) {
        const std::string label = entries[a].label + "[" + std::to_string(index[a]) + "]";
        ScenarioProblem q = relocated(p, label, (*entries[a].values)[index[a]], source_name);
        if (p.key != grid.axes[a].key) q.message = p.key + ": " + p.message;
        if (not_numeric[a]) q.message = "is not a numeric scalar key of the scenario: " + q.message;
        problems.push_back(q);
      } else if (first) {
        problems.push_back(p);  // a problem of the scenario itself, at its own position
      } else {
        ScenarioProblem q = relocated(p, "grid.axes", *entries[0].values, source_name);
        q.value.clear();
        q.message = "with " + with + ": " + p.key + ": " + p.message;
        problems.push_back(q);
      }
    }
    return found.empty();
  };
  // The first combination (the run's base), each value on its own (the other axes at their
  // first value), then every combination.
  if (check(0, true) && axes_valid && problems.size() == problems_before) {
    std::size_t stride = combinations;
    for (std::size_t a = 0; a < grid.axes.size(); ++a) {
      stride /= grid.axes[a].values.size();
      for (std::size_t i = 1; i < grid.axes[a].values.size(); ++i) check(i * stride, false);
    }
    for (std::size_t c = 1; c < combinations && problems.size() == problems_before; ++c)
      check(c, false);
  }
  // Report each problem once (the same rule can fail on several combinations).
  std::set<std::string> reported;
  std::vector<ScenarioProblem> unique(problems.begin(), problems.begin() + problems_before);
  for (std::size_t i = problems_before; i < problems.size(); ++i)
    if (reported.insert(problems[i].line_text()).second) unique.push_back(problems[i]);
  problems = std::move(unique);
  base.grid.axes = grid.axes;
  for (SweptAxis& a : base.grid.axes) a.unit = swept_key_unit(a.key, base.hedging.objective.kind);
  base.grid.axes_base_toml = base_text;
  base.grid.source_name = source_name;
  return base;
}

}  // namespace scenario_detail
}  // namespace hedgemap
