// The CUDA backend's host interface. Implemented in host/cuda/backend.cu, the one CUDA
// translation unit; only declared here so that g++-compiled code needs no CUDA headers.
#pragma once
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "host/cuda/device_info.hpp"
#include "host/statistics/pnl_samples.hpp"
#include "host/statistics/reduced_chunk.hpp"

namespace hedgemap::cuda_backend {

struct CudaError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// The visible devices' UUIDs ("GPU-xxxxxxxx-..." as nvidia-smi prints them), in CUDA's order
// (CUDA_VISIBLE_DEVICES applied); empty without a usable driver or device.
std::vector<std::string> visible_device_uuids();

// Device `device` (index among the visible ones): makes it this process's device
// (cudaSetDevice) and creates its context, so every later allocation and launch runs there.
CudaDeviceInfo probe(int device = 0);

// Runs kernel(first_path + i, ...) for i < n on the device, one thread per path, and copies the
// column-major result block (columns x n doubles) to host_out. Instantiated in cuda_backend.cu for
// every type of kernels/path_kernel_list.hpp. Throws CudaError (out of memory, launch failure).
template <class Kernel>
void run_chunk(const Kernel& kernel, unsigned long long first_path, unsigned long long n,
               int columns, double* host_out);

// The same, split for a pipeline of two chunks in flight (host/exec/path_runner.hpp): start_chunk
// queues the kernel and the copy of its columns into the pinned buffer of `slot` (0 or 1) and
// returns at once; finish_chunk(slot) waits for them and returns the columns (columns x n
// doubles, column-major), valid until that slot is started again. Throws CudaError.
template <class Kernel>
void start_chunk(const Kernel& kernel, unsigned long long first_path, unsigned long long n,
                 int columns, int slot);
const double* finish_chunk(int slot);

// Whether run_paths pipelines chunks: yes unless HEDGEMAP_CUDA_PIPELINE=0 (to compare).
bool pipelined();

// Device-side reductions, opt-in with HEDGEMAP_CUDA_DEVICE_MOMENTS=1 until measured on a GPU: the
// chunk's per-block sums of every column are made on the device by the host's own code
// (kernels/block_moments.hpp), and only the kept columns (first + k stride, k < count) leave the
// chunk: to the host, or into the device P&L store (below) when `to_pnl_store`, instead of every
// column of every path coming back.
// With KeptColumns::to_pnl_store, kept column k of path i goes to store column k, row
// first_path + i (host/statistics/reduced_chunk.hpp).
bool device_moments();
using hedgemap::KeptColumns;
using hedgemap::ReducedChunk;
// Like start_chunk / finish_chunk; `first_chunk` makes this chunk's first path the shifts.
template <class Kernel>
void start_chunk_reduced(const Kernel& kernel, unsigned long long first_path, unsigned long long n,
                         int columns, const KeptColumns& keep, unsigned long long block_paths,
                         bool first_chunk, int slot);
ReducedChunk finish_chunk_reduced(int slot);

// The point capacity run_chunk runs `kernel` with (kernels/point_loop.hpp): the smallest one
// compiled for its type (host/cuda/backend.cu) that holds kernel.points(), or 0 for the kernel's
// maximum, with the per-point state in local memory (and for kernels without per-point state).
// Needs no device.
template <class Kernel>
int device_capacity(const Kernel& kernel);

// The device P&L store: a cell's per-path P&L of every point (columns x paths doubles) kept in
// device memory, filled by chunks started with KeptColumns::to_pnl_store, and summarised in place
// (DevicePnlSamples) so that no per-path value crosses PCIe. reserve_pnl_store returns false,
// holding nothing new, when the device lacks the room plus `headroom` bytes (the chunks' buffers):
// the caller then keeps the P&L on the host.
bool reserve_pnl_store(int columns, unsigned long long paths, std::size_t headroom);
// Bytes the store holds now (0 when none is reserved).
std::size_t pnl_store_bytes();
// Copies `paths` host values into column `column` of the reserved store (tests, and callers
// whose P&L was made elsewhere).
void copy_to_pnl_store(int column, const double* values, unsigned long long paths);

// Columns 0 .. points - 1 of the store (reserve_pnl_store(columns >= points, paths, ...) first)
// as a cell's PnlSamples: the same segment sums (kernels/pnl_segment_sums.hpp: 8 threads per
// segment, one per lane, then the same tree) and the same exact order statistic (the host's
// bracket, counted and gathered on the device), every pass one launch for all points. Methods
// wait for the device and throw CudaError; one object at a time (they share scratch buffers).
class DevicePnlSamples final : public PnlSamples {
 public:
  DevicePnlSamples(int points, unsigned long long paths);
  int points() const override { return points_; }
  std::uint64_t paths() const override { return paths_; }
  void segment_sums(int kind, const std::vector<double>& centers, double k,
                    const PnlSegments& segments, std::vector<PnlSums>& sums) const override;
  std::vector<double> max_scaled_loss(double k) const override;
  std::vector<double> kth_smallest_loss(std::uint64_t k) const override;

 private:
  const double* store_;  // device memory, points x pitch_
  unsigned long long pitch_;
  int points_;
  unsigned long long paths_;
};

// Frees the device and pinned buffers of the chunks and the P&L store (waits for work in flight).
void release_buffers();

// Device time of every run_chunk of this process, measured with CUDA events only when the
// environment has HEDGEMAP_CUDA_TIMING=1 (scripts/bench.sh sets it): the path kernels' own
// throughput and the cost of copying per-path columns back, without a profiler.
struct CudaTimings {
  bool enabled = false;
  double kernel_seconds = 0.0, copy_seconds = 0.0;  // launch to end; copy to host
  unsigned long long launches = 0, bytes_copied = 0;
  // DevicePnlSamples' passes (HEDGEMAP_CUDA_DEVICE_MOMENTS=1), host wall-clock of each call
  // (launches, copies and waits included)
  double statistics_seconds = 0.0;
  unsigned long long statistics_passes = 0;
};
CudaTimings timings();

}  // namespace hedgemap::cuda_backend
