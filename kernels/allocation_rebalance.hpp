// The rebalancing step shared by CPPI and volatility targeting: the tolerance rule, and the trade
// of one combination's portfolio to its target exposure at the decision's fill price with every
// cost paid from cash.
#pragma once
#include "kernels/execution_costs.hpp"
#include "kernels/jump_diffusion.hpp"
#include "kernels/point_loop.hpp"

namespace hedgemap {

constexpr int kMaxAllocationPoints = 64;  // multiplier x tolerance (or target x tolerance)

// What only a trade changes in a combination's account: cost paid, trade count, step of the last
// trade (-1 before any). Kept apart from the portfolios, in an array indexed through
// trade_state_index() (kernels/point_loop.hpp): on the GPU the portfolios' per-step state
// (units, cash, ...) then stays in registers and the records in local memory.
struct TradeRecord {
  double cost;
  int trades;
  int last_trade;
};

// The positions of every combination on one path, shared by CPPI and volatility targeting:
// units held, cash, and what the congested-gas rule needs. Arrays sized for Capacity
// combinations (kernels/point_loop.hpp).
template <int Capacity>
struct AllocationAccountsOf {
  double units[Capacity];
  double cash[Capacity];
  double last_spot = 0.0;
  int last_blocked = -1;  // last step an outage covered

  HM_HD void open_accounts(int points, double capital, TradeRecord* records) {
    for_each_point<Capacity>(0, points, [&](int p) {
      units[p] = 0.0;
      cash[p] = capital;
      records[trade_state_index(p)] = TradeRecord{0.0, 0, -1};
    });
    last_blocked = -1;
  }

  HM_HD double value(int p) const { return units[p] * last_spot + cash[p]; }

  // Ruin is absorbing. An account marked at V = exposure + cash <= 0 (a crash through leverage,
  // or a trade whose costs exceeded what the account was worth) is closed at zero: its position
  // and debt are written off (limited liability), so from then on V = 0 (cash 0 earns nothing),
  // its target is 0 and it holds nothing: it never trades or pays again. So V_T >= 0 and a
  // drawdown is at most 100%. Never true for an account that stays above 0: those are unchanged.
  HM_HD HM_FORCEINLINE void close_if_ruined(int p, double& exposure, double& value) {
    if (value > 0.0) return;
    units[p] = 0.0;
    cash[p] = 0.0;
    exposure = 0.0;
    value = 0.0;
  }
};

// Trade when the exposure is off its target by more than `tolerance` (relative); a zero target
// means "hold nothing".
// Bitwise on the comparisons, both computed: GCC vectorises this in the lane loops of
// host/cpu/simd_allocation_batch.inl (it does not if-convert `target > 0 ? (...) : (...)` of
// bools).
HM_HD HM_FORCEINLINE bool exposure_off_target(double exposure, double target, double tolerance) {
  const bool positive = target > 0.0;
  return (positive & (fabs(exposure / target - 1.0) > tolerance)) | (!positive & (exposure != 0.0));
}

// Whether a wanted trade of n units is sent: never a zero trade, nor one below the minimum order.
HM_HD HM_FORCEINLINE bool order_sent(double n, double min_trade_units) {
  return (n != 0.0) & !(fabs(n) < min_trade_units);
}

// Portfolios: arrays units, cash per combination, and last_blocked (the last step an outage
// covered: a combination whose last trade came before it pays the congested gas); records: the
// combinations' trade records. A trade the AMM pool cannot fill (infinite impact) is not made,
// nor one below the minimum order, |n| < c.min_trade_units (the position stays).
template <class Real, class Portfolios>
HM_HD HM_FORCEINLINE void rebalance_to_exposure(Portfolios& pf, TradeRecord* records, int p,
                                                double exposure, double target, double tolerance,
                                                double spot, const MarketPoint<Real>& m,
                                                const CostParams& c, Real volatility) {
  if (!exposure_off_target(exposure, target, tolerance)) return;
  const double n = target / spot - pf.units[p];
  if (!order_sent(n, c.min_trade_units)) return;
  TradeRecord& record = records[trade_state_index(p)];
  const TradeCost<Real> tc = trade_cost<Real>(c, Real(n), m.fill_spot, m.gas_factor,
                                              record.last_trade < pf.last_blocked, volatility);
  const double paid = double(tc.total());
  if (!(paid < INFINITY)) return;
  pf.cash[p] -= n * double(m.fill_spot) + paid;
  pf.units[p] += n;
  record.cost += paid;
  record.trades += 1;
  record.last_trade = m.index;
}

// Feeds every decision point t_0..T of one path to the portfolios of every combination (CPPI or
// volatility targeting: `Portfolios` has start(settings, records) and
// step(settings, costs, point, records, realised_volatility), the last the sqrt impact law's
// sigma).
template <class Real, VolatilityModel Model, class Portfolios, class Settings>
HM_HD HM_FORCEINLINE void run_allocation_path(const ProcessParams& process, const CostParams& costs,
                                              const Settings& settings, unsigned long long path,
                                              Portfolios& portfolios, TradeRecord* records) {
  JumpDiffusionPath<Real, typename DiffusionOf<Real, Model>::type> process_path(process, path);
  portfolios.start(settings, records);
  MarketPoint<Real> m = process_path.first();
  for (;;) {
    portfolios.step(settings, costs, m, records, process.realised_volatility);
    if (m.is_expiry) break;
    m = process_path.next();
  }
}

}  // namespace hedgemap
