// Plain parameter blocks passed by value to kernels: trivially copyable, in model units
// (years, annualized rates, fractions), built from the scenario by host/scenario/kernel_params.cpp.
#pragma once
#include <type_traits>

#include "kernels/hd.hpp"

namespace hedgemap {

enum class JumpModel : int { none = 0, merton = 1, kou = 2 };
enum class ImpactModel : int { none = 0, linear = 1, sqrt_law = 2, amm = 3 };
enum class HedgingModel : int { black_scholes = 0, merton = 1 };
enum class VolatilityModel : int { constant = 0, heston = 1 };

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

// A normal compound Poisson component of the log price: Poisson(intensity) arrivals per year, each
// adding N(log_mean, log_stdev^2) to ln S. The hedger's Merton model (kernels/merton_pricing.hpp)
// has two: the market's Merton jumps and the outage crashes.
struct NormalJumps {
  double intensity = 0.0;
  double log_mean = 0.0, log_stdev = 0.0;
};
struct MertonJumps {
  NormalJumps jumps;    // [jumps] with model = "merton" (intensity 0 otherwise)
  NormalJumps crashes;  // [gaps]: one crash at each outage start
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

// Andersen's (2008) QE step of the Heston variance over one sub-interval of length dt (the latency
// part or the rest of a step), precomputed on the host (kernels/heston_variance.hpp):
//   E[v'|v] = theta + (v - theta) decay,   Var[v'|v] = v var_of_v + var_const,
//   ln S increment = K0* + K1 v + K2 v' + sqrt(K3 v + K4 v') Z  (K1 cancels against K0*).
struct HestonStep {
  double dt = 0.0;
  double decay = 1.0;                      // e^{-kappa dt}
  double var_of_v = 0.0, var_const = 0.0;  // conditional variance of v' = v var_of_v + var_const
  double k0 = 0.0, k1 = 0.0, k2 = 0.0, k3 = 0.0, k4 = 0.0;  // Andersen's K0..K4 (gammas 1/2)
  double a = 0.0;                            // A = K2 + K4 / 2 of the martingale correction
  double mean_of_v = 0.0, mean_const = 0.0;  // xi = 0: int_t^{t+dt} v = v mean_of_v + mean_const
};

// Heston (1993) stochastic variance of the diffusion: dv = kappa (theta - v) dt + xi sqrt(v) dW_v,
// corr(dW_v, dW_S) = rho. With Merton jumps on the paths this is Bates (1996).
struct HestonParams {
  double mean_reversion = 0.0;     // kappa, 1/yr
  double vol_of_vol = 0.0;         // xi
  double correlation = 0.0;        // rho
  double long_run_variance = 0.0;  // theta
  double initial_variance = 0.0;   // v_0
  HestonStep ell, rest;            // the latency part (t, t + ell] and the rest (t + ell, t + dt]
};

// Everything that defines the price process of one grid cell.
struct ProcessParams {
  unsigned long long seed = 0;
  double spot = 1.0;
  double rate = 0.0;
  double drift = 0.0;       // total expected return mu
  double volatility = 0.0;  // diffusive sigma of the paths (the part of the realised volatility
                            // left after the jumps and crashes: kernels/variance_budget.hpp)
  double implied_volatility = 0.0;   // the cell's implied volatility at t=0 (grid.volatility)
  double realised_volatility = 0.0;  // expected total realised volatility rho sigma_i (diffusion,
                                     // jumps, crashes): the asset's sigma in the sqrt impact law
  double expiry = 0.0;               // years
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
  VolatilityModel volatility_model = VolatilityModel::constant;
  HestonParams heston;  // volatility_model = heston: the variance process (its long-run variance
                        // makes the expected average variance the diffusive variance above)
  FundingParams funding;
};

// The latency part of a step: a fill at t + ell needs ell < dt (else fills are at t).
HM_HD inline double fill_latency(const ProcessParams& p) {
  return p.latency < p.dt ? p.latency : 0.0;
}

static_assert(std::is_trivially_copyable_v<JumpParams>);
static_assert(std::is_trivially_copyable_v<GapParams>);
static_assert(std::is_trivially_copyable_v<MertonJumps>);
static_assert(std::is_trivially_copyable_v<CostParams>);
static_assert(std::is_trivially_copyable_v<FundingParams>);
static_assert(std::is_trivially_copyable_v<HestonParams>);
static_assert(std::is_trivially_copyable_v<ProcessParams>);

}  // namespace hedgemap
