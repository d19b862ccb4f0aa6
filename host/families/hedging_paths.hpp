// The hedging kernel's path pass on the execution's backend, one translation unit per precision
// (hedging_paths_float.cpp, hedging_paths_double.cpp): each instantiates the kernel's 16
// variants (kernels/hedging_kernel.hpp) for its precision alone. With both precisions in one
// unit, GCC's inlining budget ran out and the scalar kernel's step no longer inlined
// book_greeks (+2.3% instructions on benchmarks/crypto_grid.toml, BENCHMARKS.md).
#pragma once
#include <cstdint>

#include "host/exec/backend.hpp"
#include "host/exec/pnl_collection.hpp"
#include "host/statistics/column_moments.hpp"
#include "kernels/hedging_kernel.hpp"

namespace hedgemap {

// run_paths_collecting_pnl of the kernel over paths 0 .. n-1.
CollectedPnl run_hedging_paths(const Execution& exec, const HedgingKernel<float>& kernel,
                               std::uint64_t n, KeptColumns pnl_columns, ColumnMoments& moments);
CollectedPnl run_hedging_paths(const Execution& exec, const HedgingKernel<double>& kernel,
                               std::uint64_t n, KeptColumns pnl_columns, ColumnMoments& moments);

}  // namespace hedgemap
