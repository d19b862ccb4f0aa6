// Path kernel for the /hedging/ groups: one simulated path, every hedging policy and every value
// of its parameter, in one pass. Per step the shared work (the path's next point, the book's
// delta, and its gamma when a gamma-band policy is on) is done once; each (policy, parameter) point
// then costs a compare and, rarely, a trade. With swept cost axes the points come once per cost
// setting ("cost slot", HedgeCostSlot): the path and the greeks are still computed once.
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
// The book's delta (and gamma) at t_k is the hedging model's at the hedger's volatility:
// hedging.volatility_input (kernels/hedger_volatility.hpp: the cell's implied volatility, or an
// EWMA of the path's realised volatility, or under Heston the moving model-consistent implied).
//
// Policies (hedge target h* = -book delta):
//   none:            h = 0 always (the unhedged book);
//   periodic k:      trade to h* at steps k, 2k, ...; a scheduled trade blocked by an outage is
//                    done at the first unblocked step after it;
//   delta_band b:    trade when |h - h*| > b, to h* (center) or to h* +- b (edge, the nearest);
//   whalley_wilmott: band of half-width H = (3/2 e^{-r tau} lambda S Gamma^2 / gamma)^{1/3}
//                    around h* (Gamma of the book at t_k), rebalance to the nearest edge;
//                    lambda the proportional cost rate (the fee: see whalley_wilmott_half_width);
//   fixed_cost_band: band of half-width H = (12 e^{-r tau} gas Gamma^2 / gamma)^{1/4} around h*
//                    (Gamma at t_k, gas the mean gas per trade, or with gas as a process the
//                    path's current gas per trade), rebalance to the centre h*.
// Both bands follow the book's gamma along the path and neither depends on the step dt.
//   delta_vega_band (b, v): a second option, the vega instrument (its own expiry after the book's,
//                    priced by the hedging model at the hedger's volatility), is held in o units.
//                    When the book's vega leaves its band, |V_book + o V_instr| > v |V_book(0)|,
//                    o is traded to -V_book / V_instr (vega-neutral); then the underlying keeps
//                    the combined delta in a delta band: h* = -(D_book + o D_instr), |h - h*| > b
//                    trades to h* (or its nearest edge, as delta_band). An option trade of n
//                    units fills at the instrument's value P at the fill price F and pays
//                    option_fee_rate |n| P plus gas; at expiry the position is closed at its
//                    value then (its remaining life = its extra days), paying the same.
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
#include "kernels/hedger_volatility.hpp"
#include "kernels/jump_diffusion.hpp"
#include "kernels/kernel_variant.hpp"
#include "kernels/option_book.hpp"
#include "kernels/path_output.hpp"
#include "kernels/point_loop.hpp"

namespace hedgemap {

constexpr int kMaxHedgeParams = 32;  // values per policy axis
// none + four one-axis policies + delta_vega_band (band x vega_band, at most kMaxHedgeParams).
constexpr int kMaxHedgePoints = 1 + 5 * kMaxHedgeParams;

// Cost settings one path pass evaluates (swept cost axes, host/scenario/grid_axes.hpp): each
// slot is a full copy of the points, priced with its own costs.
constexpr int kMaxCostSlots = 8;

// What a slot's points read of the costs: the trade costs, the Whalley-Wilmott band's
// proportional rate lambda (host/families/hedging.cpp, whalley_wilmott_lambda: the fee; gas is
// the fixed-cost band's, costs.gas) and the vega instrument's fee rate (option_fee_bps / 1e4).
struct HedgeCostSlot {
  CostParams costs;
  double ww_lambda = 0.0;
  double option_fee_rate = 0.0;
};

// Per-path output columns of one (policy, parameter) point: column = point * kHedgeMetrics + m.
enum HedgeMetric : int {
  hedge_pnl = 0,
  hedge_fee,
  hedge_gas,
  hedge_impact,
  hedge_trades,
  hedge_funding,     // perp funding paid (received: negative), value at T; 0 for spot
  hedge_option_fee,  // delta_vega_band: fees on the vega instrument's premium (0 elsewhere)
  kHedgeMetrics
};

// Whalley-Wilmott (1997) half-width of the no-trade band, in units of the underlying,
//   H = x^{1/3},  x = (3/2) e^{-r tau} lambda S Gamma^2 / risk_aversion  (H = 0 where x <= 0),
// for a cost lambda per unit of notional traded (the same ergodic argument as the fixed-cost band
// below, with a band reflected at its edges: cost rate lambda S a / (2H) + gamma S^2 sigma^2 H^2 /
// 6); x alone for the lane-batched kernel (host/cpu/simd_hedging_batch.inl), which takes the cube
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

// Asymptotically optimal band for a fixed cost eps per trade (gas), rebalanced to the centre
// (Korn 1998; Altarovici, Muhle-Karbe, Soner 2015, fixed-cost limit), in units of the underlying:
//   H = x^{1/4},  x = 12 e^{-r tau} eps Gamma^2 / risk_aversion.
// Derivation (README, "The model, precisely"): between trades the hedge error x = h - h* moves like
// dx = Gamma dS, a Brownian motion of variance rate a = Gamma^2 S^2 sigma^2; holding it costs the
// mean-variance (or exponential-utility) hedger (gamma/2) S^2 sigma^2 x^2 per unit time. Trading
// back to 0 at |x| = H, a cycle lasts E[tau] = H^2 / a and accrues E int x^2 = H^4 / (6a), so the
// cost rate is
//   eps a / H^2 + gamma S^2 sigma^2 H^2 / 12,  minimal at  H^4 = 12 eps Gamma^2 / gamma
// (S and sigma cancel). Time-T values: the trade at t pays eps e^{r tau}, the P&L variance it
// saves grows by e^{2 r tau}: hence e^{-r tau}, as in Whalley-Wilmott. x alone (the fourth power)
// for the lane-batched kernel; the root is sqrt(sqrt(x)), correctly rounded on every backend.
template <class Real>
HM_HD HM_FORCEINLINE Real fixed_cost_band_fourth_power(Real gas, Real gamma, Real rate, Real tau,
                                                       Real risk_aversion) {
  return Real(12) * hm_exp<Real>(-rate * tau) * gas * gamma * gamma / risk_aversion;
}

template <class Real>
HM_HD HM_FORCEINLINE Real fixed_cost_band_half_width(Real gas, Real gamma, Real rate, Real tau,
                                                     Real risk_aversion) {
  const Real x = fixed_cost_band_fourth_power<Real>(gas, gamma, rate, tau, risk_aversion);
  return x > Real(0) ? hm_sqrt<Real>(hm_sqrt<Real>(x)) : Real(0);
}

// The edge of a band of half-width h around the target h* nearest to a hedge gap = h - h* away.
template <class Real>
HM_HD HM_FORCEINLINE Real nearest_band_edge(Real target, Real gap, Real half_width) {
  return target + (gap > Real(0) ? half_width : -half_width);
}

template <class Real>
struct HedgingKernel {
  ProcessParams process;
  // Cost slots: the points of slot s are s * points_per_slot() .. + points_per_slot() - 1, in the
  // column order below, each slot priced with cost_slot[s] and nothing else, so that slot s's
  // columns are bit-identical to a kernel whose only slot is cost_slot[s]. The path, the book's
  // greeks and the path summary are computed once for every slot.
  int cost_slots = 1;
  HedgeCostSlot cost_slot[kMaxCostSlots];
  OptionBook book;
  HedgingModel model = HedgingModel::black_scholes;
  // The volatility the hedger's model takes: the cell's implied volatility under Black-Scholes; the
  // diffusive part of it under Merton, whose jumps and outage crashes (hedger_jumps) make up the
  // rest of the implied variance (kernels/variance_budget.hpp).
  double hedger_volatility = 0.0;
  MertonJumps hedger_jumps;
  // hedging.volatility_input: where the hedger's volatility comes from along the path (sigma_i
  // throughout unless it moves: kernels/hedger_volatility.hpp).
  HedgerVolatility hedger;
  double book_value0 = 0.0;  // V_0 under the hedging model at t=0: the premium (host, double)

  // Points of a slot, in column order: none, periodic[0..n_periodic), delta_band[..),
  // whalley_wilmott[..), fixed_cost_band[..), delta_vega_band[n_dv_band x n_dv_vega_band]
  // (row-major: band outer, vega band inner).
  int n_periodic = 0, n_band = 0, n_ww = 0, n_fixed = 0;
  int n_dv_band = 0, n_dv_vega_band = 0;
  double dv_band[kMaxHedgeParams] = {};
  double dv_vega_band[kMaxHedgeParams] = {};  // v |V_book(0)|: the vega band, absolute
  // The vega instrument as a one-leg book of quantity 1 (absolute strike) and its life beyond
  // the book's expiry (years); its fee rate is the slot's option_fee_rate.
  OptionBook vega_instrument;
  double vega_instrument_extra_life = 0.0;
  int every_steps[kMaxHedgeParams] = {};
  double band[kMaxHedgeParams] = {};
  bool band_to_edge = false;
  // (1/gamma)^{1/3} per WW point, so that H = base * this with base computed once per step.
  double ww_inv_cbrt_risk_aversion[kMaxHedgeParams] = {};
  // (1/gamma)^{1/4} per fixed_cost_band point, so that H = base * this, base once per step.
  double fixed_inv_fourth_root_risk_aversion[kMaxHedgeParams] = {};
  bool perp = false;  // hedging.instrument = "perp": process.funding.on, pays funding

  HM_HD int n_dv() const { return n_dv_band * n_dv_vega_band; }
  HM_HD int points_per_slot() const { return 1 + n_periodic + n_band + n_ww + n_fixed + n_dv(); }
  HM_HD int points() const { return cost_slots * points_per_slot(); }
  HM_HD bool needs_gamma() const { return n_ww > 0 || n_fixed > 0; }
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
    double option_fee;    // delta_vega_band: time-T value of the option fees
    double option_units;  // delta_vega_band: vega instrument held, o
  };

  // Whether a wanted trade of `units` is sent: never a zero trade, and a trade below the minimum
  // order only when `closing` (the unwind at expiry, sent whatever its size).
  HM_HD static bool sends(const CostParams& costs, Real units, bool closing) {
    if (units == Real(0)) return false;
    return closing || !(hm_abs<Real>(units) < Real(costs.min_trade_units));
  }

  // The account side of a sent trade of `units`, filled at m.fill_spot, valued at time T;
  // funding_to_date: C_k of the funding settlement (header), 0 for spot.
  HM_HD void settle_trade(const CostParams& costs, PointAccount& a, Real units,
                          const MarketPoint<Real>& m, double growth, int last_blocked,
                          double funding_to_date) const {
    const bool congested = a.last_trade < last_blocked;
    const TradeCost<Real> c = trade_cost<Real>(costs, units, m.fill_spot, m.gas_factor, congested,
                                               Real(process.realised_volatility));
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

  // The vega instrument's value and greeks under the hedging model at the hedger's volatility,
  // with the book's time to expiry tau: its own life is tau + the extra days.
  template <HedgingModel Hedger>
  HM_HD Greeks<Real> vega_instrument_greeks(Real spot, Real rate, Real vol, Real tau) const {
    return book_greeks<Real>(vega_instrument, Hedger, spot, rate, vol,
                             tau + Real(vega_instrument_extra_life), hedger_jumps);
  }

  // The account side of an option trade of n units (n != 0 sent, whatever its size) at value
  // `price` per unit, valued at time T: premium, option fee on it and gas.
  HM_HD void settle_option_trade(const HedgeCostSlot& slot, PointAccount& a, Real units, Real price,
                                 const MarketPoint<Real>& m, double growth,
                                 int last_blocked) const {
    if (units == Real(0)) return;
    const bool congested = a.last_trade < last_blocked;
    const TradeCostModel<Real> c(slot.costs, Real(process.realised_volatility));
    const double premium = double(units) * double(price);
    const double fee = slot.option_fee_rate * (premium < 0.0 ? -premium : premium);
    const double gas = double(c.gas_paid(m.gas_factor, congested));
    a.cash -= growth * (premium + fee + gas);
    a.option_fee += growth * fee;
    a.gas += growth * gas;
    a.option_units += double(units);
    a.trades += 1;
    a.last_trade = m.index;
  }

  // delta_vega_band's decisions at one step, for points first_dv .. end - 1 of one slot: the vega
  // instrument back to vega-neutral when the book's vega leaves its band (settled at once, at
  // the instrument's value at the fill price), then the underlying's trade into `sent`. instr:
  // the instrument's greeks at the step; fill_price: its value at the fill price, computed when
  // first needed (negative until then), both shared by the slots.
  template <HedgingModel Hedger, int Capacity>
  HM_HD HM_FORCEINLINE void delta_vega_step(
      const HedgeCostSlot& slot, int first_dv, int end, const MarketPoint<Real>& m, Real rate,
      Real vol, const Greeks<Real>& instr, Real& fill_price, Real book_delta, Real book_vega,
      bool band_check, double growth, int last_blocked, Real (&hedge)[Capacity],
      PointAccount (&accounts)[Capacity], SentTrades<Capacity>& sent) const {
    const bool can_neutralise = instr.vega > Real(0);
    for_each_point<Capacity>(first_dv, end, [&](int p) {
      PointAccount& a = accounts[p];
      const int i = p - first_dv;
      const Real b = Real(dv_band[i / n_dv_vega_band]);
      const Real v = Real(dv_vega_band[i % n_dv_vega_band]);
      if (can_neutralise && (m.index == 0 || band_check)) {
        const Real o = Real(a.option_units);
        if (m.index == 0 || hm_abs<Real>(book_vega + o * instr.vega) > v) {
          const Real units = -book_vega / instr.vega - o;
          if (units != Real(0)) {
            if (fill_price < Real(0))
              fill_price =
                  vega_instrument_greeks<Hedger>(m.fill_spot, rate, vol, m.time_to_expiry).price;
            settle_option_trade(slot, a, units, fill_price, m, growth, last_blocked);
          }
        }
      }
      const Real target = -(book_delta + Real(a.option_units) * instr.delta);
      Real units = Real(0);
      bool wanted = false;
      if (m.index == 0) {
        wanted = true;
        units = target - hedge[p];
      } else if (band_check) {
        const Real gap = hedge[p] - target;
        if (hm_abs<Real>(gap) > b) {
          wanted = true;
          units = (band_to_edge ? nearest_band_edge<Real>(target, gap, b) : target) - hedge[p];
        }
      }
      if (wanted && sends(slot.costs, units, false)) {
        hedge[p] += units;
        sent.add(p, units);
      }
    });
  }

  static constexpr int kMaxPoints = kMaxHedgePoints;

  HM_HD void operator()(unsigned long long path, const PathOutput& out) const {
    run<kMaxPoints>(path, out);
  }

  // The path with the per-point state sized for Capacity >= points() (kernels/point_loop.hpp:
  // the results do not depend on Capacity, only where the state lives).
  template <int Capacity>
  HM_HD void run(unsigned long long path, const PathOutput& out) const {
    dispatch_variant<kVariants>(
        variant(), [&](auto v) { run_variant<decltype(v)::value, Capacity>(path, out); });
  }

  // Compile-time variants: the volatility model of the paths + 2 x the hedging model + 4 x
  // delta_vega_band on. The GPU backend compiles and launches one kernel per variant, so the
  // Black-Scholes hedger on constant-volatility paths carries neither Heston's variance state,
  // nor Merton's double series, nor the vega instrument's pricing and trades (which would cost
  // it registers and occupancy: with the vega code in every variant the Merton kernels spilled).
  // + 8 x several cost slots: a run of one slot has no slot loop (its slot a constant,
  // cost_slot[0]), so that it keeps the registers and local memory of the kernel before slots on
  // the GPU.
  static constexpr int kVariants = 16;
  static constexpr int kFirstCostSlotsVariant = 8;
  HM_HD int variant() const {
    return int(process.volatility_model) + 2 * int(model) + 4 * int(n_dv() > 0) +
           kFirstCostSlotsVariant * int(cost_slots > 1);
  }
  template <int Variant, int Capacity = kMaxPoints>
  HM_HD void run_variant(unsigned long long path, const PathOutput& out) const {
    run_with<VolatilityModel(Variant % 2), HedgingModel((Variant / 2) % 2), (Variant / 4) % 2 == 1,
             Variant >= kFirstCostSlotsVariant, Capacity>(path, out);
  }

  // The path with the diffusion of `Model`, the hedging model `Hedger` (= model), whether
  // delta_vega_band runs (VegaHedge = n_dv() > 0) and whether there are several cost slots
  // (CostSlots = cost_slots > 1) fixed.
  template <VolatilityModel Model, HedgingModel Hedger, bool VegaHedge, bool CostSlots,
            int Capacity = kMaxPoints>
  HM_HD void run_with(unsigned long long path, const PathOutput& out) const {
    const int slots = CostSlots ? cost_slots : 1;
    Real hedge[Capacity];
    PointFlags<Capacity> pending;  // periodic: a scheduled trade is waiting for the outage to end
    PointAccount accounts[Capacity];
    const int npoints = points();
    for_each_point<Capacity>(0, npoints, [&](int p) { hedge[p] = Real(0); });
    for (int p = 0; p < npoints; ++p)
      accounts[p] = PointAccount{0.0, 0.0, 0.0, 0.0, 0.0, 0, -1, 0.0, 0.0};

    const Real rate = Real(process.rate);
    Real vol = Real(hedger_volatility);
    // A moving input (EWMA of realised, or Heston's implied): its state, updated once per step.
    const bool vol_moves = hedger.moves(process.volatility_model);
    double ewma = hedger.implied0 * hedger.implied0;
    Real last_log_return = Real(0);
    // Offsets within a slot's points.
    const int first_band = 1 + n_periodic, first_ww = first_band + n_band,
              first_fixed = first_ww + n_ww;
    const int first_dv = first_fixed + n_fixed, slot_points = points_per_slot();
    const bool need_gamma = needs_gamma();
    constexpr bool need_vega = VegaHedge;
    // The fixed-cost band's eps: with gas as a process (kernels/gas_process.hpp) the gas a trade at
    // t_k pays, gas x g_k (the path's level times its congestion); with independent draws per step
    // the mean gas (the draw says nothing about the next trades').
    const bool band_gas_follows_path = gas_is_a_process(process);
    // growth = e^{r (T - t_k)}, advanced by one multiply per step.
    double growth = exp(process.rate * process.expiry);
    const double step_decay = exp(-process.rate * process.dt);
    int last_blocked = -1;
    double funding_to_date = 0.0;  // C_k, perp only

    const bool fast_delta = !need_gamma && Hedger == HedgingModel::black_scholes;
    const BlackScholesBookDelta<Real> bs_delta(book, Real(process.spot));
    SentTrades<Capacity> sent;
    JumpDiffusionPath<Real, typename DiffusionOf<Real, Model>::type> path_gen(process, path);
    MarketPoint<Real> m = path_gen.first();
    while (!m.is_expiry) {
      if (m.blocked) last_blocked = m.index;
      if (vol_moves) {
        double input;
        if (hedger.input == VolatilityInput::realised) {
          if (m.index > 0)
            ewma = ewma_variance(ewma, hedger.ewma_decay, double(m.log_return - last_log_return),
                                 process.dt);
          last_log_return = m.log_return;
          input = sqrt(ewma);
        } else {
          input = hedger.heston_implied(process.heston, double(m.variance),
                                        double(process.steps - m.index) * process.dt);
        }
        vol = Real(hedger.model_volatility(input));
      }
      Real delta, gamma = Real(0), vega = Real(0);
      if (need_gamma || need_vega) {
        const Greeks<Real> g =
            book_greeks<Real>(book, Hedger, m.spot, rate, vol, m.time_to_expiry, hedger_jumps);
        delta = g.delta;
        gamma = g.gamma;
        vega = g.vega;
      } else if (fast_delta) {
        delta = bs_delta(book, m.log_return, m.spot, rate, vol, m.time_to_expiry);
      } else {
        delta = book_delta<Real>(book, Hedger, m.spot, rate, vol, m.time_to_expiry, hedger_jumps);
      }
      const Real target = -delta;
      // Band policies test their band at unblocked steps after t_0; WW's half-width is
      // H = base * (1/gamma)^{1/3} per point, the fixed-cost band's base * (1/gamma)^{1/4}, each
      // base once per step and slot.
      const bool band_check = m.index > 0 && !m.blocked;
      Greeks<Real> instr{};        // the vega instrument's, once per step
      Real fill_price = Real(-1);  // and its value at the fill price, when first needed
      if constexpr (VegaHedge)
        instr = vega_instrument_greeks<Hedger>(m.spot, rate, vol, m.time_to_expiry);
      for (int slot = 0; slot < slots; ++slot) {
        const HedgeCostSlot& cs = cost_slot[slot];
        const int base = slot * slot_points;  // the slot's point 0 (none, never trades)
        const Real ww_base = n_ww > 0 && band_check ? whalley_wilmott_half_width<Real>(
                                                          Real(cs.ww_lambda), m.spot, gamma, rate,
                                                          m.time_to_expiry, Real(1))
                                                    : Real(0);
        const Real fixed_base = n_fixed > 0 && band_check
                                    ? fixed_cost_band_half_width<Real>(
                                          band_gas_follows_path ? Real(cs.costs.gas) * m.gas_factor
                                                                : Real(cs.costs.gas),
                                          gamma, rate, m.time_to_expiry, Real(1))
                                    : Real(0);

        sent.clear();
        // The one-axis policies' points end at first_dv.
        for_each_point<Capacity>(base + 1, base + first_dv, [&](int p) {
          const int q = p - base;  // the point within its slot
          Real units = Real(0);
          bool wanted = false;
          if (m.index == 0) {  // initial hedge of every hedging policy
            wanted = true;
            units = target - hedge[p];
          } else if (q < first_band) {  // periodic
            const bool due = pending.get(p) || (m.index % every_steps[q - 1] == 0);
            pending.set(p, due && m.blocked);
            wanted = due && !m.blocked;
            units = target - hedge[p];
          } else if (band_check) {
            const Real gap = hedge[p] - target;
            if (q < first_ww) {  // delta band
              const Real b = Real(band[q - first_band]);
              if (hm_abs<Real>(gap) > b) {
                const Real to = band_to_edge ? nearest_band_edge<Real>(target, gap, b) : target;
                wanted = true;
                units = to - hedge[p];
              }
            } else if (q < first_fixed) {  // Whalley-Wilmott
              const Real h = ww_base * Real(ww_inv_cbrt_risk_aversion[q - first_ww]);
              if (hm_abs<Real>(gap) > h) {
                wanted = true;
                units = nearest_band_edge<Real>(target, gap, h) - hedge[p];
              }
            } else {  // fixed-cost band: back to the centre
              const Real h =
                  fixed_base * Real(fixed_inv_fourth_root_risk_aversion[q - first_fixed]);
              if (hm_abs<Real>(gap) > h) {
                wanted = true;
                units = target - hedge[p];
              }
            }
          }
          if (wanted && sends(cs.costs, units, false)) {
            hedge[p] += units;
            sent.add(p, units);
          }
        });
        if constexpr (VegaHedge)
          delta_vega_step<Hedger, Capacity>(cs, base + first_dv, base + slot_points, m, rate, vol,
                                            instr, fill_price, delta, vega, band_check, growth,
                                            last_blocked, hedge, accounts, sent);
        for (int i = 0; i < sent.count; ++i)
          settle_trade(cs.costs, accounts[sent.point[i]], sent.units[i], m, growth, last_blocked,
                       funding_to_date);
      }
      growth *= step_decay;
      if (perp)  // a unit held over (t_k, t_k+1] pays f_k S_k dt at t_k+1, valued at T
        funding_to_date += m.funding_rate * double(m.spot) * process.dt * growth;
      m = path_gen.next();
    }

    // Expiry: close the vega instruments and unwind at S_T (growth = 1), settle the book.
    if (m.blocked) last_blocked = m.index;
    // The vega instrument's value at expiry (no call at all without it).
    Real price = Real(0);
    if constexpr (VegaHedge)
      price = vega_instrument_greeks<Hedger>(m.spot, rate, vol, m.time_to_expiry).price;
    for (int slot = 0; slot < slots; ++slot) {
      const HedgeCostSlot& cs = cost_slot[slot];
      const int base = slot * slot_points;
      if constexpr (VegaHedge)
        for (int p = base + first_dv; p < base + slot_points; ++p)
          settle_option_trade(cs, accounts[p], -Real(accounts[p].option_units), price, m, 1.0,
                              last_blocked);
      sent.clear();
      for_each_point<Capacity>(base, base + slot_points, [&](int p) {
        if (sends(cs.costs, -hedge[p], true)) sent.add(p, -hedge[p]);
      });
      for (int i = 0; i < sent.count; ++i)
        settle_trade(cs.costs, accounts[sent.point[i]], sent.units[i], m, 1.0, last_blocked,
                     funding_to_date);
    }
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
      out.set(c + hedge_option_fee, a.option_fee);
    }
    write_path_summary<Real>(out, summary_column(), process, book, path_gen, m.spot);
    if (perp) out.set(funding_rate_column(), path_gen.funding_rate_mean());
  }
};
static_assert(std::is_trivially_copyable_v<HedgingKernel<float>>);
static_assert(std::is_trivially_copyable_v<HedgingKernel<double>>);

}  // namespace hedgemap
