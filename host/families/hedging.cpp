#include "host/families/hedging.hpp"

#include <omp.h>

#include <algorithm>
#include <cmath>
#include <memory>
#include <stdexcept>
#include <string>

#include "host/statistics/column_moments.hpp"
#include "host/statistics/hedging_statistics.hpp"
#include "host/statistics/optimum_statistics.hpp"
#include "host/exec/pnl_collection.hpp"
#include "host/families/hedging_paths.hpp"

namespace hedgemap {
namespace {

bool has_policy(const Scenario& s, const char* name) {
  const auto& p = s.hedging.policies;
  return std::find(p.begin(), p.end(), name) != p.end();
}

template <class T>
void check_axis(const std::vector<T>& values, const char* key) {
  if (values.empty() || values.size() > std::size_t(kMaxHedgeParams))
    throw std::invalid_argument(std::string(key) + ": between 1 and " +
                                std::to_string(kMaxHedgeParams) + " values");
}

const char* kQuote = "quote currency";

std::vector<MetricInfo> hedging_metrics(double level) {
  const std::string lv = std::to_string(level);
  return {
      {"pnl_mean", kQuote, "mean hedger P&L at expiry"},
      {"pnl_std", kQuote, "standard deviation of hedger P&L"},
      {"pnl_stderr", kQuote, "standard error of the mean P&L"},
      {"pnl_skew", "1", "skewness of hedger P&L"},
      {"pnl_excess_kurtosis", "1", "excess kurtosis of hedger P&L"},
      {"pnl_var", kQuote, "value at risk of the loss -P&L at level " + lv},
      {"pnl_cvar", kQuote, "conditional value at risk of the loss -P&L at level " + lv},
      {"cost_mean", kQuote,
       "mean total trading cost (fee + gas + impact + funding + option fee), value at expiry"},
      {"fee_mean", kQuote, "mean proportional fee, value at expiry"},
      {"gas_mean", kQuote, "mean gas, value at expiry"},
      {"impact_mean", kQuote, "mean price impact cost, value at expiry"},
      {"trades_mean", "1",
       "mean number of trades per path (initial hedge and unwind included; delta_vega_band: "
       "option trades too)"},
      {"funding_mean", kQuote,
       "mean perp funding paid (received: negative), value at expiry; 0 for spot"},
      {"option_fee_mean", kQuote,
       "mean fee on the vega instrument's premium traded (delta_vega_band; 0 for the other "
       "policies), value at expiry; included in cost_mean"},
  };
}
enum Metric {
  pnl_mean,
  pnl_std,
  pnl_stderr,
  pnl_skew,
  pnl_kurt,
  pnl_var,
  pnl_cvar,
  cost_mean,
  fee_mean,
  gas_mean,
  impact_mean,
  trades_mean,
  funding_mean,
  option_fee_mean,
  kMetrics
};

}  // namespace

std::vector<GroupSpec> hedging_groups(const Scenario& s) {
  const HedgeObjective kind = hedge_objective(s.hedging.objective.kind);
  const double level = s.hedging.objective.level;
  GroupSpec base;
  base.metrics = hedging_metrics(level);
  base.objective_kind = s.hedging.objective.kind;
  base.sense = objective_sense(kind);
  base.objective_units = kQuote;
  base.objective_long_name =
      kind == HedgeObjective::mean_std ? "-mean(PnL) + risk_aversion * std(PnL), minimised"
      : kind == HedgeObjective::mean_variance
          ? "-mean(PnL) + risk_aversion / 2 * var(PnL), minimised"
      : kind == HedgeObjective::cvar
          ? "CVaR of the loss -PnL at level " + std::to_string(level) + ", minimised"
          : "exponential-utility certainty equivalent of PnL, maximised";
  std::vector<GroupSpec> groups;
  GroupSpec none = base;
  none.path = "/hedging/none";
  none.policy = "none";
  groups.push_back(none);
  if (has_policy(s, "periodic")) {
    check_axis(s.hedging.periodic_every_steps, "hedging.periodic.every_steps");
    GroupSpec g = base;
    g.path = "/hedging/periodic";
    g.policy = "periodic";
    Axis a{"every_steps", {}, "steps", "rebalance to the model delta every k steps", true, true};
    for (int k : s.hedging.periodic_every_steps) a.values.push_back(double(k));
    g.axes.push_back(a);
    groups.push_back(g);
  }
  if (has_policy(s, "delta_band")) {
    check_axis(s.hedging.delta_band_band, "hedging.delta_band.band");
    GroupSpec g = base;
    g.path = "/hedging/delta_band";
    g.policy = "delta_band";
    g.axes.push_back(Axis{"band", s.hedging.delta_band_band, "underlying units",
                          "rebalance when |hedge - target| exceeds this (rebalance_to " +
                              s.hedging.delta_band_rebalance_to + ")",
                          true, false});
    groups.push_back(g);
  }
  if (has_policy(s, "whalley_wilmott")) {
    check_axis(s.hedging.whalley_wilmott_risk_aversion, "hedging.whalley_wilmott.risk_aversion");
    GroupSpec g = base;
    g.path = "/hedging/whalley_wilmott";
    g.policy = "whalley_wilmott";
    g.axes.push_back(Axis{"risk_aversion", s.hedging.whalley_wilmott_risk_aversion,
                          "1/quote currency", "Whalley-Wilmott exponential-utility risk aversion",
                          true, false});
    groups.push_back(g);
  }
  if (has_policy(s, "fixed_cost_band")) {
    check_axis(s.hedging.fixed_cost_band_risk_aversion, "hedging.fixed_cost_band.risk_aversion");
    GroupSpec g = base;
    g.path = "/hedging/fixed_cost_band";
    g.policy = "fixed_cost_band";
    g.axes.push_back(Axis{"risk_aversion", s.hedging.fixed_cost_band_risk_aversion,
                          "1/quote currency",
                          "mean-variance risk aversion of the fixed-cost (gas) band "
                          "H = (12 e^(-r tau) gas Gamma^2 / risk_aversion)^(1/4), to the centre",
                          true, false});
    groups.push_back(g);
  }
  if (has_policy(s, "delta_vega_band")) {
    check_axis(s.hedging.delta_vega_band_band, "hedging.delta_vega_band.band");
    check_axis(s.hedging.delta_vega_band_vega_band, "hedging.delta_vega_band.vega_band");
    GroupSpec g = base;
    g.path = "/hedging/delta_vega_band";
    g.policy = "delta_vega_band";
    g.axes.push_back(Axis{"band", s.hedging.delta_vega_band_band, "underlying units",
                          "rebalance the underlying when |hedge - target| exceeds this, the "
                          "target being minus the delta of the book and the vega instrument",
                          true, false});
    g.axes.push_back(Axis{"vega_band", s.hedging.delta_vega_band_vega_band, "1",
                          "trade the vega instrument back to vega-neutral when the vega of the "
                          "book and instrument exceeds this fraction of the book's |vega| at t=0",
                          true, false});
    groups.push_back(g);
  }
  return groups;
}

double whalley_wilmott_lambda(const CostParams& costs) {
  // Every impact law here costs o(|n|) per notional as n -> 0 (linear and AMM ~ |n|, sqrt ~
  // sqrt|n|), and a Whalley-Wilmott band trades infinitesimally at its edges in the continuous
  // limit: its proportional rate is the fee. Gas is a fixed cost: the fixed_cost_band's law.
  return costs.fee_rate;
}

template <class Real>
HedgingKernel<Real> make_hedging_kernel(const Scenario& s, const CellCoordinates& cell) {
  HedgingKernel<Real> k;
  k.process = process_params(s, cell);
  k.process.funding = funding_params(s);
  k.perp = k.process.funding.on;
  HedgeCostSlot& costs = k.cost_slot[0];
  costs.costs = hedging_cost_params(s);
  costs.ww_lambda = whalley_wilmott_lambda(costs.costs);
  costs.option_fee_rate = s.costs.option_fee_bps * 1e-4;
  k.book = option_book(s);
  k.model = hedging_model(s);
  k.hedger_volatility = hedger_volatility(s, cell.volatility);
  k.hedger_jumps = hedger_jumps(s);
  k.hedger = hedger_volatility_input(s, cell);
  k.book_value0 = book_premium(s, cell);
  if (has_policy(s, "periodic")) {
    check_axis(s.hedging.periodic_every_steps, "hedging.periodic.every_steps");
    k.n_periodic = int(s.hedging.periodic_every_steps.size());
    for (int i = 0; i < k.n_periodic; ++i) {
      k.every_steps[i] = s.hedging.periodic_every_steps[i];
      if (k.every_steps[i] < 1)
        throw std::invalid_argument("hedging.periodic.every_steps: must be >= 1");
    }
  }
  if (has_policy(s, "delta_band")) {
    check_axis(s.hedging.delta_band_band, "hedging.delta_band.band");
    k.n_band = int(s.hedging.delta_band_band.size());
    for (int i = 0; i < k.n_band; ++i) k.band[i] = s.hedging.delta_band_band[i];
    k.band_to_edge = s.hedging.delta_band_rebalance_to == "edge";
  }
  if (has_policy(s, "whalley_wilmott")) {
    check_axis(s.hedging.whalley_wilmott_risk_aversion, "hedging.whalley_wilmott.risk_aversion");
    k.n_ww = int(s.hedging.whalley_wilmott_risk_aversion.size());
    for (int i = 0; i < k.n_ww; ++i)
      k.ww_inv_cbrt_risk_aversion[i] = 1.0 / std::cbrt(s.hedging.whalley_wilmott_risk_aversion[i]);
  }
  if (has_policy(s, "fixed_cost_band")) {
    check_axis(s.hedging.fixed_cost_band_risk_aversion, "hedging.fixed_cost_band.risk_aversion");
    k.n_fixed = int(s.hedging.fixed_cost_band_risk_aversion.size());
    for (int i = 0; i < k.n_fixed; ++i)
      k.fixed_inv_fourth_root_risk_aversion[i] =
          1.0 / std::sqrt(std::sqrt(s.hedging.fixed_cost_band_risk_aversion[i]));
  }
  if (has_policy(s, "delta_vega_band")) {
    const HedgingConfig& h = s.hedging;
    check_axis(h.delta_vega_band_band, "hedging.delta_vega_band.band");
    check_axis(h.delta_vega_band_vega_band, "hedging.delta_vega_band.vega_band");
    if (h.delta_vega_band_band.size() * h.delta_vega_band_vega_band.size() >
        std::size_t(kMaxHedgeParams))
      throw std::invalid_argument("hedging.delta_vega_band: at most " +
                                  std::to_string(kMaxHedgeParams) + " band x vega_band points");
    k.n_dv_band = int(h.delta_vega_band_band.size());
    k.n_dv_vega_band = int(h.delta_vega_band_vega_band.size());
    // The vega band in absolute terms: v |V_book(0)| at the hedger's volatility.
    const double vega0 =
        std::abs(book_greeks<double>(k.book, k.model, k.process.spot, k.process.rate,
                                     k.hedger_volatility, k.process.expiry, k.hedger_jumps)
                     .vega);
    for (int i = 0; i < k.n_dv_band; ++i) k.dv_band[i] = h.delta_vega_band_band[i];
    for (int i = 0; i < k.n_dv_vega_band; ++i)
      k.dv_vega_band[i] = h.delta_vega_band_vega_band[i] * vega0;
    k.band_to_edge = h.delta_band_rebalance_to == "edge";
    k.vega_instrument.legs = 1;
    k.vega_instrument.type[0] =
        h.vega_instrument_type == "put" ? OptionType::put : OptionType::call;
    k.vega_instrument.strike[0] = h.vega_instrument_strike * k.process.spot;
    k.vega_instrument.quantity[0] = 1.0;
    k.vega_instrument_extra_life = h.vega_instrument_expiry_extra_days / s.days_per_year;
  }
  return k;
}
template HedgingKernel<float> make_hedging_kernel<float>(const Scenario&, const CellCoordinates&);
template HedgingKernel<double> make_hedging_kernel<double>(const Scenario&, const CellCoordinates&);

namespace {

template <class Real>
std::vector<std::vector<GroupCellResult>> evaluate_with(
    const std::vector<const Scenario*>& variants, const std::vector<int>& slot_of,
    const CellCoordinates& cell, const Execution& exec, const BootstrapPlan& plan,
    ModelCell* model) {
  const Scenario& s = *variants.front();
  const std::vector<GroupSpec> groups = hedging_groups(s);
  HedgingKernel<Real> kernel = make_hedging_kernel<Real>(s, cell);
  // Slot i: the costs of the first variant in it (variant 0 is in slot 0).
  kernel.cost_slots = 1 + *std::max_element(slot_of.begin(), slot_of.end());
  if (kernel.cost_slots > kMaxCostSlots ||
      kernel.cost_slots * kernel.points_per_slot() > kMaxHedgePoints)
    throw std::logic_error("evaluate_hedging_cell_variants: " + std::to_string(kernel.cost_slots) +
                           " cost slots do not fit a pass");
  for (int slot = 1; slot < kernel.cost_slots; ++slot) {
    const std::size_t v =
        std::size_t(std::find(slot_of.begin(), slot_of.end(), slot) - slot_of.begin());
    kernel.cost_slot[slot] = make_hedging_kernel<Real>(*variants.at(v), cell).cost_slot[0];
  }
  const int points = kernel.points(), slot_points = kernel.points_per_slot();
  const std::uint64_t n = s.simulation.paths;

  // Per-path P&L of every point and the moments of every column, wherever the backend ran them.
  ColumnMoments moments(kernel.columns());
  const CollectedPnl pnl =
      run_hedging_paths(exec, kernel, n, KeptColumns{hedge_pnl, kHedgeMetrics, points}, moments);
  if (model)
    *model = summarize_model(s, cell, moments, kernel.summary_column(),
                             kernel.perp ? kernel.funding_rate_column() : -1);
  const PnlSegments segments = pnl_segments(n, plan.blocks);

  // Each variant's slot's per-path P&L under the variant's objective. Every point's statistics,
  // from fixed-order segment sums: the same bits whichever threads or device make them
  // (host/statistics/pnl_samples.hpp), once per objective of the pass.
  struct ObjectiveStatistics {
    HedgeObjective kind;
    double risk_aversion, level;
    std::vector<PointStatistics> points;
  };
  std::vector<ObjectiveStatistics> by_objective;
  std::vector<std::vector<GroupCellResult>> per_variant;
  for (std::size_t v = 0; v < variants.size(); ++v) {
    const ObjectiveConfig& o = variants[v]->hedging.objective;
    const HedgeObjective kind = hedge_objective(o.kind);
    auto found = std::find_if(by_objective.begin(), by_objective.end(), [&](const auto& b) {
      return b.kind == kind && b.risk_aversion == o.risk_aversion && b.level == o.level;
    });
    if (found == by_objective.end()) {
      by_objective.push_back(ObjectiveStatistics{
          kind, o.risk_aversion, o.level,
          pnl_statistics(*pnl.samples, segments, kind, o.risk_aversion, o.level)});
      found = by_objective.end() - 1;
    }
    const std::vector<PointStatistics>& statistics = found->points;

    std::vector<GroupCellResult> results;
    int first_point = slot_of[v] * slot_points;
    for (const GroupSpec& g : groups) {
      const int gp = int(g.points());
      GroupCellResult r;
      r.metrics.assign(kMetrics, std::vector<double>(gp));
      r.objective.resize(gp);
      r.objective_stderr.resize(gp);
      for (int i = 0; i < gp; ++i) {
        const int p = first_point + i;
        const PnlSummary& ps = statistics[p].summary;
        const int c = p * kHedgeMetrics;
        const double fee = moments.mean(c + hedge_fee), gas = moments.mean(c + hedge_gas),
                     impact = moments.mean(c + hedge_impact),
                     funding = moments.mean(c + hedge_funding),
                     option_fee = moments.mean(c + hedge_option_fee);
        // Funding and option fees are added only where they can be nonzero (perp; a
        // delta_vega_band run), so that other runs' cost_mean keeps its bits.
        double cost = fee + gas + impact;
        if (kernel.perp) cost += funding;
        if (kernel.n_dv() > 0) cost += option_fee;
        const double values[kMetrics] = {ps.mean,
                                         ps.std,
                                         ps.stderr_of_mean,
                                         ps.skew,
                                         ps.excess_kurtosis,
                                         ps.var,
                                         ps.cvar,
                                         cost,
                                         fee,
                                         gas,
                                         impact,
                                         moments.mean(c + hedge_trades),
                                         funding,
                                         option_fee};
        for (int m = 0; m < kMetrics; ++m) r.metrics[m][i] = values[m];
        r.objective[i] = ps.objective;
        r.objective_stderr[i] = ps.objective_stderr;
      }
      OptimumStatistics optimum = optimum_statistics(
          g, r.objective, plan, [&](std::size_t point, const std::vector<int>& blocks) {
            return statistics[first_point + int(point)].on_blocks(blocks);
          });
      r.objective_paired_stderr = std::move(optimum.paired_stderr);
      r.bootstrap_optimum = std::move(optimum.bootstrap_optimum);
      r.bootstrap_refined = std::move(optimum.bootstrap_refined);
      results.push_back(std::move(r));
      first_point += gp;
    }
    per_variant.push_back(std::move(results));
  }
  return per_variant;
}

}  // namespace

std::vector<GroupCellResult> evaluate_hedging_cell(const Scenario& s, const CellCoordinates& cell,
                                                   const Execution& exec, const BootstrapPlan& plan,
                                                   ModelCell* model) {
  return evaluate_hedging_cell_variants({&s}, {0}, cell, exec, plan, model).front();
}

std::vector<std::vector<GroupCellResult>> evaluate_hedging_cell_variants(
    const std::vector<const Scenario*>& variants, const std::vector<int>& slot_of,
    const CellCoordinates& cell, const Execution& exec, const BootstrapPlan& plan,
    ModelCell* model) {
  if (variants.empty() || slot_of.size() != variants.size() || slot_of.front() != 0)
    throw std::logic_error("evaluate_hedging_cell_variants: a slot for each variant, 0 first");
  if (variants.front()->simulation.precision == "double")
    return evaluate_with<double>(variants, slot_of, cell, exec, plan, model);
  return evaluate_with<float>(variants, slot_of, cell, exec, plan, model);
}

}  // namespace hedgemap
