// The lane-batched CPU allocation kernels (host/cpu/simd_allocation.cpp) on their own: per-path
// results that do not depend on the thread count, which kernels they take, and the runner's
// switch between them and the scalar functors. Their blocks against the scalar functors, in
// configurations that exercise every branch: tests/exec/test_backend_parity.cpp (BatchedCpu
// instances).
#include <gtest/gtest.h>

#include <cstdlib>
#include <vector>

#include "host/cpu/simd_allocation.hpp"
#include "host/exec/path_runner.hpp"
#include "host/scenario/kernel_params.hpp"
#include "tests/support/kernel_blocks.hpp"
#include "tests/support/scenarios.hpp"
#include "tests/support/scoped_env.hpp"

namespace hedgemap {
namespace {

using test_support::allocation_cell;
using test_support::available_isas;
using test_support::batched_block;
using test_support::cppi_kernel;
using test_support::scalar_block;
using test_support::ScopedEnv;
using test_support::vol_target_kernel;

// Ruin (AllocationAccountsOf::close_if_ruined): small accounts paying dispersed gas at every
// step, and levered ones through outage crashes, end at exactly 0 on some paths and never below;
// the batched kernels close the same lanes at the same step as the scalar ones (CPPI bit for bit
// in the portable build).
TEST(SimdAllocation, RuinedAccountsMatchScalar) {
  if (simd_best_isa() == SimdIsa::none) GTEST_SKIP() << "built without SLEEF";
  Scenario s = allocation_cell(96);
  s.cppi.capital = s.vol_target.capital = 2000.0;
  s.cppi.multiplier = {3.0, 12.0};
  s.cppi.tolerance = {0.0, 0.05};
  s.cppi.max_leverage = 3.0;
  s.vol_target.target = {0.4, 2.0};
  s.vol_target.tolerance = {0.0, 0.05};
  s.vol_target.max_leverage = 2.0;
  s.gaps.intensity = 60.0;
  s.gaps.crash_log_mean = -0.5;
  s.gaps.crash_log_stdev = 0.3;
  s.grid.volatility = {implied_for_diffusive(s, 0.8)};  // the crashes' variance on top
  s.costs.gas = 15.0;
  s.costs.gas_volatility = 1.0;
  const CppiKernel<float> cppi = cppi_kernel<float>(s);
  const VolTargetKernel<float> vt = vol_target_kernel<float>(s);
  ASSERT_TRUE(simd_eligible(cppi));
  ASSERT_TRUE(simd_eligible(vt));
  const std::uint64_t first = 21, n = 2001;
#if !defined(__FMA__)
  const std::vector<double> reference = scalar_block(cppi, first, n);
  for (SimdIsa isa : available_isas())
    EXPECT_EQ(batched_block(cppi, first, n, isa), reference) << simd_isa_name(isa);
#endif
  // The most levered point ruins some paths and spares others; no value below 0 and no
  // drawdown above 1 anywhere.
  const auto check_ruin = [&](const std::vector<double>& v, int points, int per, int terminal,
                              int drawdown) {
    std::uint64_t ruined = 0;
    for (int p = 0; p < points; ++p)
      for (std::uint64_t i = 0; i < n; ++i) {
        const double value = v[std::size_t(p * per + terminal) * n + i];
        EXPECT_GE(value, 0.0);
        if (p == points - 2) ruined += value == 0.0;  // the largest multiplier / target, tol 0
        if (drawdown >= 0) EXPECT_LE(v[std::size_t(p * per + drawdown) * n + i], 1.0);
      }
    EXPECT_GT(ruined, n / 50);
    EXPECT_LT(ruined, n - n / 50);
  };
  for (SimdIsa isa : available_isas()) {
    SCOPED_TRACE(simd_isa_name(isa));
    check_ruin(batched_block(cppi, first, n, isa), cppi.points(), CppiKernel<float>::kPerPoint,
               CppiKernel<float>::terminal_value, -1);
    check_ruin(batched_block(vt, first, n, isa), vt.points(), VolTargetKernel<float>::kPerPoint,
               VolTargetKernel<float>::terminal_value, VolTargetKernel<float>::max_drawdown);
  }
}

TEST(SimdAllocation, ThreadCountDoesNotChangeResults) {
  if (simd_best_isa() == SimdIsa::none) GTEST_SKIP() << "built without SLEEF";
  Scenario s = allocation_cell(48);
  s.gaps.intensity = 100.0;
  s.costs.gas = 1.0;
  const CppiKernel<float> cppi = cppi_kernel<float>(s);
  const VolTargetKernel<float> vt = vol_target_kernel<float>(s);
  const SimdIsa isa = simd_best_isa();
  EXPECT_EQ(batched_block(cppi, 3, 1999, isa, 1), batched_block(cppi, 3, 1999, isa, 2));
  EXPECT_EQ(batched_block(vt, 3, 1999, isa, 1), batched_block(vt, 3, 1999, isa, 2));
}

TEST(SimdAllocation, HookRunsBatchedUnlessScalarForcedOrKou) {
  if (simd_best_isa() == SimdIsa::none) GTEST_SKIP() << "built without SLEEF";
  Scenario s = allocation_cell(24);
  s.costs.impact = "sqrt";
  const VolTargetKernel<float> k = vol_target_kernel<float>(s);
  ASSERT_TRUE(simd_eligible(k));
  ASSERT_TRUE(simd_eligible(cppi_kernel<float>(s)));
  Execution exec;
  exec.threads = 1;
  const std::uint64_t n = 517;
  std::vector<double> via_runner(std::size_t(k.columns()) * n);
  run_chunk_on(exec, k, 0, n, via_runner.data());
  if (!std::getenv("HEDGEMAP_SIMD_ISA")) {  // the runner took the batched path
    EXPECT_EQ(via_runner, batched_block(k, 0, n, simd_best_isa()));
  }

  {
    const ScopedEnv scalar("HEDGEMAP_SCALAR_CPU", "1");
    EXPECT_FALSE(simd_eligible(k));
    EXPECT_FALSE(simd_eligible(cppi_kernel<float>(s)));
    run_chunk_on(exec, k, 0, n, via_runner.data());
  }
  EXPECT_EQ(via_runner, scalar_block(k, 0, n));

  s.jumps.model = "kou";
  s.jumps.intensity = 10.0;
  EXPECT_FALSE(simd_eligible(cppi_kernel<float>(s)));
  EXPECT_FALSE(simd_eligible(vol_target_kernel<float>(s)));
}

}  // namespace
}  // namespace hedgemap
