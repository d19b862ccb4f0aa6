// Which backend runs the paths, and why. `auto` picks CUDA when it is compiled in and a device is
// usable; otherwise the CPU, saying why. `cuda` without a usable device is an error (status 1).
#pragma once
#include <string>

namespace hedgemap {

enum class BackendKind { cpu, cuda };

struct Execution {
  BackendKind backend = BackendKind::cpu;
  int threads = 0;            // CPU threads; 0 = all (OpenMP's default)
  std::string device;         // CPU model or GPU name, for the results file
  std::string reason;         // why this backend was chosen
};

struct CudaDeviceInfo {
  bool compiled = false;      // CUDA backend built into this binary
  bool usable = false;
  std::string name;
  std::string why_not;        // no device, driver too old, ...
  int compute_major = 0, compute_minor = 0;
  std::size_t total_memory = 0, free_memory = 0;
  int driver_version = 0, runtime_version = 0;
};

CudaDeviceInfo probe_cuda();

// Whether the families run their paths through run_paths_reduced (host/path_runner.hpp): the
// CUDA backend reducing on the device (HEDGEMAP_CUDA_DEVICE_MOMENTS=1), or the CPU backend
// making the same reduced chunks (HEDGEMAP_EMULATE_DEVICE_REDUCTION=1: slower than the plain
// path, for tests of the callers' side of the device reduction).
bool chunks_reduced(const Execution& exec);
std::string cpu_model_name();
const char* backend_name(BackendKind kind);

// requested: "auto" | "cpu" | "cuda". Throws std::runtime_error when "cuda" is not usable.
Execution choose_backend(const std::string& requested, int threads);

}  // namespace hedgemap
