// Merton (1976) jump-diffusion European option: a Poisson mixture of Black-Scholes prices,
//
//   V = sum_n e^{-l' tau} (l' tau)^n / n! * BS(S, K, tau, r_n, s_n)
//   l' = l (1 + k),  k = e^{muJ + dJ^2/2} - 1,
//   s_n^2 = s^2 + n dJ^2 / tau,  r_n = r - l k + n ln(1 + k) / tau.
//
// The same mixture gives delta, gamma and vega. The series is summed until the Poisson weight
// left is below 1e-12 (at most 200 terms). Used as the hedging model "merton" and in tests.
#pragma once
#include "kernels/black_scholes.hpp"
#include "kernels/model_params.hpp"

namespace hedgemap {

template <class Real>
HM_HD inline Greeks<Real> merton_jump_diffusion(OptionType type, Real spot, Real strike, Real rate,
                                                Real vol, Real tau, const JumpParams& jumps) {
  if (jumps.model != JumpModel::merton || jumps.intensity <= 0.0 || !(tau > Real(0)))
    return black_scholes<Real>(type, spot, strike, rate, vol, tau);
  const double k = exp(jumps.log_mean + 0.5 * jumps.log_stdev * jumps.log_stdev) - 1.0;
  const double lambda_tau = jumps.intensity * (1.0 + k) * double(tau);
  double weight = exp(-lambda_tau);  // n = 0
  double weight_left = 1.0;
  Greeks<Real> sum{Real(0), Real(0), Real(0), Real(0)};
  for (int n = 0; n < 200; ++n) {
    if (n > 0) weight *= lambda_tau / n;
    const double vol_n =
        sqrt(double(vol) * double(vol) + n * jumps.log_stdev * jumps.log_stdev / double(tau));
    const double rate_n = double(rate) - jumps.intensity * k + n * log1p(k) / double(tau);
    const Greeks<Real> g = black_scholes<Real>(type, spot, strike, Real(rate_n), Real(vol_n), tau);
    const Real w = Real(weight);
    sum.price += w * g.price;
    sum.delta += w * g.delta;
    sum.gamma += w * g.gamma;
    // d s_n / d s = s / s_n: vega with respect to the diffusive volatility.
    sum.vega += w * g.vega * Real(double(vol) / vol_n);
    weight_left -= weight;
    if (n >= lambda_tau && weight_left < 1e-12) break;
  }
  return sum;
}

}  // namespace hedgemap
