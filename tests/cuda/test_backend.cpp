// The CUDA backend's own parts (host/cuda/backend.cu): which compiled point capacity a kernel is
// launched with, and the statistics it computes on the device (the P&L store's segment sums and
// order statistics, a cell with the moments on the device) against the host's on the same values.
// Compiled with the CUDA backend only; the device tests skip with a message where no GPU is
// usable. The kernels themselves against the CPU: tests/exec/test_backend_parity.cpp.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "host/exec/backend.hpp"
#include "host/exec/path_runner.hpp"
#include "host/families/hedging.hpp"
#include "host/statistics/pnl_samples.hpp"
#include "tests/support/kernel_blocks.hpp"
#include "tests/support/scenarios.hpp"
#include "tests/support/scoped_env.hpp"

#ifdef HEDGEMAP_WITH_CUDA
namespace hedgemap {
namespace {

using test_support::busy_market;
using test_support::busy_market_with_points;
using test_support::PointCounts;
using test_support::ScopedEnv;

bool gpu_usable() { return probe_cuda().usable; }

// Which compiled capacity a run gets needs no device: the smallest that holds its points.
TEST(BackendCudaDispatch, SmallestCompiledCapacityThatHoldsThePoints) {
  struct Case {
    PointCounts n;
    int hedging, cppi, vol_target;  // expected capacities (0: the kernel's maximum)
  };
  for (const Case& c : {Case{{1, 1, 1, 1, 1}, 32, 8, 4}, Case{{2, 3, 3, 2, 2}, 32, 16, 4},
                        Case{{8, 5, 5, 2, 3}, 32, 32, 8}, Case{{11, 6, 6, 3, 3}, 0, 0, 0},
                        Case{{10, 4, 8, 2, 4}, 32, 32, 8}, Case{{32, 8, 8, 8, 8}, 0, 0, 0}}) {
    const Scenario s = busy_market_with_points(c.n);
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
  for (const char* objective : {"mean_std", "cvar", "utility"}) {
    Scenario s = busy_market();
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
      const ScopedEnv device_moments("HEDGEMAP_CUDA_DEVICE_MOMENTS", "1");
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

}  // namespace
}  // namespace hedgemap
#endif
