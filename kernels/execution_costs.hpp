// What one rebalancing trade of n units (signed: + buy) costs, filled at price F:
//
//   fee    = fee_rate * |n| * F
//   gas    = gas * g * (congested ? gas_multiplier : 1),  g ~ LogNormal(-v^2/2, v^2), E[g] = 1
//   impact, by model (cost relative to filling the whole trade at F):
//     linear: c * (|n| / V_day) * |n| F                     (average fill c |n|/V_day worse: half
//                                                            the move of a linear book, k = 2c)
//     sqrt:   c * sigma_day * sqrt(|n| / V_day) * |n| F     (square-root law, Almgren et al.
//                                                            2005; sigma_day = sigma_r /
//                                                            sqrt(days/yr), sigma_r below)
//     amm:    constant-product pool of value D centred on F: x = D / (2F) units, y = D / 2 quote.
//             buy n:  pays  y n / (x - n)  ->  impact = |n| F * n / (x - n)   (infinite if n >= x)
//             sell n: gets  y n / (x + n)  ->  impact = |n| F * n / (x + n)
//             i.e. |n| F |n| / (x - n) for either sign.
// Shared by every policy family (hedging, CPPI, volatility targeting) and every backend: the
// scalar kernels and CUDA call trade_cost(); the lane-batched CPU kernels (host/cpu/) call the
// terms of TradeCostModel per lane, the impact model chosen once outside their lane loops.
#pragma once
#include "kernels/model_params.hpp"

namespace hedgemap {

template <class Real>
struct TradeCost {
  Real fee, gas, impact;
  HM_HD Real total() const { return fee + gas + impact; }
};

// The sqrt law's sigma is the asset's realised daily volatility, as in Almgren et al.'s fits: the
// cell's expected total realised volatility rho sigma_i (ProcessParams::realised_volatility:
// diffusion, jumps and crashes; volatility.realised_to_implied = rho), not the implied sigma_i
// nor the diffusive part alone.
//
// The cost of one trade term by term, each term a branch-free function of the trade (so that a
// loop over lanes of trades vectorises). The fee and gas constants are converted to Real once;
// an impact term reads its model's constants itself, so that code which never calls it (a
// scalar trade whose model is another one) never loads them.
template <class Real>
struct TradeCostModel {
  const CostParams& costs;
  Real volatility;  // the cell's total realised sigma_r per year (sqrt law)
  Real fee_rate, gas, gas_multiplier;

  HM_HD HM_FORCEINLINE TradeCostModel(const CostParams& c, Real realised_volatility)
      : costs(c),
        volatility(realised_volatility),
        fee_rate(Real(c.fee_rate)),
        gas(Real(c.gas)),
        gas_multiplier(Real(c.gas_multiplier_after_outage)) {}

  HM_HD HM_FORCEINLINE Real fee(Real units, Real fill_price) const {
    return fee_rate * hm_abs<Real>(units) * fill_price;
  }

  // gas_factor from the path; `congested` when this is the first trade after an outage.
  HM_HD HM_FORCEINLINE Real gas_paid(Real gas_factor, bool congested) const {
    return gas * gas_factor * (congested ? gas_multiplier : Real(1));
  }

  HM_HD HM_FORCEINLINE Real linear_impact(Real units, Real fill_price) const {
    const Real size = hm_abs<Real>(units);
    return Real(costs.impact_coefficient) * (size / Real(costs.daily_volume)) * (size * fill_price);
  }

  HM_HD HM_FORCEINLINE Real sqrt_law_impact(Real units, Real fill_price) const {
    const Real size = hm_abs<Real>(units);
    const Real sigma_day = volatility / hm_sqrt<Real>(Real(costs.days_per_year));
    return Real(costs.impact_coefficient) * sigma_day *
           hm_sqrt<Real>(size / Real(costs.daily_volume)) * (size * fill_price);
  }

  // reserve - units is reserve - |n| for a buy and reserve + |n| for a sell, rounded alike.
  HM_HD HM_FORCEINLINE Real amm_impact(Real units, Real fill_price) const {
    const Real size = hm_abs<Real>(units), notional = size * fill_price;
    const Real reserve = Real(costs.pool_depth) / (Real(2) * fill_price);  // units in the pool
    const Real cost = notional * size / (reserve - units);
    return units >= reserve ? Real(INFINITY) : cost;  // cannot buy the pool dry
  }

  // One switch per trade; a loop over many trades switches once outside it and calls the term.
  HM_HD HM_FORCEINLINE Real impact_cost(Real units, Real fill_price) const {
    switch (costs.impact) {
      case ImpactModel::linear:
        return linear_impact(units, fill_price);
      case ImpactModel::sqrt_law:
        return sqrt_law_impact(units, fill_price);
      case ImpactModel::amm:
        return amm_impact(units, fill_price);
      default:
        return Real(0);
    }
  }
};

// Cost of a trade of `units` (non-zero) at fill price F; gas_factor from the path, `congested`
// when this is the first trade after an outage; volatility: the cell's total realised sigma_r
// (ProcessParams::realised_volatility, sqrt law).
template <class Real>
HM_HD HM_FORCEINLINE TradeCost<Real> trade_cost(const CostParams& c, Real units, Real fill_price,
                                                Real gas_factor, bool congested, Real volatility) {
  const TradeCostModel<Real> model(c, volatility);
  TradeCost<Real> t;
  t.fee = model.fee(units, fill_price);
  t.gas = model.gas_paid(gas_factor, congested);
  t.impact = model.impact_cost(units, fill_price);
  return t;
}

}  // namespace hedgemap
