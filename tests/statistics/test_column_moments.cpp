// ColumnMoments fed three ways must give the same bits: whole chunks (add_chunk), and per-block
// sums made elsewhere by the shared code (set_shift + add_partials), as the CUDA backend's
// device-side reduction does (kernels/block_moments.hpp); and the moments must be right.
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

#include "host/statistics/column_moments.hpp"
#include "host/exec/path_runner.hpp"  // kReductionBlock
#include "kernels/block_moments.hpp"

using namespace hedgemap;

namespace {
// Three columns over `n` paths: a large-mean one (1e6 + noise), a skewed one, and zeros.
std::vector<double> make_chunk(std::uint64_t first, std::uint64_t n) {
  std::vector<double> block(3 * n);
  for (std::uint64_t i = 0; i < n; ++i) {
    std::mt19937_64 rng(first + i);
    std::normal_distribution<double> z;
    block[i] = 1e6 + 1e3 * z(rng);
    block[n + i] = std::exp(0.5 * z(rng));
    block[2 * n + i] = 0.0;
  }
  return block;
}

// What the device does for one chunk: every block's sums with the run's shifts.
std::vector<double> partials_of(const std::vector<double>& block, std::uint64_t n,
                                const std::vector<double>& shift) {
  const std::uint64_t blocks = (n + kReductionBlock - 1) / kReductionBlock;
  std::vector<double> partials(3 * blocks * 2);
  for (int c = 0; c < 3; ++c)
    for (std::uint64_t b = 0; b < blocks; ++b) {
      const std::uint64_t lo = b * kReductionBlock, hi = std::min(lo + kReductionBlock, n);
      const BlockSums s = block_moment_sums(block.data() + c * n, lo, hi, shift[c]);
      partials[(c * blocks + b) * 2] = s.sum;
      partials[(c * blocks + b) * 2 + 1] = s.sum_sq;
    }
  return partials;
}
}  // namespace

TEST(ColumnMoments, DevicePartialsGiveTheSameBitsAsWholeChunks) {
  const std::uint64_t chunks[] = {4096, 4096, 1500};  // the last one not a multiple of a block
  ColumnMoments whole(3), partial(3);
  std::uint64_t first = 0;
  std::vector<double> all0;
  for (std::uint64_t n : chunks) {
    const std::vector<double> block = make_chunk(first, n);
    whole.add_chunk(block.data(), n, 2);
    if (first == 0) {
      const double first_path[3] = {block[0], block[n], block[2 * n]};
      partial.set_shift(first_path);
    }
    partial.add_partials(partials_of(block, n, partial.shifts()).data(), n);
    for (std::uint64_t i = 0; i < n; ++i) all0.push_back(block[i]);
    first += n;
  }
  for (int c = 0; c < 3; ++c) {
    EXPECT_EQ(whole.mean(c), partial.mean(c)) << c;
    EXPECT_EQ(whole.variance(c), partial.variance(c)) << c;
  }
  // And the moments are right (two-pass reference in long double).
  long double mean = 0.0L;
  for (double x : all0) mean += x;
  mean /= all0.size();
  long double var = 0.0L;
  for (double x : all0) var += (x - mean) * (x - mean);
  var /= (all0.size() - 1);
  EXPECT_NEAR(whole.mean(0), double(mean), 1e-9 * 1e6);
  EXPECT_NEAR(whole.variance(0), double(var), 1e-9 * double(var));
  EXPECT_EQ(whole.variance(2), 0.0);
}
