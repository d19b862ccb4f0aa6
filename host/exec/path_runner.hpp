// Runs a path kernel over paths [0, total) in fixed-size chunks on the chosen backend and hands
// each chunk's column-major block to a consumer, in path order. The chunk size is a constant (not
// a function of threads or device), so every fixed-order reduction downstream gives bit-identical
// results on 1 thread, all threads, and either backend's chunking.
#pragma once
#include <algorithm>
#include <cstdint>
#include <stdexcept>
#include <vector>

#include "host/exec/backend.hpp"
#include "host/statistics/column_moments.hpp"
#include "host/exec/interrupt.hpp"
#include "host/statistics/reduced_chunk.hpp"
#include "host/cpu/simd_allocation.hpp"  // lane-batched CppiKernel<float>, VolTargetKernel<float>
#include "host/cpu/simd_book_price.hpp"  // lane-batched BookPriceKernel<float>
#include "host/cpu/simd_hedging.hpp"
#include "kernels/block_moments.hpp"
#include "kernels/path_output.hpp"
#ifdef HEDGEMAP_WITH_CUDA
#include "host/cuda/backend.hpp"
#endif

namespace hedgemap {

// Paths per chunk, a multiple of kReductionBlock. No result depends on it (every reduction is
// per kReductionBlock, in path order). CPU: small enough that a chunk's columns are still in
// cache when the statistics read them (16,384 paths x 14 columns = 1.8 MB for workload (a)).
// CUDA: one launch fills an H100/H200 (132 SMs x 2,048 threads = 270k threads) about once.
constexpr std::uint64_t kChunkPaths = 1ull << 14;
constexpr std::uint64_t kGpuChunkPaths = 1ull << 18;
static_assert(kChunkPaths % kReductionBlock == 0 && kGpuChunkPaths % kReductionBlock == 0);

template <class Kernel>
void run_chunk_on(const Execution& exec, const Kernel& kernel, std::uint64_t first, std::uint64_t n,
                  double* out) {
  if (exec.backend == BackendKind::cuda) {
#ifdef HEDGEMAP_WITH_CUDA
    cuda_backend::run_chunk(kernel, first, n, kernel.columns(), out);
    return;
#else
    throw std::runtime_error("the CUDA backend is not compiled into this binary");
#endif
  }
  if (run_batched_on_cpu(exec.threads, kernel, first, n, out)) return;  // lanes of paths in SIMD
  const auto count = static_cast<std::int64_t>(n);
  if (exec.threads > 0) {
#pragma omp parallel for schedule(static) num_threads(exec.threads)
    for (std::int64_t i = 0; i < count; ++i)
      kernel(first + i, PathOutput{out, n, std::uint64_t(i)});
  } else {
#pragma omp parallel for schedule(static)
    for (std::int64_t i = 0; i < count; ++i)
      kernel(first + i, PathOutput{out, n, std::uint64_t(i)});
  }
}

// Chunks of `chunk` paths over [0, total_paths) with two in flight: start(first, n, slot) queues
// a chunk on a device (slot 0 or 1, alternating), finish(slot) waits for it and returns its
// columns, consume(first, n, columns) reduces it on the host while the device already computes
// the next one. A slot is started again only after its previous chunk was consumed, and chunks
// are consumed in path order, so results equal a chunk-by-chunk run's
// (tests/exec/test_path_runner.cpp checks both with a fake device).
template <class Start, class Finish, class Consumer>
void run_chunks_two_in_flight(std::uint64_t total_paths, std::uint64_t chunk, Start&& start,
                              Finish&& finish, Consumer&& consume) {
  if (total_paths == 0) return;
  throw_if_interrupted();
  start(std::uint64_t(0), std::min(chunk, total_paths), 0);
  int slot = 0;
  for (std::uint64_t first = 0; first < total_paths; first += chunk, slot ^= 1) {
    const std::uint64_t n = std::min(chunk, total_paths - first), next = first + chunk;
    if (next < total_paths) {
      throw_if_interrupted();
      start(next, std::min(chunk, total_paths - next), slot ^ 1);
    }
    consume(first, n, finish(slot));
  }
}

#ifdef HEDGEMAP_WITH_CUDA
// The CUDA backend, pipelined: same chunks, same order, same consumer as one chunk at a time.
template <class Kernel, class Consumer>
void run_paths_pipelined(const Kernel& kernel, std::uint64_t total_paths, Consumer&& consume) {
  const int columns = kernel.columns();
  run_chunks_two_in_flight(
      total_paths, kGpuChunkPaths,
      [&](std::uint64_t first, std::uint64_t n, int slot) {
        cuda_backend::start_chunk(kernel, first, n, columns, slot);
      },
      [](int slot) { return cuda_backend::finish_chunk(slot); }, consume);
}

// The CUDA backend with device-side moments (cuda_backend::device_moments()): consume(first, n,
// ReducedChunk) gets the kept columns, every column's per-block sums and the run's shifts, two
// chunks in flight as above.
template <class Kernel, class Consumer>
void run_paths_device_reduced(const Kernel& kernel, std::uint64_t total_paths,
                              const KeptColumns& keep, Consumer&& consume) {
  const int columns = kernel.columns();
  run_chunks_two_in_flight(
      total_paths, kGpuChunkPaths,
      [&](std::uint64_t first, std::uint64_t n, int slot) {
        cuda_backend::start_chunk_reduced(kernel, first, n, columns, keep, kReductionBlock,
                                          first == 0, slot);
      },
      [](int slot) { return cuda_backend::finish_chunk_reduced(slot); }, consume);
}
#endif

// consume(first_path, n, const double* block) with block[c * n + i] = column c of path first+i.
template <class Kernel, class Consumer>
void run_paths(const Execution& exec, const Kernel& kernel, std::uint64_t total_paths,
               Consumer&& consume) {
#ifdef HEDGEMAP_WITH_CUDA
  if (exec.backend == BackendKind::cuda && cuda_backend::pipelined()) {
    run_paths_pipelined(kernel, total_paths, consume);
    return;
  }
#endif
  std::vector<double> block;
  const std::uint64_t chunk = exec.backend == BackendKind::cuda ? kGpuChunkPaths : kChunkPaths;
  for (std::uint64_t first = 0; first < total_paths; first += chunk) {
    throw_if_interrupted();
    const std::uint64_t n = std::min(chunk, total_paths - first);
    block.resize(static_cast<std::size_t>(kernel.columns()) * n);
    run_chunk_on(exec, kernel, first, n, block.data());
    consume(first, n, static_cast<const double*>(block.data()));
  }
}

// consume(first_path, n, const ReducedChunk&) for every chunk, in path order: the kept columns
// (keep.count x n), every column's per-block sums (blocks of kReductionBlock paths, shifted by
// the run's first path) and the shifts, as the CUDA backend makes them on the device.
template <class Kernel, class Consumer>
void run_paths_reduced(const Execution& exec, const Kernel& kernel, std::uint64_t total_paths,
                       const KeptColumns& keep, Consumer&& consume) {
#ifdef HEDGEMAP_WITH_CUDA
  if (exec.backend == BackendKind::cuda) {
    run_paths_device_reduced(kernel, total_paths, keep, consume);
    return;
  }
#endif
  if (keep.to_pnl_store)
    throw std::logic_error("run_paths_reduced: a P&L store needs the CUDA backend");
  const int columns = kernel.columns();
  std::vector<double> kept, partials, shift(std::size_t(columns), 0.0);
  run_paths(exec, kernel, total_paths,
            [&](std::uint64_t first, std::uint64_t n, const double* block) {
              const std::uint64_t blocks = (n + kReductionBlock - 1) / kReductionBlock;
              if (first == 0)
                for (int c = 0; c < columns; ++c)
                  shift[c] = column_shift(block[std::uint64_t(c) * n]);
              partials.resize(std::size_t(columns) * blocks * 2);
              block_moment_partials(block, n, columns, shift.data(), partials.data());
              kept.resize(std::size_t(keep.count) * n);
              for (int k = 0; k < keep.count; ++k) {
                const double* column = block + std::uint64_t(keep.first + k * keep.stride) * n;
                std::copy(column, column + n, kept.data() + std::uint64_t(k) * n);
              }
              consume(first, n, ReducedChunk{kept.data(), partials.data(), shift.data()});
            });
}

// Runs the paths with every column's moments summed into `moments`: from whole chunks, or from
// the reduced ones when chunks_reduced(exec). consume_kept(first, n, kept, stride) sees kept
// column k (keep.first + k keep.stride) of path first + i at kept[k * stride + i]; kept is null
// when those columns went to the device P&L store.
template <class Kernel, class Consumer>
void run_paths_with_moments(const Execution& exec, const Kernel& kernel, std::uint64_t total_paths,
                            const KeptColumns& keep, ColumnMoments& moments,
                            Consumer&& consume_kept) {
  if (chunks_reduced(exec)) {
    run_paths_reduced(exec, kernel, total_paths, keep,
                      [&](std::uint64_t first, std::uint64_t n, const ReducedChunk& chunk) {
                        if (first == 0) moments.set_shift(chunk.shift);
                        moments.add_partials(chunk.partials, n);
                        consume_kept(first, n, chunk.kept, n);
                      });
    return;
  }
  run_paths(
      exec, kernel, total_paths, [&](std::uint64_t first, std::uint64_t n, const double* block) {
        moments.add_chunk(block, n, exec.threads);
        consume_kept(first, n, static_cast<const double*>(block + std::uint64_t(keep.first) * n),
                     std::uint64_t(keep.stride) * n);
      });
}

}  // namespace hedgemap
