// The CUDA backend: one thread per path runs the same __host__ __device__ path kernel as the CPU
// backend, writing its column-major per-path block to device memory, which is then copied back
// for the host's fixed-order reductions (so both backends share one statistics code path).
// Kernels with per-point state run with the smallest compiled point capacity that holds the run's
// points, so that the state is in registers (kernels/point_loop.hpp, DEVELOPERS.md).
#include <cuda_runtime.h>
#include <thrust/execution_policy.h>
#include <thrust/sort.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <new>
#include <string>
#include <type_traits>
#include <utility>

#include <vector>

#include "host/cuda/backend.hpp"
#include "kernels/block_moments.hpp"
#include "kernels/pnl_segment_sums.hpp"
#include "kernels/path_kernel_list.hpp"

#define HEDGEMAP_CUDA_CHECK(call)                                                               \
  do {                                                                                          \
    const cudaError_t err_ = (call);                                                            \
    if (err_ != cudaSuccess)                                                                    \
      throw hedgemap::cuda_backend::CudaError(std::string(#call) + " failed at " __FILE__ ":" + \
                                              std::to_string(__LINE__) + ": " +                 \
                                              cudaGetErrorString(err_));                        \
  } while (0)

namespace hedgemap::cuda_backend {
namespace {

// 128 threads: one warp per SM sub-partition per block, so a kernel reaches the occupancy its
// registers allow in whole blocks (256 loses a third of it at 149-168 registers; 64 gains
// nothing): BENCHMARKS.md, "GPU".
constexpr int kThreadsPerBlock = 128;

// One kernel per compile-time variant of the path kernel (Kernel::kVariants: the volatility model
// of the paths, and for hedging the hedging model: the kernels' run_variant<Variant>), so that a
// constant-volatility, Black-Scholes run carries no other variant's state or registers.
template <class Kernel, int Variant>
__global__ void __launch_bounds__(kThreadsPerBlock)
    path_kernel(Kernel kernel, unsigned long long first_path, unsigned long long n, double* out) {
  const unsigned long long i =
      blockIdx.x * static_cast<unsigned long long>(blockDim.x) + threadIdx.x;
  if (i < n) kernel.template run_variant<Variant>(first_path + i, PathOutput{out, n, i});
}

// The same path with the kernel's per-point state sized for Capacity points: up to
// kMaxUnrolledCapacity every index into it is a constant, so it can live in registers
// (kernels/point_loop.hpp).
template <class Kernel, int Capacity, int Variant>
__global__ void __launch_bounds__(kThreadsPerBlock)
    capacity_path_kernel(Kernel kernel, unsigned long long first_path, unsigned long long n,
                         double* out) {
  const unsigned long long i =
      blockIdx.x * static_cast<unsigned long long>(blockDim.x) + threadIdx.x;
  if (i < n) kernel.template run_variant<Variant, Capacity>(first_path + i, PathOutput{out, n, i});
}

// The capacities compiled for each kernel with per-point state, smallest first: a run takes the
// first that holds its points, or the kernel's maximum past the last (state in local memory).
// Chosen from ptxas's figures (BENCHMARKS.md, "GPU"): a rung is kept where it does not spill and
// raises occupancy over the next one up, because each costs about a second of nvcc time per
// architecture. HedgingKernel<float> keeps its 32-point state in 128 registers, as many as at 8
// or 16 points: one rung. CppiKernel<float>: 126, 149, 224 registers at 8, 16, 32 points.
// VolTargetKernel<float>: 7 doubles per point, 16 points spill: nothing above 8. Double, the
// reference precision rather than the GPU's fast path, runs the maximum (as many rungs for it
// would double the added compile time); its ptxas figures are in BENCHMARKS.md too.
template <class Kernel>
struct DeviceCapacities {
  using list = std::integer_sequence<int>;
};
template <>
struct DeviceCapacities<HedgingKernel<float>> {
  using list = std::integer_sequence<int, 32>;
};
template <>
struct DeviceCapacities<CppiKernel<float>> {
  using list = std::integer_sequence<int, 8, 16, 32>;
};
template <>
struct DeviceCapacities<VolTargetKernel<float>> {
  using list = std::integer_sequence<int, 4, 8>;
};

// Variants that run only the kernel's maximum capacity: HedgingKernel's with several cost slots
// (swept cost axes: a slot's points times the slots rarely fit a rung, and each rung would be
// another kernel to compile).
template <class Kernel, int Variant>
constexpr bool has_capacity_rungs() {
  if constexpr (std::is_same_v<Kernel, HedgingKernel<float>> ||
                std::is_same_v<Kernel, HedgingKernel<double>>)
    return Variant < Kernel::kFirstCostSlotsVariant;
  return true;
}

template <int... Capacities>
int smallest_capacity(int points, std::integer_sequence<int, Capacities...>) {
  int chosen = 0;
  ((chosen = chosen == 0 && points <= Capacities ? Capacities : chosen), ...);
  return chosen;
}

// Launches capacity_path_kernel<Kernel, capacity, Variant>, or path_kernel for capacity 0.
template <int Variant, class Kernel, int... Capacities>
void launch_with_capacity(int capacity, std::integer_sequence<int, Capacities...>,
                          const Kernel& kernel, unsigned blocks, unsigned long long first_path,
                          unsigned long long n, double* out, cudaStream_t stream) {
  bool launched = false;
  auto try_capacity = [&](auto rung) {
    if (launched || capacity != decltype(rung)::value) return;
    capacity_path_kernel<Kernel, decltype(rung)::value, Variant>
        <<<blocks, kThreadsPerBlock, 0, stream>>>(kernel, first_path, n, out);
    launched = true;
  };
  (try_capacity(std::integral_constant<int, Capacities>{}), ...);
  if (!launched)
    path_kernel<Kernel, Variant>
        <<<blocks, kThreadsPerBlock, 0, stream>>>(kernel, first_path, n, out);
}

// The kernel of the run's variant (kernel.variant() in [0, Kernel::kVariants)).
template <class Kernel, class List, int... Variants>
void launch_variant(int capacity, List list, const Kernel& kernel, unsigned blocks,
                    unsigned long long first_path, unsigned long long n, double* out,
                    cudaStream_t stream, std::integer_sequence<int, Variants...>) {
  const int variant = kernel.variant();
  ((variant == Variants
        ? launch_with_capacity<Variants>(capacity,
                                         std::conditional_t<has_capacity_rungs<Kernel, Variants>(),
                                                            List, std::integer_sequence<int>>{},
                                         kernel, blocks, first_path, n, out, stream)
        : void()),
   ...);
}

template <class Kernel, class List>
void launch_path_kernel(int capacity, List list, const Kernel& kernel, unsigned blocks,
                        unsigned long long first_path, unsigned long long n, double* out,
                        cudaStream_t stream) {
  launch_variant(capacity, list, kernel, blocks, first_path, n, out, stream,
                 std::make_integer_sequence<int, Kernel::kVariants>{});
}

bool env_flag(const char* name, bool fallback) {
  const char* v = std::getenv(name);
  if (v == nullptr || v[0] == '\0') return fallback;
  return v[0] != '0';
}

// HEDGEMAP_CUDA_TIMING=1: device time of the kernels and copies from CUDA events recorded around
// them on the chunk's stream. Timing never fails a run: an event error leaves the sums as they are.
CudaTimings g_timings{env_flag("HEDGEMAP_CUDA_TIMING", false)};

// One chunk's buffers: device columns, the pinned host copy, and the events of its launch. Two
// slots let the device compute and copy chunk k+1 while the host reduces chunk k (run_paths in
// host/exec/path_runner.hpp); one stream keeps the device's work in order, so a slot's buffers are
// free again once the host has consumed the chunk before it.
struct ChunkSlot {
  double* device = nullptr;
  double* device_partials = nullptr;  // device-side moments: per-block sums of every column
  std::size_t partials_capacity_bytes = 0;
  double* host = nullptr;    // pinned (cudaHostAlloc): copies at full PCIe/NVLink speed, async
  bool host_pinned = false;  // false: the system refused to pin that much; plain memory (slower)
  std::size_t capacity_bytes = 0, host_capacity_bytes = 0, pending_bytes = 0;
  cudaEvent_t start = nullptr, launched = nullptr, copied = nullptr;
  void release() {
    if (device_partials) cudaFree(device_partials);
    device_partials = nullptr;
    partials_capacity_bytes = 0;
    if (device) cudaFree(device);
    if (host && host_pinned) cudaFreeHost(host);
    if (host && !host_pinned) std::free(host);
    device = host = nullptr;
    capacity_bytes = host_capacity_bytes = pending_bytes = 0;
  }
};
ChunkSlot g_slots[2];
cudaStream_t g_stream = nullptr;

// At least `device_bytes` of device columns and `host_bytes` of pinned host buffer (all columns
// come back in the plain mode; only the kept columns and the partials with device reductions).
void prepare_slot(ChunkSlot& slot, std::size_t device_bytes, std::size_t host_bytes) {
  if (!g_stream) HEDGEMAP_CUDA_CHECK(cudaStreamCreateWithFlags(&g_stream, cudaStreamNonBlocking));
  for (cudaEvent_t* e : {&slot.start, &slot.launched, &slot.copied})
    if (!*e) HEDGEMAP_CUDA_CHECK(cudaEventCreate(e));
  if (slot.capacity_bytes >= device_bytes && slot.host_capacity_bytes >= host_bytes) return;
  HEDGEMAP_CUDA_CHECK(cudaStreamSynchronize(g_stream));  // nothing may still use the old ones
  if (slot.capacity_bytes < device_bytes) {
    if (slot.device) cudaFree(slot.device);
    slot.device = nullptr;
    slot.capacity_bytes = 0;
    HEDGEMAP_CUDA_CHECK(cudaMalloc(&slot.device, device_bytes));
    slot.capacity_bytes = device_bytes;
  }
  if (slot.host_capacity_bytes < host_bytes) {
    if (slot.host && slot.host_pinned) cudaFreeHost(slot.host);
    if (slot.host && !slot.host_pinned) std::free(slot.host);
    slot.host = nullptr;
    slot.host_capacity_bytes = 0;
    slot.host_pinned = cudaHostAlloc(&slot.host, host_bytes, cudaHostAllocDefault) == cudaSuccess;
    if (!slot.host_pinned) {
      cudaGetLastError();  // not sticky: only this allocation failed
      slot.host = static_cast<double*>(std::malloc(host_bytes));
      if (!slot.host) throw std::bad_alloc();
    }
    slot.host_capacity_bytes = host_bytes;
  }
}

// The slot's start event, then the path kernel writing its device columns, queued on the stream.
template <class Kernel>
void enqueue_path_kernel(const Kernel& kernel, unsigned long long first_path, unsigned long long n,
                         ChunkSlot& slot) {
  const unsigned long long blocks = (n + kThreadsPerBlock - 1) / kThreadsPerBlock;
  HEDGEMAP_CUDA_CHECK(cudaEventRecord(slot.start, g_stream));
  launch_path_kernel(device_capacity(kernel), typename DeviceCapacities<Kernel>::list{}, kernel,
                     static_cast<unsigned>(blocks), first_path, n, slot.device, g_stream);
  HEDGEMAP_CUDA_CHECK(cudaGetLastError());
}

// A device buffer of at least `bytes`, reallocated (after the stream drained) when smaller.
template <class T>
void reserve_device(T*& data, std::size_t& capacity_bytes, std::size_t bytes) {
  if (capacity_bytes >= bytes) return;
  HEDGEMAP_CUDA_CHECK(cudaStreamSynchronize(g_stream));  // nothing may still use the old one
  if (data) cudaFree(data);
  data = nullptr;
  capacity_bytes = 0;
  HEDGEMAP_CUDA_CHECK(cudaMalloc(reinterpret_cast<void**>(&data), bytes));
  capacity_bytes = bytes;
}

// Kernel, then the copy of its columns to the slot's pinned buffer, queued on the stream.
template <class Kernel>
void enqueue_chunk(const Kernel& kernel, unsigned long long first_path, unsigned long long n,
                   int columns, ChunkSlot& slot) {
  const std::size_t bytes = static_cast<std::size_t>(columns) * n * sizeof(double);
  prepare_slot(slot, bytes, bytes);
  enqueue_path_kernel(kernel, first_path, n, slot);
  HEDGEMAP_CUDA_CHECK(cudaEventRecord(slot.launched, g_stream));
  HEDGEMAP_CUDA_CHECK(
      cudaMemcpyAsync(slot.host, slot.device, bytes, cudaMemcpyDeviceToHost, g_stream));
  HEDGEMAP_CUDA_CHECK(cudaEventRecord(slot.copied, g_stream));
  slot.pending_bytes = bytes;
}

// Waits for the slot's chunk (a kernel fault surfaces here as a CudaError) and returns its
// columns, valid until the slot is enqueued again.
const double* wait_chunk(ChunkSlot& slot) {
  HEDGEMAP_CUDA_CHECK(cudaEventSynchronize(slot.copied));
  if (g_timings.enabled) {
    float kernel_ms = 0.0f, copy_ms = 0.0f;
    if (cudaEventElapsedTime(&kernel_ms, slot.start, slot.launched) == cudaSuccess &&
        cudaEventElapsedTime(&copy_ms, slot.launched, slot.copied) == cudaSuccess) {
      g_timings.kernel_seconds += kernel_ms * 1e-3;
      g_timings.copy_seconds += copy_ms * 1e-3;
      g_timings.launches += 1;
      g_timings.bytes_copied += slot.pending_bytes;
    } else {
      cudaGetLastError();
    }
  }
  slot.pending_bytes = 0;
  return slot.host;
}

// ---- device-side column moments (HEDGEMAP_CUDA_DEVICE_MOMENTS=1) ----------------------------
// The shift of every column: its value on the run's first path (kernels/block_moments.hpp,
// ColumnMoments::set_shift), kept on the device for the run's later chunks.
__global__ void column_shift_kernel(const double* out, unsigned long long n, int columns,
                                    double* shift) {
  const int c = blockIdx.x * blockDim.x + threadIdx.x;
  if (c < columns) {
    shift[c] = column_shift(out[static_cast<unsigned long long>(c) * n]);
  }
}

// One thread per (column, reduction block), in ColumnMoments' layout: partials[(c * blocks + b)
// * 2 + {0, 1}], each the same code and order as the host's (block_moment_sums).
__global__ void block_moments_kernel(const double* out, unsigned long long n, int columns,
                                     unsigned long long block_paths, unsigned long long blocks,
                                     const double* shift, double* partials) {
  const unsigned long long t =
      blockIdx.x * static_cast<unsigned long long>(blockDim.x) + threadIdx.x;
  if (t >= static_cast<unsigned long long>(columns) * blocks) return;
  const unsigned long long c = t / blocks, b = t % blocks;
  const unsigned long long lo = b * block_paths, hi = lo + block_paths < n ? lo + block_paths : n;
  const BlockSums sums = block_moment_sums(out + c * n, lo, hi, shift[c]);
  partials[t * 2] = sums.sum;
  partials[t * 2 + 1] = sums.sum_sq;
}

double* g_device_shift = nullptr;  // the run's column shifts, set by its first chunk
std::size_t g_device_shift_bytes = 0;

struct ReducedLayout {  // where a reduced chunk's parts sit in its slot's pinned host buffer
  std::size_t kept = 0, partials = 0, shift = 0, end = 0;  // offsets in doubles
};
ReducedLayout g_reduced_layout[2];

// ---- the device P&L store and its statistics (KeptColumns::to_pnl_store) --------------------
double* g_pnl_store = nullptr;
std::size_t g_pnl_store_bytes = 0;
unsigned long long g_pnl_store_paths = 0;  // the row count of its columns

// Whether the reserved store holds columns [0, columns) of `paths` rows each.
bool store_holds(long long columns, unsigned long long paths) {
  return g_pnl_store != nullptr && columns >= 0 && paths == g_pnl_store_paths &&
         static_cast<std::size_t>(columns) * paths * sizeof(double) <= g_pnl_store_bytes;
}
unsigned long long* g_segment_bounds = nullptr;  // the segments of the last segment_sums call
std::size_t g_segment_bounds_bytes = 0;
std::vector<std::uint64_t> g_segment_bounds_host;
PnlSums* g_segment_sums = nullptr;
std::size_t g_segment_sums_bytes = 0;
double* g_select_scratch = nullptr;  // losses gathered for the VaR selection, per-warp maxima
std::size_t g_select_scratch_bytes = 0;
unsigned long long* g_bracket_counts = nullptr;  // per point: below, inside, above
std::size_t g_bracket_counts_bytes = 0;
double* g_centers = nullptr;  // per point: the center of a segment-sums pass
std::size_t g_centers_bytes = 0;
// One point's bracket (host/statistics/pnl_samples.hpp, loss_bracket) and where its kept losses go.
struct DeviceBracket {
  double lo, hi;
  unsigned long long capacity, offset;  // capacity 0: no bracket (the point selects from all)
};
DeviceBracket* g_brackets = nullptr;  // per point
std::size_t g_brackets_bytes = 0;

constexpr int kSegmentLanes = 8;  // threads per segment: one per lane of the fixed order

// The store's columns are points x pitch doubles; every statistics kernel takes point
// blockIdx.y, so that one launch covers all points of a cell.
__device__ __forceinline__ const double* store_column(const double* store,
                                                      unsigned long long pitch) {
  return store + blockIdx.y * pitch;
}

// Thread (segment s, lane l) of point blockIdx.y sums the terms of elements bounds[s] + l + 8 j,
// as the host's lane l does (kernels/pnl_segment_sums.hpp); the eight lanes are then added in the
// host's tree, ((a0 + a1) + (a2 + a3)) + ((a4 + a5) + (a6 + a7)), by shuffles within the
// 8-thread group. out[point * segments + s].
template <int Kind>
__global__ void pnl_segment_sums_kernel(const double* store, unsigned long long pitch,
                                        const unsigned long long* bounds,
                                        unsigned long long segments, const double* centers,
                                        double k, PnlSums* out) {
  constexpr int kTerms = detail::PnlTerms<Kind>::count;
  const double* x = store_column(store, pitch);
  const double center = centers[blockIdx.y];
  const unsigned long long t =
      blockIdx.x * static_cast<unsigned long long>(blockDim.x) + threadIdx.x;
  const unsigned long long s = t / kSegmentLanes;
  const int lane = static_cast<int>(t % kSegmentLanes);
  double acc[kTerms] = {};
  if (s < segments) {
    double terms[kTerms];
    for (unsigned long long i = bounds[s] + lane; i < bounds[s + 1]; i += kSegmentLanes) {
      detail::PnlTerms<Kind>::of(x[i], center, k, terms);
      for (int q = 0; q < kTerms; ++q) acc[q] = hm_add_rn(acc[q], terms[q]);
    }
  }
  // Every thread of the warp takes part in the shuffles (blocks are whole warps).
  for (int q = 0; q < kTerms; ++q) {
    double v = acc[q];
    v = hm_add_rn(v, __shfl_down_sync(0xffffffffu, v, 1, kSegmentLanes));  // lanes 0,2,4,6
    v = hm_add_rn(v, __shfl_down_sync(0xffffffffu, v, 2, kSegmentLanes));  // lanes 0,4
    v = hm_add_rn(v, __shfl_down_sync(0xffffffffu, v, 4, kSegmentLanes));  // lane 0
    acc[q] = v;
  }
  if (s < segments && lane == 0) {
    PnlSums sums{};
    for (int q = 0; q < kTerms; ++q) sums.s[q] = acc[q];
    out[blockIdx.y * segments + s] = sums;
  }
}

// Passes over all of a P&L column for the VaR and the utility objective: grid-stride loops of
// kWholeColumnBlocks x kWholeColumnThreads threads per point, each warp's results combined by
// shuffles. No library temporaries (a Thrust algorithm would cudaMalloc and cudaFree its own on
// every call, each a device-wide synchronisation).
constexpr unsigned kWholeColumnBlocks = 1024, kWholeColumnThreads = 256;
constexpr unsigned kWholeColumnWarps = kWholeColumnBlocks * kWholeColumnThreads / 32;  // per point

unsigned whole_column_blocks(unsigned long long n) {
  const unsigned long long needed = (n + kWholeColumnThreads - 1) / kWholeColumnThreads;
  return static_cast<unsigned>(needed < kWholeColumnBlocks ? (needed > 0 ? needed : 1)
                                                           : kWholeColumnBlocks);
}

// warp_max[point * kWholeColumnWarps + w] = max over warp w's elements of -k x (NaN skipped, as
// on the host; -inf if none). Warps beyond gridDim.x's write nothing: the caller reads only
// gridDim.x * kWholeColumnThreads / 32 per point.
__global__ void __launch_bounds__(kWholeColumnThreads)
    max_scaled_loss_kernel(const double* store, unsigned long long pitch, unsigned long long n,
                           double k, double* warp_max) {
  const double* x = store_column(store, pitch);
  const unsigned long long stride = static_cast<unsigned long long>(gridDim.x) * blockDim.x;
  double m = -HUGE_VAL;
  for (unsigned long long i =
           blockIdx.x * static_cast<unsigned long long>(blockDim.x) + threadIdx.x;
       i < n; i += stride) {
    const double z = hm_mul_rn(-k, x[i]);
    m = m < z ? z : m;  // NaN z: kept out
  }
  for (int offset = 16; offset > 0; offset /= 2) {
    const double other = __shfl_down_sync(0xffffffffu, m, offset);
    m = m < other ? other : m;
  }
  if (threadIdx.x % 32 == 0)
    warp_max[blockIdx.y * kWholeColumnWarps + (blockIdx.x * blockDim.x + threadIdx.x) / 32] = m;
}

// Adds a DevicePnlSamples call's wall-clock time to g_timings when HEDGEMAP_CUDA_TIMING=1.
struct StatisticsPassTimer {
  std::chrono::steady_clock::time_point start = std::chrono::steady_clock::now();
  ~StatisticsPassTimer() {
    if (!g_timings.enabled) return;
    g_timings.statistics_seconds +=
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    g_timings.statistics_passes += 1;
  }
};

// kth_smallest_loss_of's counting pass (host/statistics/pnl_samples.cpp) for point p = blockIdx.y:
// counts[3 p + 0] and counts[3 p + 2] = losses below lo and above hi (NaN in neither),
// counts[3 p + 1] = losses in [lo, hi], which are appended to kept[offset, offset + capacity) (in
// no particular order: only their k-th smallest value is used) while they fit.
__global__ void __launch_bounds__(kWholeColumnThreads)
    bracket_losses_kernel(const double* store, unsigned long long pitch, unsigned long long n,
                          const DeviceBracket* brackets, double* kept, unsigned long long* counts) {
  const DeviceBracket b = brackets[blockIdx.y];
  if (b.capacity == 0) return;  // the whole block: no shuffles are skipped by part of a warp
  const double* x = store_column(store, pitch);
  unsigned long long* my_counts = counts + 3ull * blockIdx.y;
  const unsigned long long stride = static_cast<unsigned long long>(gridDim.x) * blockDim.x;
  const unsigned lane = threadIdx.x % 32;
  unsigned long long below = 0, above = 0;
  for (unsigned long long i =
           blockIdx.x * static_cast<unsigned long long>(blockDim.x) + threadIdx.x;
       i < n; i += stride) {
    const double loss = -x[i];
    below += loss < b.lo;
    above += loss > b.hi;
    const bool inside = loss >= b.lo && loss <= b.hi;
    // one atomic per warp for its inside losses, each lane's slot from the lanes before it
    const unsigned active = __activemask();
    const unsigned want = __ballot_sync(active, inside);
    if (want != 0) {
      const int leader = __ffs(want) - 1;
      unsigned long long base = 0;
      if (static_cast<int>(lane) == leader)
        base = atomicAdd(&my_counts[1], static_cast<unsigned long long>(__popc(want)));
      base = __shfl_sync(active, base, leader);
      if (inside) {
        const unsigned long long slot = base + __popc(want & ((1u << lane) - 1u));
        if (slot < b.capacity) kept[b.offset + slot] = loss;
      }
    }
  }
  for (int offset = 16; offset > 0; offset /= 2) {
    below += __shfl_down_sync(0xffffffffu, below, offset);
    above += __shfl_down_sync(0xffffffffu, above, offset);
  }
  if (lane == 0) {
    atomicAdd(&my_counts[0], below);
    atomicAdd(&my_counts[2], above);
  }
}

// Thrust's temporary storage from a cache of device blocks instead of a cudaMalloc and cudaFree
// per algorithm call (cudaFree synchronises the device). A block handed back is handed out again
// for a later call; all of them run in order on g_stream, so a block is never in use by two at
// once, even when Thrust hands it back before its kernels have run (par_nosync). Use it only with
// `.on(g_stream)`. A request no free block holds frees the free ones first (after the stream has
// drained), so the cache stays at about the largest request, not the sum of every new maximum.
struct CachedTemporaryStorage {
  using value_type = char;
  std::multimap<std::size_t, char*> free_blocks;  // by size
  std::map<char*, std::size_t> blocks;            // every block, for release()
  char* allocate(std::ptrdiff_t requested) {
    const auto bytes = static_cast<std::size_t>(requested);
    const auto fit = free_blocks.lower_bound(bytes);
    if (fit != free_blocks.end()) {
      char* block = fit->second;
      free_blocks.erase(fit);
      return block;
    }
    if (!free_blocks.empty()) {
      HEDGEMAP_CUDA_CHECK(cudaStreamSynchronize(g_stream));
      for (const auto& [size, block] : free_blocks) {
        cudaFree(block);
        blocks.erase(block);
      }
      free_blocks.clear();
    }
    char* block = nullptr;
    if (cudaMalloc(&block, bytes) != cudaSuccess) {
      cudaGetLastError();  // not sticky: leave no error for a later check to report as its own
      throw CudaError("cudaMalloc of " + std::to_string(bytes) + " B for a device sort failed");
    }
    blocks[block] = bytes;
    return block;
  }
  void deallocate(char* block, std::size_t) { free_blocks.emplace(blocks.at(block), block); }
  void release() {
    for (const auto& [block, bytes] : blocks) cudaFree(block);
    blocks.clear();
    free_blocks.clear();
  }
};
CachedTemporaryStorage g_thrust_storage;

// value[p] = sorted[offset[p] + rank[p]] for the points whose rank is set (~0ull: none).
__global__ void pick_ranked(const double* sorted, const DeviceBracket* brackets,
                            const unsigned long long* rank, int points, double* value) {
  const int p = blockIdx.x * blockDim.x + threadIdx.x;
  if (p < points && rank[p] != ~0ull) value[p] = sorted[brackets[p].offset + rank[p]];
}

// sample[point * kLossBracketSample + j] = the loss at path loss_bracket_sample_path(j, n).
__global__ void gather_sample_losses(const double* store, unsigned long long pitch,
                                     unsigned long long n, double* sample) {
  const double* x = store_column(store, pitch);
  const unsigned j = blockIdx.x * blockDim.x + threadIdx.x;
  if (j < kLossBracketSample)
    sample[blockIdx.y * kLossBracketSample + j] = -x[loss_bracket_sample_path(j, n)];
}

}  // namespace

void release_buffers() {
  if (g_stream) cudaStreamSynchronize(g_stream);
  for (ChunkSlot& slot : g_slots) slot.release();
  for (void* p : {static_cast<void*>(g_pnl_store), static_cast<void*>(g_segment_bounds),
                  static_cast<void*>(g_segment_sums), static_cast<void*>(g_select_scratch),
                  static_cast<void*>(g_bracket_counts), static_cast<void*>(g_centers),
                  static_cast<void*>(g_brackets)})
    if (p) cudaFree(p);
  g_pnl_store = nullptr;
  g_segment_bounds = nullptr;
  g_segment_sums = nullptr;
  g_select_scratch = nullptr;
  g_bracket_counts = nullptr;
  g_centers = nullptr;
  g_brackets = nullptr;
  g_pnl_store_bytes = g_segment_bounds_bytes = g_segment_sums_bytes = g_select_scratch_bytes = 0;
  g_bracket_counts_bytes = g_centers_bytes = g_brackets_bytes = 0;
  g_pnl_store_paths = 0;
  g_segment_bounds_host.clear();
  g_thrust_storage.release();
  if (g_device_shift) cudaFree(g_device_shift);
  g_device_shift = nullptr;
  g_device_shift_bytes = 0;
}

bool device_moments() { return env_flag("HEDGEMAP_CUDA_DEVICE_MOMENTS", false); }

bool pipelined() { return env_flag("HEDGEMAP_CUDA_PIPELINE", true); }

namespace {
std::string uuid_text(const cudaUUID_t& uuid) {
  const auto* b = reinterpret_cast<const unsigned char*>(uuid.bytes);
  char text[48];
  std::snprintf(text, sizeof text,
                "GPU-%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0],
                b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13],
                b[14], b[15]);
  return text;
}
}  // namespace

std::vector<std::string> visible_device_uuids() {
  std::vector<std::string> uuids;
  int count = 0;
  if (cudaGetDeviceCount(&count) != cudaSuccess) {
    cudaGetLastError();  // clear the sticky error
    return uuids;
  }
  for (int d = 0; d < count; ++d) {
    cudaDeviceProp prop{};
    if (cudaGetDeviceProperties(&prop, d) != cudaSuccess) {
      cudaGetLastError();
      return {};
    }
    uuids.push_back(uuid_text(prop.uuid));
  }
  return uuids;
}

CudaDeviceInfo probe(int device) {
  CudaDeviceInfo info;
  info.compiled = true;
  cudaRuntimeGetVersion(&info.runtime_version);
  cudaDriverGetVersion(&info.driver_version);
  int count = 0;
  const cudaError_t err = cudaGetDeviceCount(&count);
  if (err != cudaSuccess || count == 0) {
    info.why_not = err == cudaSuccess ? std::string("no CUDA device found")
                                      : std::string(cudaGetErrorString(err));
    if (info.driver_version == 0)
      info.why_not += " (no NVIDIA driver)";
    else if (info.driver_version < info.runtime_version)
      info.why_not += " (driver " + std::to_string(info.driver_version) + " older than runtime " +
                      std::to_string(info.runtime_version) + ")";
    cudaGetLastError();  // clear the sticky error
    return info;
  }
  info.device = device;
  cudaDeviceProp prop{};
  if (device < 0 || device >= count || cudaGetDeviceProperties(&prop, device) != cudaSuccess ||
      cudaSetDevice(device) != cudaSuccess) {
    info.why_not = "no CUDA device " + std::to_string(device) + " among the " +
                   std::to_string(count) + " visible";
    cudaGetLastError();
    return info;
  }
  info.name = prop.name;
  info.uuid = uuid_text(prop.uuid);
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
int device_capacity(const Kernel& kernel) {
  using List = typename DeviceCapacities<Kernel>::list;
  if constexpr (List::size() == 0) {
    return 0;
  } else {
    return smallest_capacity(kernel.points(), List{});
  }
}

template <class Kernel>
void run_chunk(const Kernel& kernel, unsigned long long first_path, unsigned long long n,
               int columns, double* host_out) {
  if (n == 0) return;
  enqueue_chunk(kernel, first_path, n, columns, g_slots[0]);
  const double* columns_host = wait_chunk(g_slots[0]);
  std::memcpy(host_out, columns_host, static_cast<std::size_t>(columns) * n * sizeof(double));
}

template <class Kernel>
void start_chunk(const Kernel& kernel, unsigned long long first_path, unsigned long long n,
                 int columns, int slot) {
  enqueue_chunk(kernel, first_path, n, columns, g_slots[slot & 1]);
}

const double* finish_chunk(int slot) { return wait_chunk(g_slots[slot & 1]); }

template <class Kernel>
void start_chunk_reduced(const Kernel& kernel, unsigned long long first_path, unsigned long long n,
                         int columns, const KeptColumns& keep, unsigned long long block_paths,
                         bool first_chunk, int slot_index) {
  ChunkSlot& slot = g_slots[slot_index & 1];
  const unsigned long long blocks = (n + block_paths - 1) / block_paths;
  ReducedLayout& layout = g_reduced_layout[slot_index & 1];
  layout.kept = 0;
  layout.partials = keep.to_pnl_store ? 0 : static_cast<std::size_t>(keep.count) * n;
  layout.shift = layout.partials + static_cast<std::size_t>(columns) * blocks * 2;
  layout.end = layout.shift + static_cast<std::size_t>(columns);
  const std::size_t column_bytes = static_cast<std::size_t>(columns) * n * sizeof(double);
  // The slot's pinned buffer holds the kept columns, the partials and the shifts; its device
  // buffer the whole chunk.
  prepare_slot(slot, column_bytes, layout.end * sizeof(double));
  const std::size_t partial_bytes = static_cast<std::size_t>(columns) * blocks * 2 * sizeof(double);
  reserve_device(slot.device_partials, slot.partials_capacity_bytes, partial_bytes);
  reserve_device(g_device_shift, g_device_shift_bytes,
                 static_cast<std::size_t>(columns) * sizeof(double));
  enqueue_path_kernel(kernel, first_path, n, slot);
  if (first_chunk) {
    column_shift_kernel<<<(columns + 127) / 128, 128, 0, g_stream>>>(slot.device, n, columns,
                                                                     g_device_shift);
    HEDGEMAP_CUDA_CHECK(cudaGetLastError());
  }
  const unsigned long long reducers = static_cast<unsigned long long>(columns) * blocks;
  block_moments_kernel<<<static_cast<unsigned>((reducers + 127) / 128), 128, 0, g_stream>>>(
      slot.device, n, columns, block_paths, blocks, g_device_shift, slot.device_partials);
  HEDGEMAP_CUDA_CHECK(cudaGetLastError());
  HEDGEMAP_CUDA_CHECK(cudaEventRecord(slot.launched, g_stream));
  // Kept columns first, c = first + k * stride: one copy per column into the device P&L store, or
  // one strided 2-D copy to the host; then partials and shifts.
  if (keep.count > 0 && keep.to_pnl_store) {
    if (!store_holds(keep.count, g_pnl_store_paths) || first_path + n > g_pnl_store_paths)
      throw CudaError("start_chunk_reduced: the device P&L store was not reserved for this run");
    // One copy per column: a 2-D copy's pitch (paths x 8 B) may not exceed the device's
    // memPitch (2^31 - 1 B on current GPUs), which a run of 2^28 paths would.
    for (int c = 0; c < keep.count; ++c)
      HEDGEMAP_CUDA_CHECK(cudaMemcpyAsync(
          g_pnl_store + static_cast<std::size_t>(c) * g_pnl_store_paths + first_path,
          slot.device + static_cast<std::size_t>(keep.first + c * keep.stride) * n,
          n * sizeof(double), cudaMemcpyDeviceToDevice, g_stream));
  } else if (keep.count > 0)
    HEDGEMAP_CUDA_CHECK(cudaMemcpy2DAsync(
        slot.host + layout.kept, n * sizeof(double),
        slot.device + static_cast<std::size_t>(keep.first) * n,
        static_cast<std::size_t>(keep.stride) * n * sizeof(double), n * sizeof(double),
        static_cast<std::size_t>(keep.count), cudaMemcpyDeviceToHost, g_stream));
  HEDGEMAP_CUDA_CHECK(cudaMemcpyAsync(slot.host + layout.partials, slot.device_partials,
                                      partial_bytes, cudaMemcpyDeviceToHost, g_stream));
  HEDGEMAP_CUDA_CHECK(cudaMemcpyAsync(slot.host + layout.shift, g_device_shift,
                                      static_cast<std::size_t>(columns) * sizeof(double),
                                      cudaMemcpyDeviceToHost, g_stream));
  HEDGEMAP_CUDA_CHECK(cudaEventRecord(slot.copied, g_stream));
  slot.pending_bytes = (layout.end) * sizeof(double);
}

ReducedChunk finish_chunk_reduced(int slot_index) {
  const double* host = wait_chunk(g_slots[slot_index & 1]);
  const ReducedLayout& layout = g_reduced_layout[slot_index & 1];
  return ReducedChunk{layout.partials == layout.kept ? nullptr : host + layout.kept,
                      host + layout.partials, host + layout.shift};
}

std::size_t pnl_store_bytes() { return g_pnl_store_bytes; }

bool reserve_pnl_store(int columns, unsigned long long paths, std::size_t headroom) {
  if (columns <= 0 || paths == 0) return false;  // nothing to keep: the host's empty arrays
  const std::size_t bytes = static_cast<std::size_t>(columns) * paths * sizeof(double);
  if (g_pnl_store_bytes >= bytes) {
    g_pnl_store_paths = paths;
    return true;
  }
  if (!g_stream) HEDGEMAP_CUDA_CHECK(cudaStreamCreateWithFlags(&g_stream, cudaStreamNonBlocking));
  HEDGEMAP_CUDA_CHECK(cudaStreamSynchronize(g_stream));
  if (g_pnl_store) cudaFree(g_pnl_store);
  g_pnl_store = nullptr;
  g_pnl_store_bytes = 0;
  g_pnl_store_paths = 0;
  std::size_t free_bytes = 0, total_bytes = 0;
  HEDGEMAP_CUDA_CHECK(cudaMemGetInfo(&free_bytes, &total_bytes));
  if (bytes + headroom > free_bytes) return false;
  if (cudaMalloc(&g_pnl_store, bytes) != cudaSuccess) {
    cudaGetLastError();  // not sticky: only this allocation failed
    g_pnl_store = nullptr;
    return false;
  }
  g_pnl_store_bytes = bytes;
  g_pnl_store_paths = paths;
  return true;
}

void copy_to_pnl_store(int column, const double* values, unsigned long long paths) {
  if (column < 0 || !store_holds(column + 1LL, paths))
    throw CudaError("copy_to_pnl_store: column " + std::to_string(column) +
                    " is not in the device P&L store");
  HEDGEMAP_CUDA_CHECK(cudaMemcpyAsync(g_pnl_store + static_cast<std::size_t>(column) * paths,
                                      values, paths * sizeof(double), cudaMemcpyHostToDevice,
                                      g_stream));
  HEDGEMAP_CUDA_CHECK(cudaStreamSynchronize(g_stream));
}

DevicePnlSamples::DevicePnlSamples(int points, unsigned long long paths)
    : store_(g_pnl_store), pitch_(g_pnl_store_paths), points_(points), paths_(paths) {
  if (points < 1 || points > 65535 || !store_holds(points, paths))  // 65,535: gridDim.y
    throw CudaError("DevicePnlSamples: " + std::to_string(points) + " points of " +
                    std::to_string(paths) + " paths are not in the device P&L store");
}

void DevicePnlSamples::segment_sums(int kind, const std::vector<double>& centers, double k,
                                    const PnlSegments& segments, std::vector<PnlSums>& sums) const {
  const StatisticsPassTimer timer;
  check_pass_arguments(segments, paths_, centers, points_);
  const std::size_t count = segments.count(), total = count * static_cast<std::size_t>(points_);
  sums.resize(total);
  if (count == 0) return;
  if (g_segment_bounds_host != segments.bounds) {  // upload once per cell, not per pass
    g_segment_bounds_host.clear();                 // stale until the upload below is queued
    reserve_device(g_segment_bounds, g_segment_bounds_bytes,
                   segments.bounds.size() * sizeof(unsigned long long));
    HEDGEMAP_CUDA_CHECK(cudaMemcpyAsync(g_segment_bounds, segments.bounds.data(),
                                        segments.bounds.size() * sizeof(unsigned long long),
                                        cudaMemcpyHostToDevice, g_stream));
    g_segment_bounds_host = segments.bounds;
  }
  reserve_device(g_segment_sums, g_segment_sums_bytes, total * sizeof(PnlSums));
  reserve_device(g_centers, g_centers_bytes, centers.size() * sizeof(double));
  HEDGEMAP_CUDA_CHECK(cudaMemcpyAsync(g_centers, centers.data(), centers.size() * sizeof(double),
                                      cudaMemcpyHostToDevice, g_stream));
  const unsigned long long threads = static_cast<unsigned long long>(count) * kSegmentLanes;
  const dim3 grid(static_cast<unsigned>((threads + 127) / 128), static_cast<unsigned>(points_));
  switch (kind) {
    case pnl_sum_central:
      pnl_segment_sums_kernel<pnl_sum_central><<<grid, 128, 0, g_stream>>>(
          store_, pitch_, g_segment_bounds, count, g_centers, k, g_segment_sums);
      break;
    case pnl_sum_tail:
      pnl_segment_sums_kernel<pnl_sum_tail><<<grid, 128, 0, g_stream>>>(
          store_, pitch_, g_segment_bounds, count, g_centers, k, g_segment_sums);
      break;
    case pnl_sum_weights:
      pnl_segment_sums_kernel<pnl_sum_weights><<<grid, 128, 0, g_stream>>>(
          store_, pitch_, g_segment_bounds, count, g_centers, k, g_segment_sums);
      break;
    default:
      pnl_segment_sums_kernel<pnl_sum_raw><<<grid, 128, 0, g_stream>>>(
          store_, pitch_, g_segment_bounds, count, g_centers, k, g_segment_sums);
  }
  HEDGEMAP_CUDA_CHECK(cudaGetLastError());
  HEDGEMAP_CUDA_CHECK(cudaMemcpyAsync(sums.data(), g_segment_sums, total * sizeof(PnlSums),
                                      cudaMemcpyDeviceToHost, g_stream));
  HEDGEMAP_CUDA_CHECK(cudaStreamSynchronize(g_stream));
}

std::vector<double> DevicePnlSamples::max_scaled_loss(double k) const {
  const StatisticsPassTimer timer;
  const std::size_t per_point = kWholeColumnWarps;
  reserve_device(g_select_scratch, g_select_scratch_bytes, per_point * points_ * sizeof(double));
  const unsigned blocks = whole_column_blocks(paths_);
  max_scaled_loss_kernel<<<dim3(blocks, static_cast<unsigned>(points_)), kWholeColumnThreads, 0,
                           g_stream>>>(store_, pitch_, paths_, k, g_select_scratch);
  HEDGEMAP_CUDA_CHECK(cudaGetLastError());
  std::vector<double> warp_max(per_point * points_);
  HEDGEMAP_CUDA_CHECK(cudaMemcpyAsync(warp_max.data(), g_select_scratch,
                                      warp_max.size() * sizeof(double), cudaMemcpyDeviceToHost,
                                      g_stream));
  HEDGEMAP_CUDA_CHECK(cudaStreamSynchronize(g_stream));
  const unsigned written = blocks * (kWholeColumnThreads / 32);  // per point
  std::vector<double> m(static_cast<std::size_t>(points_), -HUGE_VAL);
  for (int p = 0; p < points_; ++p)
    for (unsigned w = 0; w < written; ++w) {
      const double v = warp_max[p * per_point + w];
      m[p] = m[p] < v ? v : m[p];
    }
  return m;
}

// The host's selection (kth_smallest_loss_of) with the passes over all paths on the device, for
// every point in the same launches: the strided samples; the brackets, made on the host; one pass
// that counts and gathers the losses inside them (~3% of the paths); a sort of those on the
// device. Only the k-th value of each point comes back. A point whose bracket is unusable or missed
// (probability ~1e-4, or a NaN) copies its losses back and selects from all of them, as the host
// does.
std::vector<double> DevicePnlSamples::kth_smallest_loss(std::uint64_t k) const {
  const StatisticsPassTimer timer;
  const unsigned long long n = paths_;
  const std::size_t points = static_cast<std::size_t>(points_);
  std::vector<double> result(points);
  const auto select_all = [&](int p) {
    std::vector<double> pnl(n);
    HEDGEMAP_CUDA_CHECK(cudaMemcpyAsync(pnl.data(), store_ + p * pitch_, n * sizeof(double),
                                        cudaMemcpyDeviceToHost, g_stream));
    HEDGEMAP_CUDA_CHECK(cudaStreamSynchronize(g_stream));
    return kth_smallest_loss_of(pnl.data(), n, k);  // the host's own selection
  };
  if (n < kLossBracketMinPaths) {
    for (int p = 0; p < points_; ++p) result[p] = select_all(p);
    return result;
  }
  reserve_device(g_select_scratch, g_select_scratch_bytes,
                 points * kLossBracketSample * sizeof(double));
  gather_sample_losses<<<dim3((kLossBracketSample + 127) / 128, static_cast<unsigned>(points_)),
                         128, 0, g_stream>>>(store_, pitch_, n, g_select_scratch);
  HEDGEMAP_CUDA_CHECK(cudaGetLastError());
  std::vector<double> samples(points * kLossBracketSample);
  HEDGEMAP_CUDA_CHECK(cudaMemcpyAsync(samples.data(), g_select_scratch,
                                      samples.size() * sizeof(double), cudaMemcpyDeviceToHost,
                                      g_stream));
  HEDGEMAP_CUDA_CHECK(cudaStreamSynchronize(g_stream));
  std::vector<DeviceBracket> brackets(points);
  unsigned long long kept_total = 0;
  for (std::size_t p = 0; p < points; ++p) {
    std::vector<double> sample(samples.begin() + std::ptrdiff_t(p * kLossBracketSample),
                               samples.begin() + std::ptrdiff_t((p + 1) * kLossBracketSample));
    const LossBracket b = loss_bracket(sample, n, k);
    const unsigned long long capacity =
        b.usable ? std::min<unsigned long long>(b.expected_inside, n) : 0;
    brackets[p] = DeviceBracket{b.lo, b.hi, capacity, kept_total};
    kept_total += capacity;
  }
  try {
    reserve_device(g_select_scratch, g_select_scratch_bytes,
                   std::max<unsigned long long>(kept_total, 1) * sizeof(double));
  } catch (const CudaError&) {  // no room for the kept losses: every point selects from all
    cudaGetLastError();
    for (int p = 0; p < points_; ++p) result[p] = select_all(p);
    return result;
  }
  reserve_device(g_bracket_counts, g_bracket_counts_bytes, 3 * points * sizeof(unsigned long long));
  reserve_device(g_brackets, g_brackets_bytes, points * sizeof(DeviceBracket));
  HEDGEMAP_CUDA_CHECK(
      cudaMemsetAsync(g_bracket_counts, 0, 3 * points * sizeof(unsigned long long), g_stream));
  HEDGEMAP_CUDA_CHECK(cudaMemcpyAsync(g_brackets, brackets.data(), points * sizeof(DeviceBracket),
                                      cudaMemcpyHostToDevice, g_stream));
  bracket_losses_kernel<<<dim3(whole_column_blocks(n), static_cast<unsigned>(points_)),
                          kWholeColumnThreads, 0, g_stream>>>(store_, pitch_, n, g_brackets,
                                                              g_select_scratch, g_bracket_counts);
  HEDGEMAP_CUDA_CHECK(cudaGetLastError());
  std::vector<unsigned long long> counts(3 * points);
  HEDGEMAP_CUDA_CHECK(cudaMemcpyAsync(counts.data(), g_bracket_counts,
                                      counts.size() * sizeof(unsigned long long),
                                      cudaMemcpyDeviceToHost, g_stream));
  HEDGEMAP_CUDA_CHECK(cudaStreamSynchronize(g_stream));
  // Each bracketed point's kept losses sorted in place on the device (Thrust's radix sort, queued
  // back to back without waits), then the k-th of each picked by one small kernel: only `points`
  // values come back. No bracket, one wider than its estimate (it holds ~half of it on average)
  // or a miss: that point selects from all its losses.
  std::vector<unsigned long long> rank(points, ~0ull);
  const auto policy = thrust::cuda::par_nosync(g_thrust_storage).on(g_stream);
  for (std::size_t p = 0; p < points; ++p) {
    const DeviceBracket& b = brackets[p];
    const std::uint64_t below = counts[3 * p], inside = counts[3 * p + 1],
                        above = counts[3 * p + 2];
    if (b.capacity == 0 || inside > b.capacity || !loss_bracket_holds(n, k, below, inside, above))
      continue;
    double* first = g_select_scratch + b.offset;
    try {
      thrust::sort(policy, first, first + inside);
    } catch (const std::exception&) {  // no room for the sort's buffer: select from all losses
      cudaGetLastError();
      continue;
    }
    rank[p] = k - below;
  }
  // The counts' buffer (3 x points, already read) holds the ranks and the picked values.
  double* ranked = reinterpret_cast<double*>(g_bracket_counts);
  unsigned long long* rank_device = g_bracket_counts + points;
  HEDGEMAP_CUDA_CHECK(cudaMemcpyAsync(rank_device, rank.data(), points * sizeof(unsigned long long),
                                      cudaMemcpyHostToDevice, g_stream));
  pick_ranked<<<static_cast<unsigned>((points + 127) / 128), 128, 0, g_stream>>>(
      g_select_scratch, g_brackets, rank_device, points_, ranked);
  HEDGEMAP_CUDA_CHECK(cudaGetLastError());
  HEDGEMAP_CUDA_CHECK(cudaMemcpyAsync(result.data(), ranked, points * sizeof(double),
                                      cudaMemcpyDeviceToHost, g_stream));
  HEDGEMAP_CUDA_CHECK(cudaStreamSynchronize(g_stream));
  for (std::size_t p = 0; p < points; ++p)
    if (rank[p] == ~0ull) result[p] = select_all(int(p));
  return result;
}

CudaTimings timings() { return g_timings; }

#define HEDGEMAP_INSTANTIATE_RUN_CHUNK(...)                                                        \
  template void run_chunk<__VA_ARGS__>(const __VA_ARGS__&, unsigned long long, unsigned long long, \
                                       int, double*);                                              \
  template void start_chunk<__VA_ARGS__>(const __VA_ARGS__&, unsigned long long,                   \
                                         unsigned long long, int, int);                            \
  template void start_chunk_reduced<__VA_ARGS__>(const __VA_ARGS__&, unsigned long long,           \
                                                 unsigned long long, int, const KeptColumns&,      \
                                                 unsigned long long, bool, int);                   \
  template int device_capacity<__VA_ARGS__>(const __VA_ARGS__&);
HEDGEMAP_FOR_EACH_PATH_KERNEL(HEDGEMAP_INSTANTIATE_RUN_CHUNK)

}  // namespace hedgemap::cuda_backend
