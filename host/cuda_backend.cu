// The CUDA backend: one thread per path runs the same __host__ __device__ path kernel as the CPU
// backend, writing its column-major per-path block to device memory, which is then copied back
// for the host's fixed-order reductions (so both backends share one statistics code path).
#include <cuda_runtime.h>

#include <cstdio>
#include <string>

#include "host/cuda_backend.hpp"
#include "kernels/path_kernel_list.hpp"

#define HEDGEMAP_CUDA_CHECK(call)                                                         \
  do {                                                                                    \
    const cudaError_t err_ = (call);                                                      \
    if (err_ != cudaSuccess)                                                              \
      throw hedgemap::cuda_backend::CudaError(std::string(#call) + " failed at " __FILE__ \
                                              ":" + std::to_string(__LINE__) + ": " +     \
                                              cudaGetErrorString(err_));                  \
  } while (0)

namespace hedgemap::cuda_backend {
namespace {

template <class Kernel>
__global__ void path_kernel(Kernel kernel, unsigned long long first_path, unsigned long long n,
                            double* out) {
  const unsigned long long i = blockIdx.x * static_cast<unsigned long long>(blockDim.x) + threadIdx.x;
  if (i < n) kernel(first_path + i, PathOutput{out, n, i});
}

struct DeviceBuffer {
  double* data = nullptr;
  std::size_t bytes = 0;
  ~DeviceBuffer() {
    if (data) cudaFree(data);  // logging variant: never throws in a destructor
  }
};
DeviceBuffer g_buffer;

double* device_buffer(std::size_t bytes) {
  if (g_buffer.bytes < bytes) {
    if (g_buffer.data) cudaFree(g_buffer.data);
    g_buffer.data = nullptr;
    g_buffer.bytes = 0;
    HEDGEMAP_CUDA_CHECK(cudaMalloc(&g_buffer.data, bytes));
    g_buffer.bytes = bytes;
  }
  return g_buffer.data;
}

}  // namespace

void release_buffers() {
  if (g_buffer.data) cudaFree(g_buffer.data);
  g_buffer.data = nullptr;
  g_buffer.bytes = 0;
}

CudaDeviceInfo probe() {
  CudaDeviceInfo info;
  info.compiled = true;
  cudaRuntimeGetVersion(&info.runtime_version);
  cudaDriverGetVersion(&info.driver_version);
  int count = 0;
  const cudaError_t err = cudaGetDeviceCount(&count);
  if (err != cudaSuccess || count == 0) {
    info.why_not = err == cudaSuccess ? std::string("no CUDA device found")
                                      : std::string(cudaGetErrorString(err));
    if (info.driver_version == 0) info.why_not += " (no NVIDIA driver)";
    else if (info.driver_version < info.runtime_version)
      info.why_not += " (driver " + std::to_string(info.driver_version) + " older than runtime " +
                      std::to_string(info.runtime_version) + ")";
    cudaGetLastError();  // clear the sticky error
    return info;
  }
  cudaDeviceProp prop{};
  if (cudaGetDeviceProperties(&prop, 0) != cudaSuccess) {
    info.why_not = "cudaGetDeviceProperties failed";
    return info;
  }
  info.name = prop.name;
  info.compute_major = prop.major;
  info.compute_minor = prop.minor;
  info.total_memory = prop.totalGlobalMem;
  if (cudaMemGetInfo(&info.free_memory, &info.total_memory) != cudaSuccess) {
    info.why_not = "cannot create a CUDA context on " + info.name;
    cudaGetLastError();
    return info;
  }
  info.usable = true;
  return info;
}

template <class Kernel>
void run_chunk(const Kernel& kernel, unsigned long long first_path, unsigned long long n,
               int columns, double* host_out) {
  if (n == 0) return;
  const std::size_t bytes = static_cast<std::size_t>(columns) * n * sizeof(double);
  double* out = device_buffer(bytes);
  constexpr int kThreads = 128;
  const unsigned long long blocks = (n + kThreads - 1) / kThreads;
  path_kernel<<<static_cast<unsigned>(blocks), kThreads>>>(kernel, first_path, n, out);
  HEDGEMAP_CUDA_CHECK(cudaGetLastError());
  HEDGEMAP_CUDA_CHECK(cudaMemcpy(host_out, out, bytes, cudaMemcpyDeviceToHost));
}

#define HEDGEMAP_INSTANTIATE_RUN_CHUNK(...)                                                   \
  template void run_chunk<__VA_ARGS__>(const __VA_ARGS__&, unsigned long long, unsigned long long, \
                                       int, double*);
HEDGEMAP_FOR_EACH_PATH_KERNEL(HEDGEMAP_INSTANTIATE_RUN_CHUNK)

}  // namespace hedgemap::cuda_backend
