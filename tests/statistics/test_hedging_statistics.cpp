// Block-resampled objectives (the bootstrap behind optimal_confidence) against the exact
// statistics of the same resampled paths.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

#include "host/statistics/hedging_statistics.hpp"

using namespace hedgemap;

namespace {
std::vector<double> skewed_pnl(std::size_t n) {
  std::mt19937_64 rng(7);
  std::normal_distribution<double> z;
  std::vector<double> x(n);
  for (auto& v : x) {
    const double g = z(rng);
    v = 2.0 - std::exp(0.8 * g);  // short-volatility-like: long left tail
  }
  return x;
}

std::vector<double> gather(const std::vector<double>& x, int blocks, const std::vector<int>& pick) {
  std::vector<double> out;
  for (int b : pick) {
    const std::size_t lo = x.size() * b / blocks, hi = x.size() * (b + 1) / blocks;
    out.insert(out.end(), x.begin() + lo, x.begin() + hi);
  }
  return out;
}
}  // namespace

TEST(HedgingStatisticsBlocks, AllBlocksReproduceTheFullSampleObjectives) {
  const auto x = skewed_pnl(40000);
  std::vector<int> all(32);
  for (int b = 0; b < 32; ++b) all[b] = b;
  for (HedgeObjective kind :
       {HedgeObjective::mean_std, HedgeObjective::cvar, HedgeObjective::utility}) {
    const PnlSummary full = summarize_pnl(x.data(), x.size(), kind, 0.7, 0.95);
    const BlockObjective blocks(x.data(), x.size(), 32, kind, 0.7, 0.95);
    EXPECT_NEAR(blocks(all), full.objective, 1e-9 * (1 + std::fabs(full.objective))) << int(kind);
  }
}

TEST(HedgingStatisticsBlocks, ResampledCvarIsCloseToTheExactCvarOfTheResample) {
  // Rockafellar-Uryasev at the full-sample VaR: off by second order in the VaR shift, so well
  // inside the sampling error of the resample's CVaR itself.
  const auto x = skewed_pnl(64000);
  const BlockObjective blocks(x.data(), x.size(), 32, HedgeObjective::cvar, 1.0, 0.95);
  std::mt19937 rng(3);
  std::uniform_int_distribution<int> pick(0, 31);
  for (int r = 0; r < 10; ++r) {
    std::vector<int> resample(32);
    for (int& b : resample) b = pick(rng);
    const auto y = gather(x, 32, resample);
    const PnlSummary exact = summarize_pnl(y.data(), y.size(), HedgeObjective::cvar, 1.0, 0.95);
    const double approx = blocks(resample);
    EXPECT_GE(approx, exact.objective - 1e-12);  // RU is minimised at the resample's own VaR
    EXPECT_LT(approx - exact.objective, 0.1 * exact.objective_stderr)
        << "resample " << r << ": approx " << approx << " exact " << exact.objective;
  }
}

// VaR is the k-th smallest loss, picked from a bracket around a sample's quantile for large
// samples: it must equal the value a full sort gives, whatever the data, including data built so
// that the strided sample misleads the bracket (then the full selection runs) and many ties.
TEST(HedgingStatisticsVar, VarEqualsTheSortedLossAtItsRank) {
  const std::size_t n = 300000;
  std::vector<std::vector<double>> samples;
  samples.push_back(skewed_pnl(n));
  std::vector<double> ties(n), adversarial = skewed_pnl(n), sorted_pnl = skewed_pnl(n);
  for (std::size_t i = 0; i < n; ++i) ties[i] = double(int(i * 7919 % 13)) - 6.0;
  // A loss of 100 on exactly the paths of the strided sample (j n / 4096): the bracket around the
  // sample's quantile holds the wrong ranks, and the full selection has to take over.
  for (std::size_t j = 0; j < 4096; ++j) adversarial[j * n / 4096] = -100.0;
  std::sort(sorted_pnl.begin(), sorted_pnl.end());
  samples.push_back(ties);
  samples.push_back(adversarial);
  samples.push_back(sorted_pnl);
  for (std::size_t s = 0; s < samples.size(); ++s) {
    const std::vector<double>& x = samples[s];
    std::vector<double> losses(n);
    for (std::size_t i = 0; i < n; ++i) losses[i] = -x[i];
    std::sort(losses.begin(), losses.end());
    for (double level : {0.0, 0.5, 0.9, 0.95, 0.99, 0.999, 0.9999999}) {
      const double k = std::ceil(level * double(n)) - 1.0;
      const double expected = losses[std::size_t(std::max(k, 0.0))];
      double var = 0.0, cvar = 0.0;
      loss_var_cvar(x.data(), n, level, var, cvar);
      EXPECT_EQ(var, expected) << "sample " << s << " level " << level;
      // CVaR = VaR + E[(L - VaR)^+] / (1 - level), from the sorted losses independently.
      double excess = 0.0;
      for (double l : losses) excess += std::max(l - expected, 0.0);
      EXPECT_NEAR(cvar, expected + excess / ((1.0 - level) * double(n)),
                  1e-9 * (1.0 + std::fabs(cvar)))
          << "sample " << s << " level " << level;
    }
  }
}

TEST(HedgingStatisticsVar, NanLossFallsBackToTheFullSelection) {
  auto x = skewed_pnl(200000);
  x[12345] = std::nan("");
  double var = 0.0, cvar = 0.0;
  loss_var_cvar(x.data(), x.size(), 0.95, var, cvar);  // must not crash or hang
  EXPECT_TRUE(std::isnan(cvar));  // the NaN path poisons the tail sum, as it should
}
