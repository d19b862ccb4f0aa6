// What one rebalancing trade of n units (signed: + buy) costs, filled at price F:
//
//   fee    = fee_rate * |n| * F
//   gas    = gas * g * (congested ? gas_multiplier : 1),  g ~ LogNormal(-v^2/2, v^2), E[g] = 1
//   impact, by model (cost relative to filling the whole trade at F):
//     linear: c * (|n| / V_day) * |n| F                     (price moves c per day's volume)
//     sqrt:   c * sigma_day * sqrt(|n| / V_day) * |n| F     (square-root law, sigma_day = sigma /
//     sqrt(days/yr)) amm:    constant-product pool of value D centred on F: x = D / (2F) units, y =
//     D / 2 quote.
//             buy n:  pays  y n / (x - n)  ->  impact = |n| F * n / (x - n)   (infinite if n >= x)
//             sell n: gets  y n / (x + n)  ->  impact = |n| F * n / (x + n)
// Shared by every policy family (hedging, CPPI, volatility targeting).
#pragma once
#include "kernels/model_params.hpp"

namespace hedgemap {

template <class Real>
struct TradeCost {
  Real fee, gas, impact;
  HM_HD Real total() const { return fee + gas + impact; }
};

template <class Real>
HM_HD HM_FORCEINLINE Real impact_cost(const CostParams& c, Real units, Real fill_price,
                                      Real volatility) {
  const Real size = hm_abs<Real>(units);
  const Real notional = size * fill_price;
  switch (c.impact) {
    case ImpactModel::linear:
      return Real(c.impact_coefficient) * (size / Real(c.daily_volume)) * notional;
    case ImpactModel::sqrt_law: {
      const Real sigma_day = volatility / hm_sqrt<Real>(Real(c.days_per_year));
      return Real(c.impact_coefficient) * sigma_day * hm_sqrt<Real>(size / Real(c.daily_volume)) *
             notional;
    }
    case ImpactModel::amm: {
      const Real reserve = Real(c.pool_depth) / (Real(2) * fill_price);  // units in the pool
      if (units >= reserve) return Real(INFINITY);                       // cannot buy the pool dry
      return units > Real(0) ? notional * size / (reserve - size)
                             : notional * size / (reserve + size);
    }
    default:
      return Real(0);
  }
}

// Cost of a trade of `units` (non-zero) at fill price F; gas_factor from the path, `congested`
// when this is the first trade after an outage.
template <class Real>
HM_HD HM_FORCEINLINE TradeCost<Real> trade_cost(const CostParams& c, Real units, Real fill_price,
                                                Real gas_factor, bool congested, Real volatility) {
  TradeCost<Real> t;
  t.fee = Real(c.fee_rate) * hm_abs<Real>(units) * fill_price;
  t.gas = Real(c.gas) * gas_factor * (congested ? Real(c.gas_multiplier_after_outage) : Real(1));
  t.impact = impact_cost<Real>(c, units, fill_price, volatility);
  return t;
}

}  // namespace hedgemap
