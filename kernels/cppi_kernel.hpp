// Constant proportion portfolio insurance (Black-Perold) on the underlying, every (multiplier,
// tolerance) combination on one path in one pass.
//
//   floor at the horizon      G   = floor * capital
//   discounted floor          F_t = G exp(-r (T - t))
//   cushion                   C_t = max(V_t - F_t, 0)
//   target exposure           E*  = min(m C_t, max_leverage V_t)
//   rebalance when            |E / E* - 1| > tolerance; E* = 0: sell everything held
//   ruin                      V_t <= 0 closes the account at 0 for good (close_if_ruined)
//
// Order of events at decision time t_k: cash earns exp(r dt) over (t_{k-1}, t_k], the position is
// marked at S(t_k) (an account worth <= 0 is closed at 0), the floor test V < F is made, then
// (unless an outage blocks t_k or k = T) the units n = E*/S(t_k) - q are traded at
// fill_spot = S(t_k + latency), paying trade_cost (fee, gas, impact) out of cash. A point's first
// trade after an outage pays gas x gas_multiplier (as in the hedging kernel). V_T = q S_T + cash_T
// is marked to market: nothing is unwound at the horizon.
//
// Portfolio accounting (units, cash, value, costs) is double in both precisions: V ~ 1e6 against
// costs ~ 1 needs more than float's 7 digits. The path itself (spot, fill price) is Real.
#pragma once
#include "kernels/allocation_rebalance.hpp"
#include "kernels/execution_costs.hpp"
#include "kernels/jump_diffusion.hpp"
#include "kernels/kernel_variant.hpp"
#include "kernels/path_output.hpp"

namespace hedgemap {

// Settings shared by every combination of one cell.
struct CppiSettings {
  double capital = 1.0;
  double floor_fraction = 0.9;  // G / capital
  double max_leverage = 1.0;
  double rate = 0.0;     // cash rate, continuous, per year
  double horizon = 0.0;  // T in years
  double dt = 0.0;       // years per step
  int points = 0;
  double multiplier[kMaxAllocationPoints];
  double tolerance[kMaxAllocationPoints];

  // F_t = G exp(-r (T - t_k)), T - t_k in double: float's time_to_expiry would put a 1e-7
  // relative error on F.
  HM_HD double discounted_floor(int index) const {
    const double remaining = horizon - double(index) * dt;
    return floor_fraction * capital * exp(-rate * (remaining > 0.0 ? remaining : 0.0));
  }
};

// E* = min(m C, max_leverage V), C = max(V - F, 0); 0 when V <= 0. One expression of selects, so
// that the lane loops of host/cpu/simd_allocation_batch.inl vectorise it too.
HM_HD HM_FORCEINLINE double cppi_target_exposure(double value, double floor, double multiplier,
                                                 double max_leverage) {
  const double cushion = value > floor ? value - floor : 0.0;
  const double want = multiplier * cushion, cap = max_leverage * value;
  const double capped = want > cap ? cap : want;
  return value > 0.0 ? capped : 0.0;
}

// The portfolios of every combination on one path: fed one MarketPoint at a time (so tests can
// feed constructed paths), read out at the horizon. Capacity: kernels/point_loop.hpp.
template <int Capacity>
struct CppiPortfoliosOf : AllocationAccountsOf<Capacity> {
  using Accounts = AllocationAccountsOf<Capacity>;
  using Accounts::cash;
  using Accounts::last_blocked;
  using Accounts::last_spot;
  using Accounts::units;
  PointFlags<Capacity> breached;  // V < F at some decision time

  HM_HD void start(const CppiSettings& s, TradeRecord* records) {
    this->open_accounts(s.points, s.capital, records);
    breached = PointFlags<Capacity>{};
  }

  // realised_volatility: ProcessParams::realised_volatility (the sqrt impact law's sigma).
  template <class Real>
  HM_HD void step(const CppiSettings& s, const CostParams& c, const MarketPoint<Real>& m,
                  TradeRecord* records, double realised_volatility) {
    const double spot = double(m.spot);
    last_spot = spot;
    if (m.index > 0) {
      const double growth = exp(s.rate * s.dt);
      for_each_point<Capacity>(0, s.points, [&](int p) { cash[p] *= growth; });
    }
    const double floor_now = s.discounted_floor(m.index);
    const bool can_trade = !m.blocked && !m.is_expiry;
    if (m.blocked) last_blocked = m.index;
    for_each_point<Capacity>(0, s.points, [&](int p) {
      double exposure = units[p] * spot;
      double value = exposure + cash[p];
      this->close_if_ruined(p, exposure, value);
      if (value < floor_now) breached.set(p, true);
      if (!can_trade) return;
      const double target = cppi_target_exposure(value, floor_now, s.multiplier[p], s.max_leverage);
      rebalance_to_exposure(*this, records, p, exposure, target, s.tolerance[p], spot, m, c,
                            Real(realised_volatility));
    });
  }
};
using CppiPortfolios = CppiPortfoliosOf<kMaxAllocationPoints>;

template <class Real>
struct CppiKernel {
  ProcessParams process;
  CostParams costs;
  CppiSettings settings;

  // Columns: point p's metric q at p * kPerPoint + q. Gap indicator and shortfall follow from
  // V_T and G on the host (fewer columns to write and move).
  enum Metric : int {
    terminal_value = 0,
    floor_breach = 1,
    cost_paid = 2,
    trade_count = 3,
    kPerPoint
  };
  HM_HD int columns() const { return settings.points * kPerPoint; }

  HM_HD int points() const { return settings.points; }
  static constexpr int kMaxPoints = kMaxAllocationPoints;

  HM_HD void operator()(unsigned long long path, const PathOutput& out) const {
    run<kMaxPoints>(path, out);
  }

  // The path with the portfolios sized for Capacity >= points() (kernels/point_loop.hpp).
  template <int Capacity>
  HM_HD void run(unsigned long long path, const PathOutput& out) const {
    dispatch_variant<kVariants>(
        variant(), [&](auto v) { run_variant<decltype(v)::value, Capacity>(path, out); });
  }

  // Compile-time variants, one per volatility model of the paths (the GPU backend launches one
  // kernel per variant: the constant-volatility kernel carries no variance state).
  static constexpr int kVariants = 2;
  HM_HD int variant() const { return int(process.volatility_model); }
  template <int Variant, int Capacity = kMaxPoints>
  HM_HD void run_variant(unsigned long long path, const PathOutput& out) const {
    constexpr VolatilityModel Model = VolatilityModel(Variant);
    CppiPortfoliosOf<Capacity> book;
    TradeRecord records[Capacity];
    run_allocation_path<Real, Model>(process, costs, settings, path, book, records);
    for_each_point<Capacity>(0, settings.points, [&](int p) {
      const TradeRecord& r = records[trade_state_index(p)];
      out.set(p * kPerPoint + terminal_value, book.value(p));
      out.set(p * kPerPoint + floor_breach, book.breached.get(p) ? 1.0 : 0.0);
      out.set(p * kPerPoint + cost_paid, r.cost);
      out.set(p * kPerPoint + trade_count, double(r.trades));
    });
  }
};
static_assert(std::is_trivially_copyable_v<CppiKernel<float>>);
static_assert(std::is_trivially_copyable_v<CppiKernel<double>>);

}  // namespace hedgemap
