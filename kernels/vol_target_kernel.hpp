// Volatility targeting on the underlying, every (target, tolerance) combination on one path.
//
//   sigma_hat^2_k = lambda sigma_hat^2_{k-1} + (1 - lambda) (ln S_k/S_{k-1})^2 / dt,
//   lambda = 2^(-dt / half_life),  sigma_hat_0 = the cell's implied volatility sigma_i
//                                  (what the market shows before any return is seen)
//   target exposure E* = min(target / sigma_hat, max_leverage) * V
//   rebalance when |E / E* - 1| > tolerance (the rule of kernels/cppi_kernel.hpp)
//
// Same order of events and cost accounting as CPPI (double accounting, trades fill at fill_spot,
// costs out of cash, blocked during outages, V_T marked to market). Per path it also records the
// realised volatility of the portfolio, sqrt(sample variance of ln(V_k/V_{k-1}) / dt), and the
// maximum drawdown max_k (1 - V_k / max_{j<=k} V_j). A portfolio whose value reaches 0 is ruined:
// it is closed at V = 0 for good (AllocationAccountsOf::close_if_ruined), so its drawdown is 1,
// and its log returns are taken against a floor of 1e-12 V_0 to stay finite.
#pragma once
#include "kernels/cppi_kernel.hpp"
#include "kernels/hedger_volatility.hpp"  // ewma_variance
#include "kernels/kernel_variant.hpp"

namespace hedgemap {

struct VolTargetSettings {
  double capital = 1.0;
  double max_leverage = 1.0;
  double rate = 0.0;
  double dt = 0.0;                  // years per step
  double ewma_decay = 0.0;          // lambda per step
  double initial_volatility = 0.0;  // sigma_hat_0: the cell's implied volatility (the EWMA start)
  int points = 0;
  double target[kMaxAllocationPoints];
  double tolerance[kMaxAllocationPoints];
};

// The formulas above as selects and plain arithmetic, so that the lane loops of
// host/cpu/simd_allocation_batch.inl vectorise them too.
// sigma_hat^2 after a step with log return r of the underlying: ewma_variance
// (kernels/hedger_volatility.hpp, shared with the hedger's realised input).

// E* = min(target / sigma_hat, max_leverage) V (max_leverage V while sigma_hat = 0; 0 when V <= 0).
HM_HD HM_FORCEINLINE double vol_target_exposure(double value, double sigma_hat, double target,
                                                double max_leverage) {
  double weight = sigma_hat > 0.0 ? target / sigma_hat : max_leverage;
  weight = weight > max_leverage ? max_leverage : weight;
  return value > 0.0 ? weight * value : 0.0;
}

// The running peak of V and the maximum drawdown 1 - V / peak so far.
HM_HD HM_FORCEINLINE void track_drawdown(double value, double& peak, double& drawdown) {
  peak = value > peak ? value : peak;
  const double dd = 1.0 - value / peak;
  drawdown = dd > drawdown ? dd : drawdown;
}

// Capacity: kernels/point_loop.hpp.
template <int Capacity>
struct VolTargetPortfoliosOf : AllocationAccountsOf<Capacity> {
  using Accounts = AllocationAccountsOf<Capacity>;
  using Accounts::cash;
  using Accounts::last_blocked;
  using Accounts::last_spot;
  using Accounts::units;
  double last_value[Capacity];
  double sum_log[Capacity], sum_log_sq[Capacity];  // log returns
  double peak[Capacity], drawdown[Capacity];
  double variance_hat = 0.0;  // EWMA of annualized squared log returns of the underlying

  HM_HD void start(const VolTargetSettings& s, TradeRecord* records) {
    this->open_accounts(s.points, s.capital, records);
    for_each_point<Capacity>(0, s.points, [&](int p) {
      last_value[p] = s.capital;
      sum_log[p] = sum_log_sq[p] = 0.0;
      peak[p] = s.capital;
      drawdown[p] = 0.0;
    });
    variance_hat = s.initial_volatility * s.initial_volatility;
  }

  // realised_volatility: ProcessParams::realised_volatility (the sqrt impact law's sigma).
  template <class Real>
  HM_HD void step(const VolTargetSettings& s, const CostParams& c, const MarketPoint<Real>& m,
                  TradeRecord* records, double realised_volatility) {
    const double spot = double(m.spot);
    if (m.index > 0) {
      const double r = log(spot / last_spot);
      variance_hat = ewma_variance(variance_hat, s.ewma_decay, r, s.dt);
      const double growth = exp(s.rate * s.dt);
      for_each_point<Capacity>(0, s.points, [&](int p) { cash[p] *= growth; });
    }
    last_spot = spot;
    const double sigma_hat = sqrt(variance_hat);
    const bool can_trade = !m.blocked && !m.is_expiry;
    if (m.blocked) last_blocked = m.index;
    const double ruin = 1e-12 * s.capital;
    for_each_point<Capacity>(0, s.points, [&](int p) {
      double exposure = units[p] * spot;
      double value = exposure + cash[p];
      this->close_if_ruined(p, exposure, value);
      if (m.index > 0) {
        const double lr = log((value > ruin ? value : ruin) / last_value[p]);
        sum_log[p] += lr;
        sum_log_sq[p] += lr * lr;
        last_value[p] = value > ruin ? value : ruin;
      }
      track_drawdown(value, peak[p], drawdown[p]);
      if (!can_trade) return;
      const double target = vol_target_exposure(value, sigma_hat, s.target[p], s.max_leverage);
      rebalance_to_exposure(*this, records, p, exposure, target, s.tolerance[p], spot, m, c,
                            Real(realised_volatility));
    });
  }

  // Annualized sample standard deviation of the per-step log returns (NaN with < 2 steps).
  HM_HD double realised_volatility(int p, int steps, double dt) const {
    if (steps < 2) return NAN;
    const double mean = sum_log[p] / steps;
    double var = (sum_log_sq[p] - steps * mean * mean) / (steps - 1);
    if (var < 0.0) var = 0.0;
    return sqrt(var / dt);
  }
};
using VolTargetPortfolios = VolTargetPortfoliosOf<kMaxAllocationPoints>;

template <class Real>
struct VolTargetKernel {
  ProcessParams process;
  CostParams costs;
  VolTargetSettings settings;

  enum Metric : int {
    terminal_value = 0,
    cost_paid = 1,
    trade_count = 2,
    realised_volatility = 3,
    max_drawdown = 4,
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
    VolTargetPortfoliosOf<Capacity> book;
    TradeRecord records[Capacity];
    run_allocation_path<Real, Model>(process, costs, settings, path, book, records);
    for_each_point<Capacity>(0, settings.points, [&](int p) {
      const TradeRecord& r = records[trade_state_index(p)];
      out.set(p * kPerPoint + terminal_value, book.value(p));
      out.set(p * kPerPoint + cost_paid, r.cost);
      out.set(p * kPerPoint + trade_count, double(r.trades));
      out.set(p * kPerPoint + realised_volatility,
              book.realised_volatility(p, process.steps, process.dt));
      out.set(p * kPerPoint + max_drawdown, book.drawdown[p]);
    });
  }
};
static_assert(std::is_trivially_copyable_v<VolTargetKernel<float>>);
static_assert(std::is_trivially_copyable_v<VolTargetKernel<double>>);

}  // namespace hedgemap
