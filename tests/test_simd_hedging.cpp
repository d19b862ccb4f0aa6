// The lane-batched CPU hedging kernel (host/cpu/simd_hedging.cpp) against the scalar functor it
// replaces: same paths, same per-path columns up to float rounding (SLEEF's vector exp, log,
// sincos and erfc differ from glibc's in the last bit), for every instruction set this CPU runs,
// in configurations that exercise every branch (Merton and Kou jumps, outages, latency, costs,
// bands, Whalley-Wilmott bands with and without costs, several legs) and path counts that are not
// a multiple of the lane count.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "host/families/hedging.hpp"
#include "host/scenario/kernel_params.hpp"
#include "host/exec/path_runner.hpp"
#include "host/cpu/simd_hedging.hpp"
#include "tests/simd_test_support.hpp"

namespace hedgemap {
namespace {

using simd_test::available_isas;
using simd_test::scalar_block;

Scenario base_scenario(int steps, std::uint64_t paths) {
  Scenario s;
  s.seed = 77031;
  s.simulation.paths = paths;
  s.simulation.steps = steps;
  s.simulation.precision = "float";
  s.simulation.backend = "cpu";
  s.grid.volatility = {0.6};
  s.grid.expiry_days = {30.0};
  s.market.spot = 3000.0;
  s.market.rate = 0.04;
  s.market.drift = 0.1;
  s.book = {BookLeg{"call", 1.0, -1.0}};
  s.hedging.present = true;
  s.hedging.policies = {"periodic"};
  s.hedging.periodic_every_steps = {1};
  return s;
}

HedgingKernel<float> kernel_of(const Scenario& s) {
  return make_hedging_kernel<float>(s, cell_coordinates(s, 0, 0));
}

std::vector<double> batched_block(const HedgingKernel<float>& k, std::uint64_t first,
                                  std::uint64_t n, SimdIsa isa, int threads = 1) {
  std::vector<double> out(std::size_t(k.columns()) * n, -12345.0);
  run_hedging_batched(k, first, n, out.data(), threads, isa);
  return out;
}

// Every instruction set this CPU runs, from SSE2 up.
// Per column: >= 99.5% of paths agree to 1e-4 of the column's RMS, and so do the means; the
// jump and outage counts (integer draws from the same Philox words) agree on every path.
void expect_same_columns(const HedgingKernel<float>& k, const std::vector<double>& a,
                         const std::vector<double>& b, std::uint64_t n, const char* what) {
  ASSERT_EQ(a.size(), b.size());
  for (int c = 0; c < k.columns(); ++c) {
    const double* x = a.data() + std::size_t(c) * n;
    const double* y = b.data() + std::size_t(c) * n;
    double sum2 = 0.0, mean_x = 0.0, mean_y = 0.0;
    for (std::uint64_t i = 0; i < n; ++i) {
      sum2 += x[i] * x[i];
      mean_x += x[i];
      mean_y += y[i];
    }
    const double rms = std::sqrt(sum2 / double(n));
    const double scale = rms > 0.0 ? rms : 1.0, tol = 1e-4 * scale;
    std::uint64_t close = 0;
    for (std::uint64_t i = 0; i < n; ++i) close += std::abs(x[i] - y[i]) <= tol;
    const bool exact =
        c == k.summary_column() + summary_jumps || c == k.summary_column() + summary_gap_events;
    if (exact) {
      EXPECT_EQ(close, n) << what << ": column " << c << " (a count) differs";
    } else {
      EXPECT_GE(double(close), 0.995 * double(n)) << what << ": column " << c;
    }
    EXPECT_NEAR(mean_x / double(n), mean_y / double(n), tol) << what << ": mean of column " << c;
  }
}

void check_config(const Scenario& s, std::uint64_t first, std::uint64_t n, const char* what) {
  const HedgingKernel<float> k = kernel_of(s);
  if (simd_best_isa() == SimdIsa::none) GTEST_SKIP() << "built without SLEEF";
  ASSERT_TRUE(simd_eligible(k)) << what;
  const std::vector<double> reference = scalar_block(k, first, n);
  for (SimdIsa isa : available_isas()) {
    SCOPED_TRACE(simd_isa_name(isa));
    expect_same_columns(k, reference, batched_block(k, first, n, isa), n, what);
  }
}

// The batched kernel's own erfc against double erfc on a dense grid of float arguments: within
// 4.5e-7 relative (~4 float ulps) where erfc > 1e-30 (deeper tails feed deltas that are 0 to
// float precision anyway) and 3.6e-7 absolute (3 ulps of [1, 2)) everywhere. Measured
// (2026-11-30): SSE2 3.5e-7 and 2.7e-7, AVX2/AVX-512 (FMA) 3.4e-7 and 2.3e-7; glibc's erfcf:
// 1.6e-7 relative.
TEST(SimdHedging, ErfcIsAccurate) {
  if (simd_best_isa() == SimdIsa::none) GTEST_SKIP() << "built without SLEEF";
  std::vector<float> x;
  for (float a = -7.0f; a < 10.5f; a += 1.0f / 4096.0f) x.push_back(a);
  std::vector<float> y(x.size());
  for (SimdIsa isa : available_isas()) {
    simd_erfc(x.data(), y.data(), x.size(), isa);
    double worst_rel = 0.0, worst_abs = 0.0, glibc_rel = 0.0;
    for (std::size_t i = 0; i < x.size(); ++i) {
      const double exact = std::erfc(double(x[i]));
      worst_abs = std::max(worst_abs, std::abs(double(y[i]) - exact));
      if (exact > 1e-30) {
        worst_rel = std::max(worst_rel, std::abs(double(y[i]) / exact - 1.0));
        glibc_rel = std::max(glibc_rel, std::abs(double(erfcf(x[i])) / exact - 1.0));
      }
    }
    EXPECT_LT(worst_rel, 4.5e-7) << simd_isa_name(isa) << " (glibc erfcf: " << glibc_rel << ")";
    EXPECT_LT(worst_abs, 3.6e-7) << simd_isa_name(isa);
    char worst[32];
    std::snprintf(worst, sizeof worst, "%.3g", worst_rel);
    RecordProperty(std::string("erfc_rel_") + simd_isa_name(isa), worst);
  }
}

TEST(SimdHedging, QuantLibSetupMatchesScalar) {
  Scenario s = base_scenario(21, 0);
  s.market.spot = 100.0;
  s.market.rate = s.market.drift = 0.05;
  s.grid.volatility = {0.2};
  check_config(s, 0, 4099, "quantlib");
}

TEST(SimdHedging, BandsCostsLatencyMatchScalar) {
  Scenario s = base_scenario(24, 0);
  s.hedging.policies = {"periodic", "delta_band"};
  s.hedging.periodic_every_steps = {1, 3};
  s.hedging.delta_band_band = {0.02, 0.1};
  s.costs.fee_bps = 10.0;
  s.costs.gas = 0.5;
  s.costs.gas_volatility = 0.4;
  s.costs.impact = "sqrt";
  s.costs.daily_volume = 1e4;
  s.costs.latency_seconds = 600.0;
  s.book = {BookLeg{"call", 1.05, -2.0}, BookLeg{"put", 0.9, 1.0}};
  check_config(s, 1000, 3001, "bands + costs + latency");
}

TEST(SimdHedging, JumpsOutagesAmmMatchScalar) {
  Scenario s = base_scenario(30, 0);
  s.hedging.policies = {"periodic", "delta_band"};
  s.hedging.periodic_every_steps = {1, 5};
  s.hedging.delta_band_band = {0.05};
  s.hedging.delta_band_rebalance_to = "edge";
  s.jumps.model = "merton";
  s.jumps.intensity = 60.0;
  s.jumps.log_mean = -0.03;
  s.jumps.log_stdev = 0.08;
  s.gaps.intensity = 150.0;
  s.gaps.duration_hours = 30.0;
  s.gaps.crash_log_mean = -0.02;
  s.gaps.crash_log_stdev = 0.04;
  s.gaps.gas_multiplier = 5.0;
  s.costs.gas = 2.0;
  s.costs.impact = "amm";
  s.costs.pool_depth = 6.0e5;  // 100 units of the underlying
  s.costs.latency_seconds = 30.0;
  s.grid.volatility = {implied_for_diffusive(s, 0.6)};  // the jumps' and crashes' variance on top
  check_config(s, 0, 2037, "jumps + outages + amm");
  // The rare-lane branches really ran: jumps and outages on many paths.
  const HedgingKernel<float> k = kernel_of(s);
  const std::vector<double> ref = scalar_block(k, 0, 2037);
  double jumps = 0.0, gaps = 0.0;
  for (std::uint64_t i = 0; i < 2037; ++i) {
    jumps += ref[std::size_t(k.summary_column() + summary_jumps) * 2037 + i];
    gaps += ref[std::size_t(k.summary_column() + summary_gap_events) * 2037 + i];
  }
  EXPECT_GT(jumps / 2037, 2.0);  // 60 / year over 30 days: ~4.9 per path
  EXPECT_GT(gaps / 2037, 5.0);   // 150 / year: ~12 per path
}

// Mean over paths of one column of a column-major block.
double column_mean(const std::vector<double>& v, int column, std::uint64_t n) {
  double sum = 0.0;
  for (std::uint64_t i = 0; i < n; ++i) sum += v[std::size_t(column) * n + i];
  return sum / double(n);
}

// costs.min_trade_units on every policy: periodic, bands (center and edge) and Whalley-Wilmott
// skip the same small trades lane by lane as the scalar kernel; the deep in-the-money leg keeps
// many dust-sized wanted trades near the threshold.
TEST(SimdHedging, MinTradeUnitsMatchScalar) {
  Scenario s = base_scenario(48, 0);
  s.hedging.policies = {"periodic", "delta_band", "whalley_wilmott"};
  s.hedging.periodic_every_steps = {1, 4};
  s.hedging.delta_band_band = {0.02, 0.1};
  s.hedging.whalley_wilmott_risk_aversion = {1e-3, 1e-1};
  s.book = {BookLeg{"call", 1.0, -1.0}, BookLeg{"put", 0.7, 2.0}};
  s.costs.fee_bps = 5.0;
  s.costs.gas = 1.0;
  s.gaps.intensity = 100.0;
  s.gaps.gas_multiplier = 3.0;
  s.costs.min_trade_units = 0.02;
  check_config(s, 3, 2501, "min trade units, center");
  s.hedging.delta_band_rebalance_to = "edge";
  check_config(s, 3, 2501, "min trade units, edge");
  // The minimum really binds: every-step hedging trades far less often than without it.
  const std::vector<double> with_min = scalar_block(kernel_of(s), 3, 2501);
  s.costs.min_trade_units = 0.0;
  const std::vector<double> without = scalar_block(kernel_of(s), 3, 2501);
  const int trades = 1 * kHedgeMetrics + hedge_trades;
  EXPECT_LT(column_mean(with_min, trades, 2501), 0.8 * column_mean(without, trades, 2501));
}

TEST(SimdHedging, WhalleyWilmottAloneMatchesScalar) {
  Scenario s = base_scenario(48, 0);
  s.hedging.policies = {"whalley_wilmott"};
  s.hedging.whalley_wilmott_risk_aversion = {1e-4, 1e-2, 1.0};
  s.costs.fee_bps = 10.0;
  s.costs.gas = 1.0;
  const HedgingKernel<float> k = kernel_of(s);
  ASSERT_GT(k.ww_lambda, 0.0);
  check_config(s, 5, 2051, "whalley-wilmott");
  // The bands really bind: the widest (least risk-averse) trades far less than every step, the
  // narrowest more than the widest.
  const std::vector<double> ref = scalar_block(k, 5, 2051);
  const double wide = column_mean(ref, 1 * kHedgeMetrics + hedge_trades, 2051);
  const double narrow = column_mean(ref, 3 * kHedgeMetrics + hedge_trades, 2051);
  EXPECT_LT(wide, 0.5 * 49);  // at most 49 trades: t = 0, 47 rebalances, the unwind
  EXPECT_GT(narrow, wide + 2.0);
}

TEST(SimdHedging, WhalleyWilmottWithPeriodicBandsCostsMatchScalar) {
  Scenario s = base_scenario(36, 0);
  s.hedging.policies = {"periodic", "delta_band", "whalley_wilmott"};
  s.hedging.periodic_every_steps = {1, 4};
  s.hedging.delta_band_band = {0.03, 0.2};
  s.hedging.delta_band_rebalance_to = "edge";
  s.hedging.whalley_wilmott_risk_aversion = {3e-4, 3e-2};
  s.costs.fee_bps = 5.0;
  s.costs.gas = 0.5;
  s.costs.gas_volatility = 0.5;
  s.costs.impact = "sqrt";
  s.costs.daily_volume = 1e4;
  s.costs.latency_seconds = 300.0;
  s.gaps.intensity = 40.0;
  s.gaps.duration_hours = 20.0;
  s.gaps.crash_log_mean = -0.02;
  s.gaps.crash_log_stdev = 0.03;
  s.gaps.gas_multiplier = 3.0;
  s.book = {BookLeg{"call", 1.1, -3.0}, BookLeg{"put", 0.95, 2.0}, BookLeg{"call", 0.9, 0.5}};
  ASSERT_GT(kernel_of(s).ww_lambda, 0.0);
  check_config(s, 123, 2003, "whalley-wilmott + periodic + bands + costs");
}

// lambda = 0 (no costs): H = 0, so a Whalley-Wilmott point trades to the delta at every unblocked
// step, exactly what periodic every 1 does: same per-path columns, bit for bit, in the batch.
TEST(SimdHedging, WhalleyWilmottWithoutCostsIsPeriodicEveryStep) {
  Scenario s = base_scenario(20, 0);
  s.hedging.policies = {"periodic", "whalley_wilmott"};
  s.hedging.periodic_every_steps = {1};
  s.hedging.whalley_wilmott_risk_aversion = {1e-3, 1.0};
  s.gaps.intensity = 60.0;
  s.gaps.duration_hours = 10.0;
  const HedgingKernel<float> k = kernel_of(s);
  ASSERT_EQ(k.ww_lambda, 0.0);
  check_config(s, 0, 1031, "whalley-wilmott, lambda = 0");
  const std::uint64_t n = 1031;
  for (SimdIsa isa : available_isas()) {
    const std::vector<double> b = batched_block(k, 0, n, isa);
    for (int ww = 2; ww <= 3; ++ww)
      for (int m = 0; m < kHedgeMetrics; ++m)
        for (std::uint64_t i = 0; i < n; ++i)
          ASSERT_EQ(b[std::size_t(ww * kHedgeMetrics + m) * n + i],
                    b[std::size_t(kHedgeMetrics + m) * n + i])
              << simd_isa_name(isa) << " point " << ww << " metric " << m << " path " << i;
  }
}

TEST(SimdHedging, KouJumpsOutagesWhalleyWilmottMatchScalar) {
  Scenario s = base_scenario(30, 0);
  s.hedging.policies = {"periodic", "delta_band", "whalley_wilmott"};
  s.hedging.periodic_every_steps = {1, 6};
  s.hedging.delta_band_band = {0.05};
  s.hedging.whalley_wilmott_risk_aversion = {1e-3};
  s.jumps.model = "kou";
  s.jumps.intensity = 80.0;
  s.jumps.up_probability = 0.4;
  s.jumps.up_rate = 20.0;
  s.jumps.down_rate = 12.0;
  s.gaps.intensity = 150.0;
  s.gaps.duration_hours = 30.0;
  s.gaps.crash_log_mean = -0.02;
  s.gaps.crash_log_stdev = 0.04;
  s.gaps.gas_multiplier = 5.0;
  s.costs.fee_bps = 3.0;
  s.costs.gas = 2.0;
  s.costs.impact = "amm";
  s.costs.pool_depth = 6.0e5;
  s.costs.latency_seconds = 60.0;
  s.grid.volatility = {implied_for_diffusive(s, 0.6)};  // the jumps' and crashes' variance on top
  check_config(s, 0, 2037, "kou + outages + whalley-wilmott");
  // The Kou branch really ran (0.22 jumps a step: two or more in ~2% of the steps).
  const HedgingKernel<float> k = kernel_of(s);
  const std::vector<double> ref = scalar_block(k, 0, 2037);
  EXPECT_GT(column_mean(ref, k.summary_column() + summary_jumps, 2037), 4.0);  // ~6.6 per path
  EXPECT_GT(column_mean(ref, k.summary_column() + summary_gap_events, 2037), 5.0);
}

// A short straddle hedged hourly up to expiry: its delta saturates on many paths, where one ulp
// decides whether a step trades (a dust trade) or not; the trade counts agree on >= 99.5% of the
// paths only if the batch rounds the delta sum like the scalar kernel (no FMA contraction).
TEST(SimdHedging, SaturatedDeltaTradeCountsMatchScalar) {
  Scenario s = base_scenario(240, 0);  // hourly over 10 days
  s.grid.expiry_days = {10.0};
  s.grid.volatility = {0.8};
  s.book = {BookLeg{"call", 1.0, -10.0}, BookLeg{"put", 1.0, -10.0}};
  s.hedging.policies = {"periodic", "whalley_wilmott"};
  s.hedging.periodic_every_steps = {1};
  s.hedging.whalley_wilmott_risk_aversion = {1e-3};
  s.costs.fee_bps = 5.0;
  check_config(s, 0, 1200, "saturated straddle delta");
}

TEST(SimdHedging, LinearImpactSeveralThreadsMatchScalar) {
  Scenario s = base_scenario(12, 0);
  s.hedging.policies = {"delta_band"};
  s.hedging.delta_band_band = {0.01, 0.05, 0.3};
  s.costs.impact = "linear";
  s.costs.impact_coefficient = 0.05;
  s.costs.daily_volume = 500.0;
  s.costs.fee_bps = 2.0;
  const HedgingKernel<float> k = kernel_of(s);
  if (simd_best_isa() == SimdIsa::none) GTEST_SKIP() << "built without SLEEF";
  const std::uint64_t n = 1500;
  const std::vector<double> reference = scalar_block(k, 0, n);
  const std::vector<double> one = batched_block(k, 0, n, simd_best_isa(), 1);
  const std::vector<double> two = batched_block(k, 0, n, simd_best_isa(), 2);
  EXPECT_EQ(one, two);  // per-path results do not depend on threads
  expect_same_columns(k, reference, one, n, "linear impact");
}

TEST(SimdHedging, EligibilityCoversOnlyWhatItImplements) {
  Scenario s = base_scenario(8, 0);
  if (simd_best_isa() == SimdIsa::none) GTEST_SKIP() << "built without SLEEF";
  EXPECT_TRUE(simd_eligible(kernel_of(s)));
  Scenario ww = s;
  ww.hedging.policies = {"periodic", "whalley_wilmott"};
  ww.hedging.whalley_wilmott_risk_aversion = {1e-3};
  EXPECT_TRUE(simd_eligible(kernel_of(ww)));
  Scenario kou = s;
  kou.jumps.model = "kou";
  kou.jumps.intensity = 10.0;
  EXPECT_TRUE(simd_eligible(kernel_of(kou)));
  Scenario merton_model = s;
  merton_model.jumps.model = "merton";
  merton_model.jumps.intensity = 10.0;
  merton_model.jumps.log_stdev = 0.1;
  merton_model.hedging.model = "merton";
  EXPECT_FALSE(simd_eligible(kernel_of(merton_model)));
}

TEST(SimdHedging, RunChunkUsesBatchesUnlessScalarIsForced) {
  Scenario s = base_scenario(10, 0);
  const HedgingKernel<float> k = kernel_of(s);
  if (simd_best_isa() == SimdIsa::none) GTEST_SKIP() << "built without SLEEF";
  const std::uint64_t n = 333;
  Execution cpu;
  cpu.threads = 1;
  std::vector<double> via_runner(std::size_t(k.columns()) * n);
  run_chunk_on(cpu, k, 0, n, via_runner.data());
  EXPECT_EQ(via_runner, batched_block(k, 0, n, simd_best_isa()));
  ::setenv("HEDGEMAP_SCALAR_CPU", "1", 1);
  EXPECT_FALSE(simd_eligible(k));
  run_chunk_on(cpu, k, 0, n, via_runner.data());
  ::unsetenv("HEDGEMAP_SCALAR_CPU");
  EXPECT_EQ(via_runner, scalar_block(k, 0, n));
}

}  // namespace
}  // namespace hedgemap
