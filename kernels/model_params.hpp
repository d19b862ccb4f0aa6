// Plain parameter blocks passed by value to kernels: trivially copyable, in model units
// (years, annualized rates, fractions), built from the scenario by host/scenario/kernel_params.cpp.
#pragma once
#include <type_traits>

#include "kernels/hd.hpp"

namespace hedgemap {

enum class JumpModel : int { none = 0, merton = 1, kou = 2 };
enum class ImpactModel : int { none = 0, linear = 1, sqrt_law = 2, amm = 3 };
enum class HedgingModel : int { black_scholes = 0, merton = 1 };

// Compound Poisson jumps in log price, intensity per year.
struct JumpParams {
  JumpModel model = JumpModel::none;
  double intensity = 0.0;
  double log_mean = 0.0, log_stdev = 0.0;  // merton: J ~ N(log_mean, log_stdev^2)
  double up_probability = 0.5, up_rate = 25.0,
         down_rate = 20.0;  // kou: J ~ +Exp(eta1) w.p. p, -Exp(eta2)
};

// Outages ("gaps"): Poisson arrivals, exponential durations, a normal log crash at each start.
struct GapParams {
  double intensity = 0.0;      // per year
  double mean_duration = 0.0;  // years
  double crash_log_mean = 0.0, crash_log_stdev = 0.0;
  double gas_multiplier = 1.0;
};

struct CostParams {
  double fee_rate = 0.0;        // fraction of traded notional (fee_bps / 1e4)
  double gas = 0.0;             // mean gas per transaction, quote currency
  double gas_volatility = 0.0;  // lognormal sigma of gas, mean kept
  ImpactModel impact = ImpactModel::none;
  double pool_depth = 0.0;          // amm: pool value, both sides, quote currency
  double impact_coefficient = 0.0;  // linear / sqrt
  double daily_volume = 1.0;        // sqrt: units of underlying per day
  double latency = 0.0;             // years
  double days_per_year = 365.0;
  double gas_multiplier_after_outage = 1.0;  // [gaps].gas_multiplier
  double min_trade_units = 0.0;  // a wanted trade with |n| below this is not sent (0 = off)
};

// Funding of a perpetual-futures hedge (kernels/funding_rate.hpp): an Ornstein-Uhlenbeck rate,
// annualized, paid by longs on the position's notional every step.
struct FundingParams {
  bool on = false;           // hedging.instrument = "perp"
  double rate = 0.0;         // long-run mean
  double volatility = 0.0;   // stationary standard deviation
  double halflife = 1.0;     // years, of deviations from the mean
  double correlation = 0.0;  // between the rate's shocks and the step's diffusive price shock
};

// Everything that defines the price process of one grid cell.
struct ProcessParams {
  unsigned long long seed = 0;
  double spot = 1.0;
  double rate = 0.0;
  double drift = 0.0;       // total expected return mu
  double volatility = 0.0;  // diffusive sigma
  double expiry = 0.0;      // years
  int steps = 1;
  double dt = 0.0;              // expiry / steps
  double latency = 0.0;         // years, < dt
  double gas_volatility = 0.0;  // dispersion of the per-step gas factor
  // Gas as a process (kernels/gas_process.hpp), years; 0 = off (independent draws per step;
  // the first trade after an outage pays CostParams::gas_multiplier_after_outage).
  double gas_halflife = 0.0;         // of log-gas deviations
  double congestion_halflife = 0.0;  // of the congestion premium after an outage ends
  JumpParams jumps;
  GapParams gaps;
  FundingParams funding;
};

static_assert(std::is_trivially_copyable_v<JumpParams>);
static_assert(std::is_trivially_copyable_v<GapParams>);
static_assert(std::is_trivially_copyable_v<CostParams>);
static_assert(std::is_trivially_copyable_v<FundingParams>);
static_assert(std::is_trivially_copyable_v<ProcessParams>);

}  // namespace hedgemap
