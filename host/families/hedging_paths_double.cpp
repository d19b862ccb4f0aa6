// The hedging kernel's path pass in double precision (host/families/hedging_paths.hpp: why a unit
// of its own).
#include "host/families/hedging_paths.hpp"

namespace hedgemap {

CollectedPnl run_hedging_paths(const Execution& exec, const HedgingKernel<double>& kernel,
                               std::uint64_t n, KeptColumns pnl_columns, ColumnMoments& moments) {
  return run_paths_collecting_pnl(exec, kernel, n, pnl_columns, moments);
}

}  // namespace hedgemap
