// The lane-batched CPU allocation kernels (host/cpu/simd_allocation.cpp) against the scalar
// functors they replace: same paths, same per-path columns (to 1e-6 of each column's RMS on
// >= 99.5% of paths, counts exactly; in the portable build CPPI is even bit-identical, see
// CppiBitIdenticalToScalar), for every instruction set this CPU runs, in
// configurations that exercise every branch (tolerance 0 and > 0, the leverage cap, fees, gas
// with its multiplier after outages, AMM and square-root impact, latency, Merton jumps, outages)
// and path counts that are not a multiple of the lane count.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <string>
#include <vector>

#include "host/families/allocation.hpp"
#include "host/scenario/kernel_params.hpp"
#include "host/exec/path_runner.hpp"
#include "host/cpu/simd_allocation.hpp"
#include "tests/simd_test_support.hpp"

namespace hedgemap {
namespace {

using simd_test::available_isas;
using simd_test::scalar_block;

Scenario allocation_scenario(int steps) {
  Scenario s;
  s.seed = 4242;
  s.simulation.steps = steps;
  s.simulation.precision = "float";
  s.simulation.backend = "cpu";
  s.grid.volatility = {0.8};
  s.grid.expiry_days = {10.0};
  s.market.spot = 3000.0;
  s.market.rate = 0.04;
  s.market.drift = 0.05;
  s.cppi.present = true;
  s.cppi.capital = 1.0e6;
  s.vol_target.present = true;
  s.vol_target.capital = 1.0e6;
  return s;
}

template <class Kernel>
Kernel kernel_of(const Scenario& s);
template <>
CppiKernel<float> kernel_of(const Scenario& s) {
  const CellCoordinates cell = cell_coordinates(s, 0, 0);
  return CppiKernel<float>{process_params(s, cell), cost_params(s), cppi_settings(s, cell)};
}
template <>
VolTargetKernel<float> kernel_of(const Scenario& s) {
  const CellCoordinates cell = cell_coordinates(s, 0, 0);
  return VolTargetKernel<float>{process_params(s, cell), cost_params(s),
                                vol_target_settings(s, cell)};
}

template <class Kernel>
std::vector<double> batched_block(const Kernel& k, std::uint64_t first, std::uint64_t n,
                                  SimdIsa isa, int threads = 1) {
  std::vector<double> out(std::size_t(k.columns()) * n, -12345.0);
  run_allocation_batched(k, first, n, out.data(), threads, isa);
  return out;
}

bool is_count(const CppiKernel<float>&, int c) {
  return c % CppiKernel<float>::kPerPoint == CppiKernel<float>::trade_count ||
         c % CppiKernel<float>::kPerPoint == CppiKernel<float>::floor_breach;
}
bool is_count(const VolTargetKernel<float>&, int c) {
  return c % VolTargetKernel<float>::kPerPoint == VolTargetKernel<float>::trade_count;
}

// Per column: >= 99.5% of paths within 1e-6 of the column's RMS (exactly equal for counts and
// indicators), and the means within 1e-6 of it.
template <class Kernel>
void expect_same_columns(const Kernel& k, const std::vector<double>& a,
                         const std::vector<double>& b, std::uint64_t n) {
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
    const double tol = is_count(k, c) ? 0.0 : 1e-6 * (rms > 0.0 ? rms : 1.0);
    std::uint64_t close = 0;
    for (std::uint64_t i = 0; i < n; ++i) close += std::abs(x[i] - y[i]) <= tol;
    EXPECT_GE(double(close), 0.995 * double(n)) << "column " << c;
    EXPECT_NEAR(mean_x / double(n), mean_y / double(n), 1e-6 * (rms > 0.0 ? rms : 1.0))
        << "mean of column " << c;
  }
}

template <class Kernel>
void check_config(const Kernel& k, std::uint64_t first, std::uint64_t n) {
  if (simd_best_isa() == SimdIsa::none) GTEST_SKIP() << "built without SLEEF";
  ASSERT_TRUE(simd_eligible(k));
  const std::vector<double> reference = scalar_block(k, first, n);
  for (SimdIsa isa : available_isas()) {
    SCOPED_TRACE(simd_isa_name(isa));
    expect_same_columns(k, reference, batched_block(k, first, n, isa), n);
  }
}

// Mean over paths of one column.
double column_mean(const std::vector<double>& v, int column, std::uint64_t n) {
  double sum = 0.0;
  for (std::uint64_t i = 0; i < n; ++i) sum += v[std::size_t(column) * n + i];
  return sum / double(n);
}

TEST(SimdAllocationCppi, TolerancesAndLeverageCapMatchScalar) {
  Scenario s = allocation_scenario(96);
  s.cppi.floor = 0.8;
  s.cppi.multiplier = {3.0, 10.0};  // 10 x 0.2 V = 2 V > 1.5 V: the cap binds from the start
  s.cppi.tolerance = {0.0, 0.03, 0.1};
  s.cppi.max_leverage = 1.5;
  s.costs.fee_bps = 5.0;
  const CppiKernel<float> k = kernel_of<CppiKernel<float>>(s);
  check_config(k, 0, 3001);
  // The cap really bound: at tolerance 0 the capped point ends away from the uncapped rule's
  // value on almost every path; and the tolerance bands really cut the trade count.
  const std::uint64_t n = 3001;
  const std::vector<double> ref = scalar_block(k, 0, n);
  const int per = CppiKernel<float>::kPerPoint, trades = CppiKernel<float>::trade_count;
  EXPECT_LT(column_mean(ref, 5 * per + trades, n), 0.8 * column_mean(ref, 3 * per + trades, n));
  Scenario uncapped = s;
  uncapped.cppi.max_leverage = 1e9;
  const std::vector<double> free_ref = scalar_block(kernel_of<CppiKernel<float>>(uncapped), 0, n);
  const std::size_t value = std::size_t(3 * per + CppiKernel<float>::terminal_value) * n;
  std::uint64_t apart = 0;
  for (std::uint64_t i = 0; i < n; ++i)
    apart += std::abs(ref[value + i] - free_ref[value + i]) > 1.0;
  EXPECT_GT(double(apart), 0.9 * double(n));
}

TEST(SimdAllocationCppi, CostsOutagesJumpsAmmMatchScalar) {
  Scenario s = allocation_scenario(120);
  s.cppi.multiplier = {2.0, 6.0};
  s.cppi.tolerance = {0.0, 0.05};
  s.jumps.model = "merton";
  s.jumps.intensity = 60.0;
  s.jumps.log_mean = -0.03;
  s.jumps.log_stdev = 0.08;
  s.gaps.intensity = 150.0;
  s.gaps.duration_hours = 20.0;
  s.gaps.crash_log_mean = -0.05;
  s.gaps.crash_log_stdev = 0.04;
  s.gaps.gas_multiplier = 5.0;
  s.costs.fee_bps = 10.0;
  s.costs.gas = 3.0;
  s.costs.gas_volatility = 0.5;
  s.costs.impact = "amm";
  s.costs.pool_depth = 3.0e6;  // 500 units: the largest trades cannot be filled
  s.costs.latency_seconds = 60.0;
  s.grid.volatility = {implied_for_diffusive(s, 0.8)};  // the jumps' and crashes' variance on top
  const CppiKernel<float> k = kernel_of<CppiKernel<float>>(s);
  check_config(k, 77, 2037);
  // The floor was breached on some paths (jumps and crashes), so that column is exercised.
  const std::vector<double> ref = scalar_block(k, 77, 2037);
  EXPECT_GT(
      column_mean(ref, CppiKernel<float>::kPerPoint * 2 + CppiKernel<float>::floor_breach, 2037),
      0.002);
}

TEST(SimdAllocationVolTarget, SqrtImpactOutagesJumpsMatchScalar) {
  Scenario s = allocation_scenario(96);
  s.vol_target.target = {0.3, 1.2};  // 1.2 / 0.8 = 1.5 > max_leverage 1.25: the cap binds
  s.vol_target.tolerance = {0.0, 0.05, 0.2};
  s.vol_target.max_leverage = 1.25;
  s.vol_target.ewma_halflife_hours = 12.0;
  s.jumps.model = "merton";
  s.jumps.intensity = 40.0;
  s.jumps.log_mean = -0.02;
  s.jumps.log_stdev = 0.06;
  s.gaps.intensity = 100.0;
  s.gaps.crash_log_mean = -0.03;
  s.gaps.crash_log_stdev = 0.03;
  s.gaps.gas_multiplier = 3.0;
  s.costs.fee_bps = 3.0;
  s.costs.gas = 1.0;
  s.costs.impact = "sqrt";
  s.costs.daily_volume = 2.0e4;
  check_config(kernel_of<VolTargetKernel<float>>(s), 5, 2501);
}

TEST(SimdAllocationVolTarget, LinearImpactNoFrictionsMatchScalar) {
  Scenario s = allocation_scenario(60);
  s.vol_target.target = {0.5};
  s.vol_target.tolerance = {0.0, 0.1};
  s.costs.impact = "linear";
  s.costs.daily_volume = 1.0e5;
  check_config(kernel_of<VolTargetKernel<float>>(s), 0, 1000);
}

// costs.min_trade_units: CPPI and vol targeting (a few hundred units held, moves of a few units
// per step) skip the same small trades lane by lane as the scalar kernels, and the minimum binds.
TEST(SimdAllocation, MinTradeUnitsMatchScalar) {
  Scenario s = allocation_scenario(96);
  s.cppi.multiplier = {3.0, 6.0};
  s.cppi.tolerance = {0.0, 0.02};
  s.vol_target.target = {0.5};
  s.vol_target.tolerance = {0.0, 0.05};
  s.gaps.intensity = 80.0;
  s.gaps.gas_multiplier = 2.0;
  s.costs.fee_bps = 5.0;
  s.costs.gas = 2.0;
  s.costs.min_trade_units = 6.0;
  const CppiKernel<float> cppi = kernel_of<CppiKernel<float>>(s);
  const VolTargetKernel<float> vt = kernel_of<VolTargetKernel<float>>(s);
  check_config(cppi, 11, 2003);
  check_config(vt, 11, 2003);
  Scenario off = s;
  off.costs.min_trade_units = 0.0;
  const std::uint64_t n = 2003;
  const int cppi_trades = CppiKernel<float>::trade_count;
  const int vt_trades = VolTargetKernel<float>::trade_count;
  EXPECT_LT(
      column_mean(scalar_block(cppi, 11, n), cppi_trades, n),
      0.8 * column_mean(scalar_block(kernel_of<CppiKernel<float>>(off), 11, n), cppi_trades, n));
  EXPECT_LT(
      column_mean(scalar_block(vt, 11, n), vt_trades, n),
      0.8 * column_mean(scalar_block(kernel_of<VolTargetKernel<float>>(off), 11, n), vt_trades, n));
}

// Built without FMA contraction (the portable build), the batched CPPI kernel uses glibc's float
// functions and the scalar kernel's operation order: every column equals the scalar's exactly.
// A -march=native build contracts the scalar kernel's multiply-adds into FMAs, which the batched
// file does not (-ffp-contract=off): then only the tolerances of the tests above hold.
TEST(SimdAllocationCppi, BitIdenticalToScalar) {
  if (simd_best_isa() == SimdIsa::none) GTEST_SKIP() << "built without SLEEF";
#if defined(__FMA__)
  GTEST_SKIP() << "FMA contraction in the scalar kernel (native build)";
#endif
  Scenario s = allocation_scenario(72);
  s.jumps.model = "merton";
  s.jumps.intensity = 30.0;
  s.jumps.log_mean = -0.02;
  s.jumps.log_stdev = 0.05;
  s.gaps.intensity = 50.0;
  s.gaps.gas_multiplier = 2.0;
  s.costs.fee_bps = 5.0;
  s.costs.gas = 4.0;
  const CppiKernel<float> k = kernel_of<CppiKernel<float>>(s);
  const std::vector<double> reference = scalar_block(k, 9, 1001);
  for (SimdIsa isa : available_isas())
    EXPECT_EQ(batched_block(k, 9, 1001, isa), reference) << simd_isa_name(isa);
}

TEST(SimdAllocation, ThreadCountDoesNotChangeResults) {
  if (simd_best_isa() == SimdIsa::none) GTEST_SKIP() << "built without SLEEF";
  Scenario s = allocation_scenario(48);
  s.gaps.intensity = 100.0;
  s.costs.gas = 1.0;
  const CppiKernel<float> cppi = kernel_of<CppiKernel<float>>(s);
  const VolTargetKernel<float> vt = kernel_of<VolTargetKernel<float>>(s);
  const SimdIsa isa = simd_best_isa();
  EXPECT_EQ(batched_block(cppi, 3, 1999, isa, 1), batched_block(cppi, 3, 1999, isa, 2));
  EXPECT_EQ(batched_block(vt, 3, 1999, isa, 1), batched_block(vt, 3, 1999, isa, 2));
}

TEST(SimdAllocation, HookRunsBatchedUnlessScalarForcedOrKou) {
  if (simd_best_isa() == SimdIsa::none) GTEST_SKIP() << "built without SLEEF";
  Scenario s = allocation_scenario(24);
  s.costs.impact = "sqrt";
  const VolTargetKernel<float> k = kernel_of<VolTargetKernel<float>>(s);
  ASSERT_TRUE(simd_eligible(k));
  ASSERT_TRUE(simd_eligible(kernel_of<CppiKernel<float>>(s)));
  Execution exec;
  exec.threads = 1;
  const std::uint64_t n = 517;
  std::vector<double> via_runner(std::size_t(k.columns()) * n);
  run_chunk_on(exec, k, 0, n, via_runner.data());
  if (!std::getenv("HEDGEMAP_SIMD_ISA")) {  // the runner took the batched path
    EXPECT_EQ(via_runner, batched_block(k, 0, n, simd_best_isa()));
  }

  setenv("HEDGEMAP_SCALAR_CPU", "1", 1);
  EXPECT_FALSE(simd_eligible(k));
  EXPECT_FALSE(simd_eligible(kernel_of<CppiKernel<float>>(s)));
  run_chunk_on(exec, k, 0, n, via_runner.data());
  unsetenv("HEDGEMAP_SCALAR_CPU");
  EXPECT_EQ(via_runner, scalar_block(k, 0, n));

  s.jumps.model = "kou";
  s.jumps.intensity = 10.0;
  EXPECT_FALSE(simd_eligible(kernel_of<CppiKernel<float>>(s)));
  EXPECT_FALSE(simd_eligible(kernel_of<VolTargetKernel<float>>(s)));
}

}  // namespace
}  // namespace hedgemap
