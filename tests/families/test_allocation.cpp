// CPPI and volatility targeting against closed forms (docs/validation.md 7-9), exact accounting
// identities and constructed outage paths. Fixed seeds; statistical checks at a few standard
// errors of the simulated quantity.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "host/families/allocation.hpp"
#include "host/exec/backend.hpp"
#include "host/scenario/kernel_params.hpp"
#include "tests/support/group_results.hpp"
#include "tests/support/scenarios.hpp"

namespace hedgemap {
namespace {

using test_support::metric_index;

double normal_cdf_d(double x) { return 0.5 * std::erfc(-x / std::sqrt(2.0)); }

// One cell (vol, expiry) with CPPI on, no costs, no jumps, no outages, double precision.
Scenario cppi_scenario(double vol, double expiry_days, double dt_hours, std::uint64_t paths) {
  Scenario s;
  s.seed = 20261124;
  s.simulation.paths = paths;
  s.simulation.dt_hours = dt_hours;
  s.simulation.precision = "double";
  s.grid.volatility = {vol};
  s.grid.expiry_days = {expiry_days};
  s.market.spot = 100.0;
  s.cppi.present = true;
  s.cppi.capital = 1.0e6;
  s.cppi.floor = 0.9;
  s.cppi.max_leverage = 1e9;  // no cap: the textbook strategy
  s.cppi.tolerance = {0.0};
  return s;
}

struct Evaluated {
  GroupSpec spec;
  GroupCellResult result;
  double operator()(const std::string& metric, int point) const {
    return result.metrics[metric_index(spec, metric)][point];
  }
};

Evaluated evaluate(const Scenario& s, int group = 0, int threads = 0) {
  Execution exec;
  exec.threads = threads;
  BootstrapPlan plan;
  plan.seed = 7;
  const auto groups = allocation_groups(s);
  const auto results = evaluate_allocation_cell(s, cell_coordinates(s, 0, 0), exec, plan);
  return Evaluated{groups.at(group), results.at(group)};
}

TEST(CppiGroups, MetricNamesFollowResultsContract) {
  Scenario s = cppi_scenario(0.5, 7, 1, 10);
  s.vol_target.present = true;
  const auto groups = allocation_groups(s);
  ASSERT_EQ(groups.size(), 2u);
  std::vector<std::string> cppi, vt;
  for (const auto& m : groups[0].metrics) cppi.push_back(m.name);
  for (const auto& m : groups[1].metrics) vt.push_back(m.name);
  EXPECT_EQ(cppi, (std::vector<std::string>{"terminal_mean", "terminal_std", "terminal_stderr",
                                            "return_mean", "gap_probability",
                                            "gap_probability_stderr", "floor_breach_probability",
                                            "shortfall_mean", "cost_mean", "trades_mean"}));
  EXPECT_EQ(vt, (std::vector<std::string>{"terminal_mean", "terminal_std", "terminal_stderr",
                                          "return_mean", "cost_mean", "trades_mean",
                                          "realised_volatility_mean", "max_drawdown_mean"}));
  EXPECT_EQ(groups[0].path, "/cppi");
  EXPECT_EQ(groups[0].axes[0].name, "multiplier");
  EXPECT_EQ(groups[1].axes[0].name, "target");
  EXPECT_EQ(groups[0].sense, Sense::maximize);
  s.cppi.multiplier.assign(13, 2.0);  // 13 x 5 > 64 points
  s.cppi.tolerance = {0.0, 0.01, 0.02, 0.05, 0.1};
  EXPECT_THROW(allocation_groups(s), std::invalid_argument);
}

// Black-Perold: E[V_T] = G + C_0 exp((r + m (mu - r)) T), C_0 = V_0 - G exp(-r T).
TEST(CppiBlackPerold, MeanTerminalValueUnderGbm) {
  Scenario s = cppi_scenario(0.6, 30, 1.0, 10000);
  s.market.rate = 0.05;
  s.market.drift = 0.3;
  s.cppi.multiplier = {2.0, 4.0};
  const Evaluated e = evaluate(s);
  const double T = 30.0 / 365.0, G = 0.9e6, c0 = 1e6 - G * std::exp(-0.05 * T);
  for (int p = 0; p < 2; ++p) {
    const double m = s.cppi.multiplier[p];
    const double expected = G + c0 * std::exp((0.05 + m * (0.3 - 0.05)) * T);
    const double se = e("terminal_stderr", p);
    EXPECT_NEAR(e("terminal_mean", p), expected, 4.0 * se) << "m=" << m << " se=" << se;
    EXPECT_NEAR(e("return_mean", p), e("terminal_mean", p) / 1e6 - 1.0, 1e-12);
    EXPECT_EQ(e("gap_probability", p), 0.0);
    EXPECT_EQ(e("cost_mean", p), 0.0);
    EXPECT_NEAR(e("trades_mean", p), 720.0, 1.0);  // tolerance 0: every step before T
  }
}

// Black-Perold per path: C_T = C_0 (S_T/S_0)^m exp((1 - m)(r + m s^2/2) T). Discrete rebalancing
// replaces s^2 T by the realised quadratic variation, so the log error per path has a standard
// deviation of about m (m - 1)/2 * s^2 T * sqrt(2 / N).
TEST(CppiBlackPerold, CushionFormulaPerPath) {
  Scenario s = cppi_scenario(0.6, 30, 0.1, 1);  // N = 7200 steps
  s.market.rate = 0.05;
  s.market.drift = 0.1;
  s.cppi.multiplier = {4.0};
  const CellCoordinates cell = cell_coordinates(s, 0, 0);
  CppiKernel<double> kernel{process_params(s, cell), cost_params(s), cppi_settings(s, cell)};
  const double T = 30.0 / 365.0, r = 0.05, sig = 0.6, m = 4.0, N = cell.steps;
  const double G = 0.9e6, c0 = 1e6 - G * std::exp(-r * T);
  std::vector<double> out(kernel.columns());
  double sum = 0.0, sum_sq = 0.0;
  const int paths = 600;
  for (int path = 0; path < paths; ++path) {
    kernel(path, PathOutput{out.data(), 1, 0});
    JumpDiffusionPath<double> spot_path(kernel.process, path);
    MarketPoint<double> pt = spot_path.first();
    while (!pt.is_expiry) pt = spot_path.next();
    const double formula =
        c0 * std::pow(pt.spot / 100.0, m) * std::exp((1 - m) * (r + m * sig * sig / 2) * T);
    const double simulated = out[CppiKernel<double>::terminal_value] - G;
    const double log_error = std::log(simulated / formula);
    sum += log_error;
    sum_sq += log_error * log_error;
  }
  const double predicted_sd = m * (m - 1) / 2 * sig * sig * T * std::sqrt(2.0 / N);
  const double rms = std::sqrt(sum_sq / paths);
  EXPECT_LT(rms, 1.5 * predicted_sd) << "predicted " << predicted_sd;
  EXPECT_LT(std::abs(sum / paths), 5.0 * predicted_sd / std::sqrt(double(paths)) + 1e-4);
}

// Cont-Tankov: near-continuous rebalancing with Merton jumps loses the floor at the first jump
// below ln(1 - 1/m): P(gap) = 1 - exp(-T lambda Phi((ln(1 - 1/m) - muJ) / sJ)).
TEST(CppiContTankov, GapProbabilityWithMertonJumps) {
  Scenario s = cppi_scenario(0.2, 91.25, 2.0, 10000);
  s.jumps.model = "merton";
  s.jumps.intensity = 5.0;
  s.jumps.log_mean = -0.2;
  s.jumps.log_stdev = 0.1;
  s.grid.volatility = {implied_for_diffusive(s, 0.2)};  // diffusion 0.2 beside the jumps
  s.cppi.multiplier = {3.0, 6.0};
  s.cppi.objective.gap_probability_max = 0.05;
  const Evaluated e = evaluate(s);
  const double T = 0.25;
  for (int p = 0; p < 2; ++p) {
    const double m = s.cppi.multiplier[p];
    const double tail = normal_cdf_d((std::log(1.0 - 1.0 / m) + 0.2) / 0.1);
    const double expected = 1.0 - std::exp(-T * 5.0 * tail);
    const double se = std::sqrt(expected * (1 - expected) / 10000.0);
    EXPECT_NEAR(e("gap_probability", p), expected, 4.0 * se) << "m=" << m;
    EXPECT_NEAR(e("gap_probability_stderr", p), se, 0.1 * se);
    EXPECT_GT(e("shortfall_mean", p), 0.0);
  }
  // max_mean_gap: m = 6 (P ~ 0.5) is infeasible at 5%, m = 3 (P ~ 0.025) is not.
  EXPECT_TRUE(std::isfinite(e.result.objective[0]));
  EXPECT_EQ(e.result.objective[0], e("terminal_mean", 0));
  EXPECT_TRUE(std::isnan(e.result.objective[1]));
}

// Balder-Brandl-Mahayni: N rebalancing dates under GBM; the cushion turns negative in a period
// with probability p = Phi((ln((m-1)/m) + r dt - (mu - s^2/2) dt) / (s sqrt dt)), independently
// per period, and once negative the portfolio sits in cash below the floor: P = 1 - (1 - p)^N.
TEST(CppiBalderBrandlMahayni, GapProbabilityWithDiscreteRebalancing) {
  Scenario s = cppi_scenario(0.6, 365, 1.0, 40000);
  s.simulation.steps = 12;
  s.market.rate = 0.03;
  s.market.drift = 0.1;
  s.cppi.multiplier = {3.0, 4.0};
  s.cppi.objective.gap_probability_max = 0.01;
  const Evaluated e = evaluate(s);
  const double dt = 1.0 / 12, sig = 0.6;
  for (int p = 0; p < 2; ++p) {
    const double m = s.cppi.multiplier[p];
    const double per = normal_cdf_d(
        (std::log((m - 1) / m) + 0.03 * dt - (0.1 - sig * sig / 2) * dt) / (sig * std::sqrt(dt)));
    const double expected = 1.0 - std::pow(1.0 - per, 12);
    const double se = std::sqrt(expected * (1 - expected) / 40000.0);
    EXPECT_NEAR(e("gap_probability", p), expected, 4.0 * se) << "m=" << m;
    // the cushion is only observed at the dates: a breach is a gap and vice versa
    EXPECT_EQ(e("floor_breach_probability", p), e("gap_probability", p));
  }
  // both points break the 1% limit: no feasible optimum, NaN everywhere, resamples find none
  for (double o : e.result.objective) EXPECT_TRUE(std::isnan(o));
  EXPECT_EQ(best_point(e.result.objective, Sense::maximize), -1);
  for (int o : e.result.bootstrap_optimum) EXPECT_EQ(o, -1);
}

// Costs: with the leverage cap binding (E* = V) the only trade is the initial purchase, decided
// on V_0 = capital whatever the costs, so on every path
//   V_T(no costs) - V_T(costs) = cost_0 exp(r T)   exactly.
TEST(CppiCosts, TerminalValueLowerByWhatWasPaid) {
  Scenario s = cppi_scenario(0.5, 7, 1.0, 1);
  s.market.rate = 0.04;
  s.cppi.multiplier = {8.0};
  s.cppi.tolerance = {0.05};
  s.cppi.max_leverage = 1.0;
  s.cppi.floor = 0.5;
  s.costs.latency_seconds = 12.0;
  s.costs.gas_volatility = 0.5;
  const CellCoordinates cell = cell_coordinates(s, 0, 0);
  const CppiKernel<double> free{process_params(s, cell), cost_params(s), cppi_settings(s, cell)};
  s.costs.fee_bps = 10.0;
  s.costs.gas = 5.0;
  s.costs.impact = "amm";
  s.costs.pool_depth = 1e9;  // impact ~0.2%: the drift E/E* - 1 ~ cost / V stays in the band
  const CppiKernel<double> costly{process_params(s, cell), cost_params(s), cppi_settings(s, cell)};
  const double growth = std::exp(0.04 * 7.0 / 365.0);
  std::vector<double> a(free.columns()), b(costly.columns());
  for (int path = 0; path < 500; ++path) {
    free(path, PathOutput{a.data(), 1, 0});
    costly(path, PathOutput{b.data(), 1, 0});
    ASSERT_EQ(a[CppiKernel<double>::trade_count], 1.0);
    ASSERT_EQ(b[CppiKernel<double>::trade_count], 1.0);
    const double paid = b[CppiKernel<double>::cost_paid];
    ASSERT_GT(paid, 1e6 * 10e-4);  // at least the fee on ~1e6 of notional
    EXPECT_NEAR(a[0] - b[0], paid * growth, 1e-9 * 1e6) << "path " << path;
    EXPECT_EQ(a[CppiKernel<double>::cost_paid], 0.0);
  }
}

// Constructed path: the price falls 6% per step for five steps. Rebalancing after each step the
// cushion shrinks by (1 - 4 * 0.06) per step and survives; an outage covering those steps holds
// the initial exposure of 4 C_0 = 40 through a 26.6% fall, a loss larger than C_0 = 10: a gap.
TEST(CppiOutage, OutageOverAFallTurnsItIntoAGap) {
  CppiSettings s{};
  s.capital = 100.0;
  s.floor_fraction = 0.9;
  s.max_leverage = 1e9;
  s.horizon = 10.0 / 8760.0;
  s.dt = 1.0 / 8760.0;
  s.points = 1;
  s.multiplier[0] = 4.0;
  s.tolerance[0] = 0.0;
  struct Run {
    CppiPortfolios book;
    TradeRecord records[kMaxAllocationPoints];
  };
  auto run = [&](bool outage, const CostParams& costs = CostParams{}) {
    Run r;
    CppiPortfolios& book = r.book;
    book.start(s, r.records);
    double spot = 100.0;
    for (int k = 0; k <= 10; ++k) {
      if (k >= 2 && k <= 6) spot *= 0.94;
      MarketPoint<double> m{};
      m.index = k;
      m.time = k * s.dt;
      m.time_to_expiry = s.horizon - m.time;
      m.spot = m.fill_spot = spot;
      m.gas_factor = 1.0;
      m.blocked = outage && k >= 2 && k <= 6;
      m.is_expiry = k == 10;
      book.step(s, costs, m, r.records, 0.0);  // no impact: its sigma unused
    }
    return r;
  };
  const Run tradable = run(false), blocked = run(true);
  EXPECT_NEAR(tradable.book.value(0), 90.0 + 10.0 * std::pow(0.76, 5), 1e-9);
  EXPECT_FALSE(tradable.book.breached.get(0));
  EXPECT_NEAR(blocked.book.value(0), 60.0 + 40.0 * std::pow(0.94, 5), 1e-9);
  EXPECT_LT(blocked.book.value(0), 90.0);
  EXPECT_TRUE(blocked.book.breached.get(0));
  EXPECT_EQ(blocked.records[0].trades, 2);  // buy at t_0, sell everything at the first step after

  // Gas only (1 per trade, 10x after an outage), a 20% band: the t_0 purchase (gas 1) leaves
  // E / E* = 40/36 inside the band, so the only other trade is the sale after the outage (gas 10).
  CostParams gas;
  gas.gas = 1.0;
  gas.gas_multiplier_after_outage = 10.0;
  s.tolerance[0] = 0.2;
  const Run congested = run(true, gas);
  EXPECT_EQ(congested.records[0].trades, 2);
  EXPECT_DOUBLE_EQ(congested.records[0].cost, 11.0);
  EXPECT_NEAR(congested.book.value(0), 59.0 + 40.0 * std::pow(0.94, 5) - 10.0, 1e-9);
}

// Minimum order size on a constructed path (wiggles of 0.1-0.5% per step): with tolerance 0 the
// CPPI trades at every step before expiry; with costs.min_trade_units = M a wanted trade of
// |n| < M is not sent (units, cash and the count stay) and every trade sent has |n| >= M, checked
// step by step against the wanted trade n = m max(V - G, 0) / S - units computed here.
TEST(CppiMinTrade, TradesBelowTheMinimumAreNotSent) {
  CppiSettings s{};
  s.capital = 100.0;
  s.floor_fraction = 0.9;
  s.max_leverage = 1e9;
  s.horizon = 60.0 / 8760.0;
  s.dt = 1.0 / 8760.0;
  s.points = 1;
  s.multiplier[0] = 4.0;
  s.tolerance[0] = 0.0;
  const double M = 2e-3;
  struct Run {
    CppiPortfolios book;
    TradeRecord records[kMaxAllocationPoints];
  };
  auto run = [&](double min_trade_units, int* checked_trades, int* checked_skips) {
    CostParams costs;
    costs.gas = 0.01;
    costs.min_trade_units = min_trade_units;
    Run r;
    CppiPortfolios& book = r.book;
    const TradeRecord& record = r.records[0];
    book.start(s, r.records);
    for (int k = 0; k <= 60; ++k) {
      const double spot = 100.0 * std::exp(0.004 * std::sin(0.9 * k) + 0.01 * std::sin(0.13 * k));
      MarketPoint<double> m{};
      m.index = k;
      m.time = k * s.dt;
      m.time_to_expiry = s.horizon - m.time;
      m.spot = m.fill_spot = spot;
      m.gas_factor = 1.0;
      m.is_expiry = k == 60;
      const double units = book.units[0], cash = book.cash[0];
      const int trades = record.trades;
      const double value = units * spot + cash;
      const double want = 4.0 * std::max(value - 90.0, 0.0) / spot - units;
      book.step(s, costs, m, r.records, 0.0);  // no impact: its sigma unused
      if (m.is_expiry || std::abs(want) < min_trade_units) {
        EXPECT_EQ(book.units[0], units) << "step " << k;
        EXPECT_EQ(book.cash[0], cash) << "step " << k;
        EXPECT_EQ(record.trades, trades) << "step " << k;
        if (!m.is_expiry) ++*checked_skips;
      } else {
        EXPECT_NEAR(book.units[0] - units, want, 1e-12) << "step " << k;
        EXPECT_GE(std::abs(book.units[0] - units), min_trade_units) << "step " << k;
        EXPECT_EQ(record.trades, trades + 1) << "step " << k;
        ++*checked_trades;
      }
    }
    EXPECT_NEAR(record.cost, 0.01 * record.trades, 1e-12);
    return r;
  };
  int all_trades = 0, no_skips = 0, kept = 0, skips = 0;
  const Run every = run(0.0, &all_trades, &no_skips);
  const Run minimum = run(M, &kept, &skips);
  EXPECT_EQ(every.records[0].trades, 60);  // every step before expiry
  EXPECT_EQ(no_skips, 0);
  EXPECT_EQ(minimum.records[0].trades, kept);
  EXPECT_GT(kept, 5);    // the larger wiggles still trade
  EXPECT_GT(skips, 20);  // the smaller ones do not
  EXPECT_LT(minimum.records[0].cost, every.records[0].cost);
}

// Simulated outages: a -10% crash is survivable with m = 6 if the book re-levers at once; an
// outage of a day after it holds 5.4 C of exposure against 0.4 C of cushion through a day of
// 120% volatility (a 7.4% fall gaps: ~10% per outage, 1.6 outages per path). Common random numbers:
// only the durations differ.
TEST(CppiOutage, LongOutagesAfterCrashesRaiseGapProbability) {
  Scenario s = cppi_scenario(1.2, 30, 1.0, 3000);
  s.gaps.intensity = 20.0;
  s.gaps.crash_log_mean = std::log(0.9);
  s.gaps.crash_log_stdev = 0.0;
  s.cppi.multiplier = {6.0};
  s.gaps.duration_hours = 1e-6;
  const Evaluated brief = evaluate(s);
  s.gaps.duration_hours = 24.0;
  const Evaluated long_outage = evaluate(s);
  const double p_brief = brief("gap_probability", 0), p_long = long_outage("gap_probability", 0);
  EXPECT_LT(p_brief, 0.005);
  EXPECT_GT(p_long, p_brief + 5.0 * long_outage("gap_probability_stderr", 0));
  EXPECT_GT(p_long, 0.08);
}

Scenario vol_target_scenario(double vol, std::uint64_t paths) {
  Scenario s;
  s.seed = 99;
  s.simulation.paths = paths;
  s.simulation.dt_hours = 1.0;
  s.simulation.precision = "double";
  s.grid.volatility = {vol};
  s.grid.expiry_days = {30};
  s.market.spot = 100.0;
  s.vol_target.present = true;
  s.vol_target.capital = 1e6;
  s.vol_target.max_leverage = 2.0;
  s.vol_target.ewma_halflife_hours = 72.0;
  return s;
}

// Hourly rebalanced to target / sigma_hat on GBM, the portfolio's realised volatility is the
// target up to the EWMA's estimation noise (sd of sigma_hat / sigma ~ 5% at a 72 h half-life).
TEST(VolTargetGbm, RealisesItsTargetVolatility) {
  Scenario s = vol_target_scenario(0.8, 3000);
  s.vol_target.target = {0.2, 0.4};
  s.vol_target.tolerance = {0.0, 0.2};
  const Evaluated e = evaluate(s);
  for (int p = 0; p < 4; ++p) {
    const double target = s.vol_target.target[p / 2];
    EXPECT_NEAR(e("realised_volatility_mean", p) / target, 1.0, 0.03) << "point " << p;
    EXPECT_GT(e("max_drawdown_mean", p), 0.0);
    EXPECT_LT(e("max_drawdown_mean", p), 1.0);
  }
  EXPECT_NEAR(e("trades_mean", 0), 720.0, 1.0);
  EXPECT_LT(e("trades_mean", 1), 0.2 * 720.0);  // a 20% band trades far less
  // no drift, no rate, no costs: the mean terminal value is the capital
  EXPECT_NEAR(e("terminal_mean", 3), 1e6, 4.0 * e("terminal_stderr", 3));
  EXPECT_EQ(e.result.bootstrap_optimum.size(), 64u);
}

// The full family on the busy market (jumps, outages, every cost; float): 1 thread and 2 threads
// give bit-identical metrics, objectives and bootstrap optima.
TEST(VolTargetDeterminism, OneAndTwoThreadsIdentical) {
  Scenario s = test_support::busy_market();
  s.simulation.paths = 5000;
  s.cppi.multiplier = {2, 4, 8};
  s.cppi.tolerance = {0.0, 0.1};
  s.cppi.max_leverage = 1.0;
  s.vol_target.target = {0.2, 0.5};
  s.vol_target.tolerance = {0.05, 0.2};
  for (int g = 0; g < 2; ++g) {
    const Evaluated one = evaluate(s, g, 1), two = evaluate(s, g, 2);
    for (std::size_t m = 0; m < one.result.metrics.size(); ++m)
      for (double value : one.result.metrics[m])
        EXPECT_TRUE(std::isfinite(value)) << one.spec.metrics[m].name;
    test_support::expect_same_results({one.result}, {two.result}, one.spec.path);
    EXPECT_GT(one("cost_mean", 0), 0.0);
  }
}

// Ruin is absorbing (AllocationAccountsOf::close_if_ruined). Feeds one constructed path (spots
// per step, no outage) to the portfolios; returns them after expiry.
template <class Portfolios, class Settings>
void feed_path(Portfolios& book, TradeRecord* records, const Settings& s, const CostParams& costs,
               const std::vector<double>& spots) {
  book.start(s, records);
  const int last = int(spots.size()) - 1;
  for (int k = 0; k <= last; ++k) {
    MarketPoint<double> m{};
    m.index = k;
    m.time = k * s.dt;
    m.time_to_expiry = (last - k) * s.dt;
    m.spot = m.fill_spot = spots[k];
    m.gas_factor = 1.0;
    m.is_expiry = k == last;
    book.step(s, costs, m, records, 0.0);  // no impact: its sigma unused
  }
}

// Gas of 5x the capital on the t_0 purchase (m C_0 = 4 x 10 = 40 of exposure) leaves
// V_1 = 40 - 440 < 0: the account is closed at 0 at t_1 and never trades again, though the
// price then doubles; before the rule it sold at t_1 (paying gas again) and ended at -900.
TEST(AllocationRuin, CostsAboveTheCapitalCloseTheCppiAccountAtZero) {
  CppiSettings s{};
  s.capital = 100.0;
  s.floor_fraction = 0.9;
  s.max_leverage = 1.0;
  s.horizon = 10.0 / 8760.0;
  s.dt = 1.0 / 8760.0;
  s.points = 1;
  s.multiplier[0] = 4.0;
  s.tolerance[0] = 0.0;
  CostParams gas;
  gas.gas = 500.0;
  CppiPortfolios book;
  TradeRecord records[kMaxAllocationPoints];
  feed_path(book, records, s, gas, {100, 100, 110, 120, 130, 140, 150, 160, 170, 180, 200});
  EXPECT_EQ(book.value(0), 0.0);
  EXPECT_EQ(book.units[0], 0.0);
  EXPECT_EQ(records[0].trades, 1);
  EXPECT_EQ(records[0].cost, 500.0);  // the ruinous trade's cost, counted in full
  EXPECT_TRUE(book.breached.get(0));
}

// Twice levered (target / sigma_hat = 20 > max_leverage 2: E* = 2 V_0 = 200 at t_0, cash -100),
// a 60% crash at t_1 marks V = 80 - 100 = -20: closed at 0, so the drawdown is exactly 100% (it
// was 120%), and the recovery to 100 afterwards does not bring the account back.
TEST(AllocationRuin, LeveragedCrashClosesTheVolTargetAccountAtZero) {
  VolTargetSettings s{};
  s.capital = 100.0;
  s.max_leverage = 2.0;
  s.dt = 1.0 / 8760.0;
  s.ewma_decay = 0.9;
  s.initial_volatility = 0.5;
  s.points = 1;
  s.target[0] = 10.0;
  s.tolerance[0] = 0.0;
  VolTargetPortfolios book;
  TradeRecord records[kMaxAllocationPoints];
  const std::vector<double> spots{100, 40, 50, 60, 70, 80, 90, 100};
  feed_path(book, records, s, CostParams{}, spots);
  EXPECT_EQ(book.value(0), 0.0);
  EXPECT_EQ(book.drawdown[0], 1.0);
  EXPECT_EQ(records[0].trades, 1);
  const double vol = book.realised_volatility(0, int(spots.size()) - 1, s.dt);
  EXPECT_TRUE(std::isfinite(vol));
  EXPECT_GT(vol, 0.0);
}

}  // namespace
}  // namespace hedgemap
