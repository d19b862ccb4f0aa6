// The CUDA backend's host interface. Implemented in host/cuda_backend.cu, the one CUDA
// translation unit; only declared here so that g++-compiled code needs no CUDA headers.
#pragma once
#include <stdexcept>
#include <string>

#include "host/backend.hpp"

namespace hedgemap::cuda_backend {

struct CudaError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

CudaDeviceInfo probe();

// Runs kernel(first_path + i, ...) for i < n on the device, one thread per path, and copies the
// column-major result block (columns x n doubles) to host_out. Instantiated in cuda_backend.cu for
// every type of kernels/path_kernel_list.hpp. Throws CudaError (out of memory, launch failure).
template <class Kernel>
void run_chunk(const Kernel& kernel, unsigned long long first_path, unsigned long long n,
               int columns, double* host_out);

// The point capacity run_chunk runs `kernel` with (kernels/point_loop.hpp): the smallest one
// compiled for its type (host/cuda_backend.cu) that holds kernel.points(), or 0 for the kernel's
// maximum, with the per-point state in local memory (and for kernels without per-point state).
// Needs no device.
template <class Kernel>
int device_capacity(const Kernel& kernel);

// Frees the cached device buffer (called at exit and after errors).
void release_buffers();

}  // namespace hedgemap::cuda_backend
