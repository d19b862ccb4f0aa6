// The lane-batched BookPriceKernel<float> (host/cpu/simd_book_price.cpp) on its own: per-path
// results that do not depend on the thread count, which kernels it takes, and the runner's switch
// between it and the scalar functor. Its blocks against the scalar functor (bit for bit, with
// Merton jumps, outages, latency and gas dispersion on and off): tests/exec/test_backend_parity.cpp
// (BatchedCpu instances).
#include <gtest/gtest.h>

#include <cstdint>
#include <cstdlib>
#include <vector>

#include "host/cpu/simd_book_price.hpp"
#include "host/exec/path_runner.hpp"
#include "tests/support/block_agreement.hpp"
#include "tests/support/kernel_blocks.hpp"
#include "tests/support/scenarios.hpp"
#include "tests/support/scoped_env.hpp"

namespace hedgemap {
namespace {

using test_support::available_isas;
using test_support::batched_block;
using test_support::eventful_book_price_kernel;
using test_support::expect_same_bits;
using test_support::scalar_block;
using test_support::ScopedEnv;

TEST(SimdBookPrice, OneAndTwoThreadsIdentical) {
  if (available_isas().empty()) GTEST_SKIP() << "built without SLEEF";
  BookPriceKernel<float> k = eventful_book_price_kernel();
  k.process.steps = 48;
  k.process.dt = k.process.expiry / k.process.steps;
  const std::uint64_t first = 5, n = 4099;
  const SimdIsa isa = simd_best_isa();
  expect_same_bits(batched_block(k, first, n, isa, 1), batched_block(k, first, n, isa, 2),
                   "1 vs 2 threads");
}

TEST(SimdBookPrice, EligibilityAndScalarSwitch) {
  if (available_isas().empty()) GTEST_SKIP() << "built without SLEEF";
  BookPriceKernel<float> k = eventful_book_price_kernel();
  EXPECT_TRUE(simd_eligible(k));
  {
    const ScopedEnv scalar("HEDGEMAP_SCALAR_CPU", "1");
    EXPECT_FALSE(simd_eligible(k));
  }
  k.process.jumps.model = JumpModel::kou;  // Kou jumps run the scalar functor
  EXPECT_FALSE(simd_eligible(k));
  std::vector<double> out(std::size_t(k.columns()) * 16);
  EXPECT_FALSE(run_batched_on_cpu(/*threads=*/0, k, 0, 16, out.data()));
}

// Through run_chunk_on (the hook in host/exec/path_runner.hpp): the same block as the scalar loop.
TEST(SimdBookPrice, PathRunnerUsesTheBatchedKernel) {
  if (available_isas().empty()) GTEST_SKIP() << "built without SLEEF";
  BookPriceKernel<float> k = eventful_book_price_kernel();
  k.process.steps = 24;
  k.process.dt = k.process.expiry / k.process.steps;
  Execution exec{};
  exec.threads = 2;
  const std::uint64_t n = 333;
  std::vector<double> out(std::size_t(k.columns()) * n, -1.0);
  run_chunk_on(exec, k, 0, n, out.data());
  expect_same_bits(scalar_block(k, 0, n), out, "run_chunk_on");
}

}  // namespace
}  // namespace hedgemap
