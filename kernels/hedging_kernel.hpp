// Path kernel for the /hedging/ groups: one simulated path, every hedging policy and every value
// of its parameter, in one pass. Per step the shared work (the path's next point, the book's
// delta, and its gamma when Whalley-Wilmott is on) is done once; each (policy, parameter) point
// then costs a compare and, rarely, a trade.
//
// P&L of the hedger at expiry T, quote currency, undiscounted (README, "Hedging"). The
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
//
// Instrument (hedging.instrument): spot, or a perpetual future (`perp`), whose trades pay the
// same fee and impact terms (the host gives it no gas and refuses the AMM impact) and whose
// position h_k, held over (t_k, t_k+1], pays funding f_k h_k S_k dt (kernels/funding_rate.hpp),
// valued at T like every cash flow. The position's price P&L is accounted as for spot (the
// cash account above, financed at r; with r = 0, as in the presets, exactly the perp's P&L).
// Funding is settled at the trades: with C_k = sum_{j<k} f_j S_j dt e^{r(T - t_j+1)}, a point
// whose trades are n_i at steps k_i pays sum_k f_k h_k S_k dt e^{..} = -sum_i n_i C_{k_i} (the
// unwind included), so no per-step work per point.
#pragma once
#include "kernels/book_price_kernel.hpp"
#include "kernels/execution_costs.hpp"
#include "kernels/jump_diffusion.hpp"
#include "kernels/option_book.hpp"
#include "kernels/path_output.hpp"
#include "kernels/point_loop.hpp"

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
  hedge_funding,  // perp funding paid (received: negative), value at T; 0 for spot
  kHedgeMetrics
};

// Whalley-Wilmott (1997) half-width of the no-trade band, in units of the underlying,
//   H = x^{1/3},  x = (3/2) e^{-r tau} lambda S Gamma^2 / risk_aversion  (H = 0 where x <= 0);
// x alone for the lane-batched kernel (host/cpu/simd_hedging_batch.inl), which takes the cube
// roots of all its lanes at once.
template <class Real>
HM_HD HM_FORCEINLINE Real whalley_wilmott_cube(Real lambda, Real spot, Real gamma, Real rate,
                                               Real tau, Real risk_aversion) {
  return Real(1.5) * hm_exp<Real>(-rate * tau) * lambda * spot * gamma * gamma / risk_aversion;
}

template <class Real>
HM_HD HM_FORCEINLINE Real whalley_wilmott_half_width(Real lambda, Real spot, Real gamma, Real rate,
                                                     Real tau, Real risk_aversion) {
  const Real x = whalley_wilmott_cube<Real>(lambda, spot, gamma, rate, tau, risk_aversion);
  return x > Real(0) ? Real(cbrt(x)) : Real(0);
}

// The edge of a band of half-width h around the target h* nearest to a hedge gap = h - h* away.
template <class Real>
HM_HD HM_FORCEINLINE Real nearest_band_edge(Real target, Real gap, Real half_width) {
  return target + (gap > Real(0) ? half_width : -half_width);
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
  // host/families/hedging.cpp: fee + average impact and gas per notional at a typical trade).
  double ww_lambda = 0.0;
  bool perp = false;  // hedging.instrument = "perp": process.funding.on, pays funding

  HM_HD int points() const { return 1 + n_periodic + n_band + n_ww; }
  // Point columns, then the path summary of the /model/ group (kernels/book_price_kernel.hpp).
  HM_HD int summary_column() const { return points() * kHedgeMetrics; }
  // With perp, one more column after the summary: the path's mean funding rate (/model/).
  HM_HD int funding_rate_column() const { return summary_column() + kPathSummaryColumns; }
  HM_HD int columns() const { return funding_rate_column() + (perp ? 1 : 0); }

  // A point's trading account: only a trade touches it. The per-step state (the hedge, the
  // pending flag) is kept apart, in registers on the GPU (kernels/point_loop.hpp).
  struct PointAccount {
    double cash, fee, gas, impact, funding;  // time-T values
    int trades, last_trade;
  };

  // Whether a wanted trade of `units` is sent: never a zero trade, and a trade below the minimum
  // order only when `closing` (the unwind at expiry, sent whatever its size).
  HM_HD bool sends(Real units, bool closing) const {
    if (units == Real(0)) return false;
    return closing || !(hm_abs<Real>(units) < Real(costs.min_trade_units));
  }

  // The account side of a sent trade of `units`, filled at m.fill_spot, valued at time T;
  // funding_to_date: C_k of the funding settlement (header), 0 for spot.
  HM_HD void settle_trade(PointAccount& a, Real units, const MarketPoint<Real>& m, double growth,
                          int last_blocked, double funding_to_date) const {
    const bool congested = a.last_trade < last_blocked;
    const TradeCost<Real> c = trade_cost<Real>(costs, units, m.fill_spot, m.gas_factor, congested,
                                               Real(process.volatility));
    a.cash -= growth * (double(units) * double(m.fill_spot) + double(c.total()));
    a.fee += growth * double(c.fee);
    a.gas += growth * double(c.gas);
    a.impact += growth * double(c.impact);
    a.trades += 1;
    a.last_trade = m.index;
    if (perp) {
      const double funding = -double(units) * funding_to_date;
      a.cash -= funding;
      a.funding += funding;
    }
  }

  // The trades of one decision time, in point order: the decision loop (every point, every step,
  // unrolled on the GPU) fills it, one plain loop settles them, so a trade's code exists once
  // rather than once per unrolled point, and the accounts, indexed only here by a run-time value,
  // stay out of the registers.
  template <int Capacity>
  struct SentTrades {
    int point[Capacity];
    Real units[Capacity];
    int count = 0;
    HM_HD void clear() { count = 0; }
    HM_HD void add(int p, Real u) {
      point[count] = p;
      units[count] = u;
      ++count;
    }
  };

  static constexpr int kMaxPoints = kMaxHedgePoints;

  HM_HD void operator()(unsigned long long path, const PathOutput& out) const {
    run<kMaxPoints>(path, out);
  }

  // The path with the per-point state sized for Capacity >= points() (kernels/point_loop.hpp:
  // the results do not depend on Capacity, only where the state lives).
  template <int Capacity>
  HM_HD void run(unsigned long long path, const PathOutput& out) const {
    Real hedge[Capacity];
    PointFlags<Capacity> pending;  // periodic: a scheduled trade is waiting for the outage to end
    PointAccount accounts[Capacity];
    const int npoints = points();
    for_each_point<Capacity>(0, npoints, [&](int p) { hedge[p] = Real(0); });
    for (int p = 0; p < npoints; ++p) accounts[p] = PointAccount{0.0, 0.0, 0.0, 0.0, 0.0, 0, -1};

    const Real rate = Real(process.rate), vol = Real(process.volatility);
    const int first_band = 1 + n_periodic, first_ww = first_band + n_band;
    const bool need_gamma = n_ww > 0;
    // growth = e^{r (T - t_k)}, advanced by one multiply per step.
    double growth = exp(process.rate * process.expiry);
    const double step_decay = exp(-process.rate * process.dt);
    int last_blocked = -1;
    double funding_to_date = 0.0;  // C_k, perp only

    const bool fast_delta = !need_gamma && model == HedgingModel::black_scholes;
    const BlackScholesBookDelta<Real> bs_delta(book, Real(process.spot));
    SentTrades<Capacity> sent;
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
      // Band policies test their band at unblocked steps after t_0; WW's half-width is
      // H = base * (1/gamma)^{1/3} per point, base once per step.
      const bool band_check = m.index > 0 && !m.blocked;
      const Real ww_base = need_gamma && band_check
                               ? whalley_wilmott_half_width<Real>(Real(ww_lambda), m.spot, gamma,
                                                                  rate, m.time_to_expiry, Real(1))
                               : Real(0);

      sent.clear();
      for_each_point<Capacity>(1, npoints, [&](int p) {  // point 0, none, never trades
        Real units = Real(0);
        bool wanted = false;
        if (m.index == 0) {  // initial hedge of every hedging policy
          wanted = true;
          units = target - hedge[p];
        } else if (p < first_band) {  // periodic
          const bool due = pending.get(p) || (m.index % every_steps[p - 1] == 0);
          pending.set(p, due && m.blocked);
          wanted = due && !m.blocked;
          units = target - hedge[p];
        } else if (band_check) {
          const Real gap = hedge[p] - target;
          if (p < first_ww) {  // delta band
            const Real b = Real(band[p - first_band]);
            if (hm_abs<Real>(gap) > b) {
              const Real to = band_to_edge ? nearest_band_edge<Real>(target, gap, b) : target;
              wanted = true;
              units = to - hedge[p];
            }
          } else {  // Whalley-Wilmott
            const Real h = ww_base * Real(ww_inv_cbrt_risk_aversion[p - first_ww]);
            if (hm_abs<Real>(gap) > h) {
              wanted = true;
              units = nearest_band_edge<Real>(target, gap, h) - hedge[p];
            }
          }
        }
        if (wanted && sends(units, false)) {
          hedge[p] += units;
          sent.add(p, units);
        }
      });
      for (int i = 0; i < sent.count; ++i)
        settle_trade(accounts[sent.point[i]], sent.units[i], m, growth, last_blocked,
                     funding_to_date);
      growth *= step_decay;
      if (perp)  // a unit held over (t_k, t_k+1] pays f_k S_k dt at t_k+1, valued at T
        funding_to_date += m.funding_rate * double(m.spot) * process.dt * growth;
      m = path_gen.next();
    }

    // Expiry: unwind at S_T (growth = 1), settle the book.
    if (m.blocked) last_blocked = m.index;
    sent.clear();
    for_each_point<Capacity>(0, npoints, [&](int p) {
      if (sends(-hedge[p], true)) sent.add(p, -hedge[p]);
    });
    for (int i = 0; i < sent.count; ++i)
      settle_trade(accounts[sent.point[i]], sent.units[i], m, 1.0, last_blocked, funding_to_date);
    const double settle =
        -book_value0 * exp(process.rate * process.expiry) + double(book_payoff<Real>(book, m.spot));
    for (int p = 0; p < npoints; ++p) {
      const PointAccount& a = accounts[p];
      const int c = p * kHedgeMetrics;
      out.set(c + hedge_pnl, settle + a.cash);
      out.set(c + hedge_fee, a.fee);
      out.set(c + hedge_gas, a.gas);
      out.set(c + hedge_impact, a.impact);
      out.set(c + hedge_trades, double(a.trades));
      out.set(c + hedge_funding, a.funding);
    }
    write_path_summary<Real>(out, summary_column(), process, book, path_gen, m.spot);
    if (perp) out.set(funding_rate_column(), path_gen.funding_rate_mean());
  }
};
static_assert(std::is_trivially_copyable_v<HedgingKernel<float>>);
static_assert(std::is_trivially_copyable_v<HedgingKernel<double>>);

}  // namespace hedgemap
