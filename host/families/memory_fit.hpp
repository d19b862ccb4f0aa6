// Whether one cell of a scenario fits this machine's memory: `validate` and `run` both refuse
// (exit 2, before any simulation) a scenario that no backend of this machine can hold, instead of
// dying later with std::bad_alloc or the kernel's OOM killer. Needs: host/families/memory_estimate.
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "host/scenario/problem.hpp"
#include "host/scenario/scenario.hpp"
#include "host/statistics/policy_group.hpp"

namespace hedgemap {

struct MachineMemory {
  double host_bytes = 0.0;    // what this process may still use: MemAvailable, or less in a cgroup
  std::string host_source;    // where host_bytes comes from, for the message
  double device_bytes = 0.0;  // free memory of the CUDA device; 0 without a usable one
};

// Host memory from /proc/meminfo (MemAvailable) and the cgroup v2 limit of this process
// (memory.max - memory.current) when there is one; the CUDA device's free memory when
// `probe_device` and a device is usable.
MachineMemory machine_memory(bool probe_device);

// A problem with simulation.paths when neither the CPU backend nor (with a device) the CUDA
// backend, with or without HEDGEMAP_CUDA_DEVICE_MOMENTS, fits one cell into `memory`; it says
// how much is needed, how much there is, and about how many paths would fit.
std::optional<ScenarioProblem> memory_problem(const Scenario& s,
                                              const std::vector<GroupSpec>& groups,
                                              const MachineMemory& memory,
                                              const std::string& source_name);

}  // namespace hedgemap
