// Path kernel for the /hedging/ groups: one simulated path, every hedging policy and every value
// of its parameter, in one pass. Per step the shared work (the path's next point, the book's
// delta, and its gamma when Whalley-Wilmott is on) is done once; each (policy, parameter) point
// then costs a compare and, rarely, a trade.
//
// P&L of the hedger at expiry T, quote currency, undiscounted (../shared/spec/scenario.md). The
// hedger holds the book with its signed quantities q_i, bought at t=0 for its model value V_0
// (a short book, V_0 < 0, is a premium received), and holds h_t units of the underlying:
//
//   PnL = -V_0 e^{rT} + sum_i q_i payoff_i(S_T) + sum_trades e^{r(T - t_k)} (-n_k F_k - cost_k)
//
// where a trade of n_k units decided at t_k fills at F_k = S(t_k + latency) and the hedge is
// unwound at expiry (n = -h_T at F = S_T, paying costs like any trade, and even when an outage
// covers T: the position is closed to measure P&L). Costs are reported in the same time-T value.
// With no costs, drift = rate and a Black-Scholes hedger, E[PnL] = 0 (Derman-Kamal).
//
// Policies (hedge target h* = -book delta):
//   none:            h = 0 always (the unhedged book);
//   periodic k:      trade to h* at steps k, 2k, ...; a scheduled trade blocked by an outage is
//                    done at the first unblocked step after it;
//   delta_band b:    trade when |h - h*| > b, to h* (center) or to h* +- b (edge, the nearest);
//   whalley_wilmott: band of half-width H = (3/2 e^{-r tau} lambda S Gamma^2 / gamma)^{1/3}
//                    around h* (Gamma of the book), rebalance to the nearest edge.
// Every hedging policy sets its hedge to h* at t=0 (never blocked). While `blocked`, no trade;
// band policies re-test their band at the next unblocked step. The first trade of a point after
// an outage pays `gas_multiplier_after_outage` times the gas. A wanted trade smaller than the
// minimum order, |n| < costs.min_trade_units, is not sent (no cost, not counted, the hedge
// stays): no float-noise dust trades near expiry. The unwind at expiry is always sent.
#pragma once
#include "kernels/book_price_kernel.hpp"
#include "kernels/execution_costs.hpp"
#include "kernels/jump_diffusion.hpp"
#include "kernels/option_book.hpp"
#include "kernels/path_output.hpp"

namespace hedgemap {

constexpr int kMaxHedgeParams = 32;                       // values per policy axis
constexpr int kMaxHedgePoints = 1 + 3 * kMaxHedgeParams;  // none + three policies

// Per-path output columns of one (policy, parameter) point: column = point * kHedgeMetrics + m.
enum HedgeMetric : int {
  hedge_pnl = 0,
  hedge_fee,
  hedge_gas,
  hedge_impact,
  hedge_trades,
  kHedgeMetrics
};

// Whalley-Wilmott (1997) half-width of the no-trade band, in units of the underlying.
template <class Real>
HM_HD HM_FORCEINLINE Real whalley_wilmott_half_width(Real lambda, Real spot, Real gamma, Real rate,
                                                     Real tau, Real risk_aversion) {
  const Real x =
      Real(1.5) * hm_exp<Real>(-rate * tau) * lambda * spot * gamma * gamma / risk_aversion;
  return x > Real(0) ? Real(cbrt(x)) : Real(0);
}

template <class Real>
struct HedgingKernel {
  ProcessParams process;
  CostParams costs;
  OptionBook book;
  HedgingModel model = HedgingModel::black_scholes;
  double book_value0 = 0.0;  // V_0 under the hedging model (host, double)

  // Points, in column order: none, periodic[0..n_periodic), delta_band[..), whalley_wilmott[..).
  int n_periodic = 0, n_band = 0, n_ww = 0;
  int every_steps[kMaxHedgeParams] = {};
  double band[kMaxHedgeParams] = {};
  bool band_to_edge = false;
  // (1/gamma)^{1/3} per WW point, so that H = base * this with base computed once per step.
  double ww_inv_cbrt_risk_aversion[kMaxHedgeParams] = {};
  // Effective proportional cost lambda of the WW band (chosen on the host, see
  // host/hedging_family.cpp: fee + average impact and gas per notional at a typical trade).
  double ww_lambda = 0.0;

  HM_HD int points() const { return 1 + n_periodic + n_band + n_ww; }
  // Point columns, then the path summary of the /model/ group (kernels/book_price_kernel.hpp).
  HM_HD int summary_column() const { return points() * kHedgeMetrics; }
  HM_HD int columns() const { return summary_column() + kPathSummaryColumns; }

  struct PointState {
    Real hedge;
    double cash, fee, gas, impact;  // time-T values
    int trades, last_trade;
    bool pending;  // periodic: a scheduled trade is waiting for the outage to end
  };

  // `closing`: the unwind at expiry, sent whatever its size.
  HM_HD void trade(PointState& s, Real units, const MarketPoint<Real>& m, double growth,
                   int last_blocked, bool closing = false) const {
    if (units == Real(0)) return;
    if (!closing && hm_abs<Real>(units) < Real(costs.min_trade_units)) return;
    const bool congested = s.last_trade < last_blocked;
    const TradeCost<Real> c = trade_cost<Real>(costs, units, m.fill_spot, m.gas_factor, congested,
                                               Real(process.volatility));
    s.cash -= growth * (double(units) * double(m.fill_spot) + double(c.total()));
    s.fee += growth * double(c.fee);
    s.gas += growth * double(c.gas);
    s.impact += growth * double(c.impact);
    s.hedge += units;
    s.trades += 1;
    s.last_trade = m.index;
  }

  HM_HD void operator()(unsigned long long path, const PathOutput& out) const {
    PointState state[kMaxHedgePoints];
    const int npoints = points();
    for (int p = 0; p < npoints; ++p)
      state[p] = PointState{Real(0), 0.0, 0.0, 0.0, 0.0, 0, -1, false};

    const Real rate = Real(process.rate), vol = Real(process.volatility);
    const int first_band = 1 + n_periodic, first_ww = first_band + n_band;
    const bool need_gamma = n_ww > 0;
    // growth = e^{r (T - t_k)}, advanced by one multiply per step.
    double growth = exp(process.rate * process.expiry);
    const double step_decay = exp(-process.rate * process.dt);
    int last_blocked = -1;

    const bool fast_delta = !need_gamma && model == HedgingModel::black_scholes;
    const BlackScholesBookDelta<Real> bs_delta(book, Real(process.spot));
    JumpDiffusionPath<Real> path_gen(process, path);
    MarketPoint<Real> m = path_gen.first();
    while (!m.is_expiry) {
      if (m.blocked) last_blocked = m.index;
      Real delta, gamma = Real(0);
      if (need_gamma) {
        const Greeks<Real> g =
            book_greeks<Real>(book, model, m.spot, rate, vol, m.time_to_expiry, process.jumps);
        delta = g.delta;
        gamma = g.gamma;
      } else if (fast_delta) {
        delta = bs_delta(book, m.log_return, m.spot, rate, vol, m.time_to_expiry);
      } else {
        delta = book_delta<Real>(book, model, m.spot, rate, vol, m.time_to_expiry, process.jumps);
      }
      const Real target = -delta;

      if (m.index == 0) {  // initial hedge of every hedging policy
        for (int p = 1; p < npoints; ++p)
          trade(state[p], target - state[p].hedge, m, growth, last_blocked);
      } else {
        for (int i = 0; i < n_periodic; ++i) {
          PointState& s = state[1 + i];
          const bool due = s.pending || (m.index % every_steps[i] == 0);
          s.pending = due && m.blocked;
          if (due && !m.blocked) trade(s, target - s.hedge, m, growth, last_blocked);
        }
        if (!m.blocked) {
          for (int i = 0; i < n_band; ++i) {
            PointState& s = state[first_band + i];
            const Real gap = s.hedge - target, b = Real(band[i]);
            if (hm_abs<Real>(gap) > b) {
              const Real to = band_to_edge ? target + (gap > Real(0) ? b : -b) : target;
              trade(s, to - s.hedge, m, growth, last_blocked);
            }
          }
          if (need_gamma) {
            const Real base = whalley_wilmott_half_width<Real>(Real(ww_lambda), m.spot, gamma, rate,
                                                               m.time_to_expiry, Real(1));
            for (int i = 0; i < n_ww; ++i) {
              PointState& s = state[first_ww + i];
              const Real gap = s.hedge - target, h = base * Real(ww_inv_cbrt_risk_aversion[i]);
              if (hm_abs<Real>(gap) > h)
                trade(s, target + (gap > Real(0) ? h : -h) - s.hedge, m, growth, last_blocked);
            }
          }
        }
      }
      growth *= step_decay;
      m = path_gen.next();
    }

    // Expiry: unwind at S_T (growth = 1), settle the book.
    if (m.blocked) last_blocked = m.index;
    const double settle =
        -book_value0 * exp(process.rate * process.expiry) + double(book_payoff<Real>(book, m.spot));
    for (int p = 0; p < npoints; ++p) {
      PointState& s = state[p];
      trade(s, -s.hedge, m, 1.0, last_blocked, /*closing=*/true);
      const int c = p * kHedgeMetrics;
      out.set(c + hedge_pnl, settle + s.cash);
      out.set(c + hedge_fee, s.fee);
      out.set(c + hedge_gas, s.gas);
      out.set(c + hedge_impact, s.impact);
      out.set(c + hedge_trades, double(s.trades));
    }
    write_path_summary<Real>(out, summary_column(), process, book, path_gen, m.spot);
  }
};
static_assert(std::is_trivially_copyable_v<HedgingKernel<float>>);
static_assert(std::is_trivially_copyable_v<HedgingKernel<double>>);

}  // namespace hedgemap
