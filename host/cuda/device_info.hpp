// What the CUDA backend reports about the device it would use (or why there is none). Plain data,
// no CUDA headers: the backend choice (host/exec/backend.hpp) reads it in g++-compiled code.
#pragma once
#include <cstddef>
#include <string>

namespace hedgemap {

struct CudaDeviceInfo {
  bool compiled = false;  // CUDA backend built into this binary
  bool usable = false;
  std::string name;
  int device = 0;    // index among the visible devices (CUDA_VISIBLE_DEVICES applied)
  std::string uuid;  // "GPU-..." (nvidia-smi's form): the same GPU under any index
  std::string why_not;  // no device, driver too old, ...
  int compute_major = 0, compute_minor = 0;
  std::size_t total_memory = 0, free_memory = 0;
  int driver_version = 0, runtime_version = 0;
};

}  // namespace hedgemap
