// The segment sums behind the P&L statistics (host/statistics/pnl_samples.hpp,
// kernels/pnl_segment_sums.hpp) against independent long-double references, the segmentation's
// invariants, and the bits being the same whether the segments are summed on one thread or many.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <random>
#include <vector>

#include "host/statistics/hedging_statistics.hpp"
#include "host/statistics/pnl_samples.hpp"

using namespace hedgemap;

namespace {
std::vector<double> skewed_pnl(std::size_t n, unsigned seed = 11) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> z;
  std::vector<double> x(n);
  for (auto& v : x) v = 1.5 - std::exp(0.6 * z(rng));
  return x;
}

bool same_bits(double a, double b) { return std::memcmp(&a, &b, sizeof a) == 0; }
}  // namespace

TEST(PnlSegments, CoverThePathsAndNestInBlocks) {
  for (std::uint64_t n : {0ull, 1ull, 7ull, 31ull, 1000ull, 1024ull, 10000ull, 65537ull}) {
    for (int blocks : {1, 32, 64}) {
      const PnlSegments seg = pnl_segments(n, blocks);
      ASSERT_EQ(seg.blocks(), blocks) << n;
      ASSERT_EQ(seg.bounds.front(), 0u);
      ASSERT_EQ(seg.bounds.back(), n);
      for (std::size_t s = 0; s < seg.count(); ++s) {
        const std::uint64_t lo = seg.bounds[s], hi = seg.bounds[s + 1];
        EXPECT_LT(lo, hi) << "empty segment " << s << " n " << n;
        EXPECT_EQ(lo / kPnlSegmentPaths, (hi - 1) / kPnlSegmentPaths)
            << "crosses a 1024-path block";
      }
      for (int b = 0; b < blocks; ++b) {  // bootstrap block b = paths [b n / B, (b + 1) n / B)
        const std::uint64_t lo = n * b / blocks, hi = n * (b + 1) / blocks;
        EXPECT_EQ(seg.bounds[seg.block_first[b]], lo) << n << " " << b;
        EXPECT_EQ(seg.bounds[seg.block_first[b + 1]], hi) << n << " " << b;
      }
    }
  }
}

TEST(PnlStatistics, AgreeWithLongDoubleReferences) {
  const std::size_t n = 50001;  // not a multiple of 8, 1024 or 32
  const auto x = skewed_pnl(n);
  const double k = 0.8, level = 0.95;
  long double mean = 0;
  for (double v : x) mean += v;
  mean /= n;
  long double m2 = 0, m3 = 0, m4 = 0;
  for (double v : x) {
    const long double d = v - mean;
    m2 += d * d;
    m3 += d * d * d;
    m4 += d * d * d * d;
  }
  m2 /= n, m3 /= n, m4 /= n;
  std::vector<double> losses(n);
  for (std::size_t i = 0; i < n; ++i) losses[i] = -x[i];
  std::sort(losses.begin(), losses.end());
  const double var = losses[std::size_t(std::ceil(level * n)) - 1];
  long double excess = 0, eu = 0;
  for (double l : losses) excess += std::max<long double>(l - var, 0);
  for (double v : x) eu += std::exp(-(long double)k * v);
  const double cvar = double(var + excess / ((1 - level) * n));
  const double ce = double(-std::log(eu / n) / k);
  const double sd = double(std::sqrt(m2 * n / (n - 1)));

  const auto near = [](double got, double want) {
    EXPECT_NEAR(got, want, 1e-11 * (1.0 + std::fabs(want)));
  };
  const PnlSummary ms = summarize_pnl(x.data(), n, HedgeObjective::mean_std, k, level);
  near(ms.mean, double(mean));
  near(ms.std, sd);
  near(ms.skew, double(m3 / std::pow(m2, 1.5L)));
  near(ms.excess_kurtosis, double(m4 / (m2 * m2) - 3));
  EXPECT_EQ(ms.var, var);  // an order statistic: exact
  near(ms.cvar, cvar);
  near(ms.objective, double(-mean) + k * sd);
  near(summarize_pnl(x.data(), n, HedgeObjective::cvar, k, level).objective, cvar);
  near(summarize_pnl(x.data(), n, HedgeObjective::utility, k, level).objective, ce);
}

TEST(PnlStatistics, SameBitsOnOneThreadAndMany) {
  const std::size_t n = 300000;
  const auto x = skewed_pnl(n, 5);
  const PnlSegments seg = pnl_segments(n, 32);
  for (HedgeObjective kind :
       {HedgeObjective::mean_std, HedgeObjective::cvar, HedgeObjective::utility}) {
    const PointStatistics one =
        pnl_statistics(HostPnlSamples({x.data()}, n, 1), seg, kind, 0.5, 0.99)[0];
    const PointStatistics many =
        pnl_statistics(HostPnlSamples({x.data()}, n, 2), seg, kind, 0.5, 0.99)[0];
    const double* a = &one.summary.mean;
    const double* b = &many.summary.mean;
    for (std::size_t f = 0; f < sizeof(PnlSummary) / sizeof(double); ++f)
      EXPECT_TRUE(same_bits(a[f], b[f])) << "field " << f << " kind " << int(kind);
    const std::vector<int> picks = {3, 3, 0, 31, 17};
    EXPECT_TRUE(same_bits(one.on_blocks(picks), many.on_blocks(picks)));
  }
}

// A resample's objective from per-block sums equals the exact statistics of the gathered paths
// for mean_std and utility (sums of sums: only rounding differs).
TEST(PnlStatistics, BlockObjectivesEqualTheGatheredResample) {
  const std::size_t n = 40000;
  const auto x = skewed_pnl(n, 9);
  const int blocks = 32;
  std::mt19937 rng(4);
  std::uniform_int_distribution<int> pick(0, blocks - 1);
  for (HedgeObjective kind : {HedgeObjective::mean_std, HedgeObjective::utility}) {
    const BlockObjective on_blocks(x.data(), n, blocks, kind, 0.7, 0.95);
    for (int r = 0; r < 5; ++r) {
      std::vector<int> resample(blocks);
      for (int& b : resample) b = pick(rng);
      std::vector<double> y;
      for (int b : resample)
        y.insert(y.end(), x.begin() + n * b / blocks, x.begin() + n * (b + 1) / blocks);
      const double exact = summarize_pnl(y.data(), y.size(), kind, 0.7, 0.95).objective;
      EXPECT_NEAR(on_blocks(resample), exact, 1e-10 * (1.0 + std::fabs(exact)))
          << "kind " << int(kind) << " resample " << r;
    }
  }
}

TEST(PnlStatistics, EmptySampleIsNaNEverywhere) {
  const PointStatistics s = pnl_statistics(HostPnlSamples({nullptr}, 0), pnl_segments(0, 32),
                                           HedgeObjective::cvar, 1.0, 0.95)[0];
  EXPECT_TRUE(std::isnan(s.summary.mean));
  EXPECT_TRUE(std::isnan(s.summary.cvar));
  EXPECT_TRUE(std::isnan(s.on_blocks({0, 1, 2})));
}

// A NaN on one of the bracket's sample paths (path 0 is always one): no sort of a NaN, the
// selection from all losses instead, and a NaN CVaR, as for a NaN anywhere else.
TEST(PnlStatistics, NanOnASamplePathSelectsFromAllLosses) {
  auto x = skewed_pnl(200000, 3);
  x[0] = std::nan("");
  const PnlSummary s = summarize_pnl(x.data(), x.size(), HedgeObjective::cvar, 1.0, 0.95);
  EXPECT_TRUE(std::isnan(s.cvar));
  EXPECT_TRUE(std::isnan(s.mean));
  std::vector<double> sample(kLossBracketSample, 1.0);
  sample[7] = std::nan("");
  EXPECT_FALSE(loss_bracket(sample, 200000, 1000).usable);
}

// All points in one set give each point the statistics it has alone, bit for bit (the passes
// only batch the points), on one thread and on several.
TEST(PnlStatistics, PointsTogetherEqualPointsAlone) {
  const std::size_t n = 70001;  // the bracketed selection
  std::vector<std::vector<double>> x = {skewed_pnl(n, 21), skewed_pnl(n, 22), skewed_pnl(n, 23)};
  for (double& v : x[1]) v *= 3.0;
  const PnlSegments seg = pnl_segments(n, 32);
  for (HedgeObjective kind :
       {HedgeObjective::mean_std, HedgeObjective::cvar, HedgeObjective::utility}) {
    for (int threads : {1, 2}) {
      const auto together =
          pnl_statistics(HostPnlSamples({x[0].data(), x[1].data(), x[2].data()}, n, threads), seg,
                         kind, 0.4, 0.975);
      ASSERT_EQ(together.size(), 3u);
      for (int p = 0; p < 3; ++p) {
        const PointStatistics alone =
            pnl_statistics(HostPnlSamples({x[p].data()}, n), seg, kind, 0.4, 0.975)[0];
        const double* a = &alone.summary.mean;
        const double* b = &together[p].summary.mean;
        for (std::size_t f = 0; f < sizeof(PnlSummary) / sizeof(double); ++f)
          EXPECT_TRUE(same_bits(a[f], b[f]))
              << "point " << p << " field " << f << " kind " << int(kind);
        const std::vector<int> picks = {1, 30, 30, 7};
        EXPECT_TRUE(same_bits(alone.on_blocks(picks), together[p].on_blocks(picks)));
      }
    }
  }
}
