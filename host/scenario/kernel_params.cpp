#include "host/scenario/kernel_params.hpp"

#include <stdexcept>

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

ProcessParams process_params(const Scenario& s, const CellCoordinates& cell) {
  ProcessParams p;
  p.seed = s.seed;
  p.spot = s.market.spot;
  p.rate = s.market.rate;
  p.drift = s.market.drift;
  p.volatility = cell.volatility;
  p.expiry = cell.expiry_days / s.days_per_year;
  p.steps = cell.steps;
  p.dt = p.expiry / p.steps;
  p.latency = s.costs.latency_seconds / (86400.0 * s.days_per_year);
  p.gas_volatility = s.costs.gas_volatility;
  const double hours_per_year = 24.0 * s.days_per_year;
  p.gas_halflife = s.costs.gas_halflife_hours / hours_per_year;
  p.congestion_halflife = s.gaps.congestion_halflife_hours.value_or(0.0) / hours_per_year;
  p.jumps = jump_params(s);
  p.gaps.intensity = s.gaps.intensity;
  p.gaps.mean_duration = s.gaps.duration_hours / (24.0 * s.days_per_year);
  p.gaps.crash_log_mean = s.gaps.crash_log_mean;
  p.gaps.crash_log_stdev = s.gaps.crash_log_stdev;
  p.gaps.gas_multiplier = s.gaps.gas_multiplier;
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
