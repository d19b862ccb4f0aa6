// The volatility the hedger computes its deltas (and gammas) with, `hedging.volatility_input`:
//
//   inception: the cell's implied volatility sigma_i, frozen for the life;
//   implied:   the market's current implied volatility. In the constant model that is sigma_i.
//              Under Heston it is the model-consistent at-the-money level from the current
//              variance v_t and the remaining life tau: the square root of the expected total
//              variance over [t, T] (diffusion, jumps, crashes; the variance-swap level, the ATM
//              implied volatility to first order in the vol of vol), scaled by
//              1/realised_to_implied (the market keeps its premium over realised):
//                sigma_impl(t)^2 = (theta + (v_t - theta) (1 - e^{-kappa tau}) / (kappa tau)
//                                   + lambda_J E[J^2] + lambda_G E[C^2]) / realised_to_implied^2,
//              which is sigma_i at t = 0 (kernels/variance_budget.hpp, heston_variance.hpp);
//   realised:  an EWMA of the path's squared log returns per step, annualized, started at sigma_i:
//                sigma_hat_k^2 = d sigma_hat_{k-1}^2 + (1 - d) (ln S_k / S_{k-1})^2 / dt,
//                d = 2^(-dt / hedging.ewma_halflife_hours)   (jumps and crashes included).
//
// Under hedging.model = "merton" the input is the total volatility and the model's diffusion gets
// sigma_input^2 - the hedger's jump and crash variance, floored at (1%)^2.
#pragma once
#include "kernels/model_params.hpp"

namespace hedgemap {

enum class VolatilityInput : int { implied = 0, inception = 1, realised = 2 };

// d = 2^(-dt / half_life): the weight of the old estimate after one step of dt.
HM_HD inline double ewma_decay(double dt, double half_life) {
  return exp(-log(2.0) * dt / half_life);
}

// One EWMA step of an annualized variance estimate with the step's log return r (plain
// arithmetic, inlined, so that the lane loops of host/cpu/simd_allocation_batch.inl vectorise it).
HM_HD HM_FORCEINLINE double ewma_variance(double variance, double decay, double r, double dt) {
  return decay * variance + (1.0 - decay) * r * r / dt;
}

struct HedgerVolatility {
  VolatilityInput input = VolatilityInput::implied;
  double implied0 = 0.0;    // sigma_i, the cell's
  double ewma_decay = 0.0;  // realised: d per step
  double realised_to_implied = 1.0;
  double paths_jump_variance = 0.0;   // lambda_J E[J^2] + lambda_G E[C^2] of the paths
  double merton_jump_variance = 0.0;  // the same of the hedger's Merton model (0: Black-Scholes)

  // Whether the input changes along a path (else it is sigma_i throughout).
  HM_HD bool moves(VolatilityModel model) const {
    return input == VolatilityInput::realised ||
           (input == VolatilityInput::implied && model == VolatilityModel::heston);
  }

  // The Heston implied volatility at variance v with tau years left.
  HM_HD double heston_implied(const HestonParams& h, double v, double tau) const {
    const double x = h.mean_reversion * tau;
    const double weight = x > 1e-8 ? -expm1(-x) / x : 1.0 - 0.5 * x;
    const double average = h.long_run_variance + (v - h.long_run_variance) * weight;
    return sqrt((average + paths_jump_variance) / (realised_to_implied * realised_to_implied));
  }

  // The volatility the hedger's model takes for an input volatility: itself under Black-Scholes,
  // Merton's diffusive part otherwise.
  HM_HD double model_volatility(double input_volatility) const {
    if (merton_jump_variance == 0.0) return input_volatility;
    const double variance = input_volatility * input_volatility - merton_jump_variance;
    return sqrt(variance > 1e-4 ? variance : 1e-4);
  }
};
static_assert(std::is_trivially_copyable_v<HedgerVolatility>);

}  // namespace hedgemap
