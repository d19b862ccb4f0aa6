// The scenarios several test files run: the busy market, hedged calls and an allocation cell
// (which the tests then vary), and an eventful book price kernel.
#pragma once
#include <cstdint>
#include <vector>

#include "host/scenario/scenario.hpp"
#include "kernels/book_price_kernel.hpp"

namespace hedgemap::test_support {

// The "busy market": one cell (volatility 0.7, 3 days of hourly steps) with Merton jumps,
// outages with crashes and gas spikes, dispersed gas, AMM impact, latency and a two-leg book, so
// that every branch of the price process and of the trades runs; every family is on at its
// defaults. The backends, the point capacities and the reduced chunks are checked on it.
inline Scenario busy_market() {
  Scenario s;
  s.seed = 4242;
  s.simulation.paths = 4096;
  s.simulation.dt_hours = 1.0;
  s.grid.volatility = {0.7};
  s.grid.expiry_days = {3};
  s.market.spot = 2500.0;
  s.market.rate = 0.03;
  s.market.drift = 0.1;
  s.jumps.model = "merton";
  s.jumps.intensity = 30.0;
  s.jumps.log_mean = -0.03;
  s.jumps.log_stdev = 0.05;
  s.gaps.intensity = 40.0;
  s.gaps.duration_hours = 4.0;
  s.gaps.crash_log_mean = -0.08;
  s.gaps.crash_log_stdev = 0.03;
  s.gaps.gas_multiplier = 8.0;
  s.costs.fee_bps = 5.0;
  s.costs.gas = 3.0;
  s.costs.gas_volatility = 0.5;
  s.costs.impact = "amm";
  s.costs.pool_depth = 3.0e7;
  s.costs.latency_seconds = 12.0;
  s.book = {BookLeg{"call", 1.0, -10.0}, BookLeg{"put", 0.9, 5.0}};
  s.hedging.present = true;
  s.hedging.policies = {"periodic", "delta_band", "whalley_wilmott"};
  s.cppi.present = true;
  s.vol_target.present = true;
  return s;
}

// How many points each kernel of the busy market gets (what decides the capacity the CUDA
// backend launches): `hedging_values` per hedging policy (1 + 3 x hedging_values points), CPPI
// cppi_a x cppi_b combinations, vol targeting vt_a x vt_b.
struct PointCounts {
  int hedging_values, cppi_a, cppi_b, vt_a, vt_b;
};

inline Scenario busy_market_with_points(const PointCounts& n) {
  Scenario s = busy_market();
  auto values = [](int count, double first) {
    std::vector<double> v;
    for (int i = 0; i < count; ++i) v.push_back(first * (1 + i));
    return v;
  };
  s.hedging.periodic_every_steps.clear();
  for (int i = 1; i <= n.hedging_values; ++i) s.hedging.periodic_every_steps.push_back(i);
  s.hedging.delta_band_band = values(n.hedging_values, 0.3);
  s.hedging.whalley_wilmott_risk_aversion = values(n.hedging_values, 1e-4);
  s.cppi.multiplier = values(n.cppi_a, 1.5);
  s.cppi.tolerance = values(n.cppi_b, 0.02);
  s.vol_target.target = values(n.vt_a, 0.2);
  s.vol_target.tolerance = values(n.vt_b, 0.05);
  return s;
}

// A short call on a 30-day cell (volatility 0.6, spot 3000) hedged every step, in float on the
// CPU: no jumps, outages or costs until a test adds them.
inline Scenario hedged_short_call(int steps) {
  Scenario s;
  s.seed = 77031;
  s.simulation.steps = steps;
  s.simulation.precision = "float";
  s.simulation.backend = "cpu";
  s.grid.volatility = {0.6};
  s.grid.expiry_days = {30.0};
  s.market.spot = 3000.0;
  s.market.rate = 0.04;
  s.market.drift = 0.1;
  s.book = {BookLeg{"call", 1.0, -1.0}};
  s.hedging.present = true;
  s.hedging.policies = {"periodic"};
  s.hedging.periodic_every_steps = {1};
  return s;
}

// Lambda = 0 (no costs): the Whalley-Wilmott points (risk aversions 1e-3 and 1) trade to the
// delta at every unblocked step, as the periodic every-step point does; 20 steps with outages.
inline Scenario whalley_wilmott_without_costs() {
  Scenario s = hedged_short_call(20);
  s.hedging.policies = {"periodic", "whalley_wilmott"};
  s.hedging.periodic_every_steps = {1};
  s.hedging.whalley_wilmott_risk_aversion = {1e-3, 1.0};
  s.gaps.intensity = 60.0;
  s.gaps.duration_hours = 10.0;
  return s;
}

// One short ATM call, S = 100, sigma = 0.2, T = 1/12, r = drift = 0, hedged every step in double
// on the CPU, no costs: the textbook discrete hedge.
inline Scenario hedged_atm_call(int steps, std::uint64_t paths) {
  Scenario s;
  s.seed = 424242;
  s.days_per_year = 365.0;
  s.simulation.paths = paths;
  s.simulation.steps = steps;
  s.simulation.precision = "double";
  s.simulation.backend = "cpu";
  s.grid.volatility = {0.2};
  s.grid.expiry_days = {365.0 / 12.0};
  s.market.spot = 100.0;
  s.book = {BookLeg{"call", 1.0, -1.0}};
  s.hedging.present = true;
  s.hedging.policies = {"periodic"};
  s.hedging.periodic_every_steps = {1};
  return s;
}

// CPPI and vol targeting of 1e6 on a 10-day cell (volatility 0.8, spot 3000), in float on the
// CPU: no jumps, outages or costs until a test adds them.
inline Scenario allocation_cell(int steps) {
  Scenario s;
  s.seed = 4242;
  s.simulation.steps = steps;
  s.simulation.precision = "float";
  s.simulation.backend = "cpu";
  s.grid.volatility = {0.8};
  s.grid.expiry_days = {10.0};
  s.market.spot = 3000.0;
  s.market.rate = 0.04;
  s.market.drift = 0.05;
  s.cppi.present = true;
  s.cppi.capital = 1.0e6;
  s.vol_target.present = true;
  s.vol_target.capital = 1.0e6;
  return s;
}

// A book price kernel over 10 days of hourly steps with jumps and outages frequent enough that
// many lanes of every batch take the rare-lane code (about 5 jumps and 1.4 outages per path),
// latency and gas dispersion; the book is a synthetic forward (payoff of both signs) and two
// out-of-the-money wings.
inline BookPriceKernel<float> eventful_book_price_kernel() {
  BookPriceKernel<float> k;
  ProcessParams& p = k.process;
  p.seed = 987654321987ull;
  p.spot = 3000.0;
  p.rate = 0.04;
  p.drift = 0.05;
  p.volatility = 0.8;
  p.expiry = 10.0 / 365.0;
  p.steps = 240;
  p.dt = p.expiry / p.steps;
  p.latency = 0.3 * p.dt;
  p.gas_volatility = 0.5;
  p.jumps.model = JumpModel::merton;
  p.jumps.intensity = 180.0;
  p.jumps.log_mean = -0.02;
  p.jumps.log_stdev = 0.06;
  p.gaps.intensity = 50.0;
  p.gaps.mean_duration = 6.0 / 8760.0;
  p.gaps.crash_log_mean = -0.12;
  p.gaps.crash_log_stdev = 0.05;
  OptionBook& b = k.book;
  b.legs = 4;
  b.type[0] = OptionType::call, b.strike[0] = 3000.0, b.quantity[0] = 1.0;
  b.type[1] = OptionType::put, b.strike[1] = 3000.0, b.quantity[1] = -1.0;
  b.type[2] = OptionType::call, b.strike[2] = 3400.0, b.quantity[2] = 0.5;
  b.type[3] = OptionType::put, b.strike[3] = 2600.0, b.quantity[3] = 2.0;
  return k;
}

}  // namespace hedgemap::test_support
