#include "host/column_moments.hpp"

#include <cmath>
#include <limits>

#include <omp.h>

#include "host/lane_sums.hpp"
#include "host/path_runner.hpp"

namespace hedgemap {

void ColumnMoments::add_chunk(const double* block, std::uint64_t n, int threads,
                              const std::function<void(std::uint64_t, std::uint64_t)>& per_block) {
  if (n == 0) return;
  const int columns = static_cast<int>(sum_.size());
  if (count_ == 0)
    for (int c = 0; c < columns; ++c) shift_[c] = std::isfinite(block[c * n]) ? block[c * n] : 0.0;
  const std::uint64_t blocks = (n + kReductionBlock - 1) / kReductionBlock;
  std::vector<double> partial(static_cast<std::size_t>(columns) * blocks * 2);
  const auto nblocks = static_cast<std::int64_t>(blocks);
#pragma omp parallel for schedule(static) num_threads(threads > 0 ? threads : omp_get_max_threads())
  for (std::int64_t b = 0; b < nblocks; ++b) {
    const std::uint64_t lo = std::uint64_t(b) * kReductionBlock;
    const std::uint64_t hi = lo + kReductionBlock < n ? lo + kReductionBlock : n;
    for (int c = 0; c < columns; ++c) {
      const double* x = block + std::uint64_t(c) * n;
      const double shift = shift_[c];
      const std::array<double, 2> s = lane_sums<2>(lo, hi, [&](std::size_t i) {
        const double d = x[i] - shift;
        return std::array<double, 2>{d, d * d};
      });
      partial[(std::size_t(c) * blocks + b) * 2] = s[0];
      partial[(std::size_t(c) * blocks + b) * 2 + 1] = s[1];
    }
    if (per_block) per_block(lo, hi);
  }
  for (int c = 0; c < columns; ++c)
    for (std::uint64_t b = 0; b < blocks; ++b) {
      sum_[c] += partial[(std::size_t(c) * blocks + b) * 2];
      sum_sq_[c] += partial[(std::size_t(c) * blocks + b) * 2 + 1];
    }
  count_ += n;
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
  return count_ < 2 ? std::numeric_limits<double>::quiet_NaN() : stddev(c) / std::sqrt(double(count_));
}

}  // namespace hedgemap
