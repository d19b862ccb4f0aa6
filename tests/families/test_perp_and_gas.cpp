// The hedging family with gas as a process and perpetual-futures hedging (issue 14): per-path
// gas under decaying congestion, funding = rate x notional x time exactly for a constant rate and
// position, E[funding] for an OU rate correlated with returns against its closed form, the
// rate's shocks correlated with returns as configured, the cost columns adding up per path, and
// the scenario keys' rules. Fixed seeds, tolerances of a few standard errors.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "host/exec/backend.hpp"
#include "host/exec/path_runner.hpp"
#include "host/families/hedging.hpp"
#include "host/families/model_summary.hpp"
#include "host/scenario/parser.hpp"
#include "tests/support/group_results.hpp"
#include "tests/support/scenario_inputs.hpp"
#include "tests/support/scenarios.hpp"

namespace hedgemap {
namespace {

using test_support::hedged_atm_call;
using test_support::metric_index;

Execution cpu() {
  Execution e;
  e.backend = BackendKind::cpu;
  e.threads = 0;
  return e;
}

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

// A deep in-the-money call (strike 1% of spot): delta exactly 1, so the hedge is -quantity.
Scenario perp_scenario(int steps, std::uint64_t paths, double quantity) {
  Scenario s = hedged_atm_call(steps, paths);
  s.book = {BookLeg{"call", 0.01, quantity}};
  s.hedging.instrument = "perp";
  s.hedging.periodic_every_steps = {100000};  // hedge at t = 0, hold to expiry
  return s;
}

TEST(GasCongestionHedging, EveryTradePaysGasTimesTheDecayedPremiumOnEveryPath) {
  Scenario s = hedged_atm_call(120, 400);  // 30 days, 6-hour steps
  s.costs.gas = 2.0;
  s.gaps.intensity = 200.0;
  s.gaps.duration_hours = 6.0;
  s.gaps.gas_multiplier = 10.0;
  s.gaps.congestion_halflife_hours = 12.0;
  const auto k = make_hedging_kernel<double>(s, cell_coordinates(s, 0, 0));
  EXPECT_EQ(k.cost_slot[0].costs.gas_multiplier_after_outage,
            1.0);  // the premium is in the gas level
  const auto out = run_kernel(k, 400);
  const double h = 12.0 / (24.0 * 365.0);
  int decayed_trades = 0;
  for (std::uint64_t i = 0; i < 400; ++i) {
    // Periodic every step trades at every unblocked step whose delta moved, and at expiry; the
    // gas of a trade at t is 2 (1 + 9 * 2^(-(t - end)/h)) after an outage that ended at `end`,
    // 2 before any. (The kernel's own delta function says when the delta did not move: deep in
    // or out of the money near expiry it is exactly 1 or 0 on consecutive steps.)
    JumpDiffusionPath<double> path(k.process, i);
    const BlackScholesBookDelta<double> delta(k.book, k.process.spot);
    MarketPoint<double> m = path.first();
    double gas = 0.0, trades = 0.0, hedge = 0.0;
    while (true) {
      const double target =
          m.is_expiry ? 0.0 : -delta(k.book, m.log_return, m.spot, 0.0, 0.2, m.time_to_expiry);
      const double units = target - hedge;
      if ((!m.blocked || m.is_expiry) && units != 0.0) {
        hedge += units;
        const double end = path.last_outage_end(), t = m.index * k.process.dt;
        const double factor = end < 0.0 ? 1.0
                              : t < end ? 10.0
                                        : 1.0 + 9.0 * std::exp2(-(t - end) / h);
        decayed_trades += end >= 0.0 && t >= end;
        gas += 2.0 * factor;
        trades += 1.0;
      }
      if (m.is_expiry) break;
      m = path.next();
    }
    ASSERT_EQ(at(out, 400, 1, hedge_trades, i), trades) << "path " << i;
    ASSERT_NEAR(at(out, 400, 1, hedge_gas, i), gas, 1e-12 * gas) << "path " << i;
  }
  EXPECT_GT(decayed_trades, 10000);
}

// Own Black-Scholes call delta and gamma (r = 0), independent of kernels/black_scholes.hpp.
double call_delta_r0(double s, double k, double sigma, double tau) {
  const double d1 = std::log(s / k) / (sigma * std::sqrt(tau)) + 0.5 * sigma * std::sqrt(tau);
  return 0.5 * std::erfc(-d1 / std::sqrt(2.0));
}
double call_gamma_r0(double s, double k, double sigma, double tau) {
  const double d1 = std::log(s / k) / (sigma * std::sqrt(tau)) + 0.5 * sigma * std::sqrt(tau);
  return std::exp(-0.5 * d1 * d1) / std::sqrt(2.0 * 3.14159265358979323846) /
         (s * sigma * std::sqrt(tau));
}

// The fixed-cost band's eps: with gas as a process (persistent level) the gas a trade at t_k pays,
// gas x g_k; with independent draws per step (half-life 0) the mean gas, though every trade pays
// gas x g_k. Every path against an own centre-band hedger.
TEST(GasProcessHedging, FixedCostBandUsesThePathsGasOnlyWhenGasIsAProcess) {
  for (double halflife_hours : {24.0, 0.0}) {
    SCOPED_TRACE(halflife_hours);
    Scenario s = hedged_atm_call(12, 1000);
    s.costs.gas = 0.05;
    s.costs.gas_volatility = 1.0;
    s.costs.gas_halflife_hours = halflife_hours;
    s.hedging.policies = {"fixed_cost_band"};
    s.hedging.fixed_cost_band_risk_aversion = {0.1, 1.0, 10.0};
    const auto k = make_hedging_kernel<double>(s, cell_coordinates(s, 0, 0));
    const bool follows_path = halflife_hours > 0.0;
    const auto out = run_kernel(k, 1000);
    const double T = 1.0 / 12.0, dt = T / 12, gas = 0.05, K = 100;
    int decisions_changed = 0;  // steps where the other eps would decide otherwise
    for (std::uint64_t i = 0; i < 1000; ++i) {
      for (int j = 0; j < 3; ++j) {
        const double ra = s.hedging.fixed_cost_band_risk_aversion[j];
        JumpDiffusionPath<double> path(k.process, i);
        MarketPoint<double> m = path.first();
        double h = 0, cash = 0, trades = 0, paid = 0;
        auto trade = [&](double n) {
          cash -= n * m.spot + gas * m.gas_factor;
          paid += gas * m.gas_factor;
          h += n;
          trades += 1;
        };
        trade(call_delta_r0(m.spot, K, 0.2, T));
        for (int step = 1; step < 12; ++step) {
          m = path.next();
          const double tau = T - step * dt;
          const double target = call_delta_r0(m.spot, K, 0.2, tau);
          const double g = call_gamma_r0(m.spot, K, 0.2, tau);
          const double eps = follows_path ? gas * m.gas_factor : gas;
          const double other = follows_path ? gas : gas * m.gas_factor;
          const double H = std::pow(12.0 * eps * g * g / ra, 0.25);
          const bool outside = std::abs(h - target) > H;
          decisions_changed +=
              outside != (std::abs(h - target) > std::pow(12.0 * other * g * g / ra, 0.25));
          if (outside) trade(target - h);
        }
        m = path.next();
        if (h != 0.0) trade(-h);
        const int p = 1 + j;  // after none; P&L less none's (the book's) is the trading account
        ASSERT_NEAR(at(out, 1000, p, hedge_pnl, i) - at(out, 1000, 0, hedge_pnl, i), cash, 1e-8)
            << "path " << i << " ra " << ra;
        ASSERT_EQ(at(out, 1000, p, hedge_trades, i), trades) << "path " << i << " ra " << ra;
        ASSERT_NEAR(at(out, 1000, p, hedge_gas, i), paid, 1e-12 * paid);
      }
    }
    EXPECT_GT(decisions_changed, 300);  // the choice of eps matters on these paths
  }
}

TEST(PerpFunding, ConstantRateAndPositionPayRateTimesNotionalTimesTime) {
  for (double quantity : {-10.0, 10.0}) {  // short call: long 10 perps, pays; long call: receives
    Scenario s = perp_scenario(24, 64, quantity);
    s.funding.rate = 0.1;
    s.costs.gas = 5.0;  // no gas on a CEX
    auto k = make_hedging_kernel<double>(s, cell_coordinates(s, 0, 0));
    k.process.volatility = 0.0;  // the spot stays at 100: notional 10 x 100
    const auto out = run_kernel(k, 64);
    const double T = 1.0 / 12.0, expected = 0.1 * (-quantity) * 100.0 * T;
    for (std::uint64_t i = 0; i < 64; ++i) {
      ASSERT_EQ(at(out, 64, 1, hedge_trades, i), 2.0);
      ASSERT_NEAR(at(out, 64, 1, hedge_funding, i), expected, 1e-13 * std::abs(expected));
      ASSERT_EQ(at(out, 64, 1, hedge_gas, i), 0.0);
      ASSERT_EQ(at(out, 64, 0, hedge_funding, i), 0.0);  // the unhedged book holds nothing
    }
  }
}

TEST(PerpFunding, MeanFundingOfAnOuRateCorrelatedWithReturnsMatchesTheClosedForm) {
  const int steps = 168;                       // 7 days, hourly
  const std::uint64_t n = kChunkPaths;         // run_kernel keeps one chunk
  Scenario s = perp_scenario(steps, n, -1.0);  // long one perp
  s.grid.volatility = {0.8};
  s.grid.expiry_days = {7.0};
  s.funding = FundingConfig{0.1, 1.0, 24.0, 0.9};
  const auto k = make_hedging_kernel<double>(s, cell_coordinates(s, 0, 0));
  const auto out = run_kernel(k, n);
  double sum = 0, sum2 = 0;
  for (std::uint64_t i = 0; i < n; ++i) {
    const double f = at(out, n, 1, hedge_funding, i);
    sum += f;
    sum2 += f * f;
  }
  const double mean = sum / n, se = std::sqrt((sum2 / n - mean * mean) / n);
  // E[f_k S_k] = S_0 E[e^{X_k}] (rate + Cov(y_k, X_k)) for jointly normal (y_k, X_k), drift 0:
  // Cov(y_k, X_k) = sum_{j=1..k} phi^{k-j} v sqrt(1 - phi^2) rho sigma sqrt(dt).
  const double dt = 7.0 / 365.0 / steps, phi = std::exp2(-1.0 / 24.0);
  const double per_shock = 1.0 * std::sqrt(1.0 - phi * phi) * 0.9 * 0.8 * std::sqrt(dt);
  double expected = 0.0, cov = 0.0;
  for (int step = 0; step < steps; ++step) {
    expected += 100.0 * (0.1 + cov) * dt;
    cov = phi * cov + per_shock;
  }
  EXPECT_NEAR(mean, expected, 4.0 * se) << "se " << se;
  // The correlation term is what the test sees: without it the mean would be 100 x 0.1 x T.
  EXPECT_GT(std::abs(expected - 100.0 * 0.1 * 7.0 / 365.0), 8.0 * se);
}

TEST(PerpFunding, RateShocksCorrelateWithReturnsAsConfiguredAndAreStationary) {
  ProcessParams p;
  p.seed = 8642;
  p.spot = 60000.0;
  p.volatility = 0.5;
  p.steps = 48;
  p.dt = 1.0 / (24.0 * 365.0);
  p.expiry = p.steps * p.dt;
  p.latency = 0.3 * p.dt;  // the shock is the whole step's, both sub-intervals
  p.funding = FundingParams{true, 0.05, 0.4, 8.0 * p.dt, -0.35};
  const double phi = std::exp2(-1.0 / 8.0);
  std::vector<double> shock, ret, start;
  for (int i = 0; i < 4000; ++i) {
    JumpDiffusionPath<double> path(p, std::uint64_t(i));
    MarketPoint<double> m = path.first();
    start.push_back(m.funding_rate - 0.05);
    while (!m.is_expiry) {
      const MarketPoint<double> next = path.next();
      if (next.is_expiry) break;
      shock.push_back((next.funding_rate - 0.05) - phi * (m.funding_rate - 0.05));
      ret.push_back(next.log_return - m.log_return);
      m = next;
    }
  }
  const double nobs = double(shock.size());
  double ms = 0, mr = 0;
  for (std::size_t i = 0; i < shock.size(); ++i) ms += shock[i] / nobs, mr += ret[i] / nobs;
  double ssr = 0, sss = 0, srr = 0;
  for (std::size_t i = 0; i < shock.size(); ++i) {
    ssr += (shock[i] - ms) * (ret[i] - mr);
    sss += (shock[i] - ms) * (shock[i] - ms);
    srr += (ret[i] - mr) * (ret[i] - mr);
  }
  const double rho = ssr / std::sqrt(sss * srr), se = (1 - 0.35 * 0.35) / std::sqrt(nobs);
  EXPECT_NEAR(rho, -0.35, 4.0 * se);
  // Innovation variance v^2 (1 - phi^2) and the stationary start N(0, v^2).
  EXPECT_NEAR(sss / nobs, 0.16 * (1 - phi * phi),
              4.0 * 0.16 * (1 - phi * phi) * std::sqrt(2 / nobs));
  double v0 = 0;
  for (double y : start) v0 += y * y / double(start.size());
  EXPECT_NEAR(v0, 0.16, 4.0 * 0.16 * std::sqrt(2.0 / double(start.size())));
}

TEST(PerpFunding, FeeGasImpactAndFundingAddUpToTheCostOnEveryPath) {
  Scenario s = hedged_atm_call(48, 2000);
  s.hedging.instrument = "perp";
  s.hedging.periodic_every_steps = {1, 4};
  s.funding = FundingConfig{0.2, 0.5, 12.0, 0.3};
  const auto free = run_kernel(make_hedging_kernel<double>(s, cell_coordinates(s, 0, 0)), 2000);
  s.costs.fee_bps = 4.0;
  s.costs.gas = 3.0;
  s.costs.impact = "sqrt";
  s.costs.daily_volume = 1000.0;
  const auto k = make_hedging_kernel<double>(s, cell_coordinates(s, 0, 0));
  const auto out = run_kernel(k, 2000);
  for (std::uint64_t i = 0; i < 2000; ++i)
    for (int p = 1; p < 3; ++p) {  // periodic: the same trades with and without costs
      const double cost = at(out, 2000, p, hedge_fee, i) + at(out, 2000, p, hedge_gas, i) +
                          at(out, 2000, p, hedge_impact, i) + at(out, 2000, p, hedge_funding, i);
      ASSERT_EQ(at(out, 2000, p, hedge_gas, i), 0.0);
      ASSERT_GT(at(out, 2000, p, hedge_impact, i), 0.0);
      // The cost-free run pays the same funding: its P&L less fee and impact is this P&L.
      ASSERT_EQ(at(free, 2000, p, hedge_funding, i), at(out, 2000, p, hedge_funding, i));
      const double free_pnl = at(free, 2000, p, hedge_pnl, i) + at(free, 2000, p, hedge_funding, i);
      ASSERT_NEAR(at(out, 2000, p, hedge_pnl, i), free_pnl - cost, 1e-9 * (1 + std::abs(cost)));
    }
  // cost_mean of the results is fee + gas + impact + funding.
  ModelCell model;
  const auto res = evaluate_hedging_cell(s, cell_coordinates(s, 0, 0), cpu(), {8, 8, 99}, &model);
  // /model/funding_mean: the path-average rate has mean `rate` and, for the stationary AR(1)
  // f_0..f_{N-1}, variance v^2 / N^2 sum_{i,j} phi^|i-j|.
  const double phi = std::exp2(-(1.0 / 12.0 / 48.0) * 24.0 * 365.0 / 12.0);
  double pairs = 0.0;
  for (int i = 0; i < 48; ++i)
    for (int j = 0; j < 48; ++j) pairs += std::pow(phi, std::abs(i - j));
  const double se = 0.5 / 48.0 * std::sqrt(pairs / 2000.0);
  EXPECT_NEAR(model.funding_mean, 0.2, 4.0 * se) << "se " << se;
  EXPECT_LT(se, 0.02);
  const auto g = hedging_groups(s)[1];
  const auto& r = res[1].metrics;
  for (int p = 0; p < 2; ++p)
    EXPECT_NEAR(r[metric_index(g, "cost_mean")][p],
                r[metric_index(g, "fee_mean")][p] + r[metric_index(g, "gas_mean")][p] +
                    r[metric_index(g, "impact_mean")][p] + r[metric_index(g, "funding_mean")][p],
                1e-9 * std::abs(r[metric_index(g, "cost_mean")][p]));
}

TEST(PerpAndGasKeys, ParseWithTheirRules) {
  using test_support::all_lines;
  using test_support::kMinimalHedging;
  using test_support::problems_of;
  const std::string h = kMinimalHedging;
  const Scenario ok = parse_scenario(
      h + "instrument = \"perp\"\n[funding]\nrate = 0.1\nvolatility = 0.3\nhalflife_hours = 48\n"
          "correlation = 0.3\n[costs]\ngas_halflife_hours = 6\n[gaps]\n"
          "congestion_halflife_hours = 2\n",
      "x.toml", {});
  EXPECT_EQ(ok.hedging.instrument, "perp");
  EXPECT_EQ(ok.funding.correlation, 0.3);
  EXPECT_EQ(ok.costs.gas_halflife_hours, 6.0);
  EXPECT_EQ(ok.gaps.congestion_halflife_hours, 2.0);
  EXPECT_FALSE(parse_scenario(h, "x.toml", {}).gaps.congestion_halflife_hours.has_value());

  auto problems = problems_of(h + "instrument = \"perp\"\n[costs]\nimpact = \"amm\"\n");
  ASSERT_EQ(problems.size(), 1u) << all_lines(problems);
  EXPECT_EQ(problems[0].key, "hedging.instrument");
  problems = problems_of(h + "instrument = \"future\"\n");
  ASSERT_EQ(problems.size(), 1u) << all_lines(problems);
  EXPECT_EQ(problems[0].key, "hedging.instrument");
  problems = problems_of(h + "[funding]\ncorrelation = 1.5\nhalflife_hours = 0\n");
  ASSERT_EQ(problems.size(), 2u) << all_lines(problems);
  problems = problems_of(h + "[gaps]\ncongestion_halflife_hours = 0\n");
  ASSERT_EQ(problems.size(), 1u) << all_lines(problems);
  EXPECT_EQ(problems[0].key, "gaps.congestion_halflife_hours");
  problems = problems_of(h + "[costs]\ngas_halflife_hours = -1\n");
  ASSERT_EQ(problems.size(), 1u) << all_lines(problems);
}

}  // namespace
}  // namespace hedgemap
