#include "host/exec/backend.hpp"

#include <sched.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <stdexcept>
#include <vector>

#include "host/exec/device_map.hpp"

#ifdef HEDGEMAP_WITH_CUDA
#include "host/cuda/backend.hpp"
#endif

namespace hedgemap {

const char* backend_name(BackendKind kind) { return kind == BackendKind::cuda ? "cuda" : "cpu"; }

std::string cpu_model_name() {
  std::ifstream in("/proc/cpuinfo");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("model name", 0) == 0) {
      const auto colon = line.find(':');
      if (colon != std::string::npos) return line.substr(line.find_first_not_of(' ', colon + 1));
    }
  }
  return "unknown CPU";
}

CudaDeviceInfo probe_cuda(int device) {
#ifdef HEDGEMAP_WITH_CUDA
  return cuda_backend::probe(device);
#else
  (void)device;
  CudaDeviceInfo info;
  info.why_not = "this binary was built without the CUDA backend (HEDGEMAP_CUDA=OFF or no nvcc)";
  return info;
#endif
}

namespace {
std::vector<std::string> visible_gpus() {
#ifdef HEDGEMAP_WITH_CUDA
  return cuda_backend::visible_device_uuids();
#else
  return {};
#endif
}
}  // namespace

int available_cpus() {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof set, &set) == 0 && CPU_COUNT(&set) > 0) return CPU_COUNT(&set);
  return static_cast<int>(std::max(1L, sysconf(_SC_NPROCESSORS_ONLN)));
}

int max_cpu_threads() { return std::min(1024, 4 * available_cpus()); }

Execution choose_backend(const std::string& requested, int threads,
                         const DevicePlacement& placement) {
  Execution exec;
  exec.threads = threads;
  if (requested != "auto" && requested != "cpu" && requested != "cuda")
    throw std::invalid_argument("backend = \"" + requested + "\": must be auto, cpu or cuda");
  if (requested == "cpu") {
    exec.backend = BackendKind::cpu;
    exec.device = cpu_model_name();
    exec.reason = "requested";
    return exec;
  }
  DeviceRequest where;
  where.local_rank = placement.local_rank;
  where.requested = placement.requested_device;
  where.visible_uuids = visible_gpus();
  if (const char* visible = std::getenv("CUDA_VISIBLE_DEVICES")) where.visible_env = visible;
  const DeviceMapping gpu = map_device(where);  // throws for a --device out of range
  const CudaDeviceInfo cuda = probe_cuda(gpu.device >= 0 ? gpu.device : 0);
  if (cuda.usable) {
    exec.backend = BackendKind::cuda;
    exec.device = cuda.name;
    exec.gpu = cuda.device;
    exec.gpu_uuid = cuda.uuid;
    exec.reason = (requested == "cuda" ? "requested" : "a CUDA device is usable") +
                  std::string(", device ") + std::to_string(cuda.device) + " " + cuda.uuid + " (" +
                  gpu.reason + ")";
    return exec;
  }
  if (requested == "cuda") throw std::runtime_error("backend cuda is not usable: " + cuda.why_not);
  exec.backend = BackendKind::cpu;
  exec.device = cpu_model_name();
  exec.reason = "no usable CUDA device: " + cuda.why_not;
  return exec;
}

std::string backend_timing_report(const Execution& exec) {
#ifdef HEDGEMAP_WITH_CUDA
  if (exec.backend == BackendKind::cuda) {
    const cuda_backend::CudaTimings t = cuda_backend::timings();
    if (!t.enabled) return {};
    char text[320];
    std::snprintf(text, sizeof text,
                  "cuda timing: path kernels %.6f s in %llu launches, copies to host %.6f s "
                  "(%.3f GB), device statistics %.6f s in %llu passes",
                  t.kernel_seconds, t.launches, t.copy_seconds, double(t.bytes_copied) * 1e-9,
                  t.statistics_seconds, t.statistics_passes);
    return text;
  }
#endif
  (void)exec;
  return {};
}

bool chunks_reduced(const Execution& exec) {
  if (exec.backend == BackendKind::cuda) {
#ifdef HEDGEMAP_WITH_CUDA
    return cuda_backend::device_moments();
#else
    return false;
#endif
  }
  const char* emulate = std::getenv("HEDGEMAP_EMULATE_DEVICE_REDUCTION");
  return emulate != nullptr && emulate[0] != '\0' && emulate[0] != '0';
}

}  // namespace hedgemap
