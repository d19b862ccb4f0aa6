// Merton (1976) jump-diffusion European option with two independent normal jump components (the
// market's jumps, 1, and the outage crashes, 2): a double Poisson mixture of Black-Scholes prices,
//
//   V = sum_{n,m} P(n; l1' tau) P(m; l2' tau) BS(S, K, tau, r_nm, s_nm)
//   li' = li (1 + ki),  ki = e^{mui + di^2/2} - 1,  P(n; x) = e^{-x} x^n / n!,
//   s_nm^2 = s^2 + (n d1^2 + m d2^2) / tau,
//   r_nm = r - l1 k1 - l2 k2 + (n ln(1 + k1) + m ln(1 + k2)) / tau.
//
// (Given n jumps and m crashes, ln S_T is normal; the Esscher change of the Poisson weights to li'
// absorbs the jumps' mean, as in Merton's single sum, which this is when l2 = 0.) The same mixture
// gives delta, gamma and vega (with respect to the diffusive s: d s_nm / d s = s / s_nm). The
// series in n is summed until the weight left is below 1e-12 (1e-9 in float), each row in m until
// the row's weight left is a tenth of that (at most 200 terms each). Used as the hedging model
// "merton" and in tests.
#pragma once
#include "kernels/black_scholes.hpp"
#include "kernels/model_params.hpp"

namespace hedgemap {

template <class Real>
HM_HD inline Greeks<Real> merton_jump_diffusion(OptionType type, Real spot, Real strike, Real rate,
                                                Real vol, Real tau, const MertonJumps& jumps) {
  const NormalJumps& j1 = jumps.jumps;
  const NormalJumps& j2 = jumps.crashes;
  const bool on1 = j1.intensity > 0.0, on2 = j2.intensity > 0.0;
  if (!(on1 || on2) || !(tau > Real(0)))
    return black_scholes<Real>(type, spot, strike, rate, vol, tau);
  const double t = double(tau);
  const double k1 = on1 ? exp(j1.log_mean + 0.5 * j1.log_stdev * j1.log_stdev) - 1.0 : 0.0;
  const double k2 = on2 ? exp(j2.log_mean + 0.5 * j2.log_stdev * j2.log_stdev) - 1.0 : 0.0;
  const double mean1 = on1 ? j1.intensity * (1.0 + k1) * t : 0.0;
  const double mean2 = on2 ? j2.intensity * (1.0 + k2) * t : 0.0;
  const double var1 = on1 ? j1.log_stdev * j1.log_stdev : 0.0;
  const double var2 = on2 ? j2.log_stdev * j2.log_stdev : 0.0;
  const double drift1 = on1 ? log1p(k1) : 0.0, drift2 = on2 ? log1p(k2) : 0.0;
  const double rate0 =
      double(rate) - (on1 ? j1.intensity * k1 : 0.0) - (on2 ? j2.intensity * k2 : 0.0);
  const double vol2 = double(vol) * double(vol);
  // Poisson mass left out: far below what the working precision resolves (a float delta needs
  // no terms of weight 1e-9, and with two components the terms multiply).
  const double tail = sizeof(Real) < sizeof(double) ? 1e-9 : 1e-12;
  Greeks<Real> sum{Real(0), Real(0), Real(0), Real(0)};
  double weight1 = exp(-mean1), left1 = 1.0;
  for (int n = 0; n < 200; ++n) {
    if (n > 0) weight1 *= mean1 / n;
    double weight2 = exp(-mean2), left2 = 1.0;
    for (int m = 0; m < 200; ++m) {
      if (m > 0) weight2 *= mean2 / m;
      const double vol_nm = sqrt(vol2 + (n * var1 + m * var2) / t);
      const double rate_nm = rate0 + (n * drift1 + m * drift2) / t;
      const Greeks<Real> g =
          black_scholes<Real>(type, spot, strike, Real(rate_nm), Real(vol_nm), tau);
      const Real w = Real(weight1 * weight2);
      sum.price += w * g.price;
      sum.delta += w * g.delta;
      sum.gamma += w * g.gamma;
      sum.vega += w * g.vega * Real(double(vol) / vol_nm);
      left2 -= weight2;
      if (m >= mean2 && weight1 * left2 < 0.1 * tail) break;  // this row's rest is negligible
    }
    left1 -= weight1;
    if (n >= mean1 && left1 < tail) break;
  }
  return sum;
}

// The paths' Merton jumps alone (no crash component); a Kou or "none" model is no jump.
template <class Real>
HM_HD inline Greeks<Real> merton_jump_diffusion(OptionType type, Real spot, Real strike, Real rate,
                                                Real vol, Real tau, const JumpParams& jumps) {
  MertonJumps m;
  if (jumps.model == JumpModel::merton)
    m.jumps = {jumps.intensity, jumps.log_mean, jumps.log_stdev};
  return merton_jump_diffusion<Real>(type, spot, strike, rate, vol, tau, m);
}

}  // namespace hedgemap
