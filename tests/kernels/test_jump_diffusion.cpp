// The simulated price process against closed forms, in double and in float:
//   E[S_T] = S_0 e^{mu T} with Merton or Kou jumps and crashing outages (the compensator works);
//   jump and outage counts are Poisson(lambda T); ln(S_T/S_0) has the compound-Poisson mean and
//   variance; the fill price is the path's own price at t + latency; outages block every later
//   decision time while they last and never when switched off; paths are reproducible by
//   (seed, path) in any order. Fixed seeds, 4 standard errors.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "kernels/jump_diffusion.hpp"

namespace hedgemap {
namespace {

constexpr double kDaysPerYear = 365.0;

ProcessParams base_process(unsigned long long seed, int steps, double expiry_days) {
  ProcessParams p;
  p.seed = seed;
  p.spot = 30000.0;
  p.rate = 0.0;
  p.drift = 0.15;
  p.volatility = 0.8;
  p.expiry = expiry_days / kDaysPerYear;
  p.steps = steps;
  p.dt = p.expiry / steps;
  return p;
}

ProcessParams with_merton_jumps(ProcessParams p) {
  p.jumps.model = JumpModel::merton;
  p.jumps.intensity = 50.0;
  p.jumps.log_mean = -0.05;
  p.jumps.log_stdev = 0.1;
  return p;
}

ProcessParams with_kou_jumps(ProcessParams p) {
  p.jumps.model = JumpModel::kou;
  p.jumps.intensity = 50.0;
  p.jumps.up_probability = 0.4;
  p.jumps.up_rate = 10.0;
  p.jumps.down_rate = 5.0;
  return p;
}

ProcessParams with_outages(ProcessParams p) {
  p.gaps.intensity = 20.0;
  p.gaps.mean_duration = 0.5 / kDaysPerYear;
  p.gaps.crash_log_mean = -0.1;
  p.gaps.crash_log_stdev = 0.05;
  return p;
}

// Sample statistics of one quantity and the standard errors of its mean and variance.
struct Sample {
  double n = 0, sum = 0, sum2 = 0;
  std::vector<double> values;
  void add(double x) {
    values.push_back(x);
    n += 1, sum += x, sum2 += x * x;
  }
  double mean() const { return sum / n; }
  double var() const { return (sum2 - sum * sum / n) / (n - 1); }
  double se_mean() const { return std::sqrt(var() / n); }
  // Var of the sample variance ~ (mu4 - sigma^4) / n, mu4 from the sample.
  double se_var() const {
    const double m = mean();
    double m4 = 0;
    for (double x : values) m4 += std::pow(x - m, 4);
    m4 /= n;
    return std::sqrt((m4 - var() * var()) / n);
  }
};

struct TerminalStats {
  Sample growth;       // S_T / S_0
  Sample log_return;   // ln(S_T / S_0)
  Sample jumps, gaps;  // counts per path
};

template <class Real>
TerminalStats simulate_terminal(const ProcessParams& p, int paths) {
  TerminalStats s;
  for (int i = 0; i < paths; ++i) {
    JumpDiffusionPath<Real> path(p, i);
    MarketPoint<Real> m = path.first();
    for (int k = 0; k < p.steps; ++k) m = path.next();
    const double growth = double(m.spot) / p.spot;
    s.growth.add(growth);
    s.log_return.add(std::log(growth));
    s.jumps.add(path.jumps());
    s.gaps.add(path.gap_events());
  }
  return s;
}

// E[S_T/S_0] = e^{mu T}, E[count] = lambda T with Var = lambda T, and for the log return the
// compound-Poisson mean and variance given by the caller.
void expect_terminal_moments(const TerminalStats& s, const ProcessParams& p, double log_mean,
                             double log_var, const char* what) {
  const double T = p.expiry;
  const double lambda_j = p.jumps.model == JumpModel::none ? 0.0 : p.jumps.intensity;
  EXPECT_NEAR(s.growth.mean(), std::exp(p.drift * T), 4 * s.growth.se_mean()) << what;
  EXPECT_NEAR(s.jumps.mean(), lambda_j * T, 4 * std::sqrt(lambda_j * T / s.jumps.n) + 1e-12)
      << what;
  EXPECT_NEAR(s.gaps.mean(), p.gaps.intensity * T,
              4 * std::sqrt(p.gaps.intensity * T / s.gaps.n) + 1e-12)
      << what;
  EXPECT_NEAR(s.log_return.mean(), log_mean, 4 * s.log_return.se_mean()) << what;
  EXPECT_NEAR(s.log_return.var(), log_var, 4 * s.log_return.se_var()) << what;
}

constexpr int kPaths = 60000;

template <class Real>
void check_gbm(unsigned long long seed) {
  const ProcessParams p = base_process(seed, 30, 30);
  const TerminalStats s = simulate_terminal<Real>(p, kPaths);
  const double T = p.expiry, s2 = p.volatility * p.volatility;
  expect_terminal_moments(s, p, (p.drift - 0.5 * s2) * T, s2 * T, "GBM");
  EXPECT_EQ(s.jumps.sum, 0);
  EXPECT_EQ(s.gaps.sum, 0);
}

TEST(JumpDiffusionMoments, GbmDouble) { check_gbm<double>(11); }
TEST(JumpDiffusionMoments, GbmFloat) { check_gbm<float>(12); }

template <class Real>
void check_merton_with_outages(unsigned long long seed) {
  ProcessParams p = with_outages(with_merton_jumps(base_process(seed, 30, 30)));
  p.latency = 0.3 * p.dt;
  const TerminalStats s = simulate_terminal<Real>(p, kPaths);
  const double T = p.expiry, s2 = p.volatility * p.volatility;
  const JumpParams& j = p.jumps;
  const GapParams& g = p.gaps;
  // ln S_T/S_0 = a T + s W_T + sum J + sum C,  a = mu - s^2/2 - l_J k_J - l_G k_G
  const double kappa_j = std::exp(j.log_mean + 0.5 * j.log_stdev * j.log_stdev) - 1;
  const double kappa_g =
      std::exp(g.crash_log_mean + 0.5 * g.crash_log_stdev * g.crash_log_stdev) - 1;
  const double a = p.drift - 0.5 * s2 - j.intensity * kappa_j - g.intensity * kappa_g;
  const double log_mean = a * T + j.intensity * T * j.log_mean + g.intensity * T * g.crash_log_mean;
  // Var of a compound Poisson sum = lambda T E[X^2]
  const double log_var =
      s2 * T + j.intensity * T * (j.log_mean * j.log_mean + j.log_stdev * j.log_stdev) +
      g.intensity * T *
          (g.crash_log_mean * g.crash_log_mean + g.crash_log_stdev * g.crash_log_stdev);
  expect_terminal_moments(s, p, log_mean, log_var, "Merton jumps + outages");
  // Without the compensator E[S_T/S_0] would be off by e^{-(l_J k_J + l_G k_G) T} - 1 = 38%.
  EXPECT_GT(std::fabs(std::exp(-(j.intensity * kappa_j + g.intensity * kappa_g) * T) - 1),
            50 * s.growth.se_mean());
}

TEST(JumpDiffusionMoments, MertonOutagesLatencyDouble) { check_merton_with_outages<double>(21); }
TEST(JumpDiffusionMoments, MertonOutagesLatencyFloat) { check_merton_with_outages<float>(22); }

template <class Real>
void check_merton_variance_alone(unsigned long long seed) {
  // Merton jumps only: Var ln(S_T/S_0) = s^2 T + lambda T (m^2 + d^2).
  ProcessParams p = with_merton_jumps(base_process(seed, 10, 30));
  p.volatility = 0.3;
  const TerminalStats s = simulate_terminal<Real>(p, kPaths);
  const double T = p.expiry, s2 = p.volatility * p.volatility;
  const JumpParams& j = p.jumps;
  const double kappa = std::exp(j.log_mean + 0.5 * j.log_stdev * j.log_stdev) - 1;
  const double log_mean = (p.drift - 0.5 * s2 - j.intensity * kappa + j.intensity * j.log_mean) * T;
  const double log_var =
      s2 * T + j.intensity * T * (j.log_mean * j.log_mean + j.log_stdev * j.log_stdev);
  expect_terminal_moments(s, p, log_mean, log_var, "Merton jumps only");
}

TEST(JumpDiffusionMoments, MertonVarianceDouble) { check_merton_variance_alone<double>(31); }
TEST(JumpDiffusionMoments, MertonVarianceFloat) { check_merton_variance_alone<float>(32); }

template <class Real>
void check_kou_with_outages(unsigned long long seed) {
  const ProcessParams p = with_outages(with_kou_jumps(base_process(seed, 30, 30)));
  const TerminalStats s = simulate_terminal<Real>(p, kPaths);
  const double T = p.expiry, s2 = p.volatility * p.volatility;
  const JumpParams& j = p.jumps;
  const GapParams& g = p.gaps;
  const double q = j.up_probability, e1 = j.up_rate, e2 = j.down_rate;
  // Kou: E[J] = p/eta1 - (1-p)/eta2, E[J^2] = 2p/eta1^2 + 2(1-p)/eta2^2,
  // E[e^J] - 1 = p eta1/(eta1-1) + (1-p) eta2/(eta2+1) - 1
  const double mean_j = q / e1 - (1 - q) / e2;
  const double second_j = 2 * q / (e1 * e1) + 2 * (1 - q) / (e2 * e2);
  const double kappa_j = q * e1 / (e1 - 1) + (1 - q) * e2 / (e2 + 1) - 1;
  const double kappa_g =
      std::exp(g.crash_log_mean + 0.5 * g.crash_log_stdev * g.crash_log_stdev) - 1;
  const double a = p.drift - 0.5 * s2 - j.intensity * kappa_j - g.intensity * kappa_g;
  const double log_mean = a * T + j.intensity * T * mean_j + g.intensity * T * g.crash_log_mean;
  const double log_var =
      s2 * T + j.intensity * T * second_j +
      g.intensity * T *
          (g.crash_log_mean * g.crash_log_mean + g.crash_log_stdev * g.crash_log_stdev);
  expect_terminal_moments(s, p, log_mean, log_var, "Kou jumps + outages");
}

TEST(JumpDiffusionMoments, KouOutagesDouble) { check_kou_with_outages<double>(41); }
TEST(JumpDiffusionMoments, KouOutagesFloat) { check_kou_with_outages<float>(42); }

// The fill of an order decided at t_k is S(t_k + ell) on the path itself: ln(fill/S_k) and
// ln(S_{k+1}/fill) are independent normals with means (mu - s^2/2) ell, (mu - s^2/2)(dt - ell)
// and variances s^2 ell, s^2 (dt - ell).
template <class Real>
void check_fill_at_latency(unsigned long long seed) {
  ProcessParams p = base_process(seed, 10, 10);
  p.latency = 0.5 * p.dt;
  const double ell = p.latency, rest = p.dt - ell, s2 = p.volatility * p.volatility;
  const double a = p.drift - 0.5 * s2;
  Sample to_fill, after_fill;
  double cross = 0;
  for (int i = 0; i < 20000; ++i) {
    JumpDiffusionPath<Real> path(p, i);
    MarketPoint<Real> m = path.first();
    for (int k = 0; k < p.steps; ++k) {
      const MarketPoint<Real> next = path.next();
      const double x = std::log(double(m.fill_spot) / double(m.spot));
      const double y = std::log(double(next.spot) / double(m.fill_spot));
      to_fill.add(x);
      after_fill.add(y);
      cross += (x - a * ell) * (y - a * rest);
      m = next;
    }
    EXPECT_EQ(m.fill_spot, m.spot) << "expiry fills at S(T), path " << i;
    EXPECT_TRUE(m.is_expiry);
  }
  EXPECT_NEAR(to_fill.mean(), a * ell, 4 * to_fill.se_mean()) << "ell=" << ell;
  EXPECT_NEAR(to_fill.var(), s2 * ell, 4 * to_fill.se_var()) << "ell=" << ell;
  EXPECT_NEAR(after_fill.mean(), a * rest, 4 * after_fill.se_mean()) << "rest=" << rest;
  EXPECT_NEAR(after_fill.var(), s2 * rest, 4 * after_fill.se_var()) << "rest=" << rest;
  // Independent pieces: the covariance is 0 (SE = s^2 sqrt(ell rest / n)).
  const double n = to_fill.n;
  EXPECT_NEAR(cross / n, 0.0, 4 * s2 * std::sqrt(ell * rest / n));
}

TEST(JumpDiffusionLatency, FillIsPriceAtLatencyDouble) { check_fill_at_latency<double>(51); }
TEST(JumpDiffusionLatency, FillIsPriceAtLatencyFloat) { check_fill_at_latency<float>(52); }

TEST(JumpDiffusionLatency, NoLatencyFillsAtDecisionPrice) {
  const ProcessParams p = with_merton_jumps(base_process(5, 8, 8));
  JumpDiffusionPath<double> path(p, 3);
  for (MarketPoint<double> m = path.first();; m = path.next()) {
    EXPECT_EQ(m.fill_spot, m.spot) << "k=" << m.index;
    if (m.is_expiry) break;
  }
}

TEST(JumpDiffusionOutages, LongOutageBlocksEveryLaterPoint) {
  ProcessParams p = base_process(61, 20, 20);
  p.gaps.intensity = 10.0;
  p.gaps.mean_duration = 1000.0;  // years: an outage never ends within the horizon
  p.latency = 0.2 * p.dt;
  const int paths = 20000;
  int blocked_at_expiry = 0;
  for (int i = 0; i < paths; ++i) {
    JumpDiffusionPath<double> path(p, i);
    bool was_blocked = false;
    for (MarketPoint<double> m = path.first();; m = path.next()) {
      if (m.index == 0) {
        EXPECT_FALSE(m.blocked) << "path " << i;
      }
      if (was_blocked) {
        ASSERT_TRUE(m.blocked) << "path " << i << " unblocked at k=" << m.index;
      }
      was_blocked = m.blocked;
      if (m.is_expiry) break;
    }
    blocked_at_expiry += was_blocked;
    // blocked at T  <=>  at least one outage started before T
    EXPECT_EQ(was_blocked, path.gap_events() > 0) << "path " << i;
  }
  // P(at least one arrival by T) = 1 - e^{-lambda T}
  const double q = 1 - std::exp(-p.gaps.intensity * p.expiry);
  EXPECT_NEAR(double(blocked_at_expiry) / paths, q, 4 * std::sqrt(q * (1 - q) / paths));
}

TEST(JumpDiffusionOutages, ShortOutagesEndAndGapsOffNeverBlock) {
  ProcessParams p = with_kou_jumps(base_process(71, 24, 2));  // hourly, 2 days
  p.latency = 0.1 * p.dt;
  for (int i = 0; i < 2000; ++i) {
    JumpDiffusionPath<double> path(p, i);
    for (MarketPoint<double> m = path.first();; m = path.next()) {
      ASSERT_FALSE(m.blocked) << "gaps off, path " << i << " k=" << m.index;
      if (m.is_expiry) break;
    }
    EXPECT_EQ(path.gap_events(), 0);
  }
  // Outages of mean duration d = dt/10 arriving in (t_{k-1} + ell, t_k] (window w = dt - ell) at
  // Poisson(lambda dt) per step. One that arrived j steps back still covers t_k with probability
  // q_j = (d/w)(1 - e^{-w/d}) e^{-j dt/d}, so P(blocked at t_k) = 1 - exp(-lambda dt sum_j<k q_j).
  p.gaps.intensity = 200.0;
  p.gaps.mean_duration = 0.1 * p.dt;
  const double d = p.gaps.mean_duration, w = p.dt - p.latency;
  double expected_blocked = 0, q_sum = 0;
  for (int k = 1; k <= p.steps; ++k) {
    q_sum += (d / w) * (1 - std::exp(-w / d)) * std::exp(-(k - 1) * p.dt / d);
    expected_blocked += 1 - std::exp(-p.gaps.intensity * p.dt * q_sum);
  }
  const int paths = 4000;
  int blocked = 0, unblocked_after_blocked = 0;
  for (int i = 0; i < paths; ++i) {
    JumpDiffusionPath<double> path(p, i);
    bool previous = false;
    for (MarketPoint<double> m = path.first();; m = path.next()) {
      blocked += m.blocked;
      unblocked_after_blocked += previous && !m.blocked;
      previous = m.blocked;
      if (m.is_expiry) break;
    }
  }
  const double points = double(paths) * p.steps, q = expected_blocked / p.steps;
  EXPECT_NEAR(blocked / points, q, 4 * std::sqrt(q * (1 - q) / points))
      << "lambda=" << p.gaps.intensity << " d=" << d << " dt=" << p.dt;
  EXPECT_GT(unblocked_after_blocked, 0.8 * blocked);  // outages end
}

template <class Real>
std::vector<double> path_trace(const ProcessParams& p, unsigned long long path_id) {
  std::vector<double> t;
  JumpDiffusionPath<Real> path(p, path_id);
  for (MarketPoint<Real> m = path.first();; m = path.next()) {
    t.insert(t.end(), {double(m.spot), double(m.fill_spot), double(m.gas_factor), double(m.blocked),
                       double(m.time), double(m.time_to_expiry)});
    if (m.is_expiry) break;
  }
  t.push_back(path.jumps());
  t.push_back(path.gap_events());
  return t;
}

TEST(JumpDiffusionReproducibility, SameSeedAndPathSameSequenceInAnyOrder) {
  ProcessParams p = with_outages(with_kou_jumps(base_process(81, 12, 3)));
  p.latency = 0.25 * p.dt;
  p.gas_volatility = 0.5;
  const int paths = 64;
  std::vector<std::vector<double>> forward(paths);
  for (int i = 0; i < paths; ++i) forward[i] = path_trace<double>(p, i);
  for (int i = paths - 1; i >= 0; --i) {
    EXPECT_EQ(path_trace<double>(p, i), forward[i]) << "path " << i << " in reverse order";
    EXPECT_EQ(path_trace<double>(p, i), path_trace<double>(p, i)) << "path " << i;
  }
  EXPECT_EQ(path_trace<float>(p, 5), path_trace<float>(p, 5));
  // Different paths and different seeds give different prices.
  EXPECT_NE(forward[0], forward[1]);
  ProcessParams other = p;
  other.seed = p.seed + 1;
  for (int i = 0; i < 4; ++i)
    EXPECT_NE(path_trace<double>(other, i), forward[i]) << "seed " << other.seed << " path " << i;
  // A path id above 2^32 is its own path, not path id mod 2^32.
  EXPECT_NE(path_trace<double>(p, (1ull << 32) + 1), forward[1]);
}

}  // namespace
}  // namespace hedgemap
