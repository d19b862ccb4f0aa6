// Scenario file -> Scenario: TOML parse, `--set` overrides on the parsed table, then one
// validating pass over every section of docs/scenario.md that collects all problems.
#include "host/scenario/parser.hpp"

#include <algorithm>
#include <climits>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <optional>

#include "host/scenario/field_reader.hpp"
#include "host/scenario/grid_axes.hpp"
#include "host/scenario/kernel_params.hpp"
#include "host/scenario/overrides.hpp"
#include "host/scenario/price_range.hpp"
#include "host/scenario/scenario_file.hpp"
#include "host/scenario/toml_precheck.hpp"
#include "kernels/option_book.hpp"

namespace hedgemap {

using namespace scenario_detail;

// ---- problems and the error ------------------------------------------------------------------

namespace {

// ---- sections --------------------------------------------------------------------------------

const std::vector<std::string_view> kPolicies{"periodic", "delta_band", "whalley_wilmott",
                                              "fixed_cost_band", "delta_vega_band"};
// hedging.policies absent: the first release's three, so that old scenario files keep their
// results (and their run time); fixed_cost_band and delta_vega_band (its option trades and axes
// are a choice, not a default) are evaluated only when listed.
const std::vector<std::string_view> kDefaultPolicies{"periodic", "delta_band", "whalley_wilmott"};
constexpr std::int64_t kMaxPaths = std::int64_t{1} << 40;
constexpr double kMaxStepsPerPath = 1e8;
// The scenario's name becomes a file name (results/<name>.h5, its checkpoint and temporary): at
// most this many bytes, so that those stay within NAME_MAX (255).
constexpr std::size_t kMaxNameBytes = 128;

// A character that must not reach a terminal or a file name raw: C0, DEL, C1 (as UTF-8).
bool has_control_character(const std::string& s) {
  for (std::size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x20 || c == 0x7f) return true;
    if (c == 0xc2 && i + 1 < s.size()) {
      const auto next = static_cast<unsigned char>(s[i + 1]);
      if (next >= 0x80 && next <= 0x9f) return true;
    }
  }
  return false;
}

Bound integer_range(double lo, double hi, std::string text = {}) {
  Bound b = closed_interval(lo, hi);
  b.custom_text = std::move(text);
  return b;
}

// The path kernels keep per-point state in fixed arrays (kernels/hedging_kernel.hpp,
// kernels/cppi_kernel.hpp): at most 32 values per hedging axis, 64 allocation combinations.
constexpr std::size_t kMaxHedgingAxisValues = 32, kMaxAllocationCombinations = 64;

void check_axis_size(FieldReader& r, const toml::table& t, const std::string& prefix,
                     const char* key, std::size_t size) {
  if (size > kMaxHedgingAxisValues)
    r.report(prefix + key, t.get(key), nullptr,
             "has " + std::to_string(size) + " values; at most " +
                 std::to_string(kMaxHedgingAxisValues) + " are allowed");
}

void check_combinations(FieldReader& r, const toml::table& t, const std::string& prefix,
                        const char* first_axis, std::size_t combinations) {
  if (combinations > kMaxAllocationCombinations)
    r.report(prefix + first_axis, t.get(first_axis), nullptr,
             "gives " + std::to_string(combinations) + " combinations with " + prefix +
                 "tolerance; at most " + std::to_string(kMaxAllocationCombinations) +
                 " are allowed");
}

enum class ObjectiveFamily { hedging, cppi, vol_target };

void read_objective(FieldReader& r, const toml::table& parent, const std::string& prefix,
                    ObjectiveConfig& out, ObjectiveFamily family) {
  const toml::table* t = r.table(parent, prefix, "objective");
  if (!t) return;
  const std::string p = prefix + "objective.";
  const std::string label = "[" + prefix + "objective]";
  if (family == ObjectiveFamily::cppi) {
    r.check_keys(*t, p, {"kind", "gap_probability_max", "risk_aversion"}, label);
    r.text(*t, p, "kind", out.kind, {"max_mean_gap", "mean_std", "mean_variance"});
    r.number(*t, p, "gap_probability_max", out.gap_probability_max, closed_interval(0, 1));
  } else if (family == ObjectiveFamily::vol_target) {  // its statistics are mean and std
    r.check_keys(*t, p, {"kind", "risk_aversion"}, label);
    r.text(*t, p, "kind", out.kind, {"mean_std", "mean_variance"});
  } else {
    r.check_keys(*t, p, {"kind", "risk_aversion", "level"}, label);
    r.text(*t, p, "kind", out.kind, {"mean_std", "mean_variance", "cvar", "utility"});
    r.number(*t, p, "level", out.level, open_interval(0, 1));
  }
  r.number(*t, p, "risk_aversion", out.risk_aversion, greater_than(0));
  // mean_variance and utility measure risk in 1/quote currency: a default of 1 would make the
  // certainty equivalent of a book of realistic size collapse to its worst path, silently.
  if ((out.kind == "mean_variance" || out.kind == "utility") && !t->contains("risk_aversion"))
    r.report(p + "risk_aversion", t, nullptr,
             "is required when " + p + "kind = \"" + out.kind +
                 "\": a number > 0 in 1/quote currency, no default (k = 1 / std(P&L) charges "
                 "std / 2 for risk; scale it to the book)");
}

void read_simulation(FieldReader& r, const toml::table& t, SimulationConfig& out) {
  const std::string p = "simulation.";
  r.check_keys(t, p, {"paths", "dt_hours", "steps", "precision", "backend"}, "[simulation]");
  std::int64_t integer = 0;
  if (r.integer(t, p, "paths", integer,
                integer_range(double(kMinPathsPerCell), double(kMaxPaths),
                              "in [64, 2^40] (the statistics need 2 paths in each of the 32 "
                              "bootstrap blocks)"))) {
    out.paths = static_cast<std::uint64_t>(integer);
  }
  r.number(t, p, "dt_hours", out.dt_hours, greater_than(0));
  if (r.integer(t, p, "steps", integer, integer_range(1, kMaxStepsPerPath))) {
    out.steps = static_cast<int>(integer);
  }
  r.text(t, p, "precision", out.precision, {"float", "double"});
  r.text(t, p, "backend", out.backend, {"auto", "cpu", "cuda"});
}

void read_market_model(FieldReader& r, const toml::table& root, Scenario& s) {
  if (const toml::table* t = r.table(root, "", "market")) {
    r.check_keys(*t, "market.", {"spot", "rate", "drift"}, "[market]");
    Bound spot_range = closed_interval(kMinSpot, kMaxSpot);
    spot_range.custom_text =
        "in [1e-12, 1e15] (so that float prices along a path stay normal floats; quote the "
        "underlying in a smaller or larger unit)";
    r.number(*t, "market.", "spot", s.market.spot, spot_range);
    r.number(*t, "market.", "rate", s.market.rate, any_number());
    r.number(*t, "market.", "drift", s.market.drift, any_number());
  }
  if (const toml::table* t = r.table(root, "", "jumps")) {
    const std::string p = "jumps.";
    r.check_keys(
        *t, p,
        {"model", "intensity", "log_mean", "log_stdev", "up_probability", "up_rate", "down_rate"},
        "[jumps]");
    JumpConfig& j = s.jumps;
    r.text(*t, p, "model", j.model, {"none", "merton", "kou"});
    r.number(*t, p, "intensity", j.intensity, at_least(0));
    r.number(*t, p, "log_mean", j.log_mean, any_number());
    r.number(*t, p, "log_stdev", j.log_stdev, at_least(0));
    r.number(*t, p, "up_probability", j.up_probability, closed_interval(0, 1));
    r.number(*t, p, "up_rate", j.up_rate, greater_than(1));
    r.number(*t, p, "down_rate", j.down_rate, greater_than(0));
  }
  if (const toml::table* t = r.table(root, "", "gaps")) {
    const std::string p = "gaps.";
    r.check_keys(*t, p,
                 {"intensity", "duration_hours", "crash_log_mean", "crash_log_stdev",
                  "gas_multiplier", "congestion_halflife_hours"},
                 "[gaps]");
    GapConfig& g = s.gaps;
    r.number(*t, p, "intensity", g.intensity, at_least(0));
    r.number(*t, p, "duration_hours", g.duration_hours, greater_than(0));
    r.number(*t, p, "crash_log_mean", g.crash_log_mean, any_number());
    r.number(*t, p, "crash_log_stdev", g.crash_log_stdev, at_least(0));
    r.number(*t, p, "gas_multiplier", g.gas_multiplier, at_least(1));
    double halflife = 0.0;
    if (r.number(*t, p, "congestion_halflife_hours", halflife, greater_than(0)))
      g.congestion_halflife_hours = halflife;
  }
  if (const toml::table* t = r.table(root, "", "funding")) {
    const std::string p = "funding.";
    r.check_keys(*t, p, {"rate", "volatility", "halflife_hours", "correlation"}, "[funding]");
    FundingConfig& f = s.funding;
    r.number(*t, p, "rate", f.rate, any_number());
    r.number(*t, p, "volatility", f.volatility, at_least(0));
    r.number(*t, p, "halflife_hours", f.halflife_hours, greater_than(0));
    r.number(*t, p, "correlation", f.correlation, closed_interval(-1, 1));
  }
}

void read_volatility(FieldReader& r, const toml::table& t, VolatilityConfig& v) {
  const std::string p = "volatility.";
  r.check_keys(t, p,
               {"model", "realised_to_implied", "mean_reversion", "vol_of_vol", "correlation",
                "initial_to_long_run"},
               "[volatility]");
  r.text(t, p, "model", v.model, {"constant", "heston"});
  r.number(t, p, "realised_to_implied", v.realised_to_implied, greater_than(0));
  r.number(t, p, "mean_reversion", v.mean_reversion, greater_than(0));
  r.number(t, p, "vol_of_vol", v.vol_of_vol, at_least(0));
  r.number(t, p, "correlation", v.correlation, closed_interval(-1, 1));
  r.number(t, p, "initial_to_long_run", v.initial_to_long_run, at_least(0));
}

// Every cell needs a diffusive variance left after the jumps and crashes
// (kernels/variance_budget.hpp), for the paths and, under hedging.model = "merton", for the hedger.
void check_variance_budget(FieldReader& r, const toml::table& root, const Scenario& s) {
  const toml::array* axis = root.at_path("grid.volatility").as_array();
  for (std::size_t i = 0; i < s.grid.volatility.size(); ++i) {
    const double implied = s.grid.volatility[i];
    const VarianceBudget b = cell_variance_budget(s, implied);
    const double compound = b.jump_variance + b.crash_variance;
    const toml::node* node = axis && i < axis->size() ? axis->get(i) : nullptr;
    const std::string key = "grid.volatility[" + std::to_string(i) + "]";
    const std::string parts = "the jump variance " + format_number(b.jump_variance) +
                              " + the outage-crash variance " + format_number(b.crash_variance) +
                              " per year ([jumps], [gaps])";
    if (!(b.diffusive_variance > 0.0)) {
      r.report(key, node, node,
               "leaves no diffusive variance in this cell (every expiry): the total realised "
               "variance (volatility.realised_to_implied x implied)^2 = " +
                   format_number(b.total_variance) + " is not above " + parts +
                   "; the implied volatility must be > " +
                   format_number(std::sqrt(compound) / s.volatility.realised_to_implied));
    } else if (s.hedging.present && s.hedging.model == "merton" &&
               !(hedger_diffusive_variance(s, implied) > 0.0)) {
      r.report(key, node, node,
               "leaves the hedger's Merton model (hedging.model = \"merton\") no diffusive "
               "variance in this cell: implied^2 = " +
                   format_number(implied * implied) + " is not above " + parts +
                   "; the implied volatility must be > " + format_number(std::sqrt(compound)));
    }
  }
}

void read_costs(FieldReader& r, const toml::table& t, CostConfig& c) {
  const std::string p = "costs.";
  r.check_keys(t, p,
               {"fee_bps", "gas", "gas_volatility", "gas_halflife_hours", "impact", "pool_depth",
                "impact_coefficient", "daily_volume", "latency_seconds", "min_trade_units",
                "option_fee_bps"},
               "[costs]");
  r.number(t, p, "fee_bps", c.fee_bps, at_least(0));
  r.number(t, p, "gas", c.gas, at_least(0));
  r.number(t, p, "gas_volatility", c.gas_volatility, at_least(0));
  r.number(t, p, "gas_halflife_hours", c.gas_halflife_hours, at_least(0));
  r.text(t, p, "impact", c.impact, {"none", "linear", "sqrt", "amm"});
  r.number(t, p, "pool_depth", c.pool_depth, greater_than(0));
  r.number(t, p, "impact_coefficient", c.impact_coefficient, at_least(0));
  r.number(t, p, "daily_volume", c.daily_volume, greater_than(0));
  r.number(t, p, "latency_seconds", c.latency_seconds, at_least(0));
  r.number(t, p, "min_trade_units", c.min_trade_units, at_least(0));
  r.number(t, p, "option_fee_bps", c.option_fee_bps, at_least(0));
}

void read_book(FieldReader& r, const toml::node& node, std::vector<BookLeg>& book) {
  const toml::array* legs = node.as_array();
  if (!legs || legs->empty() || !legs->is_array_of_tables()) {
    r.report("book", &node, node.is_table() ? nullptr : &node,
             "must be an array of tables: one [[book]] section per option leg");
    return;
  }
  if (legs->size() > static_cast<std::size_t>(kMaxLegs)) {  // the kernels' OptionBook holds 8
    r.report("book", &node, nullptr,
             "has " + std::to_string(legs->size()) + " legs; at most " + std::to_string(kMaxLegs) +
                 " [[book]] sections are allowed");
    return;
  }
  bool any_nonzero = false;
  for (std::size_t i = 0; i < legs->size(); ++i) {
    const toml::table& t = *(*legs)[i].as_table();
    const std::string p = "book[" + std::to_string(i) + "].";
    r.check_keys(t, p, {"type", "strike", "quantity"}, "[[book]]");
    BookLeg leg;
    r.text(t, p, "type", leg.type, {"call", "put"});
    r.number(t, p, "strike", leg.strike, greater_than(0));
    r.number(t, p, "quantity", leg.quantity, any_number());
    any_nonzero = any_nonzero || leg.quantity != 0.0;
    book.push_back(leg);
  }
  if (!any_nonzero) {
    r.report("book", &node, nullptr,
             "every leg has quantity 0: give at least one leg a non-zero quantity");
  }
}

void read_hedging(FieldReader& r, const toml::table& t, HedgingConfig& h) {
  const std::string p = "hedging.";
  h.present = true;
  r.check_keys(t, p,
               {"model", "instrument", "volatility_input", "ewma_halflife_hours", "policies",
                "periodic", "delta_band", "whalley_wilmott", "fixed_cost_band", "delta_vega_band",
                "vega_instrument", "objective"},
               "[hedging]");
  r.text(t, p, "model", h.model, {"black_scholes", "merton"});
  r.text(t, p, "instrument", h.instrument, {"spot", "perp"});
  r.text(t, p, "volatility_input", h.volatility_input, {"implied", "inception", "realised"});
  r.number(t, p, "ewma_halflife_hours", h.ewma_halflife_hours, greater_than(0));
  if (t.contains("policies")) {
    r.choice_list(t, p, "policies", h.policies, kPolicies);
  } else {
    h.policies.assign(kDefaultPolicies.begin(), kDefaultPolicies.end());
  }
  if (const toml::table* q = r.table(t, p, "periodic")) {
    r.check_keys(*q, "hedging.periodic.", {"every_steps"}, "[hedging.periodic]");
    r.integer_axis(*q, "hedging.periodic.", "every_steps", h.periodic_every_steps,
                   integer_range(1, INT_MAX));
    check_axis_size(r, *q, "hedging.periodic.", "every_steps", h.periodic_every_steps.size());
  }
  if (const toml::table* q = r.table(t, p, "delta_band")) {
    r.check_keys(*q, "hedging.delta_band.", {"band", "rebalance_to"}, "[hedging.delta_band]");
    r.number_axis(*q, "hedging.delta_band.", "band", h.delta_band_band, greater_than(0), false);
    check_axis_size(r, *q, "hedging.delta_band.", "band", h.delta_band_band.size());
    r.text(*q, "hedging.delta_band.", "rebalance_to", h.delta_band_rebalance_to,
           {"center", "edge"});
  }
  if (const toml::table* q = r.table(t, p, "whalley_wilmott")) {
    r.check_keys(*q, "hedging.whalley_wilmott.", {"risk_aversion"}, "[hedging.whalley_wilmott]");
    r.number_axis(*q, "hedging.whalley_wilmott.", "risk_aversion", h.whalley_wilmott_risk_aversion,
                  greater_than(0), false);
    check_axis_size(r, *q, "hedging.whalley_wilmott.", "risk_aversion",
                    h.whalley_wilmott_risk_aversion.size());
  }
  if (const toml::table* q = r.table(t, p, "fixed_cost_band")) {
    r.check_keys(*q, "hedging.fixed_cost_band.", {"risk_aversion"}, "[hedging.fixed_cost_band]");
    r.number_axis(*q, "hedging.fixed_cost_band.", "risk_aversion", h.fixed_cost_band_risk_aversion,
                  greater_than(0), false);
    check_axis_size(r, *q, "hedging.fixed_cost_band.", "risk_aversion",
                    h.fixed_cost_band_risk_aversion.size());
  }
  if (const toml::table* q = r.table(t, p, "delta_vega_band")) {
    const std::string dp = "hedging.delta_vega_band.";
    r.check_keys(*q, dp, {"band", "vega_band"}, "[hedging.delta_vega_band]");
    r.number_axis(*q, dp, "band", h.delta_vega_band_band, greater_than(0), false);
    r.number_axis(*q, dp, "vega_band", h.delta_vega_band_vega_band, at_least(0), false);
    // Its points share the hedging kernel's per-policy room: band x vega_band values in all.
    const std::size_t combinations =
        h.delta_vega_band_band.size() * h.delta_vega_band_vega_band.size();
    if (combinations > kMaxHedgingAxisValues)
      r.report(dp + "band", q->get("band"), nullptr,
               "gives " + std::to_string(combinations) + " combinations with " + dp +
                   "vega_band; at most " + std::to_string(kMaxHedgingAxisValues) + " are allowed");
  }
  if (const toml::table* q = r.table(t, p, "vega_instrument")) {
    const std::string vp = "hedging.vega_instrument.";
    r.check_keys(*q, vp, {"type", "strike", "expiry_extra_days"}, "[hedging.vega_instrument]");
    r.text(*q, vp, "type", h.vega_instrument_type, {"call", "put"});
    r.number(*q, vp, "strike", h.vega_instrument_strike, greater_than(0));
    r.number(*q, vp, "expiry_extra_days", h.vega_instrument_expiry_extra_days, greater_than(0));
  }
  read_objective(r, t, p, h.objective, ObjectiveFamily::hedging);
}

void read_cppi(FieldReader& r, const toml::table& t, CppiConfig& c) {
  const std::string p = "cppi.";
  c.present = true;
  r.check_keys(t, p, {"capital", "floor", "multiplier", "tolerance", "max_leverage", "objective"},
               "[cppi]");
  r.number(t, p, "capital", c.capital, greater_than(0));
  r.number(t, p, "floor", c.floor, open_interval(0, 1));
  r.number_axis(t, p, "multiplier", c.multiplier, at_least(1), false);
  r.number_axis(t, p, "tolerance", c.tolerance, at_least(0), false);
  check_combinations(r, t, p, "multiplier", c.multiplier.size() * c.tolerance.size());
  r.number(t, p, "max_leverage", c.max_leverage, greater_than(0));
  read_objective(r, t, p, c.objective, ObjectiveFamily::cppi);
}

void read_vol_target(FieldReader& r, const toml::table& t, VolTargetConfig& v) {
  const std::string p = "vol_target.";
  v.present = true;
  r.check_keys(
      t, p, {"capital", "target", "tolerance", "ewma_halflife_hours", "max_leverage", "objective"},
      "[vol_target]");
  r.number(t, p, "capital", v.capital, greater_than(0));
  r.number_axis(t, p, "target", v.target, greater_than(0), false);
  r.number_axis(t, p, "tolerance", v.tolerance, at_least(0), false);
  check_combinations(r, t, p, "target", v.target.size() * v.tolerance.size());
  r.number(t, p, "ewma_halflife_hours", v.ewma_halflife_hours, greater_than(0));
  r.number(t, p, "max_leverage", v.max_leverage, greater_than(0));
  read_objective(r, t, p, v.objective, ObjectiveFamily::vol_target);
}

// Volatility targeting's realised volatility is a sample standard deviation of per-step returns:
// every expiry needs kMinVolTargetSteps steps, or the value would be NaN.
void check_vol_target_steps(FieldReader& r, const toml::table& root, const Scenario& s) {
  for (std::size_t e = 0; e < s.grid.expiry_days.size(); ++e) {
    const double expiry = s.grid.expiry_days[e];
    const int steps = s.steps_for_expiry(expiry);
    if (steps >= kMinVolTargetSteps) continue;
    const std::string key = s.simulation.steps ? "simulation.steps" : "grid.expiry_days";
    const toml::node* node =
        s.simulation.steps ? root.at_path("simulation.steps").node()
                           : root.at_path("grid.expiry_days[" + std::to_string(e) + "]").node();
    r.report(s.simulation.steps ? key : key + "[" + std::to_string(e) + "]", node, node,
             "gives " + std::to_string(steps) + " step per path" +
                 (s.simulation.steps ? std::string()
                                     : " at dt_hours = " + format_number(s.simulation.dt_hours)) +
                 "; [vol_target] needs at least " + std::to_string(kMinVolTargetSteps) +
                 " (its realised volatility is a sample standard deviation of step returns): "
                 "lower simulation.dt_hours or set simulation.steps >= 2");
    return;
  }
}

// Time-step checks that need several sections: steps per path stay bounded, and a trade's
// latency is shorter than one step (dt = expiry_days * 24 h / steps_for_expiry).
void check_time_steps(FieldReader& r, const toml::table& root, const Scenario& s) {
  const toml::node* dt_node = root.at_path("simulation.dt_hours").node();
  const toml::node* latency_node = root.at_path("costs.latency_seconds").node();
  double worst_step_seconds = INFINITY;
  double worst_expiry = 0.0;
  for (const double expiry : s.grid.expiry_days) {
    if (!s.simulation.steps) {
      const double steps = expiry * 24.0 / s.simulation.dt_hours;
      if (!(steps <= kMaxStepsPerPath)) {
        r.report("simulation.dt_hours", dt_node, dt_node,
                 "gives " + format_number(std::round(steps)) + " steps per path at expiry_days = " +
                     format_number(expiry) + "; at most 1e8 steps are allowed");
        return;
      }
    }
    const double step_seconds = expiry * 86400.0 / s.steps_for_expiry(expiry);
    if (step_seconds < worst_step_seconds) {
      worst_step_seconds = step_seconds;
      worst_expiry = expiry;
    }
  }
  if (s.vol_target.present) check_vol_target_steps(r, root, s);
  if (s.costs.latency_seconds > 0.0 && s.costs.latency_seconds >= worst_step_seconds) {
    r.report("costs.latency_seconds", latency_node, latency_node,
             "must be shorter than one time step, which is " + format_number(worst_step_seconds) +
                 " s at expiry_days = " + format_number(worst_expiry));
  }
}

std::string three_digits(double x) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3g", x);
  return buf;
}

// Paths must stay where float prices are exact to 7 digits: at every cell, a path's log return
// reaches |mean| + 6 sd of ln(S_T / S_0) (host/scenario/price_range.hpp) within +-40; and the cash
// growth e^(rate T) stays below e^40. Reported once, against the first expiry that breaks it.
void check_price_range(FieldReader& r, const toml::table& root, const Scenario& s) {
  for (std::size_t e = 0; e < s.grid.expiry_days.size(); ++e) {
    for (std::size_t v = 0; v < s.grid.volatility.size(); ++v) {
      const ProcessParams p = process_params(s, cell_coordinates(s, int(v), int(e)));
      const LogPriceSpread spread = log_price_spread(p);
      const double reach = std::fabs(spread.mean) + kPriceSpreadSigmas * spread.stdev;
      if (reach <= kMaxLogPriceExcursion) continue;
      const std::string key = "grid.expiry_days[" + std::to_string(e) + "]";
      const toml::node* node = root.at_path(key).node();
      r.report(key, node, node,
               "with grid.volatility = " + format_number(s.grid.volatility[v]) +
                   " (and the jumps and outages) gives ln(S_T / S_0) a mean of " +
                   three_digits(spread.mean) + " and a standard deviation of " +
                   three_digits(spread.stdev) + ": |mean| + 6 sd = " + three_digits(reach) +
                   ", more than the 40 that float prices can follow; shorten the expiry or "
                   "lower the volatility, jump or outage intensity, drift or jump sizes");
      return;
    }
  }
  const double horizon = s.grid.expiry_days.back() / s.days_per_year;
  if (std::fabs(s.market.rate) * horizon > kMaxLogPriceExcursion) {
    const toml::node* node = root.at_path("market.rate").node();
    r.report("market.rate", node, node,
             "grows cash by e^" + three_digits(s.market.rate * horizon) + " over expiry_days = " +
                 format_number(s.grid.expiry_days.back()) + "; at most e^40 is allowed");
  }
}

Scenario convert(const toml::table& root, FieldReader& r, std::vector<ScenarioProblem>& problems) {
  Scenario s;
  r.check_keys(root, "",
               {"name", "seed", "days_per_year", "simulation", "grid", "market", "volatility",
                "jumps", "gaps", "costs", "funding", "book", "hedging", "cppi", "vol_target"},
               "the top level");
  if (r.text(root, "", "name", s.name, {}) &&
      (s.name.empty() || s.name.size() > kMaxNameBytes ||
       s.name.find_first_of("/\\") != std::string::npos || has_control_character(s.name))) {
    r.report("name", root.get("name"), root.get("name"),
             "must be a non-empty string of at most " + std::to_string(kMaxNameBytes) +
                 " bytes without / or \\ or control characters (it names results/<name>.h5)");
  }
  std::int64_t seed = 0;
  if (r.integer(root, "", "seed", seed,
                integer_range(0, 9.3e18, ">= 0 (TOML integers stop at 2^63-1)"))) {
    s.seed = static_cast<std::uint64_t>(seed);
  }
  r.number(root, "", "days_per_year", s.days_per_year, greater_than(0));

  const std::size_t before_timing = problems.size();
  if (const toml::table* t = r.table(root, "", "simulation")) read_simulation(r, *t, s.simulation);
  static const toml::table kEmpty;
  const toml::table* grid = r.table(root, "", "grid");
  if (grid) r.check_keys(*grid, "grid.", {"volatility", "expiry_days", "axes"}, "[grid]");
  if (grid) r.table(*grid, "grid.", "axes");  // a table is taken out before (grid_axes.hpp)
  r.number_axis(grid ? *grid : kEmpty, "grid.", "volatility", s.grid.volatility, greater_than(0),
                true);
  r.number_axis(grid ? *grid : kEmpty, "grid.", "expiry_days", s.grid.expiry_days, greater_than(0),
                true);
  const bool timing_valid = problems.size() == before_timing;

  const std::size_t before_model = problems.size();
  read_market_model(r, root, s);
  if (const toml::table* t = r.table(root, "", "volatility")) read_volatility(r, *t, s.volatility);
  const bool model_valid = problems.size() == before_model;
  if (const toml::table* t = r.table(root, "", "costs")) read_costs(r, *t, s.costs);
  if (const toml::node* book = root.get("book")) read_book(r, *book, s.book);
  const toml::table* hedging = r.table(root, "", "hedging");
  if (hedging) read_hedging(r, *hedging, s.hedging);
  if (const toml::table* t = r.table(root, "", "cppi")) read_cppi(r, *t, s.cppi);
  if (const toml::table* t = r.table(root, "", "vol_target")) read_vol_target(r, *t, s.vol_target);

  // Rules that join sections.
  if (!root.contains("hedging") && !root.contains("cppi") && !root.contains("vol_target")) {
    r.report("hedging", nullptr, nullptr,
             "absent, and so are [cppi] and [vol_target]: at least one policy family is required");
  }
  if (hedging && !root.contains("book")) {
    r.report("book", hedging, nullptr,
             "is required when [hedging] is present: one [[book]] section per option leg");
  }
  const toml::node_view<const toml::node> jumps_model = root.at_path("jumps.model");
  const bool jumps_model_valid =
      !jumps_model || jumps_model.value<std::string>() == std::optional<std::string>(s.jumps.model);
  if (s.hedging.model == "merton" && s.jumps.model != "merton" && jumps_model_valid) {
    const toml::node* model = root.at_path("hedging.model").node();
    r.report("hedging.model", model, model,
             "\"merton\" needs jumps.model = \"merton\" (it is \"" + s.jumps.model + "\")");
  }
  if (s.hedging.instrument == "perp" && s.costs.impact == "amm") {
    const toml::node* instrument = root.at_path("hedging.instrument").node();
    r.report("hedging.instrument", instrument, instrument,
             "\"perp\" trades on a centralised order book: costs.impact must be \"none\", "
             "\"linear\" or \"sqrt\" (it is \"amm\")");
  }
  if (timing_valid) check_time_steps(r, root, s);
  if (timing_valid && model_valid) check_variance_budget(r, root, s);
  if (problems.empty()) check_price_range(r, root, s);
  return s;
}

}  // namespace

// ---- entry points ----------------------------------------------------------------------------

Scenario parse_scenario(std::string_view toml_text, const std::string& source_name,
                        const std::vector<std::string>& overrides,
                        const std::vector<OptionOverride>& options) {
  std::vector<ScenarioProblem> problems;
  if (const auto problem = precheck_toml(toml_text, kMaxTomlNesting)) {
    ScenarioProblem p;
    p.line = problem->line;
    p.location = source_name + ":" + std::to_string(p.line);
    p.message = problem->message;
    throw ScenarioError({p});
  }
  toml::table root;
  try {
    root = toml::parse(toml_text, std::string(source_name));
  } catch (const toml::parse_error& error) {
    ScenarioProblem p;
    p.line = static_cast<int>(error.source().begin.line);
    p.column = static_cast<int>(error.source().begin.column);
    p.location = source_name + ":" + std::to_string(p.line) + ":" + std::to_string(p.column);
    p.message = "invalid TOML: " + std::string(error.description());
    throw ScenarioError({p});
  }
  for (const std::string& text : overrides) apply_override(root, text, problems);
  for (const OptionOverride& option : options) apply_option_override(root, option, problems);

  // [grid.axes] is read on its own; the rest of the scenario with the axes' first values.
  toml::table axes;
  bool swept = false;
  if (toml::table* grid = root["grid"].as_table())
    if (toml::table* t = grid->get_as<toml::table>("axes")) {
      axes = std::move(*t);
      grid->erase("axes");
      swept = true;
    }
  FieldReader reader(source_name, problems);
  Scenario scenario = swept ? read_swept_scenario(root, axes, source_name, convert, problems)
                            : convert(root, reader, problems);
  if (!problems.empty()) {
    // File order first; problems without a position (whole file, --set) keep their order after.
    std::stable_sort(problems.begin(), problems.end(),
                     [](const ScenarioProblem& a, const ScenarioProblem& b) {
                       const auto rank = [](const ScenarioProblem& p) {
                         return std::make_pair(p.line == 0 ? INT_MAX : p.line, p.column);
                       };
                       return rank(a) < rank(b);
                     });
    throw ScenarioError(std::move(problems));
  }
  if (swept) {  // the scenario as given: [grid.axes], in its order, in place of the first values
    scenario.effective_toml = scenario.grid.axes_base_toml + "\n[grid.axes]\n";
    for (const SweptAxis& a : scenario.grid.axes) {
      std::string values;
      for (const std::string& t : a.texts) values += (values.empty() ? "" : ", ") + t;
      scenario.effective_toml += "\"" + a.key + "\" = [" + values + "]\n";
    }
  } else {
    scenario.effective_toml = to_toml_text(root);
  }
  return scenario;
}

Scenario load_scenario_file(const std::string& path, const std::vector<std::string>& overrides,
                            const std::vector<OptionOverride>& options) {
  return parse_scenario(read_scenario_file(path), path, overrides, options);
}

}  // namespace hedgemap
