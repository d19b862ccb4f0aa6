// How a backend's per-path block is compared with the reference block of the same paths
// (column-major, n paths): bit for bit, or column by column within a tolerance.
#pragma once
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <functional>
#include <string>
#include <vector>

namespace hedgemap::test_support {

// Every value bit for bit (NaN included, and the sign of zero).
inline void expect_same_bits(const std::vector<double>& reference, const std::vector<double>& got,
                             const std::string& what) {
  ASSERT_EQ(reference.size(), got.size()) << what;
  std::size_t differ = 0, first = 0;
  for (std::size_t i = reference.size(); i-- > 0;)
    if (std::memcmp(&reference[i], &got[i], sizeof(double)) != 0) ++differ, first = i;
  EXPECT_EQ(differ, 0u) << what << ": " << differ << " of " << reference.size()
                        << " values differ, the first at " << first << ": " << got[first]
                        << " instead of " << reference[first];
}

// The scale a column's tolerance is relative to.
enum class ColumnScale {
  rms,          // the reference column's root mean square (1 where it is 0)
  largest_abs,  // the reference column's largest magnitude (at least 1e-12)
};

// A block agrees with the reference when, in every column, at least `share` of the paths are
// within `tolerance` x the column's scale and so is the column's mean; a count column (is_count)
// is held to equality on at least `count_share` of the paths instead.
struct ColumnAgreement {
  double tolerance;
  ColumnScale scale;
  double share;
  double count_share = 1.0;
};

inline void expect_same_columns(const std::vector<double>& reference,
                                const std::vector<double>& got, std::uint64_t n, int columns,
                                const ColumnAgreement& agreement,
                                const std::function<bool(int)>& is_count, const std::string& what) {
  ASSERT_EQ(reference.size(), got.size()) << what;
  ASSERT_EQ(reference.size(), std::size_t(columns) * n) << what;
  for (int c = 0; c < columns; ++c) {
    const double* x = reference.data() + std::size_t(c) * n;
    const double* y = got.data() + std::size_t(c) * n;
    double sum2 = 0.0, largest = 1e-12, mean_x = 0.0, mean_y = 0.0;
    for (std::uint64_t i = 0; i < n; ++i) {
      sum2 += x[i] * x[i];
      largest = std::fmax(largest, std::fabs(x[i]));
      mean_x += x[i];
      mean_y += y[i];
    }
    const double rms = std::sqrt(sum2 / double(n));
    const double scale = agreement.scale == ColumnScale::rms ? (rms > 0.0 ? rms : 1.0) : largest;
    const bool count = is_count && is_count(c);
    const double tolerance = count ? 0.0 : agreement.tolerance * scale;
    std::uint64_t close = 0;
    for (std::uint64_t i = 0; i < n; ++i) close += std::fabs(x[i] - y[i]) <= tolerance;
    const double share = count ? agreement.count_share : agreement.share;
    EXPECT_GE(double(close), share * double(n))
        << what << ": column " << c << (count ? " (a count)" : "") << ", " << n - close << " of "
        << n << " paths differ";
    EXPECT_NEAR(mean_x / double(n), mean_y / double(n), agreement.tolerance * scale)
        << what << ": mean of column " << c;
  }
}

}  // namespace hedgemap::test_support
