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

// The same, split for a pipeline of two chunks in flight (host/path_runner.hpp): start_chunk
// queues the kernel and the copy of its columns into the pinned buffer of `slot` (0 or 1) and
// returns at once; finish_chunk(slot) waits for them and returns the columns (columns x n
// doubles, column-major), valid until that slot is started again. Throws CudaError.
template <class Kernel>
void start_chunk(const Kernel& kernel, unsigned long long first_path, unsigned long long n,
                 int columns, int slot);
const double* finish_chunk(int slot);

// Whether run_paths pipelines chunks: yes unless HEDGEMAP_CUDA_PIPELINE=0 (to compare).
bool pipelined();

// Device-side column moments, opt-in with HEDGEMAP_CUDA_DEVICE_MOMENTS=1 until measured on a GPU:
// the chunk's per-block sums of every column are made on the device by the host's own code
// (kernels/block_moments.hpp), and only the kept columns (first + k stride, k < count) come back
// with them, instead of every column of every path.
bool device_moments();
struct KeptColumns {
  int first = 0, stride = 1, count = 0;
};
struct ReducedChunk {
  const double* kept;      // count x n, column-major
  const double* partials;  // columns x blocks x {sum, sum of squares} (ColumnMoments::add_partials)
  const double* shift;     // the run's column shifts (set by its first chunk)
};
// Like start_chunk / finish_chunk; `first_chunk` makes this chunk's first path the shifts.
template <class Kernel>
void start_chunk_reduced(const Kernel& kernel, unsigned long long first_path, unsigned long long n,
                         int columns, const KeptColumns& keep, unsigned long long block_paths,
                         bool first_chunk, int slot);
ReducedChunk finish_chunk_reduced(int slot);

// The point capacity run_chunk runs `kernel` with (kernels/point_loop.hpp): the smallest one
// compiled for its type (host/cuda_backend.cu) that holds kernel.points(), or 0 for the kernel's
// maximum, with the per-point state in local memory (and for kernels without per-point state).
// Needs no device.
template <class Kernel>
int device_capacity(const Kernel& kernel);

// Frees the device and pinned buffers of the chunks (waits for work in flight first).
void release_buffers();

// Device time of every run_chunk of this process, measured with CUDA events only when the
// environment has HEDGEMAP_CUDA_TIMING=1 (scripts/bench.sh sets it): the path kernels' own
// throughput and the cost of copying per-path columns back, without a profiler.
struct CudaTimings {
  bool enabled = false;
  double kernel_seconds = 0.0, copy_seconds = 0.0;  // launch to end; copy to host
  unsigned long long launches = 0, bytes_copied = 0;
};
CudaTimings timings();

}  // namespace hedgemap::cuda_backend
