// Hedging policies against independent references: Derman-Kamal hedging error, the expected
// proportional cost of discrete hedging, exact per-path gas and AMM costs, outages, the
// Whalley-Wilmott band and its lambda, the fixed-cost band, edge vs center, statistics (VaR/CVaR of
// the unhedged book against the lognormal closed form) and thread independence (the backends
// against each other: tests/exec/test_backend_parity.cpp). Fixed seeds, tolerances of a few
// standard errors.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "host/exec/backend.hpp"
#include "host/families/hedging.hpp"
#include "host/exec/path_runner.hpp"
#include "tests/support/group_results.hpp"
#include "tests/support/scenarios.hpp"

namespace hedgemap {
namespace {

using test_support::hedged_atm_call;
using test_support::metric_index;

const double kPi = 3.14159265358979323846;

// Own Black-Scholes (r = 0 unless given), independent of kernels/black_scholes.hpp.
double ncdf(double x) { return 0.5 * std::erfc(-x / std::sqrt(2.0)); }
double npdf(double x) { return std::exp(-0.5 * x * x) / std::sqrt(2.0 * kPi); }
double d1_of(double s, double k, double sigma, double tau) {
  return std::log(s / k) / (sigma * std::sqrt(tau)) + 0.5 * sigma * std::sqrt(tau);
}
double call_delta(double s, double k, double sigma, double tau) {
  if (tau <= 0.0) return s > k ? 1.0 : 0.0;
  return ncdf(d1_of(s, k, sigma, tau));
}
double call_gamma(double s, double k, double sigma, double tau) {
  if (tau <= 0.0) return 0.0;
  return npdf(d1_of(s, k, sigma, tau)) / (s * sigma * std::sqrt(tau));
}
double call_vega(double s, double k, double sigma, double tau) {
  return s * npdf(d1_of(s, k, sigma, tau)) * std::sqrt(tau);
}

Execution cpu(int threads = 0) {
  Execution e;
  e.backend = BackendKind::cpu;
  e.threads = threads;
  return e;
}

BootstrapPlan small_plan() { return BootstrapPlan{8, 8, 99}; }

// Per-path block (column-major) of a hedging kernel over paths [0, n), n <= kChunkPaths.
template <class Real>
std::vector<double> run_kernel(const HedgingKernel<Real>& k, std::uint64_t n) {
  std::vector<double> out;
  run_paths(cpu(), k, n, [&](std::uint64_t, std::uint64_t count, const double* block) {
    out.assign(block, block + std::size_t(k.columns()) * count);
  });
  return out;
}
double at(const std::vector<double>& b, std::uint64_t n, int point, int m, std::uint64_t i) {
  return b[std::size_t(point * kHedgeMetrics + m) * n + i];
}

TEST(HedgingDermanKamal, StdFollowsDermanKamalAtNAnd4NHedgesAndMeanIsZero) {
  Scenario s = hedged_atm_call(84, 40000);
  s.hedging.periodic_every_steps = {1, 4};  // 84 and 21 hedges on the same paths
  const auto groups = hedging_groups(s);
  ASSERT_EQ(groups.size(), 2u);
  const auto res = evaluate_hedging_cell(s, cell_coordinates(s, 0, 0), cpu(), small_plan());
  const GroupSpec& g = groups[1];
  const double T = 1.0 / 12.0, vega = call_vega(100, 100, 0.2, T);
  const double std84 = res[1].metrics[metric_index(g, "pnl_std")][0];
  const double std21 = res[1].metrics[metric_index(g, "pnl_std")][1];
  const double dk84 = std::sqrt(kPi / 4.0) * 0.2 * vega / std::sqrt(84.0);
  const double dk21 = std::sqrt(kPi / 4.0) * 0.2 * vega / std::sqrt(21.0);
  // Derman-Kamal is the large-N limit; at finite N the std is a few percent lower.
  EXPECT_GT(std84 / dk84, 0.94) << std84 << " vs " << dk84;
  EXPECT_LT(std84 / dk84, 1.02) << std84 << " vs " << dk84;
  EXPECT_GT(std21 / dk21, 0.94) << std21 << " vs " << dk21;
  EXPECT_LT(std21 / dk21, 1.02) << std21 << " vs " << dk21;
  EXPECT_NEAR(std21 / std84, 2.0, 0.08);
  for (int p = 0; p < 2; ++p) {
    const double mean = res[1].metrics[metric_index(g, "pnl_mean")][p];
    const double se = res[1].metrics[metric_index(g, "pnl_stderr")][p];
    EXPECT_LT(std::abs(mean), 4.0 * se) << "point " << p;
    EXPECT_EQ(res[1].metrics[metric_index(g, "cost_mean")][p], 0.0);
  }
  // The unhedged book: mean 0 too (premium = risk-neutral price), std = that of the payoff.
  EXPECT_LT(std::abs(res[0].metrics[0][0]), 4.0 * res[0].metrics[2][0]);
}

TEST(HedgingCosts, ProportionalCostMatchesDiscreteHedgingFormula) {
  Scenario s = hedged_atm_call(84, 20000);
  s.costs.fee_bps = 10.0;
  const double lambda = 1e-3, T = 1.0 / 12.0, N = 84.0;
  const auto res = evaluate_hedging_cell(s, cell_coordinates(s, 0, 0), cpu(), small_plan());
  const auto g = hedging_groups(s)[1];
  const double fee = res[1].metrics[metric_index(g, "fee_mean")][0];
  // Rebalancing: lambda vega sqrt(2N/(pi T)); initial trade and unwind: lambda S0 N(d1) each
  // (E[Delta_{N-1} S_T] = E[S_T 1{S_T > K}] = S0 N(d1) with r = 0).
  const double rebalancing = lambda * call_vega(100, 100, 0.2, T) * std::sqrt(2.0 * N / (kPi * T));
  const double ends = 2.0 * lambda * 100.0 * ncdf(d1_of(100, 100, 0.2, T));
  EXPECT_NEAR(fee / (rebalancing + ends), 1.0, 0.03) << fee << " vs " << rebalancing + ends;
  // Initial + 83 rebalances + unwind, less the steps where the delta did not change (deep in or
  // out of the money near expiry the double delta is exactly 1 or 0 on consecutive steps).
  EXPECT_LE(res[1].metrics[metric_index(g, "trades_mean")][0], 85.0);
  EXPECT_GT(res[1].metrics[metric_index(g, "trades_mean")][0], 80.0);
  // P&L mean is minus the expected cost (the cost-free P&L has mean 0).
  EXPECT_NEAR(res[1].metrics[metric_index(g, "pnl_mean")][0], -fee,
              4.0 * res[1].metrics[metric_index(g, "pnl_stderr")][0]);
}

TEST(HedgingCosts, GasOnlyCostIsGasTimesTradesOnEveryPath) {
  Scenario s = hedged_atm_call(20, 4096);
  s.hedging.policies = {"periodic", "delta_band", "whalley_wilmott"};
  s.hedging.periodic_every_steps = {1, 3};
  s.hedging.delta_band_band = {0.05, 0.2};
  s.hedging.whalley_wilmott_risk_aversion = {0.1};
  const auto clean = run_kernel(make_hedging_kernel<double>(s, cell_coordinates(s, 0, 0)), 4096);
  s.costs.gas = 3.5;
  const auto k = make_hedging_kernel<double>(s, cell_coordinates(s, 0, 0));
  const auto gas = run_kernel(k, 4096);
  ASSERT_EQ(k.points(), 6);
  for (std::uint64_t i = 0; i < 4096; ++i)
    for (int p = 0; p < 6; ++p) {
      const double trades = at(gas, 4096, p, hedge_trades, i);
      ASSERT_EQ(at(gas, 4096, p, hedge_gas, i), 3.5 * trades) << "path " << i << " point " << p;
      ASSERT_EQ(at(gas, 4096, p, hedge_fee, i), 0.0);
      ASSERT_EQ(at(gas, 4096, p, hedge_impact, i), 0.0);
      // Same decisions as without gas (WW's band is the fee's alone): P&L lower by gas.
      ASSERT_NEAR(at(gas, 4096, p, hedge_pnl, i), at(clean, 4096, p, hedge_pnl, i) - 3.5 * trades,
                  1e-9);
    }
}

TEST(HedgingCosts, AmmImpactIsTheConstantProductFill) {
  Scenario s = hedged_atm_call(1, 2000);
  s.book = {BookLeg{"call", 1.0, -10.0}};
  s.costs.impact = "amm";
  s.costs.pool_depth = 2.0e4;  // 100 units of the underlying in the pool
  const auto k = make_hedging_kernel<double>(s, cell_coordinates(s, 0, 0));
  const auto out = run_kernel(k, 2000);
  const double T = 1.0 / 12.0, D = 2.0e4, s0 = 100.0;
  const double n = 10.0 * call_delta(s0, 100, 0.2, T);  // buy n at t=0, sell n at S_T
  for (std::uint64_t i = 0; i < 2000; ++i) {
    JumpDiffusionPath<double> path(k.process, i);
    path.first();
    const double sT = path.next().spot;
    // Pool centred on F: x = D/(2F) units, y = D/2 quote, x y constant.
    const double x0 = D / (2 * s0), y0 = D / 2;
    const double paid = y0 * n / (x0 - n);  // y' - y with y' = x0 y0 / (x0 - n)
    const double xT = D / (2 * sT), yT = D / 2;
    const double received = yT * n / (xT + n);
    const double expected = (paid - n * s0) + (n * sT - received);
    ASSERT_NEAR(at(out, 2000, 1, hedge_impact, i), expected, 1e-9 * expected) << "path " << i;
    ASSERT_EQ(at(out, 2000, 1, hedge_trades, i), 2.0);
  }
}

TEST(HedgingOutage, CertainOutageBlocksEveryTradeAfterTheFirst) {
  Scenario s = hedged_atm_call(10, 3000);
  s.hedging.policies = {"periodic", "delta_band", "whalley_wilmott"};
  s.hedging.periodic_every_steps = {1, 2};
  s.hedging.delta_band_band = {0.01};
  s.hedging.whalley_wilmott_risk_aversion = {1.0};
  s.costs.fee_bps = 5.0;
  s.costs.gas = 1.0;
  // About 40 outages per step, each lasting ~1e6 hours: every decision after t=0 is blocked.
  s.gaps.intensity = 40.0 * 12.0 * 10.0;
  s.gaps.duration_hours = 1e6;
  s.gaps.gas_multiplier = 10.0;
  const auto k = make_hedging_kernel<double>(s, cell_coordinates(s, 0, 0));
  const auto out = run_kernel(k, 3000);
  ASSERT_EQ(k.points(), 5);
  const double h0 = call_delta(100, 100, 0.2, 1.0 / 12.0);
  for (std::uint64_t i = 0; i < 3000; ++i) {
    EXPECT_EQ(at(out, 3000, 0, hedge_trades, i), 0.0);
    for (int p = 1; p < 5; ++p) {
      ASSERT_EQ(at(out, 3000, p, hedge_trades, i), 2.0) << "path " << i << " point " << p;
      // Initial trade pays gas 1; the unwind is the first trade after the outage: 10.
      ASSERT_EQ(at(out, 3000, p, hedge_gas, i), 11.0);
      // Static hedge: every policy holds h0 to expiry.
      ASSERT_NEAR(at(out, 3000, p, hedge_pnl, i), at(out, 3000, 1, hedge_pnl, i), 1e-9);
    }
    JumpDiffusionPath<double> path(k.process, i);
    MarketPoint<double> m = path.first();
    while (!m.is_expiry) m = path.next();
    ASSERT_NEAR(at(out, 3000, 1, hedge_fee, i), 5e-4 * h0 * (100.0 + m.spot), 1e-12);
  }
}

TEST(HedgingWhalleyWilmott, HalfWidthFollowsFormulaAndScalesAsCubeRootOfCost) {
  const double lambda = 2e-3, S = 3000, gamma_book = -0.004, r = 0.05, tau = 0.1, ra = 1e-3;
  const double expected =
      std::pow(1.5 * std::exp(-r * tau) * lambda * S * gamma_book * gamma_book / ra, 1.0 / 3.0);
  EXPECT_NEAR(whalley_wilmott_half_width<double>(lambda, S, gamma_book, r, tau, ra), expected,
              1e-12 * expected);
  EXPECT_NEAR(whalley_wilmott_half_width<double>(8 * lambda, S, gamma_book, r, tau, ra),
              2 * expected, 1e-12 * expected);
  EXPECT_EQ(whalley_wilmott_half_width<double>(0.0, S, gamma_book, r, tau, ra), 0.0);
}

TEST(HedgingWhalleyWilmott, KernelMatchesAReferenceBandHedgerOnEveryPath) {
  Scenario s = hedged_atm_call(6, 2000);
  s.costs.fee_bps = 20.0;
  s.hedging.policies = {"whalley_wilmott"};
  s.hedging.whalley_wilmott_risk_aversion = {0.1, 1.0, 10.0};
  const auto k = make_hedging_kernel<double>(s, cell_coordinates(s, 0, 0));
  EXPECT_DOUBLE_EQ(k.cost_slot[0].ww_lambda, 2e-3);  // fee only: no impact, no gas
  const auto out = run_kernel(k, 2000);
  const double T = 1.0 / 12.0, dt = T / 6, lambda = 2e-3, K = 100;
  const double premium =
      100 * ncdf(d1_of(100, K, 0.2, T)) - K * ncdf(d1_of(100, K, 0.2, T) - 0.2 * std::sqrt(T));
  int traded_inside = 0;
  for (std::uint64_t i = 0; i < 2000; ++i) {
    for (int j = 0; j < 3; ++j) {
      const double ra = s.hedging.whalley_wilmott_risk_aversion[j];
      JumpDiffusionPath<double> path(k.process, i);
      MarketPoint<double> m = path.first();
      double h = 0, cash = premium, trades = 0;  // short call: premium received
      auto trade = [&](double n, double price) {
        cash -= n * price + lambda * std::abs(n) * price;
        h += n;
        trades += 1;
      };
      trade(call_delta(m.spot, K, 0.2, T), m.spot);
      for (int step = 1; step < 6; ++step) {
        m = path.next();
        const double tau = T - step * dt;
        const double target = call_delta(m.spot, K, 0.2, tau);
        const double g = call_gamma(m.spot, K, 0.2, tau);
        const double H = std::cbrt(1.5 * lambda * m.spot * g * g / ra);
        if (std::abs(h - target) > H) {
          trade((h > target ? target + H : target - H) - h, m.spot);
          if (j == 1) ++traded_inside;
        }
      }
      m = path.next();
      trade(-h, m.spot);
      const double pnl = cash - std::max(m.spot - K, 0.0);
      ASSERT_NEAR(at(out, 2000, 1 + j, hedge_pnl, i), pnl, 1e-8) << "path " << i << " ra " << ra;
      ASSERT_EQ(at(out, 2000, 1 + j, hedge_trades, i), trades) << "path " << i << " ra " << ra;
    }
  }
  EXPECT_GT(traded_inside, 100);  // the band binds on a fair share of paths
}

// Whalley-Wilmott's lambda is the proportional cost alone: the fee, whatever the gas, the impact
// law or the step (it was fee + (impact + gas) per notional of a typical trade ~ sqrt(dt)).
TEST(HedgingWhalleyWilmott, LambdaIsTheFeeWhateverGasImpactAndStep) {
  for (int steps : {6, 72, 720}) {
    Scenario s = hedged_atm_call(steps, 100);
    s.hedging.policies = {"whalley_wilmott"};
    s.costs.fee_bps = 7.0;
    s.costs.gas = 5.0;
    s.costs.impact = "amm";
    s.costs.pool_depth = 1e6;
    EXPECT_DOUBLE_EQ(
        make_hedging_kernel<double>(s, cell_coordinates(s, 0, 0)).cost_slot[0].ww_lambda, 7e-4)
        << steps << " steps";
  }
}

// The fixed-cost band H = (12 e^{-r tau} gas Gamma^2 / gamma)^{1/4}: its formula, its scaling
// (16 x gas or 1/16 x risk aversion: twice as wide; 4 x gamma: twice as wide), and no band
// without gas or gamma.
TEST(HedgingFixedCostBand, HalfWidthFollowsFormulaAndScalesAsFourthRootOfGas) {
  const double gas = 4.0, gamma_book = -0.024, r = 0.05, tau = 0.1, ra = 1e-3;
  const double expected =
      std::pow(12.0 * std::exp(-r * tau) * gas * gamma_book * gamma_book / ra, 0.25);
  EXPECT_NEAR(fixed_cost_band_half_width<double>(gas, gamma_book, r, tau, ra), expected,
              1e-12 * expected);
  EXPECT_NEAR(fixed_cost_band_half_width<double>(16 * gas, gamma_book, r, tau, ra), 2 * expected,
              1e-12 * expected);
  EXPECT_NEAR(fixed_cost_band_half_width<double>(gas, gamma_book, r, tau, ra / 16), 2 * expected,
              1e-12 * expected);
  EXPECT_NEAR(fixed_cost_band_half_width<double>(gas, 4 * gamma_book, r, tau, ra), 2 * expected,
              1e-12 * expected);
  EXPECT_NEAR(fixed_cost_band_half_width<float>(float(gas), float(gamma_book), float(r), float(tau),
                                                float(ra)),
              expected, 1e-6 * expected);
  EXPECT_EQ(fixed_cost_band_half_width<double>(0.0, gamma_book, r, tau, ra), 0.0);
  EXPECT_EQ(fixed_cost_band_half_width<double>(gas, 0.0, r, tau, ra), 0.0);
}

// Every path against an own band hedger: gamma recomputed at every step, H from the closed form,
// back to the centre (the delta) when |h - delta| > H, gas per trade.
TEST(HedgingFixedCostBand, KernelMatchesAReferenceCentreBandHedgerOnEveryPath) {
  Scenario s = hedged_atm_call(12, 2000);
  s.costs.gas = 0.05;
  s.hedging.policies = {"delta_band", "fixed_cost_band"};
  s.hedging.delta_band_band = {0.1};
  s.hedging.fixed_cost_band_risk_aversion = {0.1, 1.0, 10.0};
  const auto k = make_hedging_kernel<double>(s, cell_coordinates(s, 0, 0));
  ASSERT_EQ(k.points(), 5);
  const auto out = run_kernel(k, 2000);
  const double T = 1.0 / 12.0, dt = T / 12, gas = 0.05, K = 100;
  const double premium =
      100 * ncdf(d1_of(100, K, 0.2, T)) - K * ncdf(d1_of(100, K, 0.2, T) - 0.2 * std::sqrt(T));
  int traded_inside = 0, held = 0;
  for (std::uint64_t i = 0; i < 2000; ++i) {
    for (int j = 0; j < 3; ++j) {
      const double ra = s.hedging.fixed_cost_band_risk_aversion[j];
      JumpDiffusionPath<double> path(k.process, i);
      MarketPoint<double> m = path.first();
      double h = 0, cash = premium, trades = 0;  // short call: premium received
      auto trade = [&](double n, double price) {
        cash -= n * price + gas;
        h += n;
        trades += 1;
      };
      trade(call_delta(m.spot, K, 0.2, T), m.spot);
      for (int step = 1; step < 12; ++step) {
        m = path.next();
        const double tau = T - step * dt;
        const double target = call_delta(m.spot, K, 0.2, tau);
        const double g = call_gamma(m.spot, K, 0.2, tau);
        const double H = std::pow(12.0 * gas * g * g / ra, 0.25);
        if (std::abs(h - target) > H) {
          trade(target - h, m.spot);
          if (j == 1) ++traded_inside;
        } else if (j == 1) {
          ++held;
        }
      }
      m = path.next();
      if (h != 0.0) trade(-h, m.spot);  // no zero trade (back at a delta of exactly 0)
      const double pnl = cash - std::max(m.spot - K, 0.0);
      const int p = 2 + j;  // none, the delta band, then the fixed-cost band's points
      ASSERT_NEAR(at(out, 2000, p, hedge_pnl, i), pnl, 1e-8) << "path " << i << " ra " << ra;
      ASSERT_EQ(at(out, 2000, p, hedge_trades, i), trades) << "path " << i << " ra " << ra;
      ASSERT_NEAR(at(out, 2000, p, hedge_gas, i), gas * trades, 1e-12);
    }
  }
  EXPECT_GT(traded_inside, 1000);  // the band binds on a fair share of steps ...
  EXPECT_GT(held, 1000);           // ... and holds on a fair share of them
}

// Rebalancing to the edge trades less volume than rebalancing to the center at the same band
// (continuous limit: reflection at +-b has half the turnover of restarting from 0, sigma^2/(2b)
// against sigma^2/b per unit of variance), so it pays less proportional cost; it needs more,
// smaller, trades (the hedge sits on the band edge after each one).
TEST(HedgingBand, EdgeTradesLessVolumeThanCenterAtTheSameBand) {
  Scenario s = hedged_atm_call(48, 20000);
  s.costs.fee_bps = 10.0;
  s.hedging.policies = {"delta_band"};
  s.hedging.delta_band_band = {0.05, 0.1, 0.2};
  const auto center = evaluate_hedging_cell(s, cell_coordinates(s, 0, 0), cpu(), small_plan());
  s.hedging.delta_band_rebalance_to = "edge";
  const auto edge = evaluate_hedging_cell(s, cell_coordinates(s, 0, 0), cpu(), small_plan());
  const auto g = hedging_groups(s)[1];
  const int fee = metric_index(g, "fee_mean"), trades = metric_index(g, "trades_mean");
  // Initial trade and unwind are the same for both: lambda S0 N(d1) each on average.
  const double ends = 2.0 * 1e-3 * 100.0 * ncdf(d1_of(100, 100, 0.2, 1.0 / 12.0));
  for (int p = 0; p < 3; ++p) {
    const double ratio = (edge[1].metrics[fee][p] - ends) / (center[1].metrics[fee][p] - ends);
    EXPECT_LT(ratio, 0.8) << "band point " << p;
    EXPECT_GT(ratio, 0.3) << "band point " << p;
    EXPECT_GT(edge[1].metrics[trades][p], center[1].metrics[trades][p]) << "band point " << p;
  }
}

TEST(HedgingStatistics, UnhedgedVarAndCvarMatchTheLognormalClosedForm) {
  Scenario s = hedged_atm_call(1, 100000);
  s.hedging.objective.kind = "cvar";
  const auto res = evaluate_hedging_cell(s, cell_coordinates(s, 0, 0), cpu(), small_plan());
  const auto g = hedging_groups(s)[0];
  const double T = 1.0 / 12.0, a = 0.95, sv = 0.2 * std::sqrt(T), K = 100;
  const double premium = 100 * ncdf(d1_of(100, K, 0.2, T)) - K * ncdf(d1_of(100, K, 0.2, T) - sv);
  const double z95 = 1.6448536269514722;
  const double s_a = 100 * std::exp(-0.5 * sv * sv + sv * z95);  // 95% quantile of S_T
  const double var = std::max(s_a - K, 0.0) - premium;           // loss = (S_T - K)^+ - C
  // CVaR = E[S_T - K | S_T >= s_a] - C, E[S_T 1{S_T >= s}] = S0 N(d1(s)).
  const double cvar = 100 * ncdf(d1_of(100, s_a, 0.2, T)) / (1 - a) - K - premium;
  // Quantile std error: sqrt(a(1-a)/n) / pdf(S_T at s_a) ~ 0.04.
  EXPECT_NEAR(res[0].metrics[metric_index(g, "pnl_var")][0], var, 0.16);
  EXPECT_NEAR(res[0].metrics[metric_index(g, "pnl_cvar")][0], cvar, 0.2);
  EXPECT_EQ(res[0].objective[0], res[0].metrics[metric_index(g, "pnl_cvar")][0]);
  EXPECT_GT(res[0].objective_stderr[0], 0.0);
  EXPECT_LT(res[0].objective_stderr[0], 0.1);
}

TEST(HedgingStatistics, UtilityCertaintyEquivalentDoesNotOverflow) {
  Scenario s = hedged_atm_call(4, 20000);
  s.hedging.objective.kind = "utility";
  s.hedging.objective.risk_aversion = 200.0;  // exp(200 * loss) overflows for losses > 3.5
  const auto res = evaluate_hedging_cell(s, cell_coordinates(s, 0, 0), cpu(), small_plan());
  const auto groups = hedging_groups(s);
  EXPECT_EQ(groups[0].sense, Sense::maximize);
  for (int gi = 0; gi < 2; ++gi) {
    const double ce = res[gi].objective[0], mean = res[gi].metrics[0][0];
    ASSERT_TRUE(std::isfinite(ce)) << "group " << gi;
    EXPECT_LT(ce, mean);  // Jensen: CE < mean for a risk-averse utility
    // With a large risk aversion the CE tends to the worst P&L, which is above -(largest loss).
    EXPECT_GT(ce, -res[gi].metrics[metric_index(groups[gi], "pnl_cvar")][0] - 50.0);
  }
}

TEST(HedgingThreads, OneAndTwoThreadsGiveIdenticalResults) {
  Scenario s = hedged_atm_call(8, kChunkPaths + 5000);  // two chunks
  s.simulation.precision = "float";
  s.hedging.policies = {"periodic", "delta_band", "whalley_wilmott"};
  s.hedging.periodic_every_steps = {1, 2};
  s.hedging.delta_band_band = {0.1};
  s.hedging.whalley_wilmott_risk_aversion = {1.0};
  s.costs.fee_bps = 5.0;
  s.costs.gas = 0.01;
  const auto one = evaluate_hedging_cell(s, cell_coordinates(s, 0, 0), cpu(1), small_plan());
  const auto two = evaluate_hedging_cell(s, cell_coordinates(s, 0, 0), cpu(2), small_plan());
  ASSERT_EQ(one.size(), 4u);
  test_support::expect_same_results(one, two, "1 vs 2 threads");
}

// ---- Minimum order size (costs.min_trade_units) ----

// A deep in-the-money short call, one week, hourly every-step hedging in float, gas only: the book
// delta sits just below 1, where consecutive float deltas differ by a few ulps (~1e-7 units), and
// every such difference is a trade paying full gas.
Scenario dust_scenario(std::uint64_t paths) {
  Scenario s = hedged_atm_call(168, paths);
  s.simulation.precision = "float";
  s.grid.volatility = {0.5};
  s.grid.expiry_days = {7.0};
  s.book = {BookLeg{"call", 0.8, -1.0}};
  s.costs.gas = 1.0;
  return s;
}

// Per path, with M = 1e-3 against M = 0 (same paths): the trades kept are a subset (a skipped
// trade leaves |h - h*| < M, so the next one happens only where h* moved), gas is lower by exactly
// gas x the removed trades, and the trading P&L, sum_k h_k (S_{k+1} - S_k) at r = 0, moves by at
// most M x the path's total variation (|h_k - h*_k| < M). The trades kept move the hedge by >= M
// each, so they number at most 2 + (total variation of h*) / M: the dust is gone.
TEST(HedgingMinTrade, MinimumOrderRemovesDustTradesOfAPeriodicHedger) {
  const std::uint64_t n = 4096;
  Scenario s = dust_scenario(n);
  const CellCoordinates cell = cell_coordinates(s, 0, 0);
  const auto k0 = make_hedging_kernel<float>(s, cell);
  const auto dust = run_kernel(k0, n);
  s.costs.min_trade_units = 1e-3;
  const auto k1 = make_hedging_kernel<float>(s, cell);
  const auto clean = run_kernel(k1, n);
  const double T = 7.0 / 365.0, dt = T / 168.0, K = 80.0;
  double removed = 0.0, kept = 0.0;
  for (std::uint64_t i = 0; i < n; ++i) {
    const double t0 = at(dust, n, 1, hedge_trades, i), t1 = at(clean, n, 1, hedge_trades, i);
    ASSERT_LE(t1, t0) << "path " << i;
    ASSERT_GE(t1, 2.0) << "path " << i;  // the initial hedge (~1 unit) and the unwind
    ASSERT_EQ(at(dust, n, 1, hedge_gas, i) - at(clean, n, 1, hedge_gas, i), t0 - t1);
    removed += t0 - t1;
    kept += t1;
    // Total variation of the spot and (double, own Black-Scholes) of the target h* = N(d1).
    JumpDiffusionPath<float> path(k0.process, i);
    MarketPoint<float> m = path.first();
    double spot_tv = 0.0, target_tv = 0.0, last_spot = m.spot, last_target = -1.0;
    for (int step = 0; !m.is_expiry; ++step, m = path.next()) {
      spot_tv += std::abs(m.spot - last_spot);
      last_spot = m.spot;
      const double target = call_delta(m.spot, K, 0.5, T - step * dt);
      if (step > 0) target_tv += std::abs(target - last_target);
      last_target = target;
    }
    spot_tv += std::abs(m.spot - last_spot);
    EXPECT_LE(t1, 2.0 + target_tv / 1e-3 + 1.0) << "path " << i;
    const double trading0 = at(dust, n, 1, hedge_pnl, i) + t0;  // gas is 1 per trade
    const double trading1 = at(clean, n, 1, hedge_pnl, i) + t1;
    ASSERT_LE(std::abs(trading1 - trading0), 1e-3 * spot_tv * 1.01 + 1e-6) << "path " << i;
  }
  // Measured: 101.5 dust trades per path removed, 6.3 kept (the initial hedge, the unwind and
  // the moves of h* after the falls that bring the call nearer the money).
  EXPECT_GT(removed / double(n), 50.0);
  EXPECT_LT(kept, 0.1 * removed);

  // The same through the statistics: trades_mean and gas_mean drop by the removed count.
  const auto a = evaluate_hedging_cell(dust_scenario(n), cell, cpu(), small_plan());
  const auto b = evaluate_hedging_cell(s, cell, cpu(), small_plan());
  const auto g = hedging_groups(s)[1];
  const int trades = metric_index(g, "trades_mean"), gas = metric_index(g, "gas_mean");
  EXPECT_NEAR(a[1].metrics[trades][0] - b[1].metrics[trades][0], removed / double(n), 1e-9);
  EXPECT_NEAR(a[1].metrics[gas][0] - b[1].metrics[gas][0], removed / double(n), 1e-9);
}

// The unwind at expiry closes the hedge even when it is below the minimum order. Two short calls,
// two steps, M = 0.6, double precision, against an own hedger: t_0 buys 2 N(d1) ~ 1.02 units;
// at t_1 the trade to 2 N(d1) is sent only if it moves the hedge by >= 0.6 (then, after a fall,
// the hedge can be below 0.6); the unwind of whatever is held is always sent.
TEST(HedgingMinTrade, UnwindAtExpiryIsSentBelowTheMinimum) {
  const std::uint64_t n = 4000;
  Scenario s = hedged_atm_call(2, n);
  s.book = {BookLeg{"call", 1.0, -2.0}};
  s.costs.gas = 1.0;
  s.costs.min_trade_units = 0.6;
  const auto k = make_hedging_kernel<double>(s, cell_coordinates(s, 0, 0));
  const auto out = run_kernel(k, n);
  const double T = 1.0 / 12.0, K = 100.0, M = 0.6;
  const double premium = 2.0 * (100.0 * ncdf(d1_of(100, K, 0.2, T)) -
                                K * ncdf(d1_of(100, K, 0.2, T) - 0.2 * std::sqrt(T)));
  int small_unwinds = 0, skipped = 0;
  for (std::uint64_t i = 0; i < n; ++i) {
    JumpDiffusionPath<double> path(k.process, i);
    MarketPoint<double> m = path.first();
    double h = 0.0, cash = premium, trades = 0.0;
    auto trade = [&](double units, double price) {
      cash -= units * price + 1.0;
      h += units;
      trades += 1.0;
    };
    trade(2.0 * call_delta(m.spot, K, 0.2, T), m.spot);
    m = path.next();
    const double want = 2.0 * call_delta(m.spot, K, 0.2, T / 2) - h;
    if (std::abs(want) >= M)
      trade(want, m.spot);
    else
      ++skipped;
    m = path.next();
    if (h != 0.0 && std::abs(h) < M) ++small_unwinds;
    trade(-h, m.spot);
    const double pnl = cash - 2.0 * std::max(m.spot - K, 0.0);
    ASSERT_EQ(at(out, n, 1, hedge_trades, i), trades) << "path " << i;
    ASSERT_EQ(at(out, n, 1, hedge_gas, i), trades) << "path " << i;
    ASSERT_NEAR(at(out, n, 1, hedge_pnl, i), pnl, 1e-8) << "path " << i;
  }
  EXPECT_GT(small_unwinds, 200);  // ~20% of paths end holding less than the minimum
  EXPECT_GT(skipped, 1000);       // and most paths skip the t_1 trade
}

}  // namespace
}  // namespace hedgemap
