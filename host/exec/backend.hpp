// Which backend runs the paths, and why. `auto` picks CUDA when it is compiled in and a device is
// usable; otherwise the CPU, saying why. `cuda` without a usable device is an error (status 1).
#pragma once
#include <string>

#include "host/cuda/device_info.hpp"

namespace hedgemap {

enum class BackendKind { cpu, cuda };

struct Execution {
  BackendKind backend = BackendKind::cpu;
  int threads = 0;       // CPU threads; 0 = all (OpenMP's default)
  std::string device;    // CPU model or GPU name, for the results file
  std::string reason;    // why this backend was chosen
  int gpu = -1;          // the GPU's index among the visible ones (CUDA), else -1
  std::string gpu_uuid;  // and its UUID: no two ranks may share one (host/exec/device_map.hpp)
};

// Where a process runs, for the choice of its GPU: its rank on the node, and --device.
struct DevicePlacement {
  int local_rank = 0;
  int requested_device = -1;  // -1: by local rank
};

// Device `device` of the visible ones (host/cuda/backend.hpp's probe; it becomes this process's
// device).
CudaDeviceInfo probe_cuda(int device = 0);

// Whether the families run their paths through run_paths_reduced (host/exec/path_runner.hpp): the
// CUDA backend reducing on the device (HEDGEMAP_CUDA_DEVICE_MOMENTS=1), or the CPU backend
// making the same reduced chunks (HEDGEMAP_EMULATE_DEVICE_REDUCTION=1: slower than the plain
// path, for tests of the callers' side of the device reduction).
bool chunks_reduced(const Execution& exec);
std::string cpu_model_name();
const char* backend_name(BackendKind kind);

// The device's own timing of this process's runs when it measured them (HEDGEMAP_CUDA_TIMING=1,
// read by scripts/bench.sh), else empty.
std::string backend_timing_report(const Execution& exec);

// CPUs this process may run on (its affinity mask), and the most CPU threads a run uses:
// 4 x that, at most 1024 (`--threads` above it is brought down to it, with a warning).
int available_cpus();
int max_cpu_threads();

// requested: "auto" | "cpu" | "cuda"; the GPU by map_device (host/exec/device_map.hpp). Throws
// std::runtime_error when "cuda" is not usable, DeviceChoiceError for a --device out of range.
Execution choose_backend(const std::string& requested, int threads,
                         const DevicePlacement& placement = {});

}  // namespace hedgemap
