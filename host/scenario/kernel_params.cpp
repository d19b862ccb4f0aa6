#include "host/scenario/kernel_params.hpp"

#include <cmath>
#include <stdexcept>
#include <string>

#include "kernels/heston_variance.hpp"

namespace hedgemap {

CellCoordinates cell_coordinates(const Scenario& s, int vol_index, int expiry_index) {
  CellCoordinates c;
  c.vol_index = vol_index;
  c.expiry_index = expiry_index;
  c.volatility = s.grid.volatility.at(vol_index);
  c.expiry_days = s.grid.expiry_days.at(expiry_index);
  c.steps = s.steps_for_expiry(c.expiry_days);
  return c;
}

JumpParams jump_params(const Scenario& s) {
  JumpParams j;
  const std::string& m = s.jumps.model;
  j.model = m == "merton" ? JumpModel::merton : m == "kou" ? JumpModel::kou : JumpModel::none;
  j.intensity = j.model == JumpModel::none ? 0.0 : s.jumps.intensity;
  j.log_mean = s.jumps.log_mean;
  j.log_stdev = s.jumps.log_stdev;
  j.up_probability = s.jumps.up_probability;
  j.up_rate = s.jumps.up_rate;
  j.down_rate = s.jumps.down_rate;
  return j;
}

GapParams gap_params(const Scenario& s) {
  GapParams g;
  g.intensity = s.gaps.intensity;
  g.mean_duration = s.gaps.duration_hours / (24.0 * s.days_per_year);
  g.crash_log_mean = s.gaps.crash_log_mean;
  g.crash_log_stdev = s.gaps.crash_log_stdev;
  g.gas_multiplier = s.gaps.gas_multiplier;
  return g;
}

VarianceBudget cell_variance_budget(const Scenario& s, double implied_volatility) {
  return variance_budget(implied_volatility, s.volatility.realised_to_implied, jump_params(s),
                         gap_params(s));
}

double implied_for_diffusive(const Scenario& s, double diffusive_volatility) {
  const VarianceBudget b = cell_variance_budget(s, 0.0);  // the jump and crash variance alone
  return std::sqrt(diffusive_volatility * diffusive_volatility + b.jump_variance +
                   b.crash_variance) /
         s.volatility.realised_to_implied;
}

MertonJumps hedger_jumps(const Scenario& s) {
  if (s.hedging.model != "merton") return MertonJumps{};
  return merton_jumps(jump_params(s), gap_params(s));
}

double hedger_diffusive_variance(const Scenario& s, double input_volatility) {
  return merton_diffusive_variance(input_volatility * input_volatility, hedger_jumps(s));
}

double hedger_volatility(const Scenario& s, double input_volatility) {
  if (s.hedging.model != "merton") return input_volatility;
  const double variance = hedger_diffusive_variance(s, input_volatility);
  if (!(variance > 0.0))  // refused by the parser; a Scenario built in code can still get here
    throw std::invalid_argument("hedging.model = \"merton\": implied volatility " +
                                std::to_string(input_volatility) +
                                " leaves the hedger no diffusive variance after jumps and crashes");
  return std::sqrt(variance);
}

HedgerVolatility hedger_volatility_input(const Scenario& s, const CellCoordinates& cell) {
  HedgerVolatility h;
  const std::string& input = s.hedging.volatility_input;
  h.input = input == "realised"    ? VolatilityInput::realised
            : input == "inception" ? VolatilityInput::inception
                                   : VolatilityInput::implied;
  h.implied0 = cell.volatility;
  const double expiry = cell.expiry_days / s.days_per_year;
  h.ewma_decay =
      ewma_decay(expiry / cell.steps, s.hedging.ewma_halflife_hours / (24.0 * s.days_per_year));
  h.realised_to_implied = s.volatility.realised_to_implied;
  const VarianceBudget budget = cell_variance_budget(s, cell.volatility);
  h.paths_jump_variance = budget.jump_variance + budget.crash_variance;
  const MertonJumps merton = hedger_jumps(s);
  h.merton_jump_variance =
      normal_jump_variance_rate(merton.jumps) + normal_jump_variance_rate(merton.crashes);
  return h;
}

ProcessParams process_params(const Scenario& s, const CellCoordinates& cell) {
  ProcessParams p;
  p.seed = s.seed;
  p.spot = s.market.spot;
  p.rate = s.market.rate;
  p.drift = s.market.drift;
  const VarianceBudget budget = cell_variance_budget(s, cell.volatility);
  if (!(budget.diffusive_variance > 0.0))  // refused by the parser, naming the cell
    throw std::invalid_argument("grid.volatility = " + std::to_string(cell.volatility) +
                                ": no diffusive variance left after jumps and crashes");
  p.volatility = std::sqrt(budget.diffusive_variance);
  p.implied_volatility = cell.volatility;
  p.realised_volatility = budget.total_volatility;
  p.expiry = cell.expiry_days / s.days_per_year;
  p.steps = cell.steps;
  p.dt = p.expiry / p.steps;
  p.latency = s.costs.latency_seconds / (86400.0 * s.days_per_year);
  p.gas_volatility = s.costs.gas_volatility;
  const double hours_per_year = 24.0 * s.days_per_year;
  p.gas_halflife = s.costs.gas_halflife_hours / hours_per_year;
  p.congestion_halflife = s.gaps.congestion_halflife_hours.value_or(0.0) / hours_per_year;
  p.jumps = jump_params(s);
  p.gaps = gap_params(s);
  if (s.volatility.model == "heston") {
    // The variance process averages the diffusive variance over the life (its long-run variance
    // theta accounts for v_0 = initial_to_long_run x theta).
    p.volatility_model = VolatilityModel::heston;
    HestonParams& h = p.heston;
    h.mean_reversion = s.volatility.mean_reversion;
    h.vol_of_vol = s.volatility.vol_of_vol;
    h.correlation = s.volatility.correlation;
    h.long_run_variance = heston_long_run_variance(budget.diffusive_variance, h.mean_reversion,
                                                   s.volatility.initial_to_long_run, p.expiry);
    h.initial_variance = s.volatility.initial_to_long_run * h.long_run_variance;
    prepare_heston_steps(p);
  }
  return p;
}

CostParams cost_params(const Scenario& s) {
  CostParams c;
  c.fee_rate = s.costs.fee_bps * 1e-4;
  c.gas = s.costs.gas;
  c.gas_volatility = s.costs.gas_volatility;
  const std::string& m = s.costs.impact;
  c.impact = m == "linear" ? ImpactModel::linear
             : m == "sqrt" ? ImpactModel::sqrt_law
             : m == "amm"  ? ImpactModel::amm
                           : ImpactModel::none;
  c.pool_depth = s.costs.pool_depth;
  c.impact_coefficient = s.costs.impact_coefficient;
  c.daily_volume = s.costs.daily_volume;
  c.latency = s.costs.latency_seconds / (86400.0 * s.days_per_year);
  c.days_per_year = s.days_per_year;
  // With a congestion half-life the premium is in the path's gas level (kernels/gas_process.hpp),
  // not the first-trade-after-an-outage rule.
  c.gas_multiplier_after_outage = s.gaps.congestion_halflife_hours ? 1.0 : s.gaps.gas_multiplier;
  c.min_trade_units = s.costs.min_trade_units;
  return c;
}

OptionBook option_book(const Scenario& s) {
  OptionBook b;
  if (s.book.size() > static_cast<std::size_t>(kMaxLegs))
    throw std::invalid_argument("book: at most " + std::to_string(kMaxLegs) + " legs");
  b.legs = static_cast<int>(s.book.size());
  for (int i = 0; i < b.legs; ++i) {
    b.type[i] = s.book[i].type == "put" ? OptionType::put : OptionType::call;
    b.strike[i] = s.book[i].strike * s.market.spot;
    b.quantity[i] = s.book[i].quantity;
  }
  return b;
}

FundingParams funding_params(const Scenario& s) {
  FundingParams f;
  f.on = s.hedging.instrument == "perp";
  f.rate = s.funding.rate;
  f.volatility = s.funding.volatility;
  f.halflife = s.funding.halflife_hours / (24.0 * s.days_per_year);
  f.correlation = s.funding.correlation;
  return f;
}

CostParams hedging_cost_params(const Scenario& s) {
  CostParams c = cost_params(s);
  if (s.hedging.instrument == "perp") c.gas = 0.0;  // a CEX order: no transaction on a chain
  return c;
}

HedgingModel hedging_model(const Scenario& s) {
  return s.hedging.model == "merton" ? HedgingModel::merton : HedgingModel::black_scholes;
}

}  // namespace hedgemap
