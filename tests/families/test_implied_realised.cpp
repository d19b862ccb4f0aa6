// The volatility axis is the implied volatility at t=0 (docs/validation.md, item 11): the premium
// is charged at it, the paths realise realised_to_implied x it in total (diffusion + jumps +
// outage crashes), and the hedger computes with it. Checked against closed forms:
//   - the variance budget per cell (kernels/variance_budget.hpp) against hand-written sums;
//   - implied != realised: with drift = rate and no costs every hedging policy's mean P&L is
//     e^{rT} sum_i q_i (V_i(sigma_r) - V_i(sigma_i)) (2.2759 for a long call at the reference);
//   - the mean realised variance on the paths equals the configured total, E[S_T] = S_0 e^{mu T};
//   - the hedger's Merton model prices the outage crashes as a second jump component: the double
//     series equals the single one where they coincide, and the paths' price within 4 SE.
// Fixed seeds, 4 standard errors.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "host/exec/backend.hpp"
#include "host/exec/path_runner.hpp"
#include "host/families/hedging.hpp"
#include "host/families/model_summary.hpp"
#include "kernels/book_price_kernel.hpp"
#include "kernels/merton_pricing.hpp"

namespace hedgemap {
namespace {

// Own Black-Scholes, independent of kernels/black_scholes.hpp.
double ncdf(double x) { return 0.5 * std::erfc(-x / std::sqrt(2.0)); }
double bs_price(bool call, double s, double k, double r, double sigma, double tau) {
  const double st = sigma * std::sqrt(tau);
  const double d1 = (std::log(s / k) + r * tau) / st + 0.5 * st, d2 = d1 - st;
  const double df = std::exp(-r * tau);
  return call ? s * ncdf(d1) - k * df * ncdf(d2) : k * df * ncdf(-d2) - s * ncdf(-d1);
}

Execution cpu() {
  Execution e;
  e.backend = BackendKind::cpu;
  return e;
}

int metric(const GroupSpec& g, const std::string& name) {
  for (std::size_t i = 0; i < g.metrics.size(); ++i)
    if (g.metrics[i].name == name) return int(i);
  ADD_FAILURE() << "no metric " << name;
  return 0;
}

// Default-like market: Merton jumps and crashing outages.
Scenario eventful(double ratio) {
  Scenario s;
  s.seed = 9090;
  s.grid.volatility = {0.6};
  s.grid.expiry_days = {30.0};
  s.volatility.realised_to_implied = ratio;
  s.jumps.model = "merton";
  s.jumps.intensity = 10.0;
  s.jumps.log_mean = -0.02;
  s.jumps.log_stdev = 0.06;
  s.gaps.intensity = 4.0;
  s.gaps.duration_hours = 6.0;
  s.gaps.crash_log_mean = -0.12;
  s.gaps.crash_log_stdev = 0.05;
  return s;
}

TEST(VarianceBudget, DiffusionGetsWhatJumpsAndCrashesLeave) {
  Scenario s = eventful(0.9);
  const CellCoordinates cell = cell_coordinates(s, 0, 0);
  // (0.9 x 0.6)^2 - 10 (0.02^2 + 0.06^2) - 4 (0.12^2 + 0.05^2) = 0.2916 - 0.04 - 0.0676
  const double merton = 0.2916 - 0.04 - 0.0676;
  ProcessParams p = process_params(s, cell);
  EXPECT_NEAR(p.volatility, std::sqrt(merton), 1e-12);
  EXPECT_EQ(p.implied_volatility, 0.6);
  const VarianceBudget b = cell_variance_budget(s, 0.6);
  EXPECT_NEAR(b.total_variance, 0.2916, 1e-15);
  EXPECT_NEAR(b.jump_variance, 0.04, 1e-15);
  EXPECT_NEAR(b.crash_variance, 0.0676, 1e-15);
  EXPECT_NEAR(implied_for_diffusive(s, p.volatility), 0.6, 1e-12);
  // Kou: E[J^2] = p 2/eta1^2 + (1-p) 2/eta2^2; 8 (0.4 x 2/625 + 0.6 x 2/400) = 0.03424.
  s.jumps.model = "kou";
  s.jumps.intensity = 8.0;
  s.jumps.up_probability = 0.4;
  s.jumps.up_rate = 25.0;
  s.jumps.down_rate = 20.0;
  p = process_params(s, cell);
  EXPECT_NEAR(p.volatility, std::sqrt(0.2916 - 0.03424 - 0.0676), 1e-12);
  // No jumps, no outages, ratio 1: the diffusion is the implied volatility itself.
  s.jumps.model = "none";
  s.gaps.intensity = 0.0;
  s.volatility.realised_to_implied = 1.0;
  EXPECT_EQ(process_params(s, cell).volatility, 0.6);
  // Nothing left: refused (the parser names the cell; code that builds a Scenario gets a throw).
  s = eventful(0.5);  // 0.09 < 0.1076
  EXPECT_THROW(process_params(s, cell), std::invalid_argument);
}

// A hedging scenario with every policy, no costs, drift = rate, paths at sigma_r = ratio sigma_i.
Scenario hedged(double implied, double ratio, double rate, std::vector<BookLeg> book) {
  Scenario s;
  s.seed = 1100;
  s.simulation.paths = 20000;
  s.simulation.dt_hours = 4.0;
  s.simulation.precision = "float";
  s.grid.volatility = {implied};
  s.grid.expiry_days = {30.0};
  s.market.spot = 100.0;
  s.market.rate = rate;
  s.market.drift = rate;
  s.volatility.realised_to_implied = ratio;
  s.book = std::move(book);
  s.hedging.present = true;
  s.hedging.policies = {"periodic", "delta_band", "whalley_wilmott"};
  s.hedging.periodic_every_steps = {1, 6};
  s.hedging.delta_band_band = {0.02, 0.2};
  s.hedging.whalley_wilmott_risk_aversion = {1e-2};
  return s;
}

// Every point of every group: |mean P&L - expected| < 4 standard errors.
void expect_mean_pnl(const Scenario& s, double expected) {
  const std::vector<GroupSpec> groups = hedging_groups(s);
  const auto results =
      evaluate_hedging_cell(s, cell_coordinates(s, 0, 0), cpu(), BootstrapPlan{8, 8, 99});
  ASSERT_EQ(groups.size(), 4u);
  for (std::size_t g = 0; g < groups.size(); ++g) {
    const auto& mean = results[g].metrics[metric(groups[g], "pnl_mean")];
    const auto& se = results[g].metrics[metric(groups[g], "pnl_stderr")];
    for (std::size_t p = 0; p < mean.size(); ++p)
      EXPECT_NEAR(mean[p], expected, 4.0 * se[p]) << groups[g].policy << " point " << p;
  }
}

// Validation item 11 at its reference point: long one ATM call, S = K = 100, T = 30/365, r = 0,
// sigma_i = 0.6, sigma_r = 0.8: E[PnL] = V(0.8) - V(0.6) = 2.2759.
TEST(ImpliedRealised, MeanPnlIsThePremiumDifferenceAtTheReferencePoint) {
  const double T = 30.0 / 365.0;
  const double expected = bs_price(true, 100, 100, 0, 0.8, T) - bs_price(true, 100, 100, 0, 0.6, T);
  EXPECT_NEAR(expected, 2.2759, 5e-5);
  expect_mean_pnl(hedged(0.6, 0.8 / 0.6, 0.0, {BookLeg{"call", 1.0, 1.0}}), expected);
}

// A short strangle with a rate, realised below implied (the variance risk premium): the hedger
// earns e^{rT} sum_i q_i (V_i(sigma_r) - V_i(sigma_i)) > 0 whatever the policy.
TEST(ImpliedRealised, ShortStrangleEarnsTheVarianceRiskPremiumAtEveryPolicy) {
  const double T = 30.0 / 365.0, r = 0.05, si = 0.7, sr = 0.75 * 0.7;
  const double expected =
      std::exp(r * T) *
      (-2.0 * (bs_price(true, 100, 105, r, sr, T) - bs_price(true, 100, 105, r, si, T)) -
       3.0 * (bs_price(false, 100, 95, r, sr, T) - bs_price(false, 100, 95, r, si, T)));
  EXPECT_GT(expected, 1.0);
  expect_mean_pnl(hedged(si, 0.75, r, {BookLeg{"call", 1.05, -2.0}, BookLeg{"put", 0.95, -3.0}}),
                  expected);
}

// Paths of the eventful market with ratio 0.85, in double: the mean over paths of the realised
// variance sum_k (ln S_{k+1}/S_k)^2 / T is the configured total (0.85 x 0.6)^2 plus the squared
// mean log return per step summed (g^2 dt, g = mu - sigma_d^2/2 - lambda_J kappa_J - lambda_G
// kappa_G + lambda_J m_J + lambda_G m_C: about 1e-4 of it here); E[S_T] = S_0 e^{mu T}.
TEST(ImpliedRealised, MeanRealisedVarianceIsTheConfiguredTotal) {
  for (const char* jumps : {"merton", "kou"}) {
    SCOPED_TRACE(jumps);
    Scenario s = eventful(0.85);
    s.market.drift = 0.2;
    s.jumps.model = jumps;
    s.simulation.steps = 240;
    s.costs.latency_seconds = 60.0;
    BookPriceKernel<double> k;
    k.process = process_params(s, cell_coordinates(s, 0, 0));
    const std::uint64_t n = 16000;
    std::vector<double> rv, growth;
    run_paths(cpu(), k, n, [&](std::uint64_t, std::uint64_t count, const double* block) {
      for (std::uint64_t i = 0; i < count; ++i) {
        const double vol = block[summary_realised_volatility * count + i];
        rv.push_back(vol * vol);
        growth.push_back(block[summary_terminal_spot * count + i] / k.process.spot);
      }
    });
    ASSERT_EQ(rv.size(), n);
    auto mean_se = [](const std::vector<double>& x) {
      double m = 0, m2 = 0;
      for (double v : x) m += v;
      m /= double(x.size());
      for (double v : x) m2 += (v - m) * (v - m);
      return std::make_pair(m, std::sqrt(m2 / double(x.size() - 1) / double(x.size())));
    };
    const ProcessParams& p = k.process;
    const double kappa_j = std::string(jumps) == "merton"
                               ? std::exp(-0.02 + 0.5 * 0.06 * 0.06) - 1.0
                               : 0.5 * 25.0 / 24.0 + 0.5 * 20.0 / 21.0 - 1.0;  // Kou, p = 1/2
    const double mean_j = std::string(jumps) == "merton" ? -0.02 : 0.5 / 25.0 - 0.5 / 20.0;
    const double kappa_c = std::exp(-0.12 + 0.5 * 0.05 * 0.05) - 1.0;
    const double g = 0.2 - 0.5 * p.volatility * p.volatility - 10.0 * kappa_j - 4.0 * kappa_c +
                     10.0 * mean_j + 4.0 * -0.12;
    const double total = 0.85 * 0.85 * 0.36;
    const auto [rv_mean, rv_se] = mean_se(rv);
    EXPECT_NEAR(rv_mean, total + g * g * p.dt, 4.0 * rv_se) << "total " << total;
    EXPECT_LT(rv_se, 0.02 * total);  // the test can see an 8% error
    const auto [growth_mean, growth_se] = mean_se(growth);
    EXPECT_NEAR(growth_mean, std::exp(0.2 * p.expiry), 4.0 * growth_se);
  }
}

// Without jumps the realised volatility of a path concentrates at sigma_r: /model/ reports the
// budget and realised_volatility_mc (float, the lane-batched kernel where the CPU has one).
TEST(ImpliedRealised, ModelGroupReportsTheVolatilities) {
  Scenario s;
  s.seed = 31;
  s.simulation.paths = 4000;
  s.simulation.precision = "float";
  s.grid.volatility = {0.5};
  s.grid.expiry_days = {7.0};
  s.volatility.realised_to_implied = 0.8;
  s.book = {BookLeg{"call", 1.0, -1.0}};
  s.cppi.present = true;
  const ModelCell m = evaluate_model_cell(s, cell_coordinates(s, 0, 0), cpu());
  EXPECT_EQ(m.implied_volatility, 0.5);
  EXPECT_NEAR(m.realised_volatility_total, 0.4, 1e-15);
  EXPECT_NEAR(m.diffusive_volatility, 0.4, 1e-15);
  // 168 hourly returns: sqrt of a chi-square / 168, mean 0.4 (1 - 1/(4 x 168)), sd 0.4/sqrt(336)
  EXPECT_NEAR(m.realised_volatility_mc, 0.4 * (1.0 - 1.0 / 672.0),
              4.0 * 0.4 / std::sqrt(336.0 * 4000.0));
  EXPECT_NEAR(m.book_price, -bs_price(true, 3000, 3000, 0, 0.5, 7.0 / 365.0), 1e-8);
  // The paths realise 0.4: the payoff's value is the price at 0.4.
  EXPECT_NEAR(m.book_price_mc, -bs_price(true, 3000, 3000, 0, 0.4, 7.0 / 365.0),
              4.0 * m.book_price_mc_stderr);
}

// The hedger's Merton model with two normal components: where they have one law, the double
// series is the single series of the summed intensity (Poisson superposition); with crashes alone
// it is the single series of the crashes.
TEST(MertonTwoComponents, DoubleSeriesReducesToTheSingleOne) {
  const JumpParams single{JumpModel::merton, 7.0, -0.08, 0.1};
  MertonJumps two;
  two.jumps = {3.0, -0.08, 0.1};
  two.crashes = {4.0, -0.08, 0.1};
  MertonJumps crashes_only;
  crashes_only.crashes = {7.0, -0.08, 0.1};
  for (OptionType type : {OptionType::call, OptionType::put})
    for (double strike : {80.0, 100.0, 125.0}) {
      const auto a = merton_jump_diffusion<double>(type, 100, strike, 0.03, 0.4, 0.25, single);
      const auto b = merton_jump_diffusion<double>(type, 100, strike, 0.03, 0.4, 0.25, two);
      const auto c =
          merton_jump_diffusion<double>(type, 100, strike, 0.03, 0.4, 0.25, crashes_only);
      EXPECT_NEAR(b.price, a.price, 1e-10 * a.price) << strike;
      EXPECT_NEAR(b.delta, a.delta, 1e-11);
      EXPECT_NEAR(b.gamma, a.gamma, 1e-12);
      EXPECT_NEAR(b.vega, a.vega, 1e-9);
      EXPECT_NEAR(c.price, a.price, 1e-10 * a.price) << strike;
    }
}

// P(N = n) for N ~ Poisson(mean), mean >= 0.
double poisson(int n, double mean) {
  return n == 0 ? std::exp(-mean) : std::exp(-mean + n * std::log(mean) - std::lgamma(n + 1.0));
}

// Own two-component Merton price, 40 x 40 terms of the Poisson mixture, from bs_price above.
double merton_two(bool call, double s, double k, double r, double sigma, double tau,
                  const NormalJumps& a, const NormalJumps& b) {
  const double ka = std::exp(a.log_mean + 0.5 * a.log_stdev * a.log_stdev) - 1.0;
  const double kb = std::exp(b.log_mean + 0.5 * b.log_stdev * b.log_stdev) - 1.0;
  const double la = a.intensity * (1.0 + ka) * tau, lb = b.intensity * (1.0 + kb) * tau;
  double sum = 0.0;
  for (int n = 0; n < 40; ++n)
    for (int m = 0; m < 40; ++m) {
      const double w = poisson(n, la) * poisson(m, lb);
      const double var =
          sigma * sigma + (n * a.log_stdev * a.log_stdev + m * b.log_stdev * b.log_stdev) / tau;
      const double rate =
          r - a.intensity * ka - b.intensity * kb + (n * std::log1p(ka) + m * std::log1p(kb)) / tau;
      sum += w * bs_price(call, s, k, rate, std::sqrt(var), tau);
    }
  return sum;
}

// The paths with Merton jumps and crashing outages, ratio 1, drift = rate: the Merton hedger's
// premium (jumps and crashes, diffusion = implied^2 - their variance) is the paths' price, so
// book_price = book_price_mc and every policy's mean P&L is 0. A hedger that dropped the crash
// component (the first release's) would price 9.66 against 11.88: 14 standard errors off.
TEST(MertonTwoComponents, MertonHedgerPremiumIsThePathsPrice) {
  Scenario s = hedged(0.9, 1.0, 0.02, {BookLeg{"put", 0.9, -1.0}, BookLeg{"call", 1.1, -1.0}});
  s.simulation.paths = 16000;
  s.simulation.steps = 30;
  s.simulation.precision = "double";
  s.hedging.model = "merton";
  s.jumps.model = "merton";
  s.jumps.intensity = 12.0;
  s.jumps.log_mean = -0.03;
  s.jumps.log_stdev = 0.05;
  s.gaps.intensity = 24.0;  // two crashing outages a month
  s.gaps.duration_hours = 2.0;
  s.gaps.crash_log_mean = -0.08;
  s.gaps.crash_log_stdev = 0.04;
  const NormalJumps jumps{12.0, -0.03, 0.05}, crashes{24.0, -0.08, 0.04};
  const double T = 30.0 / 365.0;
  const double sigma_d =
      std::sqrt(0.81 - 12.0 * (0.03 * 0.03 + 0.05 * 0.05) - 24.0 * (0.08 * 0.08 + 0.04 * 0.04));
  const ModelCell m = evaluate_model_cell(s, cell_coordinates(s, 0, 0), cpu());
  const double premium = -merton_two(false, 100, 90, 0.02, sigma_d, T, jumps, crashes) -
                         merton_two(true, 100, 110, 0.02, sigma_d, T, jumps, crashes);
  EXPECT_NEAR(m.book_price, premium, 1e-9 * std::abs(premium));
  EXPECT_NEAR(m.book_price, m.book_price_mc, 4.0 * m.book_price_mc_stderr);
  const double dropped = -merton_two(false, 100, 90, 0.02, sigma_d, T, jumps, NormalJumps{}) -
                         merton_two(true, 100, 110, 0.02, sigma_d, T, jumps, NormalJumps{});
  EXPECT_GT(std::abs(dropped - m.book_price_mc), 10.0 * m.book_price_mc_stderr)
      << dropped << " vs " << m.book_price_mc;

  // Hedged with the Merton deltas (fewer paths and steps: the model's double series is slow).
  s.simulation.paths = 4000;
  s.simulation.steps = 10;
  s.hedging.policies = {"periodic", "delta_band"};
  s.hedging.periodic_every_steps = {1};
  s.hedging.delta_band_band = {0.2};
  const std::vector<GroupSpec> groups = hedging_groups(s);
  const auto results =
      evaluate_hedging_cell(s, cell_coordinates(s, 0, 0), cpu(), BootstrapPlan{8, 8, 99});
  for (std::size_t g = 0; g < groups.size(); ++g) {
    const auto& mean = results[g].metrics[metric(groups[g], "pnl_mean")];
    const auto& se = results[g].metrics[metric(groups[g], "pnl_stderr")];
    for (std::size_t p = 0; p < mean.size(); ++p)
      EXPECT_NEAR(mean[p], 0.0, 4.0 * se[p]) << groups[g].policy << " point " << p;
  }
}

}  // namespace
}  // namespace hedgemap
