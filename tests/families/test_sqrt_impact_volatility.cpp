// The square-root impact law's sigma is the cell's expected total realised volatility
// rho sigma_i (volatility.realised_to_implied = rho, grid.volatility = sigma_i), not the implied
// sigma_i: a trade of n units filled at F pays (kernels/execution_costs.hpp)
//
//   impact = c (rho sigma_i / sqrt(days_per_year)) sqrt(|n| / V_day) |n| F,
//
// checked on constructed cases with rho = 0.8 whose trades have a size known in advance, in every
// family that trades (hedging, CPPI, volatility targeting), by the scalar kernels in double and
// float and by the lane-batched CPU kernels on every instruction set.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <vector>

#include "host/scenario/kernel_params.hpp"
#include "tests/support/kernel_blocks.hpp"
#include "tests/support/scenarios.hpp"

namespace hedgemap {
namespace {

using test_support::available_isas;
using test_support::batched_block;
using test_support::scalar_block;

constexpr double kImplied = 0.9, kRho = 0.8, kCoefficient = 0.7, kDailyVolume = 40.0;

// c (rho sigma_i / sqrt(days_per_year)) sqrt(|n| / V_day): the law's cost per unit of notional of
// a trade of |n| units, written here from the equation.
double sqrt_law_rate(double size, double daily_volume) {
  return kCoefficient * (kRho * kImplied / std::sqrt(365.0)) * std::sqrt(size / daily_volume);
}

void use_sqrt_impact(Scenario& s) {
  s.days_per_year = 365.0;
  s.grid.volatility = {kImplied};
  s.volatility.realised_to_implied = kRho;
  s.costs.impact = "sqrt";
  s.costs.impact_coefficient = kCoefficient;
  s.costs.daily_volume = kDailyVolume;
}

TEST(SqrtImpactVolatility, ProcessCarriesTheTotalRealisedVolatility) {
  Scenario s = test_support::hedged_atm_call(4, 100);
  use_sqrt_impact(s);
  s.jumps.model = "merton";  // the jumps take variance from the diffusion, not from rho sigma_i
  s.jumps.intensity = 10.0;
  s.jumps.log_stdev = 0.1;
  const ProcessParams p = process_params(s, cell_coordinates(s, 0, 0));
  EXPECT_DOUBLE_EQ(p.realised_volatility, kRho * kImplied);
  EXPECT_EQ(p.implied_volatility, kImplied);
  EXPECT_LT(p.volatility, p.realised_volatility);
}

// A long forward, q (call - put) at the money: delta q whatever the spot, so a delta band of 0.5
// trades exactly twice per path, -q delta_0 at t_0 and its unwind at expiry, both of the same
// size |n| = q. With r = 0 (no growth) the fee is f |n| (F_0 + S_T), so per path
//   impact = c sigma_day sqrt(|n| / V_day) |n| (F_0 + S_T) = fee c sigma_day sqrt(|n| / V_day) / f.
Scenario hedged_forward() {
  Scenario s = test_support::hedged_atm_call(24, 64);
  use_sqrt_impact(s);
  s.grid.expiry_days = {2.0};
  s.costs.fee_bps = 3.0;
  const double q = 2.5;
  s.book = {BookLeg{"call", 1.0, q}, BookLeg{"put", 1.0, -q}};
  s.hedging.policies = {"delta_band"};
  s.hedging.delta_band_band = {0.5};
  return s;
}

void expect_impact_of_two_trades_of_size(const std::vector<double>& out, std::uint64_t n,
                                         double size, double relative_tolerance, const char* what) {
  const int point = 1;  // 0 is the unhedged book
  auto at = [&](int metric, std::uint64_t i) {
    return out[std::size_t(point * kHedgeMetrics + metric) * n + i];
  };
  const double ratio = sqrt_law_rate(size, kDailyVolume) / 3e-4;  // fee_bps = 3
  for (std::uint64_t i = 0; i < n; ++i) {
    ASSERT_EQ(at(hedge_trades, i), 2.0) << what << " path " << i;
    ASSERT_GT(at(hedge_fee, i), 0.0) << what << " path " << i;
    ASSERT_NEAR(at(hedge_impact, i), at(hedge_fee, i) * ratio,
                relative_tolerance * at(hedge_impact, i))
        << what << " path " << i;
  }
}

TEST(SqrtImpactVolatility, HedgingPaysTheLawAtTheRealisedVolatility) {
  Scenario s = hedged_forward();
  const std::uint64_t n = 64;
  expect_impact_of_two_trades_of_size(scalar_block(test_support::hedging_kernel<double>(s), 0, n),
                                      n, 2.5, 1e-12, "double");
  s.simulation.precision = "float";
  const HedgingKernel<float> k = test_support::hedging_kernel<float>(s);
  expect_impact_of_two_trades_of_size(scalar_block(k, 0, n), n, 2.5, 1e-6, "float");
  ASSERT_TRUE(available_isas().empty() || simd_eligible(k));
  for (SimdIsa isa : available_isas())
    expect_impact_of_two_trades_of_size(batched_block(k, 0, n, isa), n, 2.5, 1e-6,
                                        simd_isa_name(isa));
}

// One step: t_0 is the only decision time that can trade (none at expiry), so every path makes
// one trade of a size known in advance, at F = S_0 (no latency):
//   CPPI, multiplier 4, floor 0.9, r = 0:  E* = 4 (V_0 - 0.9 V_0) = 0.4 V_0
//   volatility targeting, target 0.4:      E* = 0.4 / sigma_hat_0 V_0 = (0.4 / sigma_i) V_0
// (the EWMA starts at the implied sigma_i), and the trade costs c sigma_day sqrt(|n| / V_day) E*
// with |n| = E* / S_0.
Scenario one_trade_allocation() {
  Scenario s = test_support::allocation_cell(1);
  use_sqrt_impact(s);
  s.market.rate = 0.0;
  s.costs.daily_volume = 1.0e3;  // E* / S_0 ~ 1e2 units: an impact of a few percent
  s.cppi.multiplier = {4.0};
  s.cppi.tolerance = {0.0};
  s.cppi.floor = 0.9;
  s.vol_target.present = true;
  s.vol_target.target = {0.4};
  s.vol_target.tolerance = {0.0};
  return s;
}

double one_trade_cost(double exposure, double spot, double daily_volume) {
  return sqrt_law_rate(exposure / spot, daily_volume) * exposure;
}

template <class Kernel>
void expect_one_trade_costing(const std::vector<double>& out, std::uint64_t n, double cost,
                              double relative_tolerance, const char* what) {
  for (std::uint64_t i = 0; i < n; ++i) {
    ASSERT_EQ(out[std::size_t(Kernel::trade_count) * n + i], 1.0) << what << " path " << i;
    ASSERT_NEAR(out[std::size_t(Kernel::cost_paid) * n + i], cost, relative_tolerance * cost)
        << what << " path " << i;
  }
}

TEST(SqrtImpactVolatility, CppiAndVolTargetingPayTheLawAtTheRealisedVolatility) {
  Scenario s = one_trade_allocation();
  const double v0 = s.cppi.capital, spot = s.market.spot, volume = s.costs.daily_volume;
  const double cppi_cost = one_trade_cost(0.4 * v0, spot, volume);
  const double vt_cost = one_trade_cost(0.4 / kImplied * v0, spot, volume);
  const std::uint64_t n = 40;
  s.simulation.precision = "double";
  expect_one_trade_costing<CppiKernel<double>>(
      scalar_block(test_support::cppi_kernel<double>(s), 0, n), n, cppi_cost, 1e-12, "cppi double");
  expect_one_trade_costing<VolTargetKernel<double>>(
      scalar_block(test_support::vol_target_kernel<double>(s), 0, n), n, vt_cost, 1e-12,
      "vol_target double");
  s.simulation.precision = "float";
  const CppiKernel<float> cppi = test_support::cppi_kernel<float>(s);
  const VolTargetKernel<float> vt = test_support::vol_target_kernel<float>(s);
  expect_one_trade_costing<CppiKernel<float>>(scalar_block(cppi, 0, n), n, cppi_cost, 1e-6,
                                              "cppi float");
  expect_one_trade_costing<VolTargetKernel<float>>(scalar_block(vt, 0, n), n, vt_cost, 1e-6,
                                                   "vol_target float");
  for (SimdIsa isa : available_isas()) {
    expect_one_trade_costing<CppiKernel<float>>(batched_block(cppi, 0, n, isa), n, cppi_cost, 1e-6,
                                                simd_isa_name(isa));
    expect_one_trade_costing<VolTargetKernel<float>>(batched_block(vt, 0, n, isa), n, vt_cost, 1e-6,
                                                     simd_isa_name(isa));
  }
}

}  // namespace
}  // namespace hedgemap
