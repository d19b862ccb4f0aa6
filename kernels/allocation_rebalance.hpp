// The rebalancing step shared by CPPI and volatility targeting: the tolerance rule, and the trade
// of one combination's portfolio to its target exposure at the decision's fill price with every
// cost paid from cash.
#pragma once
#include "kernels/execution_costs.hpp"
#include "kernels/jump_diffusion.hpp"

namespace hedgemap {

constexpr int kMaxAllocationPoints = 64;  // multiplier x tolerance (or target x tolerance)

// The trading accounts of every combination on one path, shared by CPPI and volatility
// targeting: units held, cash, costs paid, trades, and what the congested-gas rule needs.
struct AllocationAccounts {
  double units[kMaxAllocationPoints];
  double cash[kMaxAllocationPoints];
  double cost[kMaxAllocationPoints];
  int trades[kMaxAllocationPoints];
  int last_trade[kMaxAllocationPoints];  // step of the point's last trade, -1 before any
  double last_spot = 0.0;
  int last_blocked = -1;                 // last step an outage covered

  HM_HD void open_accounts(int points, double capital) {
    for (int p = 0; p < points; ++p) {
      units[p] = 0.0;
      cash[p] = capital;
      cost[p] = 0.0;
      trades[p] = 0;
      last_trade[p] = -1;
    }
    last_blocked = -1;
  }

  HM_HD double value(int p) const { return units[p] * last_spot + cash[p]; }
};

// Trade when the exposure is off its target by more than `tolerance` (relative); a zero target
// means "hold nothing".
HM_HD HM_FORCEINLINE bool exposure_off_target(double exposure, double target, double tolerance) {
  if (!(target > 0.0)) return exposure != 0.0;
  return fabs(exposure / target - 1.0) > tolerance;
}

// Portfolios: arrays units, cash, cost, trades, last_trade per combination, and last_blocked
// (the last step an outage covered: a combination whose last trade came before it pays the
// congested gas). A trade the AMM pool cannot fill (infinite impact) is not made, nor one below
// the minimum order, |n| < c.min_trade_units (the position stays).
template <class Real, class Portfolios>
HM_HD HM_FORCEINLINE void rebalance_to_exposure(Portfolios& pf, int p, double exposure,
                                                double target, double tolerance, double spot,
                                                const MarketPoint<Real>& m, const CostParams& c,
                                                Real volatility) {
  if (!exposure_off_target(exposure, target, tolerance)) return;
  const double n = target / spot - pf.units[p];
  if (n == 0.0 || fabs(n) < c.min_trade_units) return;
  const TradeCost<Real> tc = trade_cost<Real>(c, Real(n), m.fill_spot, m.gas_factor,
                                              pf.last_trade[p] < pf.last_blocked, volatility);
  const double paid = double(tc.total());
  if (!(paid < INFINITY)) return;
  pf.cash[p] -= n * double(m.fill_spot) + paid;
  pf.units[p] += n;
  pf.cost[p] += paid;
  pf.trades[p] += 1;
  pf.last_trade[p] = m.index;
}

// Feeds every decision point t_0..T of one path to the portfolios of every combination (CPPI or
// volatility targeting: `Portfolios` has start(settings) and step(settings, costs, point)).
template <class Real, class Portfolios, class Settings>
HM_HD HM_FORCEINLINE void run_allocation_path(const ProcessParams& process, const CostParams& costs,
                                              const Settings& settings, unsigned long long path,
                                              Portfolios& portfolios) {
  JumpDiffusionPath<Real> process_path(process, path);
  portfolios.start(settings);
  MarketPoint<Real> m = process_path.first();
  for (;;) {
    portfolios.step(settings, costs, m);
    if (m.is_expiry) break;
    m = process_path.next();
  }
}

}  // namespace hedgemap
