// Mean, variance and standard error of every column of a path kernel's output, accumulated chunk
// by chunk in a fixed order: each block of kReductionBlock paths is summed by block_moment_sums
// (kernels/block_moments.hpp, blocks in parallel), and block sums are added in block order. The
// result is independent of threads and backend. Values are shifted by the column's first value
// before squaring, so the variance of a large-mean quantity (a portfolio of 1e6 with a std of 1e3)
// keeps its digits.
#pragma once
#include <cstdint>
#include <functional>
#include <vector>

namespace hedgemap {

// Paths summed in a fixed order, then the blocks in block order: every statistic of the run is
// a function of these blocks, whoever (thread, chunk, device, rank) made them.
constexpr std::uint64_t kReductionBlock = 1024;

// The per-block sums a device makes for add_partials, made on the host from a whole chunk
// (block[c * n + i]): partials[(c * blocks + b) * 2 + {0, 1}] of (column c - shift[c]) over
// block b of kReductionBlock paths. Here, in a file built without FMA contraction, so that the
// sums are the device's and ColumnMoments' bits whatever the build flags (run_paths_reduced's
// CPU emulation).
void block_moment_partials(const double* block, std::uint64_t n, int columns, const double* shift,
                           double* partials);

class ColumnMoments {
 public:
  explicit ColumnMoments(int columns)
      : shift_(columns, 0.0), sum_(columns, 0.0), sum_sq_(columns, 0.0) {}

  // block: column-major, block[c * n + i]; n must be a multiple of kReductionBlock except in the
  // last chunk of a run.
  // `per_block(lo, hi)`, when given, runs on the thread that summed paths [lo, hi) of the chunk,
  // right after (their columns are still in its cache): e.g. to copy them out in parallel.
  void add_chunk(const double* block, std::uint64_t n, int threads = 0,
                 const std::function<void(std::uint64_t, std::uint64_t)>& per_block = {});

  // The same in three steps, for a caller that computes a chunk's reduction blocks in parallel
  // and sums each as soon as it is computed: begin_chunk(n); add_block(block, n, lo, hi) for
  // every block [lo, hi) = [b kReductionBlock, ...), from any thread, the run's very first block
  // (lo = 0 of the first chunk) before any other; end_chunk(n). Same sums, same order.
  void begin_chunk(std::uint64_t n);
  void add_block(const double* block, std::uint64_t n, std::uint64_t lo, std::uint64_t hi);
  void end_chunk(std::uint64_t n);

  // Per-block sums made elsewhere by the same code (the CUDA backend's device-side reduction,
  // kernels/block_moments.hpp): set_shift(values of the run's first path) before the first
  // chunk (column c's value at first_path_values[c * stride]); add_partials(partials, n) with
  // partials[(c * blocks + b) * 2 + {0, 1}] = the sum and sum of squares of (column c - shift)
  // over block b, blocks = ceil(n / kReductionBlock). set_shift does nothing after a chunk.
  void set_shift(const double* first_path_values, std::uint64_t stride = 1);
  void add_partials(const double* partials, std::uint64_t n);
  const std::vector<double>& shifts() const { return shift_; }

  std::uint64_t count() const { return count_; }
  double sum(int c) const { return shift_[c] * double(count_) + sum_[c]; }
  double mean(int c) const;
  double variance(int c) const;  // unbiased (n - 1)
  double stddev(int c) const;
  double stderr_of_mean(int c) const;

 private:
  std::vector<double> shift_, sum_, sum_sq_;
  std::vector<double>
      partial_;  // this chunk's per-block sums: [column][block][sum, sum of squares]
  std::uint64_t chunk_blocks_ = 0;
  std::uint64_t count_ = 0;
};

}  // namespace hedgemap
