// Backend parity: every path kernel type of kernels/path_kernel_list.hpp run on the same paths by
// each backend, and a few cells' statistics, against the scalar CPU reference (the
// __host__ __device__ functor, one path after the other). What each backend is held to:
//   scalar CPU        run_chunk_on with HEDGEMAP_SCALAR_CPU=1 on 2 threads: bit for bit.
//   lane-batched CPU  host/cpu/'s kernels on every instruction set this CPU runs: the book price
//                     bit for bit, CPPI bit for bit in the portable build where a case says so,
//                     hedging and vol targeting within float rounding (SLEEF's vector exp, log,
//                     sincos and erfc differ from glibc's in the last bit); and the runner on 2
//                     threads gives the chosen instruction set's bits. Double kernels have no
//                     batched form: the runner's scalar loop, bit for bit.
//   CUDA              the device's float math (its own libm, contracted multiply-adds) moves a
//                     few discrete decisions (a band crossing, a Poisson count): 99% of the paths
//                     within 1e-3 of each column's largest value, and the column means. The one
//                     skip of the suite: no usable CUDA device.
// A case's premise (that its scenario reaches the branches it is there for) is checked once, on
// the reference, in the scalar CPU instance. gpu_check.sh runs the suite by its name (*Backend*).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <functional>
#include <map>
#include <ostream>
#include <string>
#include <type_traits>
#include <variant>
#include <vector>

#include "host/exec/backend.hpp"
#include "host/exec/path_runner.hpp"
#include "host/families/allocation.hpp"
#include "host/families/hedging.hpp"
#include "host/scenario/kernel_params.hpp"
#include "kernels/path_kernel_list.hpp"
#include "tests/support/block_agreement.hpp"
#include "tests/support/group_results.hpp"
#include "tests/support/kernel_blocks.hpp"
#include "tests/support/scenarios.hpp"
#include "tests/support/scoped_env.hpp"

namespace hedgemap {
namespace {

using test_support::allocation_cell;
using test_support::available_isas;
using test_support::batched_block;
using test_support::book_price_kernel;
using test_support::busy_market;
using test_support::busy_market_with_points;
using test_support::column_mean;
using test_support::ColumnAgreement;
using test_support::ColumnScale;
using test_support::cppi_kernel;
using test_support::eventful_book_price_kernel;
using test_support::expect_same_bits;
using test_support::expect_same_columns;
using test_support::expect_same_results;
using test_support::hedged_atm_call;
using test_support::hedged_short_call;
using test_support::hedging_kernel;
using test_support::kHasBatchedForm;
using test_support::PointCounts;
using test_support::scalar_block;
using test_support::ScopedEnv;
using test_support::vol_target_kernel;
using test_support::whalley_wilmott_without_costs;

// ---- the backends --------------------------------------------------------------------------

enum class Backend { scalar_cpu, batched_cpu, cuda };
constexpr Backend kBackends[] = {Backend::scalar_cpu, Backend::batched_cpu, Backend::cuda};

const char* name_of(Backend b) {
  switch (b) {
    case Backend::scalar_cpu:
      return "ScalarCpu";
    case Backend::batched_cpu:
      return "BatchedCpu";
    case Backend::cuda:
      return "Cuda";
  }
  return "?";
}

Execution cpu_execution(int threads) {
  Execution e;
  e.backend = BackendKind::cpu;
  e.threads = threads;
  return e;
}

// Paths [first, first + n) through the path runner's chunk function on `exec`.
template <class Kernel>
std::vector<double> runner_block(const Execution& exec, const Kernel& k, std::uint64_t first,
                                 std::uint64_t n) {
  std::vector<double> out(std::size_t(k.columns()) * n, -12345.0);
  run_chunk_on(exec, k, first, n, out.data());
  return out;
}

// ---- the cases -----------------------------------------------------------------------------

// One kernel of any type the backends run: the alternatives are kernels/path_kernel_list.hpp's.
#define HM_AS_ALTERNATIVE(Kernel) , Kernel
template <class Ignored, class... Kernels>
using VariantOfTail = std::variant<Kernels...>;
using AnyPathKernel = VariantOfTail<void HEDGEMAP_FOR_EACH_PATH_KERNEL(HM_AS_ALTERNATIVE)>;
#undef HM_AS_ALTERNATIVE

// One chunk of paths of one kernel.
struct PathCase {
  AnyPathKernel kernel;
  std::uint64_t first = 0, n = 0;
  // CPPI: the batched kernel uses glibc's float functions and the scalar kernel's operation
  // order, so without FMA contraction (the portable build) every column equals the scalar's.
  // A -march=native build contracts the scalar kernel's multiply-adds, the batched file does not
  // (-ffp-contract=off): then the float-rounding tolerance.
  bool batched_bits_without_fma = false;
  // What the scenario is there for, checked on the reference block.
  std::function<void(const std::vector<double>& reference)> premise;
};

// One cell's statistics of a family.
enum class Family { hedging, allocation };
struct CellCase {
  Scenario scenario;
  Family family = Family::hedging;
  BootstrapPlan plan;
  // How far metric m at point p may be from the reference's, by the reference's own values
  // (negative: not compared). The same for the batched CPU and CUDA: both run float paths.
  std::function<double(const GroupCellResult& reference, std::size_t m, std::size_t p)> tolerance;
};

// Which backends a case runs on (the scalar CPU runs every case).
enum class Reach {
  every_backend,
  // One ulp decides a discrete outcome on many paths (a dust trade at the minimum order, a
  // saturated delta): the CPU backends are held to the scalar rounding there, the GPU's
  // contracted multiply-adds and own libm are not.
  cpu_backends,
  // Point counts chosen to reach each capacity the CUDA backend compiles: a CUDA notion (the CPU
  // backends run the kernel's maximum; tests/kernels/test_point_capacity.cpp checks that every
  // capacity gives its bits). Also a policy the lane-batched CPU kernel does not cover
  // (delta_vega_band: that backend runs the scalar kernel, tests/families/test_delta_vega.cpp).
  scalar_cpu_and_cuda,
};

struct ParityCase {
  std::string name;
  std::variant<PathCase, CellCase> check;
  Reach reach = Reach::every_backend;

  bool runs_on(Backend b) const {
    switch (b) {
      case Backend::scalar_cpu:
        return true;
      case Backend::batched_cpu:
        return reach != Reach::scalar_cpu_and_cuda;
      case Backend::cuda:
        return reach != Reach::cpu_backends;
    }
    return false;
  }
};

void add_path_case(std::vector<ParityCase>& cases, const std::string& name, AnyPathKernel kernel,
                   std::uint64_t first, std::uint64_t n,
                   std::function<void(const std::vector<double>&)> premise = nullptr,
                   Reach reach = Reach::every_backend) {
  PathCase c;
  c.kernel = std::move(kernel);
  c.first = first;
  c.n = n;
  c.premise = std::move(premise);
  cases.push_back(ParityCase{name, c, reach});
}

// Every kernel type in both precisions on the busy market (tests/support/scenarios.hpp).
void add_busy_market_cases(std::vector<ParityCase>& cases) {
  const Scenario s = busy_market();
  const std::uint64_t n = s.simulation.paths;
  add_path_case(cases, "book_price_float_busy_market", book_price_kernel<float>(s), 0, n);
  add_path_case(cases, "book_price_double_busy_market", book_price_kernel<double>(s), 0, n);
  add_path_case(cases, "hedging_float_busy_market", hedging_kernel<float>(s), 0, n);
  add_path_case(cases, "hedging_double_busy_market", hedging_kernel<double>(s), 0, n);
  add_path_case(cases, "cppi_float_busy_market", cppi_kernel<float>(s), 0, n);
  add_path_case(cases, "cppi_double_busy_market", cppi_kernel<double>(s), 0, n);
  add_path_case(cases, "vol_target_float_busy_market", vol_target_kernel<float>(s), 0, n);
  add_path_case(cases, "vol_target_double_busy_market", vol_target_kernel<double>(s), 0, n);
}

// The busy market with as many points as reach every capacity the CUDA backend compiles and the
// fallback to the maximum (float: the precision with capacities; double once, at the maximum).
const PointCounts kCapacityShapes[] = {
    {1, 1, 1, 1, 1}, {2, 3, 3, 2, 2}, {8, 5, 5, 2, 3}, {11, 6, 6, 3, 3}};

void add_capacity_cases(std::vector<ParityCase>& cases) {
  for (const PointCounts& shape : kCapacityShapes) {
    Scenario s = busy_market_with_points(shape);
    s.simulation.paths = 2048;
    const std::string points = "points_" + std::to_string(shape.hedging_values) + "_" +
                               std::to_string(shape.cppi_a) + "_" + std::to_string(shape.cppi_b) +
                               "_" + std::to_string(shape.vt_a) + "_" + std::to_string(shape.vt_b);
    const std::uint64_t n = s.simulation.paths;
    add_path_case(cases, "hedging_float_" + points, hedging_kernel<float>(s), 0, n, nullptr,
                  Reach::scalar_cpu_and_cuda);
    add_path_case(cases, "cppi_float_" + points, cppi_kernel<float>(s), 0, n, nullptr,
                  Reach::scalar_cpu_and_cuda);
    add_path_case(cases, "vol_target_float_" + points, vol_target_kernel<float>(s), 0, n, nullptr,
                  Reach::scalar_cpu_and_cuda);
    if (shape.hedging_values == 2) {
      add_path_case(cases, "hedging_double_" + points, hedging_kernel<double>(s), 0, n, nullptr,
                    Reach::scalar_cpu_and_cuda);
      add_path_case(cases, "cppi_double_" + points, cppi_kernel<double>(s), 0, n, nullptr,
                    Reach::scalar_cpu_and_cuda);
      add_path_case(cases, "vol_target_double_" + points, vol_target_kernel<double>(s), 0, n,
                    nullptr, Reach::scalar_cpu_and_cuda);
    }
  }
}

// The hedging kernel in configurations that exercise every branch of the batched kernel (Merton
// and Kou jumps, outages, latency, costs, bands, Whalley-Wilmott bands with and without costs,
// several legs), over path counts and first paths that are not multiples of the lane count.
void add_hedging_cases(std::vector<ParityCase>& cases) {
  {
    Scenario s = hedged_short_call(21);
    s.market.spot = 100.0;
    s.market.rate = s.market.drift = 0.05;
    s.grid.volatility = {0.2};
    add_path_case(cases, "hedging_float_quantlib", hedging_kernel<float>(s), 0, 4099);
  }
  {
    Scenario s = hedged_short_call(24);
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
    add_path_case(cases, "hedging_float_bands_costs_latency", hedging_kernel<float>(s), 1000, 3001);
    // Three cost slots on the same paths (swept cost axes): fee, gas, minimum order and the WW
    // and fixed-cost bands' lambda and gas differ by slot.
    s.hedging.policies = {"periodic", "delta_band", "whalley_wilmott", "fixed_cost_band"};
    s.hedging.whalley_wilmott_risk_aversion = {1e-3, 1e-1};
    s.hedging.fixed_cost_band_risk_aversion = {1e-2};
    HedgingKernel<float> slots = hedging_kernel<float>(s);
    const double fees[] = {1.0, 30.0}, gases[] = {4.0, 0.0}, minimum[] = {0.05, 0.0};
    for (int i = 0; i < 2; ++i) {
      s.costs.fee_bps = fees[i];
      s.costs.gas = gases[i];
      s.costs.min_trade_units = minimum[i];
      slots.cost_slot[1 + i] = hedging_kernel<float>(s).cost_slot[0];
    }
    slots.cost_slots = 3;
    add_path_case(cases, "hedging_float_cost_slots", slots, 7, 2003);
  }
  {
    Scenario s = hedged_short_call(30);
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
    const HedgingKernel<float> k = hedging_kernel<float>(s);
    // The rare-lane branches run: jumps and outages on many paths.
    add_path_case(cases, "hedging_float_jumps_outages_amm", k, 0, 2037,
                  [k](const std::vector<double>& ref) {
                    EXPECT_GT(column_mean(ref, k.summary_column() + summary_jumps, 2037),
                              2.0);  // 60 / year over 30 days: ~4.9 per path
                    EXPECT_GT(column_mean(ref, k.summary_column() + summary_gap_events, 2037),
                              5.0);  // 150 / year: ~12 per path
                  });
  }
  {
    // costs.min_trade_units on every policy: periodic, bands (center and edge) and
    // Whalley-Wilmott skip the same small trades lane by lane as the scalar kernel; the deep
    // in-the-money leg keeps many dust-sized wanted trades near the threshold.
    Scenario s = hedged_short_call(48);
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
    add_path_case(cases, "hedging_float_min_trade_center", hedging_kernel<float>(s), 3, 2501,
                  nullptr, Reach::cpu_backends);
    s.hedging.delta_band_rebalance_to = "edge";
    Scenario without = s;
    without.costs.min_trade_units = 0.0;
    // The minimum binds: every-step hedging trades far less often than without it.
    add_path_case(
        cases, "hedging_float_min_trade_edge", hedging_kernel<float>(s), 3, 2501,
        [without](const std::vector<double>& ref) {
          const int trades = 1 * kHedgeMetrics + hedge_trades;
          const std::vector<double> free = scalar_block(hedging_kernel<float>(without), 3, 2501);
          EXPECT_LT(column_mean(ref, trades, 2501), 0.8 * column_mean(free, trades, 2501));
        },
        Reach::cpu_backends);
  }
  {
    Scenario s = hedged_short_call(48);
    s.hedging.policies = {"whalley_wilmott"};
    s.hedging.whalley_wilmott_risk_aversion = {1e-4, 1e-2, 1.0};
    s.costs.fee_bps = 10.0;
    s.costs.gas = 1.0;
    const HedgingKernel<float> k = hedging_kernel<float>(s);
    // The bands bind: the widest (least risk-averse) trades far less than every step, the
    // narrowest more than the widest.
    add_path_case(cases, "hedging_float_whalley_wilmott_alone", k, 5, 2051,
                  [k](const std::vector<double>& ref) {
                    ASSERT_GT(k.cost_slot[0].ww_lambda, 0.0);
                    const double wide = column_mean(ref, 1 * kHedgeMetrics + hedge_trades, 2051);
                    const double narrow = column_mean(ref, 3 * kHedgeMetrics + hedge_trades, 2051);
                    EXPECT_LT(wide, 0.5 * 49);  // at most 49 trades: t = 0, 47 steps, the unwind
                    EXPECT_GT(narrow, wide + 2.0);
                  });
  }
  {
    Scenario s = hedged_short_call(36);
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
    const HedgingKernel<float> k = hedging_kernel<float>(s);
    add_path_case(cases, "hedging_float_whalley_wilmott_periodic_bands_costs", k, 123, 2003,
                  [k](const std::vector<double>&) { EXPECT_GT(k.cost_slot[0].ww_lambda, 0.0); });
  }
  {
    Scenario s = hedged_short_call(48);
    s.hedging.policies = {"fixed_cost_band"};
    s.hedging.fixed_cost_band_risk_aversion = {1e-4, 1e-2, 1.0};
    s.costs.gas = 1.0;
    const HedgingKernel<float> k = hedging_kernel<float>(s);
    // The bands bind: the widest (least risk-averse) trades far less than every step, the
    // narrowest more than the widest; gas is the only cost.
    add_path_case(cases, "hedging_float_fixed_cost_band_alone", k, 5, 2051,
                  [k](const std::vector<double>& ref) {
                    ASSERT_EQ(k.n_fixed, 3);
                    const double wide = column_mean(ref, 1 * kHedgeMetrics + hedge_trades, 2051);
                    const double narrow = column_mean(ref, 3 * kHedgeMetrics + hedge_trades, 2051);
                    EXPECT_LT(wide, 0.5 * 49);  // at most 49 trades: t = 0, 47 steps, the unwind
                    EXPECT_GT(narrow, wide + 2.0);
                    EXPECT_GT(column_mean(ref, 3 * kHedgeMetrics + hedge_gas, 2051), 0.0);
                    EXPECT_EQ(column_mean(ref, 3 * kHedgeMetrics + hedge_fee, 2051), 0.0);
                  });
  }
  {
    // Every hedging policy at once, with every cost, latency and outages.
    Scenario s = hedged_short_call(36);
    s.hedging.policies = {"periodic", "delta_band", "whalley_wilmott", "fixed_cost_band"};
    s.hedging.periodic_every_steps = {1, 4};
    s.hedging.delta_band_band = {
        0.03, 0.3};  // 0.2 sat where float rounding flips a decision on a few of these paths
    s.hedging.whalley_wilmott_risk_aversion = {3e-4, 3e-2};
    s.hedging.fixed_cost_band_risk_aversion = {1e-4, 1e-2};
    s.costs.fee_bps = 5.0;
    s.costs.gas = 0.5;
    s.costs.gas_volatility = 0.5;
    s.costs.impact = "amm";
    s.costs.pool_depth = 2e6;
    s.costs.latency_seconds = 300.0;
    s.gaps.intensity = 40.0;
    s.gaps.duration_hours = 20.0;
    s.gaps.crash_log_mean = -0.02;
    s.gaps.crash_log_stdev = 0.03;
    s.gaps.gas_multiplier = 3.0;
    s.book = {BookLeg{"call", 1.1, -3.0}, BookLeg{"put", 0.95, 2.0}, BookLeg{"call", 0.9, 0.5}};
    const HedgingKernel<float> k = hedging_kernel<float>(s);
    add_path_case(cases, "hedging_float_all_policies_costs", k, 77, 2003,
                  [k](const std::vector<double>&) { EXPECT_EQ(k.points(), 9); });
  }
  {
    // lambda = 0 (no costs): a Whalley-Wilmott point trades to the delta at every unblocked step
    // (tests/cpu/test_simd_hedging.cpp checks the batch's points against each other).
    const Scenario s = whalley_wilmott_without_costs();
    const HedgingKernel<float> k = hedging_kernel<float>(s);
    add_path_case(cases, "hedging_float_whalley_wilmott_without_costs", k, 0, 1031,
                  [k](const std::vector<double>&) { EXPECT_EQ(k.cost_slot[0].ww_lambda, 0.0); });
  }
  {
    Scenario s = hedged_short_call(30);
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
    const HedgingKernel<float> k = hedging_kernel<float>(s);
    // The Kou branch runs (0.22 jumps a step: two or more in ~2% of the steps).
    add_path_case(cases, "hedging_float_kou_outages_whalley_wilmott", k, 0, 2037,
                  [k](const std::vector<double>& ref) {
                    EXPECT_GT(column_mean(ref, k.summary_column() + summary_jumps, 2037),
                              4.0);  // ~6.6 per path
                    EXPECT_GT(column_mean(ref, k.summary_column() + summary_gap_events, 2037), 5.0);
                  });
  }
  {
    // delta_vega_band on Bates paths with outages and costs: option trades (premium, option fee,
    // gas) beside the delta band and the fixed-cost band (the point before it), a moving implied
    // volatility; the lane-batched CPU runs the scalar kernel for it, CUDA its own.
    Scenario s = hedged_short_call(48);
    s.hedging.policies = {"delta_band", "fixed_cost_band", "delta_vega_band"};
    s.hedging.delta_band_band = {0.05};
    s.hedging.fixed_cost_band_risk_aversion = {1e-2};
    s.hedging.delta_vega_band_band = {0.05, 0.2};
    s.hedging.delta_vega_band_vega_band = {0.0, 0.1, 0.3};
    s.hedging.vega_instrument_type = "put";
    s.hedging.vega_instrument_strike = 0.95;
    s.hedging.vega_instrument_expiry_extra_days = 20.0;
    s.volatility.model = "heston";
    s.volatility.vol_of_vol = 1.5;
    s.jumps.model = "merton";
    s.jumps.intensity = 10.0;
    s.jumps.log_mean = -0.03;
    s.jumps.log_stdev = 0.05;
    s.gaps.intensity = 40.0;
    s.gaps.crash_log_mean = -0.02;
    s.gaps.crash_log_stdev = 0.02;
    s.costs.fee_bps = 5.0;
    s.costs.gas = 1.0;
    s.costs.option_fee_bps = 10.0;
    s.costs.latency_seconds = 30.0;
    const HedgingKernel<float> k = hedging_kernel<float>(s);
    add_path_case(
        cases, "hedging_float_delta_vega_band_bates_outages", k, 7, 1501,
        [k](const std::vector<double>& ref) {
          // the option fee column is written (vega trades happen)
          const int first_dv = 1 + k.n_periodic + k.n_band + k.n_ww + k.n_fixed;
          EXPECT_GT(column_mean(ref, first_dv * kHedgeMetrics + hedge_option_fee, 1501), 0.0);
        },
        Reach::scalar_cpu_and_cuda);
  }
  {
    // A short straddle hedged hourly up to expiry: its delta saturates on many paths, where one
    // ulp decides whether a step trades; the trade counts agree on >= 99.5% of the paths only if
    // the batch rounds the delta sum like the scalar kernel (no FMA contraction).
    Scenario s = hedged_short_call(240);  // hourly over 10 days
    s.grid.expiry_days = {10.0};
    s.grid.volatility = {0.8};
    s.book = {BookLeg{"call", 1.0, -10.0}, BookLeg{"put", 1.0, -10.0}};
    s.hedging.policies = {"periodic", "whalley_wilmott"};
    s.hedging.periodic_every_steps = {1};
    s.hedging.whalley_wilmott_risk_aversion = {1e-3};
    s.costs.fee_bps = 5.0;
    add_path_case(cases, "hedging_float_saturated_delta", hedging_kernel<float>(s), 0, 1200,
                  nullptr, Reach::cpu_backends);
  }
  {
    Scenario s = hedged_short_call(12);
    s.hedging.policies = {"delta_band"};
    s.hedging.delta_band_band = {0.01, 0.05, 0.3};
    s.costs.impact = "linear";
    s.costs.impact_coefficient = 0.05;
    s.costs.daily_volume = 500.0;
    s.costs.fee_bps = 2.0;
    add_path_case(cases, "hedging_float_linear_impact", hedging_kernel<float>(s), 0, 1500);
  }
}

// The allocation kernels in configurations that exercise every branch of the batched kernels
// (tolerance 0 and > 0, the leverage cap, fees, gas with its multiplier after outages, AMM and
// square-root impact, latency, Merton jumps, outages, the minimum order).
void add_allocation_cases(std::vector<ParityCase>& cases) {
  using Cppi = CppiKernel<float>;
  using VolTarget = VolTargetKernel<float>;
  {
    Scenario s = allocation_cell(96);
    s.cppi.floor = 0.8;
    s.cppi.multiplier = {3.0, 10.0};  // 10 x 0.2 V = 2 V > 1.5 V: the cap binds from the start
    s.cppi.tolerance = {0.0, 0.03, 0.1};
    s.cppi.max_leverage = 1.5;
    s.costs.fee_bps = 5.0;
    Scenario uncapped = s;
    uncapped.cppi.max_leverage = 1e9;
    // The cap binds: at tolerance 0 the capped point ends away from the uncapped rule's value on
    // almost every path; and the tolerance bands cut the trade count.
    add_path_case(cases, "cppi_float_tolerances_leverage_cap", cppi_kernel<float>(s), 0, 3001,
                  [uncapped](const std::vector<double>& ref) {
                    const std::uint64_t n = 3001;
                    const int per = Cppi::kPerPoint, trades = Cppi::trade_count;
                    EXPECT_LT(column_mean(ref, 5 * per + trades, n),
                              0.8 * column_mean(ref, 3 * per + trades, n));
                    const std::vector<double> free =
                        scalar_block(cppi_kernel<float>(uncapped), 0, n);
                    const std::size_t value = std::size_t(3 * per + Cppi::terminal_value) * n;
                    std::uint64_t apart = 0;
                    for (std::uint64_t i = 0; i < n; ++i)
                      apart += std::abs(ref[value + i] - free[value + i]) > 1.0;
                    EXPECT_GT(double(apart), 0.9 * double(n));
                  });
  }
  {
    Scenario s = allocation_cell(120);
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
    // The floor is breached on some paths (jumps and crashes), so that column is exercised.
    add_path_case(cases, "cppi_float_costs_outages_jumps_amm", cppi_kernel<float>(s), 77, 2037,
                  [](const std::vector<double>& ref) {
                    EXPECT_GT(column_mean(ref, Cppi::kPerPoint * 2 + Cppi::floor_breach, 2037),
                              0.002);
                  });
  }
  {
    Scenario s = allocation_cell(96);
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
    add_path_case(cases, "vol_target_float_sqrt_impact_outages_jumps", vol_target_kernel<float>(s),
                  5, 2501);
  }
  {
    Scenario s = allocation_cell(60);
    s.vol_target.target = {0.5};
    s.vol_target.tolerance = {0.0, 0.1};
    s.costs.impact = "linear";
    s.costs.daily_volume = 1.0e5;
    add_path_case(cases, "vol_target_float_linear_impact_no_frictions", vol_target_kernel<float>(s),
                  0, 1000);
  }
  {
    // costs.min_trade_units: a few hundred units held, moves of a few units per step; the
    // batched kernels skip the same small trades lane by lane, and the minimum binds.
    Scenario s = allocation_cell(96);
    s.cppi.multiplier = {3.0, 6.0};
    s.cppi.tolerance = {0.0, 0.02};
    s.vol_target.target = {0.5};
    s.vol_target.tolerance = {0.0, 0.05};
    s.gaps.intensity = 80.0;
    s.gaps.gas_multiplier = 2.0;
    s.costs.fee_bps = 5.0;
    s.costs.gas = 2.0;
    s.costs.min_trade_units = 6.0;
    Scenario off = s;
    off.costs.min_trade_units = 0.0;
    const std::uint64_t n = 2003;
    add_path_case(
        cases, "cppi_float_min_trade", cppi_kernel<float>(s), 11, n,
        [off](const std::vector<double>& ref) {
          const std::vector<double> free = scalar_block(cppi_kernel<float>(off), 11, n);
          EXPECT_LT(column_mean(ref, Cppi::trade_count, n),
                    0.8 * column_mean(free, Cppi::trade_count, n));
        },
        Reach::cpu_backends);
    add_path_case(
        cases, "vol_target_float_min_trade", vol_target_kernel<float>(s), 11, n,
        [off](const std::vector<double>& ref) {
          const std::vector<double> free = scalar_block(vol_target_kernel<float>(off), 11, n);
          EXPECT_LT(column_mean(ref, VolTarget::trade_count, n),
                    0.8 * column_mean(free, VolTarget::trade_count, n));
        },
        Reach::cpu_backends);
  }
  {
    Scenario s = allocation_cell(72);
    s.jumps.model = "merton";
    s.jumps.intensity = 30.0;
    s.jumps.log_mean = -0.02;
    s.jumps.log_stdev = 0.05;
    s.gaps.intensity = 50.0;
    s.gaps.gas_multiplier = 2.0;
    s.costs.fee_bps = 5.0;
    s.costs.gas = 4.0;
    add_path_case(cases, "cppi_float_fees_gas_jumps_outages", cppi_kernel<float>(s), 9, 1001);
    std::get<PathCase>(cases.back().check).batched_bits_without_fma = true;
  }
}

// The book price kernel with Merton jumps, outages, latency and gas dispersion on and off.
void add_book_price_cases(std::vector<ParityCase>& cases) {
  // The configuration reaches the rare-lane code and both signs of the book's payoff.
  add_path_case(cases, "book_price_float_jumps_gaps_latency", eventful_book_price_kernel(), 37,
                1003, [](const std::vector<double>& ref) {
                  const std::uint64_t n = 1003;
                  int with_jumps = 0, with_gaps = 0, positive = 0, negative = 0;
                  for (std::uint64_t i = 0; i < n; ++i) {
                    with_jumps += ref[summary_jumps * n + i] > 0.0;
                    with_gaps += ref[summary_gap_events * n + i] > 0.0;
                    positive += ref[i] > 0.0;
                    negative += ref[i] < 0.0;
                  }
                  EXPECT_GT(with_jumps, int(n) * 9 / 10);
                  EXPECT_GT(with_gaps, int(n) / 2);
                  EXPECT_GT(positive, 10);
                  EXPECT_GT(negative, 10);
                });
  BookPriceKernel<float> k = eventful_book_price_kernel();
  k.process.latency = 0.0;
  k.process.gas_volatility = 0.0;
  k.process.jumps.model = JumpModel::none;
  k.process.gaps.intensity = 0.0;
  add_path_case(cases, "book_price_float_no_jumps_gaps_latency", k, 0, 517);
  k.process.jumps.model = JumpModel::merton;  // the other branch of the interval split
  add_path_case(cases, "book_price_float_jumps_only", k, 0, 517);
}

// Cells' statistics on each backend (the float cells against the scalar CPU: the batched
// kernels' and the GPU's float rounding moves each metric far less than these tolerances).
void add_cell_cases(std::vector<ParityCase>& cases) {
  {
    // The short ATM call hedged in double by three policies with costs: every metric within
    // 1e-4 (1 + |value|).
    CellCase c;
    Scenario& s = c.scenario;
    s = hedged_atm_call(24, 50000);
    s.hedging.policies = {"periodic", "delta_band", "whalley_wilmott"};
    s.hedging.periodic_every_steps = {1, 4};
    s.hedging.delta_band_band = {0.05, 0.2};
    s.hedging.whalley_wilmott_risk_aversion = {1.0};
    s.costs.fee_bps = 5.0;
    s.costs.gas = 0.01;
    c.family = Family::hedging;
    c.plan = BootstrapPlan{8, 8, 99};
    c.tolerance = [](const GroupCellResult& ref, std::size_t m, std::size_t p) {
      return 1e-4 * (1.0 + std::abs(ref.metrics[m][p]));
    };
    cases.push_back(ParityCase{"cell_hedging_double_costs", c});
  }
  {
    // The busy market's hedging cell in float, 50,000 paths: the P&L mean within 1e-3 of the
    // P&L standard deviation.
    CellCase c;
    c.scenario = busy_market();
    c.scenario.simulation.paths = 50000;
    c.family = Family::hedging;
    c.plan.seed = 1;
    c.tolerance = [](const GroupCellResult& ref, std::size_t m, std::size_t p) {
      return m == 0 ? 1e-3 * std::fabs(ref.metrics[1][p]) + 1e-9 : -1.0;
    };
    cases.push_back(ParityCase{"cell_hedging_float_busy_market", c});
  }
  {
    // CPPI and vol targeting in float with jumps, outages, fees and gas: every metric within
    // 1e-4 |value| + 1e-3.
    CellCase c;
    Scenario& s = c.scenario;
    s.seed = 20261124;
    s.simulation.paths = 20000;
    s.simulation.dt_hours = 1.0;
    s.simulation.precision = "float";
    s.grid.volatility = {0.7};
    s.grid.expiry_days = {7};
    s.market.spot = 100.0;
    s.jumps.model = "merton";
    s.jumps.intensity = 20.0;
    s.jumps.log_mean = -0.05;
    s.jumps.log_stdev = 0.08;
    s.gaps.intensity = 10.0;
    s.gaps.crash_log_mean = -0.1;
    s.costs.fee_bps = 5.0;
    s.costs.gas = 4.0;
    s.cppi.present = true;
    s.cppi.capital = 1.0e6;
    s.cppi.floor = 0.9;
    s.cppi.max_leverage = 1e9;
    s.cppi.multiplier = {2, 4, 8};
    s.cppi.tolerance = {0.0, 0.1};
    s.vol_target.present = true;
    s.vol_target.target = {0.2, 0.5};
    s.vol_target.tolerance = {0.05, 0.2};
    c.family = Family::allocation;
    c.plan.seed = 7;
    c.tolerance = [](const GroupCellResult& ref, std::size_t m, std::size_t p) {
      return 1e-4 * std::abs(ref.metrics[m][p]) + 1e-3;
    };
    cases.push_back(ParityCase{"cell_allocation_float_jumps_outages_costs", c});
  }
}

const std::vector<ParityCase>& parity_cases() {
  static const std::vector<ParityCase> cases = [] {
    std::vector<ParityCase> v;
    add_busy_market_cases(v);
    add_capacity_cases(v);
    add_hedging_cases(v);
    add_allocation_cases(v);
    add_book_price_cases(v);
    add_cell_cases(v);
    return v;
  }();
  return cases;
}

// ---- what each backend is held to ------------------------------------------------------------

// The lane-batched block of one instruction set against the reference.
void expect_batched_agrees(const BookPriceKernel<float>&, const PathCase&,
                           const std::vector<double>& reference, const std::vector<double>& got) {
  expect_same_bits(reference, got, "batched book price");
}

// Within 1e-4 of each column's RMS on >= 99.5% of the paths, and the means; the jump and outage
// counts (integer draws from the same Philox words) on every path.
void expect_batched_agrees(const HedgingKernel<float>& k, const PathCase& c,
                           const std::vector<double>& reference, const std::vector<double>& got) {
  const int jumps = k.summary_column() + summary_jumps;
  const int gaps = k.summary_column() + summary_gap_events;
  expect_same_columns(
      reference, got, c.n, k.columns(), {1e-4, ColumnScale::rms, 0.995, 1.0},
      [&](int col) { return col == jumps || col == gaps; }, "batched hedging");
}

// Within 1e-6 of each column's RMS on >= 99.5% of the paths, and the means; the trade counts and
// floor breaches equal on >= 99.5% of the paths.
constexpr ColumnAgreement kAllocationRounding{1e-6, ColumnScale::rms, 0.995, 0.995};

void expect_batched_agrees(const CppiKernel<float>& k, const PathCase& c,
                           const std::vector<double>& reference, const std::vector<double>& got) {
#if !defined(__FMA__)
  if (c.batched_bits_without_fma) {
    expect_same_bits(reference, got, "batched CPPI, portable build");
    return;
  }
#endif
  using K = CppiKernel<float>;
  expect_same_columns(
      reference, got, c.n, k.columns(), kAllocationRounding,
      [](int col) {
        return col % K::kPerPoint == K::trade_count || col % K::kPerPoint == K::floor_breach;
      },
      "batched CPPI");
}

void expect_batched_agrees(const VolTargetKernel<float>& k, const PathCase& c,
                           const std::vector<double>& reference, const std::vector<double>& got) {
  using K = VolTargetKernel<float>;
  expect_same_columns(
      reference, got, c.n, k.columns(), kAllocationRounding,
      [](int col) { return col % K::kPerPoint == K::trade_count; }, "batched vol target");
}

// Every instruction set against the reference, and the runner on 2 threads (which takes the
// batched path with the chosen set) against that set's block on 1 thread, bit for bit.
template <class Kernel>
void expect_batched_cpu_matches(const Kernel& k, const PathCase& c,
                                const std::vector<double>& reference) {
  const std::vector<double> runner = runner_block(cpu_execution(2), k, c.first, c.n);
  if constexpr (kHasBatchedForm<Kernel>) {
    const std::vector<SimdIsa> isas = available_isas();
    if (!isas.empty()) {
      ASSERT_TRUE(simd_eligible(k));
    }
    for (SimdIsa isa : isas) {
      SCOPED_TRACE(simd_isa_name(isa));
      expect_batched_agrees(k, c, reference, batched_block(k, c.first, c.n, isa));
    }
    if (simd_chosen_isa() != SimdIsa::none) {
      expect_same_bits(batched_block(k, c.first, c.n, simd_chosen_isa()), runner,
                       std::string("runner on 2 threads vs ") + simd_isa_name(simd_chosen_isa()) +
                           " on 1 thread");
      return;
    }
  }
  expect_same_bits(reference, runner, "runner without a batched form (the scalar loop)");
}

// 99% of the paths within 1e-3 of each column's largest value, and the column means.
constexpr ColumnAgreement kCudaAgreement{1e-3, ColumnScale::largest_abs, 0.99};

// ---- the suite -------------------------------------------------------------------------------

// The reference block of a path case (scalar functor, one thread), computed once per case.
template <class Kernel>
const std::vector<double>& reference_block(const std::string& name, const Kernel& k,
                                           const PathCase& c) {
  static std::map<std::string, std::vector<double>> computed;
  auto it = computed.find(name);
  if (it == computed.end()) it = computed.emplace(name, scalar_block(k, c.first, c.n)).first;
  return it->second;
}

template <class Kernel>
void check_path_kernel(Backend backend, const std::string& name, const PathCase& c,
                       const Kernel& k) {
  const std::vector<double>& reference = reference_block(name, k, c);
  switch (backend) {
    case Backend::scalar_cpu: {
      if (c.premise) c.premise(reference);
      const ScopedEnv scalar("HEDGEMAP_SCALAR_CPU", "1");
      expect_same_bits(reference, runner_block(cpu_execution(2), k, c.first, c.n),
                       "scalar CPU runner on 2 threads");
      return;
    }
    case Backend::batched_cpu:
      expect_batched_cpu_matches(k, c, reference);
      return;
    case Backend::cuda: {
      Execution cuda;
      cuda.backend = BackendKind::cuda;
      expect_same_columns(reference, runner_block(cuda, k, c.first, c.n), c.n, k.columns(),
                          kCudaAgreement, nullptr, "CUDA");
      return;
    }
  }
}

void check(Backend backend, const std::string& name, const PathCase& c) {
  std::visit([&](const auto& kernel) { check_path_kernel(backend, name, c, kernel); }, c.kernel);
}

std::vector<GroupCellResult> evaluate_cell(const CellCase& c, const Execution& exec) {
  const CellCoordinates cell = cell_coordinates(c.scenario, 0, 0);
  return c.family == Family::hedging ? evaluate_hedging_cell(c.scenario, cell, exec, c.plan)
                                     : evaluate_allocation_cell(c.scenario, cell, exec, c.plan);
}

// The scalar CPU's results of a cell case on all threads, computed once per case.
const std::vector<GroupCellResult>& reference_results(const std::string& name, const CellCase& c) {
  static std::map<std::string, std::vector<GroupCellResult>> computed;
  auto it = computed.find(name);
  if (it == computed.end()) {
    const ScopedEnv scalar("HEDGEMAP_SCALAR_CPU", "1");
    it = computed.emplace(name, evaluate_cell(c, cpu_execution(0))).first;
  }
  return it->second;
}

void check(Backend backend, const std::string& name, const CellCase& c) {
  const std::vector<GroupCellResult>& reference = reference_results(name, c);
  if (backend == Backend::scalar_cpu) {  // one thread: the same bits as all threads
    const ScopedEnv scalar("HEDGEMAP_SCALAR_CPU", "1");
    expect_same_results(reference, evaluate_cell(c, cpu_execution(1)), "scalar CPU, 1 thread");
    return;
  }
  const std::vector<GroupCellResult> got =
      evaluate_cell(c, backend == Backend::cuda ? choose_backend("cuda", 0) : cpu_execution(0));
  ASSERT_EQ(got.size(), reference.size());
  for (std::size_t g = 0; g < got.size(); ++g) {
    ASSERT_EQ(got[g].metrics.size(), reference[g].metrics.size());
    for (std::size_t m = 0; m < got[g].metrics.size(); ++m)
      for (std::size_t p = 0; p < got[g].metrics[m].size(); ++p) {
        const double tolerance = c.tolerance(reference[g], m, p);
        if (tolerance >= 0.0) {
          EXPECT_NEAR(got[g].metrics[m][p], reference[g].metrics[m][p], tolerance)
              << "group " << g << " metric " << m << " point " << p;
        }
      }
  }
}

struct Instance {
  Backend backend;
  const ParityCase* parity_case;
};

void PrintTo(const Instance& in, std::ostream* os) {
  *os << name_of(in.backend) << " " << in.parity_case->name;
}

std::vector<Instance> instances() {
  std::vector<Instance> v;
  for (Backend b : kBackends)
    for (const ParityCase& c : parity_cases())
      if (c.runs_on(b)) v.push_back(Instance{b, &c});
  return v;
}

class BackendParity : public testing::TestWithParam<Instance> {};

TEST_P(BackendParity, MatchesTheScalarCpuReference) {
  const Instance& in = GetParam();
  if (in.backend == Backend::cuda && !probe_cuda().usable)
    GTEST_SKIP() << "no usable CUDA device: " << probe_cuda().why_not;
  std::visit([&](const auto& c) { check(in.backend, in.parity_case->name, c); },
             in.parity_case->check);
}

INSTANTIATE_TEST_SUITE_P(Backends, BackendParity, testing::ValuesIn(instances()),
                         [](const testing::TestParamInfo<Instance>& info) {
                           return std::string(name_of(info.param.backend)) + "_" +
                                  info.param.parity_case->name;
                         });

// Every kernel type of kernels/path_kernel_list.hpp has a path case on every backend (a kernel
// added to the list fails here until it has one).
TEST(BackendParityCases, CoverEveryKernelTypeOnEveryBackend) {
  for (Backend b : kBackends) {
    std::vector<bool> covered(std::variant_size_v<AnyPathKernel>, false);
    for (const Instance& in : instances()) {
      const auto* path = std::get_if<PathCase>(&in.parity_case->check);
      if (in.backend == b && path != nullptr) covered[path->kernel.index()] = true;
    }
    for (std::size_t i = 0; i < covered.size(); ++i)
      EXPECT_TRUE(covered[i]) << name_of(b) << ": no case of kernel type " << i;
  }
}

#ifdef HEDGEMAP_WITH_CUDA
// The CUDA cases reach every capacity the CUDA backend compiles and the fallback to the maximum
// (0), for each kernel with per-point state (which capacity a run gets needs no device).
TEST(BackendParityCases, ReachEveryCompiledDeviceCapacity) {
  std::vector<int> hedging, cppi, vol_target;
  for (const Instance& in : instances()) {
    if (in.backend != Backend::cuda) continue;
    const auto* path = std::get_if<PathCase>(&in.parity_case->check);
    if (path == nullptr) continue;
    std::visit(
        [&](const auto& k) {
          using K = std::decay_t<decltype(k)>;
          if constexpr (std::is_same_v<K, HedgingKernel<float>> ||
                        std::is_same_v<K, HedgingKernel<double>>)
            hedging.push_back(cuda_backend::device_capacity(k));
          if constexpr (std::is_same_v<K, CppiKernel<float>> ||
                        std::is_same_v<K, CppiKernel<double>>)
            cppi.push_back(cuda_backend::device_capacity(k));
          if constexpr (std::is_same_v<K, VolTargetKernel<float>> ||
                        std::is_same_v<K, VolTargetKernel<double>>)
            vol_target.push_back(cuda_backend::device_capacity(k));
        },
        path->kernel);
  }
  auto has = [](const std::vector<int>& v, int c) {
    return std::find(v.begin(), v.end(), c) != v.end();
  };
  EXPECT_TRUE(has(hedging, 32) && has(hedging, 0));
  EXPECT_TRUE(has(cppi, 8) && has(cppi, 16) && has(cppi, 32) && has(cppi, 0));
  EXPECT_TRUE(has(vol_target, 4) && has(vol_target, 8) && has(vol_target, 0));
}
#endif

}  // namespace
}  // namespace hedgemap
