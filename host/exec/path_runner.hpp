// Runs a path kernel over paths [0, total) in fixed-size chunks on the chosen backend and hands
// each chunk's column-major block to a consumer, in path order. The chunk size is a constant (not
// a function of threads or device), so every fixed-order reduction downstream gives bit-identical
// results on 1 thread, all threads, and either backend's chunking.
#pragma once
#include <algorithm>
#include <cstdint>
#include <exception>
#include <stdexcept>
#include <vector>

#include "host/exec/backend.hpp"
#include "host/statistics/column_moments.hpp"
#include "host/exec/interrupt.hpp"
#include "host/exec/ranks.hpp"
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
// The CUDA backend, pipelined: same chunks, same order, same consumer as one chunk at a time,
// over paths [first_path, end).
template <class Kernel, class Consumer>
void run_paths_pipelined(const Kernel& kernel, std::uint64_t first_path, std::uint64_t end,
                         Consumer&& consume) {
  const int columns = kernel.columns();
  run_chunks_two_in_flight(
      end - first_path, kGpuChunkPaths,
      [&](std::uint64_t first, std::uint64_t n, int slot) {
        cuda_backend::start_chunk(kernel, first_path + first, n, columns, slot);
      },
      [](int slot) { return cuda_backend::finish_chunk(slot); },
      [&](std::uint64_t first, std::uint64_t n, const auto& block) {
        consume(first_path + first, n, block);
      });
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

// consume(first_path, n, const double* block) with block[c * n + i] = column c of path first+i,
// for the paths [first_path, end) (first_path a multiple of kReductionBlock).
template <class Kernel, class Consumer>
void run_path_range(const Execution& exec, const Kernel& kernel, std::uint64_t first_path,
                    std::uint64_t end, Consumer&& consume) {
#ifdef HEDGEMAP_WITH_CUDA
  if (exec.backend == BackendKind::cuda && cuda_backend::pipelined()) {
    run_paths_pipelined(kernel, first_path, end, consume);
    return;
  }
#endif
  std::vector<double> block;
  const std::uint64_t chunk = exec.backend == BackendKind::cuda ? kGpuChunkPaths : kChunkPaths;
  for (std::uint64_t first = first_path; first < end; first += chunk) {
    throw_if_interrupted();
    const std::uint64_t n = std::min(chunk, end - first);
    block.resize(static_cast<std::size_t>(kernel.columns()) * n);
    run_chunk_on(exec, kernel, first, n, block.data());
    consume(first, n, static_cast<const double*>(block.data()));
  }
}

template <class Kernel, class Consumer>
void run_paths(const Execution& exec, const Kernel& kernel, std::uint64_t total_paths,
               Consumer&& consume) {
  run_path_range(exec, kernel, 0, total_paths, consume);
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

// A cell's paths split over the ranks (active_path_share(), host/exec/ranks.hpp): this rank runs
// its range (path_range: whole reduction blocks) and reduces it as run_paths_reduced does: every
// column's per-block sums, shifted by its value on path 0 (which every rank computes for itself:
// one path), and the kept columns. Then each rank's range, in rank order (= path order), goes to
// every rank (one broadcast per range: never a floating-point MPI_Reduce), which hands it to
// consume(first, n, const ReducedChunk&) in chunks of kChunkPaths. The consumer thus sees the
// run_paths_reduced chunks of one process, the sums per block in block order, on every rank, and
// each rank's statistics are the serial run's. Memory per rank: its own range's kept columns and
// block sums, and one other range's at a time (keep.count x paths / ranks doubles each).
template <class Kernel, class Consumer>
void run_paths_split(const Execution& exec, const Kernel& kernel, std::uint64_t total_paths,
                     const KeptColumns& keep, const PathShare& share, Consumer&& consume) {
  const int columns = kernel.columns();
  const auto blocks_of = [](std::uint64_t n) {
    return (n + kReductionBlock - 1) / kReductionBlock;
  };
  // A range's message: block sums [column][block][sum, sum of squares], then the kept columns
  // [k][path].
  const auto message_size = [&](const PathRange& r) {
    return std::size_t(columns) * blocks_of(r.count()) * 2 + std::size_t(keep.count) * r.count();
  };
  std::vector<double> shift(std::size_t(columns), 0.0);
  const PathRange mine = path_range(total_paths, share.rank, share.size);
  std::vector<double> own;
  int status = 0;  // 0: done, 1: interrupted, 2: failed (max over the ranks: every rank agrees)
  std::exception_ptr failure;
  try {  // whatever fails here (out of memory too) reaches the vote, so no rank waits forever
    own.resize(message_size(mine));
    if (total_paths > 0) {
      std::vector<double> first_path(static_cast<std::size_t>(columns), 0.0);
      run_chunk_on(exec, kernel, 0, 1, first_path.data());
      for (int c = 0; c < columns; ++c) shift[c] = column_shift(first_path[c]);
    }
    const std::uint64_t own_blocks = blocks_of(mine.count());
    double* kept_out = own.data() + std::size_t(columns) * own_blocks * 2;
    std::vector<double> partials;
    run_path_range(exec, kernel, mine.first, mine.end,
                   [&](std::uint64_t first, std::uint64_t n, const double* block) {
                     const std::uint64_t blocks = blocks_of(n);
                     const std::uint64_t b0 = (first - mine.first) / kReductionBlock;
                     partials.resize(std::size_t(columns) * blocks * 2);
                     block_moment_partials(block, n, columns, shift.data(), partials.data());
                     for (int c = 0; c < columns; ++c)
                       std::copy(partials.data() + std::size_t(c) * blocks * 2,
                                 partials.data() + std::size_t(c + 1) * blocks * 2,
                                 own.data() + (std::size_t(c) * own_blocks + b0) * 2);
                     for (int k = 0; k < keep.count; ++k) {
                       const double* column =
                           block + std::uint64_t(keep.first + k * keep.stride) * n;
                       std::copy(column, column + n,
                                 kept_out + std::size_t(k) * mine.count() + (first - mine.first));
                     }
                   });
  } catch (const Interrupted&) {
    status = 1;
  } catch (...) {
    status = 2;
    failure = std::current_exception();
  }
  const int worst = max_over_ranks(status);
  if (worst == 2) {
    if (failure) std::rethrow_exception(failure);
    throw PeerFailed();
  }
  if (worst == 1) throw Interrupted();

  std::vector<double> theirs, partials, kept;
  for (int r = 0; r < share.size; ++r) {
    const PathRange range = path_range(total_paths, r, share.size);
    std::vector<double>& message = r == share.rank ? own : theirs;
    message.resize(message_size(range));
    share_doubles_from(r, message.data(), message.size());
    const std::uint64_t range_blocks = blocks_of(range.count());
    const double* range_kept = message.data() + std::size_t(columns) * range_blocks * 2;
    for (std::uint64_t first = range.first; first < range.end; first += kChunkPaths) {
      const std::uint64_t n = std::min(kChunkPaths, range.end - first), blocks = blocks_of(n);
      const std::uint64_t b0 = (first - range.first) / kReductionBlock;
      partials.resize(std::size_t(columns) * blocks * 2);
      for (int c = 0; c < columns; ++c)
        std::copy(message.data() + (std::size_t(c) * range_blocks + b0) * 2,
                  message.data() + (std::size_t(c) * range_blocks + b0 + blocks) * 2,
                  partials.data() + std::size_t(c) * blocks * 2);
      kept.resize(std::size_t(keep.count) * n);
      for (int k = 0; k < keep.count; ++k) {
        const double* from = range_kept + std::size_t(k) * range.count() + (first - range.first);
        std::copy(from, from + n, kept.data() + std::size_t(k) * n);
      }
      consume(first, n, ReducedChunk{kept.data(), partials.data(), shift.data()});
    }
  }
}

// Runs the paths with every column's moments summed into `moments`: from whole chunks, or from
// the reduced ones when chunks_reduced(exec) or the cell's paths are split over the ranks.
// consume_kept(first, n, kept, stride) sees kept column k (keep.first + k keep.stride) of path
// first + i at kept[k * stride + i]; kept is null when those columns went to the device P&L store.
template <class Kernel, class Consumer>
void run_paths_with_moments(const Execution& exec, const Kernel& kernel, std::uint64_t total_paths,
                            const KeptColumns& keep, ColumnMoments& moments,
                            Consumer&& consume_kept) {
  const auto add_reduced = [&](std::uint64_t first, std::uint64_t n, const ReducedChunk& chunk) {
    if (first == 0) moments.set_shift(chunk.shift);
    moments.add_partials(chunk.partials, n);
    consume_kept(first, n, chunk.kept, n);
  };
  if (const PathShare* share = active_path_share()) {
    run_paths_split(exec, kernel, total_paths, keep, *share, add_reduced);
    return;
  }
  if (chunks_reduced(exec)) {
    run_paths_reduced(exec, kernel, total_paths, keep, add_reduced);
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
