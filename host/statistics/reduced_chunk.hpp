// A chunk of paths reduced where it was made: instead of every column of every path, the
// per-block moment sums of every column (kernels/block_moments.hpp) and only the columns its
// caller needs path by path (a hedging point's P&L, an allocation point's terminal value). The
// CUDA backend makes these on the device (HEDGEMAP_CUDA_DEVICE_MOMENTS=1); run_paths_reduced
// (host/exec/path_runner.hpp) can make the same on the CPU, so that the callers' side is tested
// everywhere.
#pragma once

namespace hedgemap {

// Columns first + k stride, k < count, kept per path.
struct KeptColumns {
  int first = 0, stride = 1, count = 0;
  bool to_pnl_store = false;  // CUDA only: into the device P&L store, not to the host
};

struct ReducedChunk {
  const double* kept;      // count x n, column-major (nullptr when kept in the device P&L store)
  const double* partials;  // columns x blocks x {sum, sum of squares} (ColumnMoments::add_partials)
  const double* shift;     // the run's column shifts (set by its first chunk)
};

}  // namespace hedgemap
