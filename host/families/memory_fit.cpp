#include "host/families/memory_fit.hpp"

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <sstream>

#include "host/exec/backend.hpp"
#include "host/families/memory_estimate.hpp"

namespace hedgemap {

namespace {

// The first number of a file ("max" and unreadable files give nothing).
std::optional<double> number_in(const std::string& path) {
  std::ifstream in(path);
  double x = 0.0;
  if (in >> x) return x;
  return std::nullopt;
}

std::optional<double> mem_available_bytes() {
  std::ifstream in("/proc/meminfo");
  std::string key;
  double kib = 0.0;
  std::string unit;
  while (in >> key >> kib >> unit) {
    if (key == "MemAvailable:") return kib * 1024.0;
  }
  return std::nullopt;
}

// memory.max - memory.current of this process's cgroup (v2), when it has a limit.
std::optional<double> cgroup_room_bytes() {
  std::ifstream in("/proc/self/cgroup");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("0::", 0) != 0) continue;
    const std::string dir = "/sys/fs/cgroup" + line.substr(3);
    const auto limit = number_in(dir + "/memory.max");
    if (!limit) return std::nullopt;
    return *limit - number_in(dir + "/memory.current").value_or(0.0);
  }
  return std::nullopt;
}

std::string gib(double bytes) {
  char text[48];
  if (bytes >= 1099511627776.0)
    std::snprintf(text, sizeof text, "%.3g TiB", bytes / 1099511627776.0);
  else if (bytes >= 1073741824.0)
    std::snprintf(text, sizeof text, "%.3g GiB", bytes / 1073741824.0);
  else
    std::snprintf(text, sizeof text, "%.3g MiB", bytes / 1048576.0);
  return text;
}

bool cuda_fits(const CellMemoryEstimate& e, const MachineMemory& m) {
  if (m.device_bytes <= 0.0) return false;
  return (e.cuda_host <= m.host_bytes && e.cuda_device <= m.device_bytes) ||
         (e.reduced_host <= m.host_bytes && e.reduced_device <= m.device_bytes);
}

}  // namespace

MachineMemory machine_memory(bool probe_device) {
  MachineMemory m;
  if (const auto available = mem_available_bytes()) {
    m.host_bytes = *available;
    m.host_source = "MemAvailable in /proc/meminfo";
  } else {
    m.host_bytes = double(sysconf(_SC_AVPHYS_PAGES)) * double(sysconf(_SC_PAGESIZE));
    m.host_source = "free physical pages";
  }
  if (const auto room = cgroup_room_bytes(); room && *room < m.host_bytes) {
    m.host_bytes = std::max(*room, 0.0);
    m.host_source = "the cgroup limit (memory.max - memory.current)";
  }
  if (probe_device) {
    const CudaDeviceInfo cuda = probe_cuda();
    if (cuda.usable) m.device_bytes = double(cuda.free_memory);
  }
  return m;
}

std::optional<ScenarioProblem> memory_problem(const Scenario& s,
                                              const std::vector<GroupSpec>& groups,
                                              const MachineMemory& memory,
                                              const std::string& source_name) {
  const CellMemoryEstimate e = estimate_cell_memory(s, groups);
  if (e.cpu_host <= memory.host_bytes || cuda_fits(e, memory)) return std::nullopt;
  // The CPU estimate is a + b paths: the paths that would fit.
  Scenario one = s;
  one.simulation.paths = 0;
  const double fixed = estimate_cell_memory(one, groups).cpu_host;
  const double per_path = (e.cpu_host - fixed) / double(s.simulation.paths);
  const double fit = per_path > 0 ? std::floor((memory.host_bytes - fixed) / per_path) : 0.0;
  ScenarioProblem p;
  p.key = "simulation.paths";
  p.value = std::to_string(s.simulation.paths);
  p.location = source_name;
  std::ostringstream message;
  message << "one cell needs " << gib(e.cpu_host) << " of memory on the CPU backend";
  if (memory.device_bytes > 0)
    message << " (CUDA: " << gib(e.cuda_host) << " host + " << gib(e.cuda_device) << " device)";
  message << ", and " << gib(memory.host_bytes) << " is available (" << memory.host_source << ")";
  if (memory.device_bytes > 0) message << " with " << gib(memory.device_bytes) << " on the device";
  if (fit >= 1.0)
    message << ": at most about " << static_cast<unsigned long long>(fit) << " paths fit";
  else
    message << ": the parameter points of this scenario do not fit at any number of paths";
  p.message = message.str();
  return p;
}

}  // namespace hedgemap
