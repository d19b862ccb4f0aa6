// The point capacity of the kernels (kernels/point_loop.hpp) decides only where the per-point
// state lives: every capacity that holds a run's points gives the same bits as the default
// (the kernel's maximum, which the CPU backend runs). The CUDA backend launches the smallest
// capacity it compiled (host/cuda/backend.cu); on the CPU the unrolled form of the loop runs
// here, unrolled or not, so the same guards and arithmetic are checked without a GPU.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "kernels/cppi_kernel.hpp"
#include "kernels/hedging_kernel.hpp"
#include "kernels/vol_target_kernel.hpp"
#include "kernels/point_loop.hpp"
#include "tests/support/block_agreement.hpp"
#include "tests/support/kernel_blocks.hpp"
#include "tests/support/scenarios.hpp"

using namespace hedgemap;

namespace {

using test_support::cppi_kernel;
using test_support::hedging_kernel;
using test_support::vol_target_kernel;

// The busy market with a minimum order: every branch of the trade paths.
Scenario busy_market_with_minimum_order() {
  Scenario s = test_support::busy_market();
  s.costs.min_trade_units = 0.01;
  return s;
}

// Column-major block of kernel.run<Capacity>() over paths [0, n).
template <int Capacity, class Kernel>
std::vector<double> run_with_capacity(const Kernel& kernel, std::uint64_t n) {
  std::vector<double> out(std::size_t(kernel.columns()) * n);
  for (std::uint64_t i = 0; i < n; ++i)
    kernel.template run<Capacity>(i, PathOutput{out.data(), n, i});
  return out;
}

// `trade_column`: a trade count column, which must not be all zeros (or the check proves little).
template <class Kernel, int... Capacities>
void expect_capacity_invariant(const Kernel& kernel, std::uint64_t n, int trade_column) {
  const std::vector<double> reference = run_with_capacity<Kernel::kMaxPoints>(kernel, n);
  double trades = 0;
  for (std::uint64_t i = 0; i < n; ++i) trades += reference[std::size_t(trade_column) * n + i];
  ASSERT_GT(trades, double(n));
  // Bit for bit (NaN included): the capacity may not change a single rounding.
  (test_support::expect_same_bits(reference, run_with_capacity<Capacities>(kernel, n),
                                  "capacity " + std::to_string(Capacities)),
   ...);
}

}  // namespace

TEST(PointCapacity, LoopVisitsTheRangeInOrderWhateverTheCapacity) {
  std::vector<int> unrolled, plain;
  for_each_point<8>(2, 5, [&](int p) { unrolled.push_back(p); });
  for_each_point<kMaxUnrolledCapacity + 1>(2, 5, [&](int p) { plain.push_back(p); });
  EXPECT_EQ(unrolled, (std::vector<int>{2, 3, 4}));
  EXPECT_EQ(plain, unrolled);
  PointFlags<40> flags;
  flags.set(3, true);
  flags.set(35, true);
  flags.set(3, false);
  EXPECT_FALSE(flags.get(3));
  EXPECT_TRUE(flags.get(35));
  EXPECT_FALSE(flags.get(34));
}

TEST(PointCapacity, HedgingKernelGivesTheSameBitsAtEveryCapacity) {
  Scenario s = busy_market_with_minimum_order();
  s.hedging.present = true;
  s.hedging.policies = {"periodic", "delta_band", "whalley_wilmott"};
  s.hedging.periodic_every_steps = {1, 3, 7};
  s.hedging.delta_band_band = {0.2, 1.0};
  s.hedging.whalley_wilmott_risk_aversion = {1e-4, 1e-2};        // 8 points
  const int kPeriodicTrades = 1 * kHedgeMetrics + hedge_trades;  // point 1: every step
  for (const char* edge : {"center", "edge"}) {
    SCOPED_TRACE(edge);
    s.hedging.delta_band_rebalance_to = edge;
    expect_capacity_invariant<HedgingKernel<float>, 8, 16, 32>(hedging_kernel<float>(s), 600,
                                                               kPeriodicTrades);
    expect_capacity_invariant<HedgingKernel<double>, 8, 32>(hedging_kernel<double>(s), 300,
                                                            kPeriodicTrades);
  }
  s.hedging.periodic_every_steps = {1, 2, 3, 4, 6, 8, 12, 24};  // 25 points, workload (b)'s shape
  s.hedging.delta_band_band = {0.05, 0.1, 0.2, 0.3, 0.5, 0.75, 1.0, 2.0};
  s.hedging.whalley_wilmott_risk_aversion = {1e-5, 3e-5, 1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2};
  expect_capacity_invariant<HedgingKernel<float>, 32>(hedging_kernel<float>(s), 300,
                                                      kPeriodicTrades);
}

TEST(PointCapacity, AllocationKernelsGiveTheSameBitsAtEveryCapacity) {
  Scenario s = busy_market_with_minimum_order();
  s.cppi.present = true;
  s.cppi.multiplier = {2, 4, 6};
  s.cppi.tolerance = {0.0, 0.05, 0.1, 0.2};  // 12 points
  s.vol_target.present = true;
  s.vol_target.target = {0.2, 0.5};
  s.vol_target.tolerance = {0.0, 0.1, 0.3};                // 6 points
  const int cppi_trades = CppiKernel<float>::trade_count;  // point 0: tolerance 0
  const int vt_trades = VolTargetKernel<float>::trade_count;
  expect_capacity_invariant<CppiKernel<float>, 16, 32>(cppi_kernel<float>(s), 400, cppi_trades);
  expect_capacity_invariant<CppiKernel<double>, 16, 32>(cppi_kernel<double>(s), 200, cppi_trades);
  expect_capacity_invariant<VolTargetKernel<float>, 6, 8>(vol_target_kernel<float>(s), 400,
                                                          vt_trades);
  expect_capacity_invariant<VolTargetKernel<double>, 8>(vol_target_kernel<double>(s), 200,
                                                        vt_trades);
}
