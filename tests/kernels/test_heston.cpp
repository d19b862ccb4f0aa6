// Heston and Bates paths (volatility.model = "heston", kernels/heston_variance.hpp: Andersen's QE
// step with the martingale correction) against closed forms (docs/validation.md, item 12):
//   - the Fourier reference (tests/support/heston_fourier.hpp) reproduces QuantLib's Heston and
//     Bates prices 7.615747 and 8.965305;
//   - call and put prices on the paths (/model/book_price_mc) equal the Fourier price within 4
//     standard errors at QuantLib's points (daily steps) and at a crypto-like Bates point with
//     outage crashes and vol of vol 1.5, at dt = 1 h (float) and 1 day (double);
//   - E[S_T] = S_0 e^{mu T} under Bates with outages and vol of vol 2; the mean realised variance
//     is the configured total when v_0 != theta (the long-run variance accounts for it);
//   - vol of vol 0 is the deterministic variance, stepped exactly (a Black-Scholes price);
//   - every hedging policy's mean P&L is e^{rT} (V_Heston - V_BS(sigma_i)) on Heston paths;
//   - the variance draws are counter-addressed: 1 and 2 threads give the same bits.
// Fixed seeds, 4 standard errors.
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

#include "host/exec/backend.hpp"
#include "host/exec/path_runner.hpp"
#include "host/families/hedging.hpp"
#include "host/families/model_summary.hpp"
#include "host/cpu/simd_hedging.hpp"
#include "tests/support/heston_fourier.hpp"

namespace hedgemap {
namespace {

using reference::heston_call_lewis;
using reference::heston_put_lewis;
using reference::HestonModel;

double ncdf(double x) { return 0.5 * std::erfc(-x / std::sqrt(2.0)); }
double bs_call(double s, double k, double r, double sigma, double tau) {
  const double st = sigma * std::sqrt(tau);
  const double d1 = (std::log(s / k) + r * tau) / st + 0.5 * st;
  return s * ncdf(d1) - k * std::exp(-r * tau) * ncdf(d1 - st);
}

Execution cpu(int threads = 0) {
  Execution e;
  e.backend = BackendKind::cpu;
  e.threads = threads;
  return e;
}

TEST(HestonFourier, ReferenceReproducesQuantLib) {
  HestonModel m{100, 100, 1.0, 0.0, 0.04, 2.0, 0.04, 0.3, -0.7, {}, {}};
  EXPECT_NEAR(heston_call_lewis(m), 7.615747, 1e-6);  // AnalyticHestonEngine
  m.jumps = {0.5, -0.1, 0.15};
  EXPECT_NEAR(heston_call_lewis(m), 8.965305, 1e-6);  // BatesEngine
}

// One QE step (kernels/heston_variance.hpp) from fixed v, with the draws from the standard
// library's generators, at a coarse step and a large vol of vol: v' has the exact conditional mean
// m and variance s^2 in both branches, and the step is a martingale, E[e^{increment}] = 1. The
// latter is estimated with Z integrated out exactly, W = e^{increment - sqrt(K3 v + K4 v') Z +
// (K3 v + K4 v') / 2}, E[W] = E[e^{increment}], whose noise is that of v' alone (a K0* off by
// 2e-3 fails it).
TEST(HestonQe, StepMatchesTheMomentsAndIsAMartingale) {
  HestonParams h;
  h.mean_reversion = 1.0;
  h.vol_of_vol = 2.5;
  h.correlation = -0.7;
  h.long_run_variance = 0.5;
  const double dt = 0.05;
  const HestonStep c = heston_step(h, dt);
  std::mt19937_64 rng(77);
  std::normal_distribution<double> normal;
  std::uniform_real_distribution<double> uniform(0.0, 1.0);
  for (double v0 : {0.02, 0.5, 2.0}) {  // psi > 1.5 (exponential branch), and <= 1.5
    SCOPED_TRACE(v0);
    const double e = std::exp(-dt);
    const double m = 0.5 + (v0 - 0.5) * e;
    const double s2 = v0 * 6.25 * e * (1 - e) + 0.5 * 6.25 * (1 - e) * (1 - e) / 2.0;
    const int n = 400000;
    double sv = 0, sv2 = 0, sv4 = 0, sw = 0, sw2 = 0;
    for (int i = 0; i < n; ++i) {
      double v = v0;
      const double zv = normal(rng), u = uniform(rng), z = normal(rng);
      const double inc = heston_qe_step<double>(h, c, v, zv, u, z);
      const double d = v - m;
      sv += d, sv2 += d * d, sv4 += d * d * d * d;
      const double var_z = c.k3 * v0 + c.k4 * v;
      const double w = std::exp(inc - std::sqrt(var_z) * z + 0.5 * var_z);
      sw += w, sw2 += w * w;
    }
    const double mean_d = sv / n, var = sv2 / n - mean_d * mean_d;
    EXPECT_NEAR(mean_d, 0.0, 4.0 * std::sqrt(var / n));
    EXPECT_NEAR(var, s2, 4.0 * std::sqrt((sv4 / n - var * var) / n));
    const double w = sw / n, w_se = std::sqrt((sw2 / n - w * w) / n);
    EXPECT_NEAR(w, 1.0, 4.0 * w_se);
    EXPECT_LT(w_se, 5e-4);
  }
}

// A one-cell scenario with Heston paths and a book of one option; no hedging family needed.
Scenario heston_scenario(double implied, double expiry_days, double kappa, double xi, double rho) {
  Scenario s;
  s.seed = 5150;
  s.simulation.paths = 20000;
  s.simulation.precision = "double";
  s.grid.volatility = {implied};
  s.grid.expiry_days = {expiry_days};
  s.market.spot = 100.0;
  s.volatility.model = "heston";
  s.volatility.mean_reversion = kappa;
  s.volatility.vol_of_vol = xi;
  s.volatility.correlation = rho;
  s.cppi.present = true;
  return s;
}

// The Fourier model of a scenario's cell: theta and v_0 as process_params sets them.
HestonModel fourier_model(const Scenario& s, double strike) {
  const ProcessParams p = process_params(s, cell_coordinates(s, 0, 0));
  HestonModel m{p.spot,
                strike * p.spot,
                p.expiry,
                p.rate,
                p.heston.initial_variance,
                p.heston.mean_reversion,
                p.heston.long_run_variance,
                p.heston.vol_of_vol,
                p.heston.correlation,
                {},
                {}};
  if (p.jumps.model == JumpModel::merton)
    m.jumps = {p.jumps.intensity, p.jumps.log_mean, p.jumps.log_stdev};
  m.crashes = {p.gaps.intensity, p.gaps.crash_log_mean, p.gaps.crash_log_stdev};
  return m;
}

// The book's Monte Carlo price on the cell's paths within 4 standard errors of `expected`.
void expect_price(Scenario s, std::vector<BookLeg> book, double expected, const char* what) {
  s.book = std::move(book);
  const ModelCell m = evaluate_model_cell(s, cell_coordinates(s, 0, 0), cpu());
  EXPECT_NEAR(m.book_price_mc, expected, 4.0 * m.book_price_mc_stderr)
      << what << ": stderr " << m.book_price_mc_stderr;
  EXPECT_LT(m.book_price_mc_stderr, 0.02 * expected) << what;  // sees an 8% error
}

// QuantLib's points: v_0 = theta = 0.04 is grid.volatility 0.2 with realised = implied and no
// jumps (the diffusion gets all the variance); 365 daily steps.
TEST(HestonMonteCarlo, QuantLibHestonAndBatesPointsAtDailySteps) {
  Scenario s = heston_scenario(0.2, 365.0, 2.0, 0.3, -0.7);
  s.simulation.dt_hours = 24.0;
  const ProcessParams p = process_params(s, cell_coordinates(s, 0, 0));
  EXPECT_NEAR(p.heston.long_run_variance, 0.04, 1e-15);
  EXPECT_NEAR(p.heston.initial_variance, 0.04, 1e-15);
  expect_price(s, {BookLeg{"call", 1.0, 1.0}}, 7.615747, "Heston");
  // Bates: the jumps' variance 0.5 (0.01 + 0.0225) comes out of the diffusion's, so the grid
  // value that leaves theta = 0.04 is sqrt(0.04 + 0.01625).
  s.jumps = JumpConfig{"merton", 0.5, -0.1, 0.15};
  s.grid.volatility = {std::sqrt(0.04 + 0.5 * (0.01 + 0.0225))};
  EXPECT_NEAR(process_params(s, cell_coordinates(s, 0, 0)).heston.long_run_variance, 0.04, 1e-15);
  expect_price(s, {BookLeg{"call", 1.0, 1.0}}, 8.965305, "Bates");
}

// Crypto-like: implied 0.8, realised 0.9 of it, Merton jumps and crashing outages, kappa 4,
// vol of vol 1.5, rho -0.4, v_0 = 1.5 theta, 30 days; at dt = 1 h in float (the fast path) and
// dt = 1 day in double, a strangle (an OTM call and an OTM put).
TEST(HestonMonteCarlo, CryptoBatesWithOutagesAtHourlyAndDailySteps) {
  Scenario s = heston_scenario(0.8, 30.0, 4.0, 1.5, -0.4);
  s.volatility.realised_to_implied = 0.9;
  s.volatility.initial_to_long_run = 1.5;
  s.market.rate = 0.03;
  s.market.drift = 0.03;
  s.jumps = JumpConfig{"merton", 10.0, -0.02, 0.06};
  s.gaps.intensity = 4.0;
  s.gaps.duration_hours = 6.0;
  s.gaps.crash_log_mean = -0.12;
  s.gaps.crash_log_stdev = 0.05;
  s.costs.latency_seconds = 12.0;  // the latency split: two QE sub-steps per step
  const double strangle =
      heston_call_lewis(fourier_model(s, 1.1)) + heston_put_lewis(fourier_model(s, 0.9));
  const std::vector<BookLeg> book{BookLeg{"call", 1.1, 1.0}, BookLeg{"put", 0.9, 1.0}};
  s.simulation.dt_hours = 1.0;
  s.simulation.precision = "float";
  expect_price(s, book, strangle, "hourly");
  s.simulation.dt_hours = 24.0;
  s.simulation.precision = "double";
  expect_price(s, book, strangle, "daily");
}

// E[S_T] = S_0 e^{mu T} with the martingale-corrected step, Bates jumps and outages, vol of vol
// 2 at daily steps, in both precisions; and the mean realised variance
// sum_k (ln S_{k+1}/S_k)^2 / T over paths is the configured total (0.95 x 0.7)^2 with v_0 = 2
// theta (plus sum_k E[(mean step return)^2] / T, bounded by 1e-3 of it here).
TEST(HestonMonteCarlo, MartingaleAndRealisedVarianceUnderBatesWithOutages) {
  for (const char* precision : {"double", "float"}) {
    SCOPED_TRACE(precision);
    Scenario s = heston_scenario(0.7, 60.0, 3.0, 2.0, -0.6);
    s.simulation.paths = 20000;
    s.simulation.dt_hours = 24.0;
    s.simulation.precision = precision;
    s.volatility.realised_to_implied = 0.95;
    s.volatility.initial_to_long_run = 2.0;
    s.market.drift = 0.3;
    s.jumps = JumpConfig{"merton", 10.0, -0.02, 0.06};
    s.gaps.intensity = 6.0;
    s.gaps.crash_log_mean = -0.1;
    s.gaps.crash_log_stdev = 0.05;
    const ModelCell m = evaluate_model_cell(s, cell_coordinates(s, 0, 0), cpu());
    EXPECT_NEAR(m.terminal_spot_mean, 100.0 * std::exp(0.3 * 60.0 / 365.0),
                4.0 * m.terminal_spot_stderr);
    // Realised variance per path from the summary column of a direct run.
    BookPriceKernel<double> k;
    k.process = process_params(s, cell_coordinates(s, 0, 0));
    double sum = 0.0, sum2 = 0.0;
    std::uint64_t n = 0;
    run_paths(cpu(), k, 20000, [&](std::uint64_t, std::uint64_t count, const double* block) {
      for (std::uint64_t i = 0; i < count; ++i) {
        const double vol = block[summary_realised_volatility * count + i];
        sum += vol * vol;
        sum2 += vol * vol * vol * vol;
        ++n;
      }
    });
    const double mean = sum / double(n), se = std::sqrt((sum2 / double(n) - mean * mean) / n);
    const double total = 0.95 * 0.95 * 0.49;
    EXPECT_NEAR(mean, total, 4.0 * se + 1e-3 * total);
    EXPECT_LT(se, 0.02 * total);
  }
}

// Vol of vol 0: v follows its mean ODE exactly, and the price is Black-Scholes at the average
// variance over the life, which process_params makes the diffusive variance (0.6^2 here).
TEST(HestonMonteCarlo, ZeroVolOfVolIsTheDeterministicVariance) {
  Scenario s = heston_scenario(0.6, 30.0, 5.0, 0.0, -0.5);
  s.simulation.paths = 20000;
  s.simulation.steps = 7;  // coarse: the step is exact anyway
  s.simulation.precision = "float";
  s.volatility.initial_to_long_run = 3.0;
  const ProcessParams p = process_params(s, cell_coordinates(s, 0, 0));
  const double T = p.expiry, theta = p.heston.long_run_variance;
  EXPECT_NEAR(theta + 2.0 * theta * (1.0 - std::exp(-5.0 * T)) / (5.0 * T), 0.36, 1e-12);
  expect_price(s, {BookLeg{"call", 1.0, 1.0}}, bs_call(100, 100, 0, 0.6, T), "xi = 0");
}

// Hedging on Heston paths: the premium is Black-Scholes at the implied volatility, the paths' price
// is Heston's, so with drift = rate and no costs every policy's mean P&L is their difference.
TEST(HestonHedging, MeanPnlIsHestonPriceMinusPremiumAtEveryPolicy) {
  Scenario s = heston_scenario(0.7, 30.0, 4.0, 1.2, -0.5);
  s.simulation.paths = 20000;
  s.simulation.dt_hours = 4.0;
  s.simulation.precision = "float";
  s.volatility.realised_to_implied = 0.8;
  s.market.rate = 0.02;
  s.market.drift = 0.02;
  s.cppi.present = false;
  s.book = {BookLeg{"call", 1.0, 1.0}};
  s.hedging.present = true;
  s.hedging.policies = {"periodic", "delta_band", "whalley_wilmott"};
  s.hedging.periodic_every_steps = {1, 6};
  s.hedging.delta_band_band = {0.05};
  s.hedging.whalley_wilmott_risk_aversion = {1e-2};
  const HedgingKernel<float> k = make_hedging_kernel<float>(s, cell_coordinates(s, 0, 0));
  EXPECT_FALSE(simd_eligible(k));  // Heston paths run the scalar kernel on the CPU
  const double T = 30.0 / 365.0;
  const double expected = std::exp(0.02 * T) * (heston_call_lewis(fourier_model(s, 1.0)) -
                                                bs_call(100, 100, 0.02, 0.7, T));
  EXPECT_LT(expected, -0.5);  // realised below implied: the long call loses
  const std::vector<GroupSpec> groups = hedging_groups(s);
  const auto results =
      evaluate_hedging_cell(s, cell_coordinates(s, 0, 0), cpu(), BootstrapPlan{8, 8, 99});
  for (std::size_t g = 0; g < groups.size(); ++g) {
    const auto& mean = results[g].metrics[0];  // pnl_mean
    const auto& se = results[g].metrics[2];    // pnl_stderr
    ASSERT_EQ(groups[g].metrics[0].name, "pnl_mean");
    ASSERT_EQ(groups[g].metrics[2].name, "pnl_stderr");
    for (std::size_t p = 0; p < mean.size(); ++p)
      EXPECT_NEAR(mean[p], expected, 4.0 * se[p]) << groups[g].policy << " point " << p;
  }
}

// The variance draws sit in the counter-addressed stream: any thread count, the same bits.
TEST(HestonHedging, OneAndTwoThreadsGiveTheSameBits) {
  Scenario s = heston_scenario(0.8, 7.0, 4.0, 1.5, -0.4);
  s.simulation.precision = "float";
  s.jumps = JumpConfig{"merton", 10.0, -0.02, 0.06};
  s.gaps.intensity = 20.0;
  s.gaps.crash_log_mean = -0.05;
  s.book = {BookLeg{"call", 1.0, -1.0}, BookLeg{"put", 0.95, -1.0}};
  s.hedging.present = true;
  s.hedging.policies = {"periodic", "delta_band"};
  const HedgingKernel<float> k = make_hedging_kernel<float>(s, cell_coordinates(s, 0, 0));
  auto block = [&](int threads) {
    std::vector<double> out;
    run_paths(cpu(threads), k, 3000, [&](std::uint64_t, std::uint64_t n, const double* b) {
      out.insert(out.end(), b, b + std::size_t(k.columns()) * n);
    });
    return out;
  };
  const std::vector<double> one = block(1), two = block(2);
  ASSERT_EQ(one.size(), two.size());
  EXPECT_TRUE(one == two);
}

}  // namespace
}  // namespace hedgemap
