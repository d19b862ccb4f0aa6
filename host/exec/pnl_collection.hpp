// Runs a kernel whose columns first + p stride (p < points) are per-path P&Ls, sums every column's
// moments, and hands back the points' P&L samples wherever the backend left them: host arrays on
// the CPU (and on the GPU unless it reduces on the device), or the device's P&L store when the
// paths ran there with device reductions and the store fits. The family sees one PnlSamples
// either way (host/statistics/pnl_samples.hpp). A cell split over the ranks gathers every
// point's P&L of every path on every rank (points x paths doubles, as one process holds).
#pragma once
#include <algorithm>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <vector>

#include <omp.h>

#include "host/exec/backend.hpp"
#include "host/exec/path_runner.hpp"
#include "host/exec/ranks.hpp"
#include "host/statistics/column_moments.hpp"
#include "host/statistics/pnl_samples.hpp"
#include "host/statistics/reduced_chunk.hpp"
#ifdef HEDGEMAP_WITH_CUDA
#include "host/cuda/backend.hpp"
#endif

namespace hedgemap {

// The samples and, when on the host, the arrays they read (owned here, one per point).
struct CollectedPnl {
  std::vector<std::unique_ptr<double[]>> host_columns;  // empty when in the device store
  std::unique_ptr<PnlSamples> samples;
};

template <class Kernel>
CollectedPnl run_paths_collecting_pnl(const Execution& exec, const Kernel& kernel, std::uint64_t n,
                                      KeptColumns pnl_columns, ColumnMoments& moments) {
  const int points = pnl_columns.count;
  CollectedPnl out;
  // Not zero-filled (the chunks write every element): the pages are first touched by the
  // parallel copies below, not by one thread up front.
  const auto keep_on_host = [&] {
    out.host_columns.resize(points);
    for (int p = 0; p < points; ++p) out.host_columns[p].reset(new double[n]);
  };
  const bool split = active_path_share() != nullptr;  // over the ranks: gathered on the host
  if (split || chunks_reduced(exec)) {
    // Moments made where the paths are (the device); the P&L columns stay on the device in its
    // P&L store when it fits beside two chunks' buffers (and a margin), else come back.
#ifdef HEDGEMAP_WITH_CUDA
    if (exec.backend == BackendKind::cuda && !split) {
      // Beside the store: two chunks, the VaR selection's kept losses (at most ~13% of the store,
      // at level 0.5), one point's sort buffer (about twice its kept losses), the segment sums
      // (1/256 of the store), a margin.
      const std::size_t chunk_bytes =
          std::size_t(kernel.columns()) * kGpuChunkPaths * sizeof(double);
      const std::size_t store_bytes = std::size_t(points) * n * sizeof(double);
      pnl_columns.to_pnl_store = cuda_backend::reserve_pnl_store(
          points, n,
          2 * chunk_bytes + store_bytes / 6 + store_bytes / (3 * std::size_t(points)) +
              (256u << 20));
    }
#endif
    if (!pnl_columns.to_pnl_store) keep_on_host();
    run_paths_with_moments(
        exec, kernel, n, pnl_columns, moments,
        [&](std::uint64_t first, std::uint64_t count, const double* kept, std::uint64_t stride) {
          if (kept == nullptr) return;  // in the device P&L store
          for (int p = 0; p < points; ++p)
            std::copy(kept + p * stride, kept + p * stride + count,
                      out.host_columns[p].get() + first);
        });
  } else {
    keep_on_host();
    run_paths(exec, kernel, n, [&](std::uint64_t first, std::uint64_t count, const double* block) {
      moments.add_chunk(block, count, exec.threads, [&](std::uint64_t lo, std::uint64_t hi) {
        for (int p = 0; p < points; ++p) {
          const double* column =
              block + std::uint64_t(pnl_columns.first + p * pnl_columns.stride) * count;
          std::copy(column + lo, column + hi, out.host_columns[p].get() + first + lo);
        }
      });
    });
  }

  if (!out.host_columns.empty()) {
    const int threads = exec.threads > 0 ? exec.threads : omp_get_max_threads();
    std::vector<const double*> columns;
    for (const auto& column : out.host_columns) columns.push_back(column.get());
    out.samples.reset(new HostPnlSamples(std::move(columns), n, threads));
  } else {
#ifdef HEDGEMAP_WITH_CUDA
    out.samples.reset(new cuda_backend::DevicePnlSamples(points, n));
#endif
  }
  if (!out.samples) throw std::logic_error("P&L samples in a device store without CUDA");
  return out;
}

}  // namespace hedgemap
