// Which backend runs the paths, and why. `auto` picks CUDA when it is compiled in and a device is
// usable; otherwise the CPU, saying why. `cuda` without a usable device is an error (status 1).
#pragma once
#include <string>

#include "host/cuda/device_info.hpp"

namespace hedgemap {

enum class BackendKind { cpu, cuda };

struct Execution {
  BackendKind backend = BackendKind::cpu;
  int threads = 0;     // CPU threads; 0 = all (OpenMP's default)
  std::string device;  // CPU model or GPU name, for the results file
  std::string reason;  // why this backend was chosen
};

CudaDeviceInfo probe_cuda();

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

// requested: "auto" | "cpu" | "cuda". Throws std::runtime_error when "cuda" is not usable.
Execution choose_backend(const std::string& requested, int threads);

}  // namespace hedgemap
