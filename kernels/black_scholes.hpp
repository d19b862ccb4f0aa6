// Black-Scholes (1973) European option value and greeks, float or double, no dividends:
//
//   d1 = (ln(S/K) + (r + s^2/2) tau) / (s sqrt tau),  d2 = d1 - s sqrt tau
//   call = S Phi(d1) - K e^{-r tau} Phi(d2),   put = K e^{-r tau} Phi(-d2) - S Phi(-d1)
//   delta_call = Phi(d1), delta_put = Phi(d1) - 1, gamma = phi(d1) / (S s sqrt tau),
//   vega = S phi(d1) sqrt tau   (per unit of volatility)
//
// Phi is computed with erfc, accurate deep in both tails; at or past expiry (s sqrt tau below
// ~1e-7) the limits are returned (intrinsic value, step delta, zero gamma and vega), never NaN.
#pragma once
#include "kernels/random_draws.hpp"

namespace hedgemap {

enum class OptionType : int { call = 0, put = 1 };

template <class Real>
struct Greeks {
  Real price, delta, gamma, vega;
};

// The pieces below are shared with the lane-batched hedging kernel
// (host/cpu/simd_hedging_batch.inl), which takes the logarithms, normal CDFs and exponentials of
// all its lanes at once between them.

// s = sigma sqrt(tau), the volatility left to expiry (0 at or past it).
template <class Real>
HM_HD HM_FORCEINLINE Real total_volatility(Real vol, Real tau) {
  return vol * hm_sqrt<Real>(hm_max<Real>(tau, Real(0)));
}

// Below this s the expiry limits are returned (d1 would overflow or divide by zero).
template <class Real>
HM_HD HM_FORCEINLINE bool at_expiry_limit(Real total_vol) {
  return !(total_vol > Real(1e-7));
}

// d1 = ln(S / (K e^{-r tau})) / s + s / 2, from the log of S over the discounted strike.
template <class Real>
HM_HD HM_FORCEINLINE Real black_scholes_d1(Real log_spot_over_forward_strike, Real total_vol) {
  return log_spot_over_forward_strike / total_vol + Real(0.5) * total_vol;
}

// gamma = phi(d1) / (S s), from phi(d1).
template <class Real>
HM_HD HM_FORCEINLINE Real black_scholes_gamma(Real pdf_d1, Real spot, Real total_vol) {
  return pdf_d1 / (spot * total_vol);
}

template <class Real>
HM_HD inline Greeks<Real> black_scholes(OptionType type, Real spot, Real strike, Real rate,
                                        Real vol, Real tau) {
  Greeks<Real> g;
  const Real discount = hm_exp<Real>(-rate * hm_max<Real>(tau, Real(0)));
  const Real forward_strike = strike * discount;
  const Real total_vol = total_volatility<Real>(vol, tau);
  const Real sign = type == OptionType::call ? Real(1) : Real(-1);
  if (at_expiry_limit<Real>(total_vol)) {  // (also catches tau <= 0)
    const Real intrinsic = sign * (spot - forward_strike);
    g.price = hm_max<Real>(intrinsic, Real(0));
    g.delta = intrinsic > Real(0) ? sign : Real(0);
    g.gamma = Real(0);
    g.vega = Real(0);
    return g;
  }
  const Real d1 = black_scholes_d1<Real>(hm_log<Real>(spot / forward_strike), total_vol);
  const Real d2 = d1 - total_vol;
  const Real nd1 = normal_cdf<Real>(sign * d1), nd2 = normal_cdf<Real>(sign * d2);
  g.price = sign * (spot * nd1 - forward_strike * nd2);
  g.price = hm_max<Real>(g.price, Real(0));
  g.delta = sign * nd1;
  const Real pdf = normal_pdf<Real>(d1);
  g.gamma = black_scholes_gamma<Real>(pdf, spot, total_vol);
  g.vega = spot * pdf * hm_sqrt<Real>(tau);
  return g;
}

// Delta alone: the hot path of hedging needs no price.
template <class Real>
HM_HD HM_FORCEINLINE Real black_scholes_delta(OptionType type, Real spot, Real strike, Real rate,
                                              Real vol, Real tau) {
  const Real total_vol = total_volatility<Real>(vol, tau);
  const Real forward_strike = strike * hm_exp<Real>(-rate * hm_max<Real>(tau, Real(0)));
  if (at_expiry_limit<Real>(total_vol)) {
    const Real intrinsic = type == OptionType::call ? spot - forward_strike : forward_strike - spot;
    return intrinsic > Real(0) ? (type == OptionType::call ? Real(1) : Real(-1)) : Real(0);
  }
  const Real d1 = black_scholes_d1<Real>(hm_log<Real>(spot / forward_strike), total_vol);
  const Real n = normal_cdf<Real>(d1);
  return type == OptionType::call ? n : n - Real(1);
}

}  // namespace hedgemap
