// Runs a path kernel over paths [0, total) in fixed-size chunks on the chosen backend and hands
// each chunk's column-major block to a consumer, in path order. The chunk size is a constant (not
// a function of threads or device), so every fixed-order reduction downstream gives bit-identical
// results on 1 thread, all threads, and either backend's chunking.
#pragma once
#include <algorithm>
#include <cstdint>
#include <stdexcept>
#include <vector>

#include "host/backend.hpp"
#include "host/interrupt.hpp"
#include "host/simd_allocation.hpp"  // lane-batched CppiKernel<float>, VolTargetKernel<float>
#include "host/simd_book_price.hpp"  // lane-batched BookPriceKernel<float>
#include "host/simd_hedging.hpp"
#include "kernels/path_output.hpp"
#ifdef HEDGEMAP_WITH_CUDA
#include "host/cuda_backend.hpp"
#endif

namespace hedgemap {

constexpr std::uint64_t kReductionBlock = 1024;     // paths summed sequentially, then in block order
constexpr std::uint64_t kChunkPaths = 1ull << 17;   // multiple of kReductionBlock

template <class Kernel>
void run_chunk_on(const Execution& exec, const Kernel& kernel, std::uint64_t first,
                  std::uint64_t n, double* out) {
  if (exec.backend == BackendKind::cuda) {
#ifdef HEDGEMAP_WITH_CUDA
    cuda_backend::run_chunk(kernel, first, n, kernel.columns(), out);
    return;
#else
    throw std::runtime_error("the CUDA backend is not compiled into this binary");
#endif
  }
  if (run_batched_on_cpu(exec, kernel, first, n, out)) return;  // lanes of paths in SIMD
  const auto count = static_cast<std::int64_t>(n);
  if (exec.threads > 0) {
#pragma omp parallel for schedule(static) num_threads(exec.threads)
    for (std::int64_t i = 0; i < count; ++i) kernel(first + i, PathOutput{out, n, std::uint64_t(i)});
  } else {
#pragma omp parallel for schedule(static)
    for (std::int64_t i = 0; i < count; ++i) kernel(first + i, PathOutput{out, n, std::uint64_t(i)});
  }
}

// consume(first_path, n, const double* block) with block[c * n + i] = column c of path first+i.
template <class Kernel, class Consumer>
void run_paths(const Execution& exec, const Kernel& kernel, std::uint64_t total_paths,
               Consumer&& consume) {
  std::vector<double> block;
  for (std::uint64_t first = 0; first < total_paths; first += kChunkPaths) {
    throw_if_interrupted();
    const std::uint64_t n = std::min(kChunkPaths, total_paths - first);
    block.resize(static_cast<std::size_t>(kernel.columns()) * n);
    run_chunk_on(exec, kernel, first, n, block.data());
    consume(first, n, static_cast<const double*>(block.data()));
  }
}

}  // namespace hedgemap
