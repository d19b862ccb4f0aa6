// The option book that is hedged: up to kMaxLegs European legs on one underlying, all expiring
// at the cell's expiry. Value and greeks are the quantity-weighted sums of the legs' under the
// hedging model (Black-Scholes, or Merton with the market's jumps and the outage crashes), at the
// hedger's volatility.
#pragma once
#include "kernels/black_scholes.hpp"
#include "kernels/merton_pricing.hpp"

namespace hedgemap {

constexpr int kMaxLegs = 8;

struct OptionBook {
  int legs = 0;
  OptionType type[kMaxLegs] = {};
  double strike[kMaxLegs] = {};    // absolute strike, quote currency
  double quantity[kMaxLegs] = {};  // signed, + long
};
static_assert(std::is_trivially_copyable_v<OptionBook>);

// max(S - K, 0) for a call, max(K - S, 0) for a put.
template <class Real>
HM_HD HM_FORCEINLINE Real option_payoff(OptionType type, Real strike, Real spot) {
  const Real intrinsic = type == OptionType::call ? spot - strike : strike - spot;
  return hm_max<Real>(intrinsic, Real(0));
}

template <class Real>
HM_HD inline Real book_payoff(const OptionBook& book, Real spot) {
  Real sum = Real(0);
  for (int i = 0; i < book.legs; ++i)
    sum += Real(book.quantity[i]) * option_payoff<Real>(book.type[i], Real(book.strike[i]), spot);
  return sum;
}

// Value and greeks of the whole book at spot S with tau years left.
template <class Real>
HM_HD inline Greeks<Real> book_greeks(const OptionBook& book, HedgingModel model, Real spot,
                                      Real rate, Real vol, Real tau, const MertonJumps& jumps) {
  Greeks<Real> sum{Real(0), Real(0), Real(0), Real(0)};
  for (int i = 0; i < book.legs; ++i) {
    const Greeks<Real> g =
        model == HedgingModel::merton
            ? merton_jump_diffusion<Real>(book.type[i], spot, Real(book.strike[i]), rate, vol, tau,
                                          jumps)
            : black_scholes<Real>(book.type[i], spot, Real(book.strike[i]), rate, vol, tau);
    const Real q = Real(book.quantity[i]);
    sum.price += q * g.price;
    sum.delta += q * g.delta;
    sum.gamma += q * g.gamma;
    sum.vega += q * g.vega;
  }
  return sum;
}

// Delta alone (the per-step hot path of hedging under Black-Scholes).
template <class Real>
HM_HD HM_FORCEINLINE Real book_delta(const OptionBook& book, HedgingModel model, Real spot,
                                     Real rate, Real vol, Real tau, const MertonJumps& jumps) {
  if (model == HedgingModel::merton)
    return book_greeks<Real>(book, model, spot, rate, vol, tau, jumps).delta;
  Real sum = Real(0);
  for (int i = 0; i < book.legs; ++i)
    sum += Real(book.quantity[i]) *
           black_scholes_delta<Real>(book.type[i], spot, Real(book.strike[i]), rate, vol, tau);
  return sum;
}

// Black-Scholes delta of the whole book on one path, from the path's log return x = ln(S/S_0):
// ln(S/K_i) = x + ln(S_0/K_i) needs no logarithm per step, and sigma sqrt(tau) and r tau are
// shared by the legs, so a step costs one normal CDF per leg:
//   d1_i = (x + ln(S_0/K_i) + r tau) / (sigma sqrt tau) + sigma sqrt(tau) / 2.
template <class Real>
struct BlackScholesBookDelta {
  Real log_spot0_over_strike[kMaxLegs];

  // What the legs share at one time: s = sigma sqrt(tau), 1/s and r tau / s + s/2.
  struct Step {
    Real total_vol, inv_total_vol, shift;
  };

  HM_HD BlackScholesBookDelta(const OptionBook& book, Real spot0) {
    for (int i = 0; i < book.legs; ++i)
      log_spot0_over_strike[i] = hm_log<Real>(spot0 / Real(book.strike[i]));
  }

  // inv_total_vol and shift are meaningful only where !at_expiry_limit(total_vol).
  HM_HD static HM_FORCEINLINE Step step(Real rate, Real vol, Real tau) {
    Step st;
    st.total_vol = total_volatility<Real>(vol, tau);
    st.inv_total_vol = Real(1) / st.total_vol;
    st.shift = rate * tau * st.inv_total_vol + Real(0.5) * st.total_vol;
    return st;
  }

  HM_HD HM_FORCEINLINE Real d1(int leg, Real log_return, const Step& st) const {
    return (log_return + log_spot0_over_strike[leg]) * st.inv_total_vol + st.shift;
  }

  HM_HD HM_FORCEINLINE Real operator()(const OptionBook& book, Real log_return, Real spot,
                                       Real rate, Real vol, Real tau) const {
    const Step st = step(rate, vol, tau);
    if (at_expiry_limit<Real>(st.total_vol)) {  // the step delta of the exact function
      Real sum = Real(0);
      for (int i = 0; i < book.legs; ++i)
        sum += Real(book.quantity[i]) *
               black_scholes_delta<Real>(book.type[i], spot, Real(book.strike[i]), rate, vol, tau);
      return sum;
    }
    Real sum = Real(0);
    for (int i = 0; i < book.legs; ++i) {
      const Real n = normal_cdf<Real>(d1(i, log_return, st));
      sum += Real(book.quantity[i]) * (book.type[i] == OptionType::call ? n : n - Real(1));
    }
    return sum;
  }
};

}  // namespace hedgemap
