// The lane-batched CPU hedging kernel (host/cpu/simd_hedging.cpp) on its own: its erfc's
// accuracy, a property of its own blocks, which kernels it takes, and the runner's switch between
// it and the scalar functor. Its blocks against the scalar functor, in configurations that
// exercise every branch: tests/exec/test_backend_parity.cpp (BatchedCpu instances).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "host/cpu/simd_hedging.hpp"
#include "host/exec/path_runner.hpp"
#include "tests/support/kernel_blocks.hpp"
#include "tests/support/scenarios.hpp"
#include "tests/support/scoped_env.hpp"

namespace hedgemap {
namespace {

using test_support::available_isas;
using test_support::batched_block;
using test_support::hedged_short_call;
using test_support::hedging_kernel;
using test_support::scalar_block;
using test_support::ScopedEnv;

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

// lambda = 0 (no costs): H = 0, so a Whalley-Wilmott point trades to the delta at every unblocked
// step, exactly what periodic every 1 does: same per-path columns, bit for bit, in the batch (the
// batch against the scalar functor on this scenario: the parity case
// hedging_float_whalley_wilmott_without_costs).
TEST(SimdHedging, WhalleyWilmottWithoutCostsIsPeriodicEveryStep) {
  const Scenario s = test_support::whalley_wilmott_without_costs();
  const HedgingKernel<float> k = hedging_kernel<float>(s);
  ASSERT_EQ(k.cost_slot[0].ww_lambda, 0.0);
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

TEST(SimdHedging, EligibilityCoversOnlyWhatItImplements) {
  Scenario s = hedged_short_call(8);
  if (simd_best_isa() == SimdIsa::none) GTEST_SKIP() << "built without SLEEF";
  EXPECT_TRUE(simd_eligible(hedging_kernel<float>(s)));
  Scenario ww = s;
  ww.hedging.policies = {"periodic", "whalley_wilmott"};
  ww.hedging.whalley_wilmott_risk_aversion = {1e-3};
  EXPECT_TRUE(simd_eligible(hedging_kernel<float>(ww)));
  Scenario kou = s;
  kou.jumps.model = "kou";
  kou.jumps.intensity = 10.0;
  EXPECT_TRUE(simd_eligible(hedging_kernel<float>(kou)));
  Scenario merton_model = s;
  merton_model.jumps.model = "merton";
  merton_model.jumps.intensity = 10.0;
  merton_model.jumps.log_stdev = 0.1;
  merton_model.hedging.model = "merton";
  EXPECT_FALSE(simd_eligible(hedging_kernel<float>(merton_model)));
}

TEST(SimdHedging, RunChunkUsesBatchesUnlessScalarIsForced) {
  Scenario s = hedged_short_call(10);
  const HedgingKernel<float> k = hedging_kernel<float>(s);
  if (simd_best_isa() == SimdIsa::none) GTEST_SKIP() << "built without SLEEF";
  const std::uint64_t n = 333;
  Execution cpu;
  cpu.threads = 1;
  std::vector<double> via_runner(std::size_t(k.columns()) * n);
  run_chunk_on(cpu, k, 0, n, via_runner.data());
  EXPECT_EQ(via_runner, batched_block(k, 0, n, simd_best_isa()));
  {
    const ScopedEnv scalar("HEDGEMAP_SCALAR_CPU", "1");
    EXPECT_FALSE(simd_eligible(k));
    run_chunk_on(cpu, k, 0, n, via_runner.data());
  }
  EXPECT_EQ(via_runner, scalar_block(k, 0, n));
}

}  // namespace
}  // namespace hedgemap
