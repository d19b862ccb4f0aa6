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
#include "tests/support/kernel_blocks.hpp"
#include "tests/support/scenarios.hpp"
#include "tests/support/scoped_env.hpp"

namespace hedgemap {
namespace {

using test_support::allocation_cell;
using test_support::batched_block;
using test_support::cppi_kernel;
using test_support::scalar_block;
using test_support::ScopedEnv;
using test_support::vol_target_kernel;

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
