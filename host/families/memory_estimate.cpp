#include "host/families/memory_estimate.hpp"

#include <algorithm>
#include <cmath>

#include "host/exec/path_runner.hpp"  // chunk sizes
#include "kernels/book_price_kernel.hpp"
#include "kernels/cppi_kernel.hpp"
#include "kernels/hedging_kernel.hpp"
#include "kernels/vol_target_kernel.hpp"

namespace hedgemap {

CellMemoryEstimate estimate_cell_memory(const Scenario& s, const std::vector<GroupSpec>& groups) {
  double hedging = 0, cppi = 0, vol_target = 0;  // parameter points per family
  for (const GroupSpec& g : groups) {
    if (g.path.rfind("/hedging/", 0) == 0)
      hedging += double(g.points());
    else if (g.path == "/cppi")
      cppi = double(g.points());
    else if (g.path == "/vol_target")
      vol_target = double(g.points());
  }
  // Swept cost axes: a hedging pass holds a copy of its points per cost setting (cost slot),
  // as many as fit (host/sweep.hpp, SweepLayout).
  double cost_settings = 1;
  for (const SweptAxis& a : s.grid.axes)
    if (a.cost_only) cost_settings *= double(a.values.size());
  if (hedging > 0)
    hedging *= std::max(1.0, std::min({cost_settings, double(kMaxCostSlots),
                                       std::floor(double(kMaxHedgePoints) / hedging)}));
  const double n = double(s.simulation.paths), b = 8.0;  // bytes per double
  // Columns of the widest family's pass (each family is a pass of its own).
  const double columns = std::max(
      {hedging > 0 ? hedging * kHedgeMetrics + kPathSummaryColumns : double(kPathSummaryColumns),
       cppi * CppiKernel<float>::kPerPoint, vol_target * VolTargetKernel<float>::kPerPoint});
  const double kept_columns = std::max(cppi, vol_target);  // allocation: terminal values back
  // Every hedging point's P&L for the quantiles and the bootstrap, and the VaR selection's
  // scratch (all of one point's losses when its bracket misses).
  const double pnl = hedging * n * b, selection = hedging > 0 ? n * b : 0.0;
  const double cpu_chunk = columns * double(kChunkPaths) * b;
  const double gpu_chunk = columns * double(kGpuChunkPaths) * b;
  const double gpu_blocks = double(kGpuChunkPaths / kReductionBlock);
  const double partials = columns * gpu_blocks * 2.0 * b;
  CellMemoryEstimate e{};
  e.cpu_host = pnl + selection + cpu_chunk;
  e.cuda_host = pnl + selection + 2.0 * gpu_chunk;  // two pinned chunks in flight
  e.cuda_device = 2.0 * gpu_chunk;
  e.reduced_host = 2.0 * (kept_columns * double(kGpuChunkPaths) * b + partials);
  // The store, two chunks with their partials, the selection's kept losses (up to ~store / 8)
  // and one point's sort buffer.
  e.reduced_device =
      pnl + 2.0 * (gpu_chunk + partials) + pnl / 6.0 + (hedging > 0 ? pnl / (3.0 * hedging) : 0.0);
  return e;
}

}  // namespace hedgemap
