// Memory a cell needs, per backend, from the scenario alone (`hedgemap validate` prints it; the
// formulas are in README "Memory" and BENCHMARKS.md). Estimates: the largest buffers only.
#pragma once
#include <vector>

#include "host/statistics/policy_group.hpp"
#include "host/scenario/scenario.hpp"

namespace hedgemap {

struct CellMemoryEstimate {             // bytes per cell
  double cpu_host;                      // CPU backend
  double cuda_host, cuda_device;        // CUDA backend, every column copied back
  double reduced_host, reduced_device;  // CUDA with HEDGEMAP_CUDA_DEVICE_MOMENTS=1 (P&L store fits)
};

CellMemoryEstimate estimate_cell_memory(const Scenario& s, const std::vector<GroupSpec>& groups);

}  // namespace hedgemap
