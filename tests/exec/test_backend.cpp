// The backends: how `auto` chooses, and the CUDA backend against the CPU backend on the same
// paths (the same __host__ __device__ kernels; skipped with a message where no GPU is usable).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <string>
#include <vector>

#include "host/families/allocation.hpp"
#include "host/exec/backend.hpp"
#include "host/families/hedging.hpp"
#include "host/scenario/kernel_params.hpp"
#include "host/exec/path_runner.hpp"
#include "host/statistics/pnl_samples.hpp"
#include "kernels/book_price_kernel.hpp"

using namespace hedgemap;

namespace {

Scenario everything_on() {
  Scenario s;
  s.seed = 4242;
  s.simulation.paths = 4096;
  s.simulation.dt_hours = 1.0;
  s.grid.volatility = {0.7};
  s.grid.expiry_days = {3};
  s.market.spot = 2500.0;
  s.market.rate = 0.03;
  s.market.drift = 0.1;
  s.jumps.model = "merton";
  s.jumps.intensity = 30.0;
  s.jumps.log_mean = -0.03;
  s.jumps.log_stdev = 0.05;
  s.gaps.intensity = 40.0;
  s.gaps.duration_hours = 4.0;
  s.gaps.crash_log_mean = -0.08;
  s.gaps.crash_log_stdev = 0.03;
  s.gaps.gas_multiplier = 8.0;
  s.costs.fee_bps = 5.0;
  s.costs.gas = 3.0;
  s.costs.gas_volatility = 0.5;
  s.costs.impact = "amm";
  s.costs.pool_depth = 3.0e7;
  s.costs.latency_seconds = 12.0;
  s.book = {BookLeg{"call", 1.0, -10.0}, BookLeg{"put", 0.9, 5.0}};
  s.hedging.present = true;
  s.hedging.policies = {"periodic", "delta_band", "whalley_wilmott"};
  s.cppi.present = true;
  s.vol_target.present = true;
  return s;
}

bool gpu_usable() { return probe_cuda().usable; }

// Runs one chunk of `paths` paths on both backends and compares every column path by path.
// Float arithmetic differs in the last bits between libm and CUDA's math library, so a
// discrete decision (a band crossing, a Poisson count) can flip on a few paths: at least 99% of
// the paths must agree to a relative 1e-3 of each column's scale, and the column means to 1e-3.
template <class Kernel>
void expect_backends_agree(const Kernel& kernel, std::uint64_t paths, const char* what) {
  Execution cpu, cuda;
  cpu.backend = BackendKind::cpu;
  cuda.backend = BackendKind::cuda;
  const int columns = kernel.columns();
  std::vector<double> a(std::size_t(columns) * paths), b(a.size());
  run_chunk_on(cpu, kernel, 0, paths, a.data());
  run_chunk_on(cuda, kernel, 0, paths, b.data());
  for (int c = 0; c < columns; ++c) {
    double scale = 1e-12, sum_a = 0, sum_b = 0;
    for (std::uint64_t i = 0; i < paths; ++i) scale = std::fmax(scale, std::fabs(a[c * paths + i]));
    std::uint64_t differ = 0;
    for (std::uint64_t i = 0; i < paths; ++i) {
      const double x = a[c * paths + i], y = b[c * paths + i];
      sum_a += x;
      sum_b += y;
      if (!(std::fabs(x - y) <= 1e-3 * scale)) ++differ;
    }
    EXPECT_LE(differ, paths / 100)
        << what << " column " << c << ": " << differ << " of " << paths << " paths differ";
    EXPECT_NEAR(sum_a / paths, sum_b / paths, 1e-3 * scale) << what << " column " << c;
  }
}

}  // namespace

TEST(BackendChoice, CpuIsAlwaysAvailableAndSaysSo) {
  const Execution e = choose_backend("cpu", 1);
  EXPECT_EQ(e.backend, BackendKind::cpu);
  EXPECT_EQ(e.reason, "requested");
  EXPECT_FALSE(e.device.empty());
}

TEST(BackendChoice, AutoExplainsItsChoice) {
  const Execution e = choose_backend("auto", 0);
  if (gpu_usable()) {
    EXPECT_EQ(e.backend, BackendKind::cuda);
  } else {
    EXPECT_EQ(e.backend, BackendKind::cpu);
    EXPECT_NE(e.reason.find("no usable CUDA device"), std::string::npos) << e.reason;
  }
}

TEST(BackendChoice, CudaWithoutADeviceIsAnErrorNotACrash) {
  if (gpu_usable()) GTEST_SKIP() << "a GPU is usable here; this checks the machine without one";
  EXPECT_THROW(choose_backend("cuda", 0), std::runtime_error);
  EXPECT_THROW(choose_backend("quantum", 0), std::invalid_argument);
}

TEST(BackendCudaVsCpu, EveryKernelAgreesOnTheSamePaths) {
  if (!gpu_usable()) GTEST_SKIP() << "no usable CUDA device: " << probe_cuda().why_not;
  const Scenario s = everything_on();
  const CellCoordinates cell = cell_coordinates(s, 0, 0);
  for (const char* precision : {"float", "double"}) {
    SCOPED_TRACE(precision);
    const bool dbl = std::string(precision) == "double";
    auto check_all = [&](auto real_tag) {
      using Real = decltype(real_tag);
      BookPriceKernel<Real> book{process_params(s, cell), option_book(s)};
      expect_backends_agree(book, s.simulation.paths, "book");
      expect_backends_agree(make_hedging_kernel<Real>(s, cell), s.simulation.paths, "hedging");
      CppiKernel<Real> cppi{process_params(s, cell), cost_params(s), cppi_settings(s, cell)};
      expect_backends_agree(cppi, s.simulation.paths, "cppi");
      VolTargetKernel<Real> vt{process_params(s, cell), cost_params(s),
                               vol_target_settings(s, cell)};
      expect_backends_agree(vt, s.simulation.paths, "vol_target");
    };
    if (dbl)
      check_all(double{});
    else
      check_all(float{});
  }
}

TEST(BackendCudaVsCpu, CellStatisticsAgree) {
  if (!gpu_usable()) GTEST_SKIP() << "no usable CUDA device: " << probe_cuda().why_not;
  Scenario s = everything_on();
  s.simulation.paths = 50000;
  const CellCoordinates cell = cell_coordinates(s, 0, 0);
  Execution cpu = choose_backend("cpu", 0), cuda = choose_backend("cuda", 0);
  BootstrapPlan plan;
  plan.seed = 1;
  const auto a = evaluate_hedging_cell(s, cell, cpu, plan);
  const auto b = evaluate_hedging_cell(s, cell, cuda, plan);
  ASSERT_EQ(a.size(), b.size());
  for (std::size_t g = 0; g < a.size(); ++g)
    for (std::size_t p = 0; p < a[g].metrics[0].size(); ++p)  // pnl_mean within 1e-3 of pnl_std
      EXPECT_NEAR(a[g].metrics[0][p], b[g].metrics[0][p],
                  1e-3 * std::fabs(a[g].metrics[1][p]) + 1e-9)
          << "group " << g << " point " << p;
}

#ifdef HEDGEMAP_WITH_CUDA
namespace {
// The kernels of one shape: hedging with `values` per policy (1 + 3 values points), CPPI with
// a x b combinations, vol targeting with c x d.
struct PointCounts {
  int hedging_values, cppi_a, cppi_b, vt_a, vt_b;
};
Scenario with_points(const PointCounts& n) {
  Scenario s = everything_on();
  auto values = [](int count, double first) {
    std::vector<double> v;
    for (int i = 0; i < count; ++i) v.push_back(first * (1 + i));
    return v;
  };
  s.hedging.periodic_every_steps.clear();
  for (int i = 1; i <= n.hedging_values; ++i) s.hedging.periodic_every_steps.push_back(i);
  s.hedging.delta_band_band = values(n.hedging_values, 0.3);
  s.hedging.whalley_wilmott_risk_aversion = values(n.hedging_values, 1e-4);
  s.cppi.multiplier = values(n.cppi_a, 1.5);
  s.cppi.tolerance = values(n.cppi_b, 0.02);
  s.vol_target.target = values(n.vt_a, 0.2);
  s.vol_target.tolerance = values(n.vt_b, 0.05);
  return s;
}
}  // namespace

// Which compiled capacity a run gets needs no device: the smallest that holds its points.
TEST(BackendCudaDispatch, SmallestCompiledCapacityThatHoldsThePoints) {
  struct Case {
    PointCounts n;
    int hedging, cppi, vol_target;  // expected capacities (0: the kernel's maximum)
  };
  for (const Case& c : {Case{{1, 1, 1, 1, 1}, 32, 8, 4}, Case{{2, 3, 3, 2, 2}, 32, 16, 4},
                        Case{{8, 5, 5, 2, 3}, 32, 32, 8}, Case{{11, 6, 6, 3, 3}, 0, 0, 0},
                        Case{{10, 4, 8, 2, 4}, 32, 32, 8}, Case{{32, 8, 8, 8, 8}, 0, 0, 0}}) {
    const Scenario s = with_points(c.n);
    const CellCoordinates cell = cell_coordinates(s, 0, 0);
    const ProcessParams process = process_params(s, cell);
    const CostParams costs = cost_params(s);
    const HedgingKernel<float> h = make_hedging_kernel<float>(s, cell);
    const CppiKernel<float> cppi{process, costs, cppi_settings(s, cell)};
    const VolTargetKernel<float> vt{process, costs, vol_target_settings(s, cell)};
    SCOPED_TRACE(testing::Message() << h.points() << " hedging, " << cppi.points() << " cppi, "
                                    << vt.points() << " vol-target points");
    EXPECT_EQ(cuda_backend::device_capacity(h), c.hedging);
    EXPECT_EQ(cuda_backend::device_capacity(cppi), c.cppi);
    EXPECT_EQ(cuda_backend::device_capacity(vt), c.vol_target);
    // Double runs the maximum; the book kernel has no per-point state.
    EXPECT_EQ(cuda_backend::device_capacity(make_hedging_kernel<double>(s, cell)), 0);
    EXPECT_EQ(
        cuda_backend::device_capacity(CppiKernel<double>{process, costs, cppi_settings(s, cell)}),
        0);
    EXPECT_EQ(cuda_backend::device_capacity(
                  VolTargetKernel<double>{process, costs, vol_target_settings(s, cell)}),
              0);
    EXPECT_EQ(cuda_backend::device_capacity(BookPriceKernel<float>{process, option_book(s)}), 0);
  }
}

// Every compiled capacity and the fallback to the maximum, against the CPU backend (float: the
// precision with capacities; double once, at the maximum).
TEST(BackendCudaVsCpu, EveryPointCapacityAgrees) {
  if (!gpu_usable()) GTEST_SKIP() << "no usable CUDA device: " << probe_cuda().why_not;
  std::vector<int> seen_cppi, seen_vt, seen_hedging;
  for (const PointCounts& n : {PointCounts{1, 1, 1, 1, 1}, PointCounts{2, 3, 3, 2, 2},
                               PointCounts{8, 5, 5, 2, 3}, PointCounts{11, 6, 6, 3, 3}}) {
    Scenario s = with_points(n);
    s.simulation.paths = 2048;
    const CellCoordinates cell = cell_coordinates(s, 0, 0);
    auto check = [&](auto real_tag) {
      using Real = decltype(real_tag);
      const HedgingKernel<Real> h = make_hedging_kernel<Real>(s, cell);
      const CppiKernel<Real> cppi{process_params(s, cell), cost_params(s), cppi_settings(s, cell)};
      const VolTargetKernel<Real> vt{process_params(s, cell), cost_params(s),
                                     vol_target_settings(s, cell)};
      seen_hedging.push_back(cuda_backend::device_capacity(h));
      seen_cppi.push_back(cuda_backend::device_capacity(cppi));
      seen_vt.push_back(cuda_backend::device_capacity(vt));
      expect_backends_agree(h, s.simulation.paths, "hedging");
      expect_backends_agree(cppi, s.simulation.paths, "cppi");
      expect_backends_agree(vt, s.simulation.paths, "vol_target");
    };
    SCOPED_TRACE(testing::Message() << n.hedging_values << " values per hedging policy");
    check(float{});
    if (n.hedging_values == 2) check(double{});
  }
  auto has = [](const std::vector<int>& v, int c) {
    return std::find(v.begin(), v.end(), c) != v.end();
  };
  EXPECT_TRUE(has(seen_hedging, 32) && has(seen_hedging, 0));
  EXPECT_TRUE(has(seen_cppi, 8) && has(seen_cppi, 16) && has(seen_cppi, 32) && has(seen_cppi, 0));
  EXPECT_TRUE(has(seen_vt, 4) && has(seen_vt, 8) && has(seen_vt, 0));
}
#endif

#ifdef HEDGEMAP_WITH_CUDA
// The device P&L store's statistics against the host's on the same values: the segment sums by
// the same lanes and tree (bit for bit, except the weights' exp, which may differ by an ulp), and
// the same order statistic; with a NaN path too (then every sum is NaN on both sides and the VaR
// comes from the selection over all losses).
TEST(BackendCudaVsCpu, DevicePnlSamplesEqualTheHostSamples) {
  if (!gpu_usable()) GTEST_SKIP() << "no usable CUDA device: " << probe_cuda().why_not;
  const auto same = [](double a, double b) { return (std::isnan(a) && std::isnan(b)) || a == b; };
  for (std::uint64_t n : {1000ull, 300001ull}) {  // below and above the bracketed selection
    // five points, one per branch of the selection: a smooth one (bracketed), one scaled, one
    // with a NaN off the sample paths (the counts miss: selection from all), one with a NaN on
    // a sample path (no bracket), one constant (every loss inside: more than its capacity)
    constexpr int kPoints = 5;
    std::vector<std::vector<double>> x(kPoints, std::vector<double>(n));
    for (std::uint64_t i = 0; i < n; ++i) {
      x[0][i] = 1.5 - std::exp(0.6 * std::sin(0.37 * double(i)) +
                               0.3 * std::cos(1e-3 * double(i * i % 9973)));
      x[1][i] = 4.0 * x[0][(i * 7919) % n];
      x[2][i] = x[3][i] = x[0][n - 1 - i];
      x[4][i] = 0.7;
    }
    x[2][n / 3 + 1] = std::nan("");
    x[3][loss_bracket_sample_path(7, n)] = std::nan("");
    ASSERT_TRUE(cuda_backend::reserve_pnl_store(kPoints + 1, n, 0));
    std::vector<const double*> columns;
    for (int p = 0; p < kPoints; ++p) {
      cuda_backend::copy_to_pnl_store(p, x[p].data(), n);
      columns.push_back(x[p].data());
    }
    const cuda_backend::DevicePnlSamples device(kPoints, n);
    const HostPnlSamples host(columns, n);
    const PnlSegments seg = pnl_segments(n, 32);
    const std::vector<double> centers = {0.25, -0.5, 0.1, 0.0, 0.7};
    std::vector<PnlSums> a, b;
    for (int kind :
         {int(pnl_sum_raw), int(pnl_sum_central), int(pnl_sum_tail), int(pnl_sum_weights)}) {
      host.segment_sums(kind, centers, 0.8, seg, a);
      device.segment_sums(kind, centers, 0.8, seg, b);
      ASSERT_EQ(a.size(), b.size());
      for (std::size_t s = 0; s < a.size(); ++s)
        for (int q = 0; q < kPnlSumValues; ++q) {
          if (kind == pnl_sum_weights && !std::isnan(a[s].s[q]))
            EXPECT_NEAR(b[s].s[q], a[s].s[q], 1e-14 * std::fabs(a[s].s[q])) << s << " " << q;
          else
            EXPECT_TRUE(same(b[s].s[q], a[s].s[q]))
                << "kind " << kind << " point/segment " << s << " value " << q << ": device "
                << b[s].s[q] << " host " << a[s].s[q];
        }
    }
    EXPECT_EQ(device.max_scaled_loss(0.8), host.max_scaled_loss(0.8));
    for (std::uint64_t k : {std::uint64_t(0), n / 2, n * 95 / 100, n - 1}) {
      const std::vector<double> d = device.kth_smallest_loss(k), h = host.kth_smallest_loss(k);
      for (int p = 0; p < kPoints; ++p)
        EXPECT_TRUE(same(d[p], h[p])) << "k " << k << " point " << p;
    }
  }
  cuda_backend::release_buffers();
}

// A whole cell with the moments and the P&L statistics on the device: the same GPU paths as the
// CUDA backend's default mode (which copies every column back to the host's statistics), so the
// same bits for every metric, objective and bootstrap optimum (objective mean_std and cvar; the
// utility weights' exp may differ by an ulp); and close to the CPU's float paths.
TEST(BackendCudaVsCpu, CellStatisticsAgreeWithDeviceReductions) {
  if (!gpu_usable()) GTEST_SKIP() << "no usable CUDA device: " << probe_cuda().why_not;
  struct EnvFlag {  // unset again however the test ends
    EnvFlag() { setenv("HEDGEMAP_CUDA_DEVICE_MOMENTS", "1", 1); }
    ~EnvFlag() { unsetenv("HEDGEMAP_CUDA_DEVICE_MOMENTS"); }
  };
  for (const char* objective : {"mean_std", "cvar", "utility"}) {
    Scenario s = everything_on();
    s.simulation.paths = 300000;  // two GPU chunks, the bracketed VaR selection
    s.hedging.objective.kind = objective;
    const CellCoordinates cell = cell_coordinates(s, 0, 0);
    Execution cpu = choose_backend("cpu", 0), cuda = choose_backend("cuda", 0);
    BootstrapPlan plan;
    plan.seed = 1;
    const auto on_cpu = evaluate_hedging_cell(s, cell, cpu, plan);
    const auto copied = evaluate_hedging_cell(s, cell, cuda, plan);
    cuda_backend::release_buffers();
    std::vector<GroupCellResult> reduced;
    {
      EnvFlag flag;
      reduced = evaluate_hedging_cell(s, cell, cuda, plan);
    }
    EXPECT_GT(cuda_backend::pnl_store_bytes(), 0u) << "the P&L did not stay on the device";
    const bool exact = std::string(objective) != "utility";
    ASSERT_EQ(copied.size(), reduced.size());
    for (std::size_t g = 0; g < copied.size(); ++g) {
      for (std::size_t m = 0; m < copied[g].metrics.size(); ++m)
        for (std::size_t p = 0; p < copied[g].metrics[m].size(); ++p)
          EXPECT_TRUE(std::isnan(copied[g].metrics[m][p])
                          ? std::isnan(reduced[g].metrics[m][p])
                          : reduced[g].metrics[m][p] == copied[g].metrics[m][p])
              << objective << " group " << g << " metric " << m << " point " << p;
      for (std::size_t p = 0; p < copied[g].objective.size(); ++p) {
        if (exact) {
          EXPECT_EQ(reduced[g].objective[p], copied[g].objective[p]) << objective << " " << g;
          EXPECT_EQ(reduced[g].objective_stderr[p], copied[g].objective_stderr[p]);
        } else {
          EXPECT_NEAR(reduced[g].objective[p], copied[g].objective[p],
                      1e-12 * std::fabs(copied[g].objective[p]));
        }
        // and the GPU's float paths against the CPU's: the mean within 1e-3 of the P&L std
        EXPECT_NEAR(reduced[g].metrics[0][p], on_cpu[g].metrics[0][p],
                    1e-3 * std::fabs(on_cpu[g].metrics[1][p]) + 1e-9);
      }
      if (exact) {
        EXPECT_EQ(reduced[g].bootstrap_optimum, copied[g].bootstrap_optimum);
      }
    }
    cuda_backend::release_buffers();
  }
}
#endif

// The callers' side of the device reduction, on every machine: the CPU backend making the same
// reduced chunks as the CUDA backend does on the device (per-block moment sums of every column,
// only the kept columns per path; HEDGEMAP_EMULATE_DEVICE_REDUCTION=1) gives every family's
// results bit for bit as the plain path does. 20,000 paths: two CPU chunks, a short last one.
TEST(ReducedChunks, EmulatedDeviceReductionGivesTheSameBitsInEveryFamily) {
  struct EnvFlag {
    EnvFlag() { setenv("HEDGEMAP_EMULATE_DEVICE_REDUCTION", "1", 1); }
    ~EnvFlag() { unsetenv("HEDGEMAP_EMULATE_DEVICE_REDUCTION"); }
  };
  Scenario s = everything_on();
  s.simulation.paths = 20000;
  const CellCoordinates cell = cell_coordinates(s, 0, 0);
  const Execution cpu = choose_backend("cpu", 0);
  BootstrapPlan plan;
  plan.seed = 2;
  ASSERT_FALSE(chunks_reduced(cpu));
  ModelCell model_plain{}, model_reduced{};
  const auto hedging = evaluate_hedging_cell(s, cell, cpu, plan, &model_plain);
  const auto allocation = evaluate_allocation_cell(s, cell, cpu, plan);
  std::vector<GroupCellResult> hedging_reduced, allocation_reduced;
  {
    EnvFlag flag;
    ASSERT_TRUE(chunks_reduced(cpu));
    hedging_reduced = evaluate_hedging_cell(s, cell, cpu, plan, &model_reduced);
    allocation_reduced = evaluate_allocation_cell(s, cell, cpu, plan);
  }
  const auto same = [](double a, double b) { return std::isnan(a) ? std::isnan(b) : a == b; };
  const auto expect_same = [&](const std::vector<GroupCellResult>& a,
                               const std::vector<GroupCellResult>& b, const char* family) {
    ASSERT_EQ(a.size(), b.size()) << family;
    for (std::size_t g = 0; g < a.size(); ++g) {
      ASSERT_EQ(a[g].metrics.size(), b[g].metrics.size());
      for (std::size_t m = 0; m < a[g].metrics.size(); ++m)
        for (std::size_t p = 0; p < a[g].metrics[m].size(); ++p)
          EXPECT_TRUE(same(a[g].metrics[m][p], b[g].metrics[m][p]))
              << family << " group " << g << " metric " << m << " point " << p << ": "
              << a[g].metrics[m][p] << " vs " << b[g].metrics[m][p];
      for (std::size_t p = 0; p < a[g].objective.size(); ++p) {
        EXPECT_TRUE(same(a[g].objective[p], b[g].objective[p])) << family << " group " << g;
        EXPECT_TRUE(same(a[g].objective_stderr[p], b[g].objective_stderr[p])) << family;
      }
      EXPECT_EQ(a[g].bootstrap_optimum, b[g].bootstrap_optimum) << family << " group " << g;
    }
  };
  expect_same(hedging, hedging_reduced, "hedging");
  expect_same(allocation, allocation_reduced, "allocation");
  ASSERT_GE(allocation.size(), 2u);  // CPPI and vol targeting both ran
  EXPECT_TRUE(same(model_plain.terminal_spot_mean, model_reduced.terminal_spot_mean));
}
