#include "host/statistics/column_moments.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include <omp.h>

#include "kernels/block_moments.hpp"

namespace hedgemap {

void ColumnMoments::begin_chunk(std::uint64_t n) {
  chunk_blocks_ = (n + kReductionBlock - 1) / kReductionBlock;
  partial_.assign(sum_.size() * chunk_blocks_ * 2, 0.0);
}

void ColumnMoments::add_block(const double* block, std::uint64_t n, std::uint64_t lo,
                              std::uint64_t hi) {
  const int columns = static_cast<int>(sum_.size());
  if (lo == 0) set_shift(block, n);  // the run's first path (no-op after the first chunk)
  const std::uint64_t b = lo / kReductionBlock;
  for (int c = 0; c < columns; ++c) {
    const BlockSums s = block_moment_sums(block + std::uint64_t(c) * n, lo, hi, shift_[c]);
    partial_[(std::size_t(c) * chunk_blocks_ + b) * 2] = s.sum;
    partial_[(std::size_t(c) * chunk_blocks_ + b) * 2 + 1] = s.sum_sq;
  }
}

void ColumnMoments::set_shift(const double* first_path_values, std::uint64_t stride) {
  if (count_ != 0) return;
  for (std::size_t c = 0; c < shift_.size(); ++c)
    shift_[c] = column_shift(first_path_values[c * stride]);
}

void block_moment_partials(const double* block, std::uint64_t n, int columns, const double* shift,
                           double* partials) {
  const std::uint64_t blocks = (n + kReductionBlock - 1) / kReductionBlock;
  for (int c = 0; c < columns; ++c)
    for (std::uint64_t b = 0; b < blocks; ++b) {
      const BlockSums sums = block_moment_sums(block + std::uint64_t(c) * n, b * kReductionBlock,
                                               std::min(n, (b + 1) * kReductionBlock), shift[c]);
      partials[(c * blocks + b) * 2] = sums.sum;
      partials[(c * blocks + b) * 2 + 1] = sums.sum_sq;
    }
}

void ColumnMoments::add_partials(const double* partials, std::uint64_t n) {
  begin_chunk(n);
  std::copy(partials, partials + partial_.size(), partial_.begin());
  end_chunk(n);
}

void ColumnMoments::end_chunk(std::uint64_t n) {
  const int columns = static_cast<int>(sum_.size());
  for (int c = 0; c < columns; ++c)
    for (std::uint64_t b = 0; b < chunk_blocks_; ++b) {
      sum_[c] += partial_[(std::size_t(c) * chunk_blocks_ + b) * 2];
      sum_sq_[c] += partial_[(std::size_t(c) * chunk_blocks_ + b) * 2 + 1];
    }
  count_ += n;
}

void ColumnMoments::add_chunk(const double* block, std::uint64_t n, int threads,
                              const std::function<void(std::uint64_t, std::uint64_t)>& per_block) {
  if (n == 0) return;
  begin_chunk(n);
  const std::uint64_t hi0 = std::min<std::uint64_t>(kReductionBlock, n);
  add_block(block, n, 0, hi0);  // first: it may set the shift the other blocks use
  if (per_block) per_block(0, hi0);
  const auto nblocks = static_cast<std::int64_t>(chunk_blocks_);
#pragma omp parallel for schedule(static) num_threads(threads > 0 ? threads : omp_get_max_threads())
  for (std::int64_t b = 1; b < nblocks; ++b) {
    const std::uint64_t lo = std::uint64_t(b) * kReductionBlock;
    const std::uint64_t hi = lo + kReductionBlock < n ? lo + kReductionBlock : n;
    add_block(block, n, lo, hi);
    if (per_block) per_block(lo, hi);
  }
  end_chunk(n);
}

double ColumnMoments::mean(int c) const {
  if (count_ == 0) return std::numeric_limits<double>::quiet_NaN();
  return shift_[c] + sum_[c] / double(count_);
}

double ColumnMoments::variance(int c) const {
  if (count_ < 2) return std::numeric_limits<double>::quiet_NaN();
  const double n = double(count_);
  const double m = sum_[c] / n;
  const double v = (sum_sq_[c] - n * m * m) / (n - 1.0);
  return v > 0.0 ? v : 0.0;
}

double ColumnMoments::stddev(int c) const { return std::sqrt(variance(c)); }

double ColumnMoments::stderr_of_mean(int c) const {
  return count_ < 2 ? std::numeric_limits<double>::quiet_NaN()
                    : stddev(c) / std::sqrt(double(count_));
}

}  // namespace hedgemap
