// Gas as a process (kernels/gas_process.hpp) against closed forms: the mean gas per transaction
// is `gas` with persistence on, log-gas is stationary N(0, s^2) with autocorrelation
// 2^(-lag dt / h) at every lag, the congestion premium after an outage decays as
// 1 + (m - 1) 2^(-u / h_c) exactly, and half-life 0 keeps the independent draws. Fixed seeds.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "kernels/jump_diffusion.hpp"

namespace hedgemap {
namespace {

constexpr double kHour = 1.0 / (24.0 * 365.0);  // years

ProcessParams hourly_process(int steps) {
  ProcessParams p;
  p.seed = 97531;
  p.spot = 3000.0;
  p.volatility = 0.8;
  p.steps = steps;
  p.dt = kHour;
  p.expiry = steps * p.dt;
  return p;
}

// Per path, the gas factor of every decision time 0..steps.
std::vector<std::vector<double>> gas_factors(const ProcessParams& p, int paths) {
  std::vector<std::vector<double>> g(paths);
  for (int i = 0; i < paths; ++i) {
    JumpDiffusionPath<double> path(p, std::uint64_t(i));
    MarketPoint<double> m = path.first();
    g[i].push_back(m.gas_factor);
    while (!m.is_expiry) {
      m = path.next();
      g[i].push_back(m.gas_factor);
    }
  }
  return g;
}

double correlation(const std::vector<double>& a, const std::vector<double>& b) {
  const double n = double(a.size());
  double ma = 0, mb = 0;
  for (std::size_t i = 0; i < a.size(); ++i) ma += a[i] / n, mb += b[i] / n;
  double sab = 0, saa = 0, sbb = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    sab += (a[i] - ma) * (b[i] - mb);
    saa += (a[i] - ma) * (a[i] - ma);
    sbb += (b[i] - mb) * (b[i] - mb);
  }
  return sab / std::sqrt(saa * sbb);
}

TEST(GasProcess, MeanGasPerTransactionIsGasWithPersistence) {
  ProcessParams p = hourly_process(48);
  p.gas_volatility = 0.8;
  p.gas_halflife = 6.0 * kHour;
  const int paths = 20000;
  const auto g = gas_factors(p, paths);
  // Path means are independent; their spread gives the standard error.
  double sum = 0, sum2 = 0;
  for (const auto& path : g) {
    double m = 0;
    for (double x : path) m += x / double(path.size());
    sum += m;
    sum2 += m * m;
  }
  const double mean = sum / paths, se = std::sqrt((sum2 / paths - mean * mean) / paths);
  EXPECT_NEAR(mean, 1.0, 4.0 * se) << "se " << se;
  // Without the -s^2/2 correction the mean would be e^{s^2/2} = 1.377.
  EXPECT_LT(4.0 * se, 0.05);
}

TEST(GasProcess, LogGasIsStationaryWithTheHalfLifesAutocorrelation) {
  ProcessParams p = hourly_process(40);
  const double s = 0.6;
  p.gas_volatility = s;
  p.gas_halflife = 6.0 * kHour;
  const int paths = 20000;
  const auto g = gas_factors(p, paths);
  auto log_dev = [&](int k) {
    std::vector<double> x(paths);
    for (int i = 0; i < paths; ++i) x[i] = std::log(g[i][k]) + 0.5 * s * s;
    return x;
  };
  for (int k : {0, 7, 40}) {  // stationary variance s^2 (SE of a variance ~ s^2 sqrt(2/N))
    const auto x = log_dev(k);
    double v = 0;
    for (double xi : x) v += xi * xi / paths;
    EXPECT_NEAR(v, s * s, 4.0 * s * s * std::sqrt(2.0 / paths)) << "step " << k;
  }
  const auto x5 = log_dev(5);
  for (int lag : {1, 3, 6, 12, 24}) {
    const double expected = std::exp2(-lag / 6.0);  // lag dt / h
    const double se = (1.0 - expected * expected) / std::sqrt(double(paths));
    EXPECT_NEAR(correlation(x5, log_dev(5 + lag)), expected, 4.0 * se + 1e-3) << "lag " << lag;
  }
}

TEST(GasProcess, HalfLifeZeroKeepsTheIndependentDraws) {
  ProcessParams p = hourly_process(12);
  p.gas_volatility = 0.8;
  const auto independent = gas_factors(p, 200);
  for (int i = 0; i < 200; ++i)
    for (std::size_t k = 0; k < independent[i].size(); ++k) {
      // The first release's formula from the step's gas normal (group 2 of interval k+1).
      const Uint4 w = PhiloxStream(p.seed, std::uint64_t(i)).words(std::uint32_t(k + 1), 2);
      const double z = box_muller<double>(w.x, w.y).z0;
      ASSERT_EQ(independent[i][k], std::exp(0.8 * z - 0.5 * 0.8 * 0.8)) << i << " " << k;
    }
  // Persistence uses the same normals: x_0 = s z_0 gives the same first level.
  p.gas_halflife = 3.0 * kHour;
  const auto persistent = gas_factors(p, 200);
  for (int i = 0; i < 200; ++i) ASSERT_DOUBLE_EQ(persistent[i][0], independent[i][0]);
}

TEST(GasCongestion, FactorIsExactlyOnePlusMMinusOneTimesTwoToMinusK) {
  const double h = 2.0 * kHour, m = 20.0;
  for (int k = 0; k <= 8; ++k)
    EXPECT_EQ(congestion_factor(m, k * h, h), 1.0 + 19.0 * std::ldexp(1.0, -k)) << k;
  EXPECT_EQ(congestion_factor(m, -1e-9, h), m);  // during the outage
}

TEST(GasCongestion, EveryStepPaysTheLevelTimesTheDecayedPremiumSinceTheLastOutageEnded) {
  ProcessParams p = hourly_process(240);
  p.gaps.intensity = 0.05 / kHour;  // one outage per 20 hours on average
  p.gaps.mean_duration = 3.0 * kHour;
  p.gaps.gas_multiplier = 20.0;
  p.congestion_halflife = 2.0 * kHour;
  int checked_after = 0, blocked = 0;
  for (int i = 0; i < 300; ++i) {
    JumpDiffusionPath<double> path(p, std::uint64_t(i));
    MarketPoint<double> m = path.first();
    while (true) {
      const double end = path.last_outage_end(), t = m.index * p.dt;
      double expected = 1.0;
      if (end >= 0.0 && t < end) {
        expected = 20.0;
        ASSERT_TRUE(m.blocked || m.index == 0);
        ++blocked;
      } else if (end >= 0.0) {
        expected = 1.0 + 19.0 * std::exp2(-(t - end) / (2.0 * kHour));
        ++checked_after;
      }
      ASSERT_DOUBLE_EQ(m.gas_factor, expected) << "path " << i << " step " << m.index;
      if (m.is_expiry) break;
      m = path.next();
    }
  }
  EXPECT_GT(checked_after, 10000);
  EXPECT_GT(blocked, 1000);
}

// More than 61 outages in one step: the outage words past 3 + 61 no longer reach the Kou groups
// (64 + j/2); the first 61 keep their groups. The Heston variance and funding groups are apart
// from every outage and Kou group (poisson_inverse stops at 1000 events per sub-interval).
TEST(GasCongestion, OutageGroupsStayBelowTheKouGroups) {
  for (int g = 1; g < 62; ++g) EXPECT_EQ(outage_group(g), 2u + std::uint32_t(g));
  for (int g = 62; g <= 1000; ++g) {
    EXPECT_GT(outage_group(g), 64u + 1000u);  // above the last Kou group of 2000 jumps
    EXPECT_NE(outage_group(g), kFundingGroup);
    EXPECT_NE(outage_group(g), kHestonVarianceGroup);
  }
  EXPECT_GT(kHestonVarianceGroup, 64u + 1000u);
  EXPECT_GT(kFundingGroup, 64u + 1000u);
  EXPECT_NE(kHestonVarianceGroup, kFundingGroup);
}

}  // namespace
}  // namespace hedgemap
