// host/formats/non_finite_values: which values of a results variable are listed (with their
// coordinates), which NaN the file defines and are not, and the cap on the lines.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "host/formats/non_finite_values.hpp"

namespace hedgemap {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

TEST(NonFiniteValues, ListsEveryNonFiniteValueWithItsCoordinates) {
  const std::vector<double> vol{0.4, 0.8}, expiry{1, 7, 30}, band{0.5, 2};
  const std::vector<NamedAxis> axes{
      {"volatility", &vol}, {"expiry_days", &expiry}, {"band", &band}};
  std::vector<double> data(12, 1.0);
  data[1] = kNaN;    // vol 0.4, expiry 1, band 2
  data[11] = -kInf;  // vol 0.8, expiry 30, band 2
  NonFiniteValues bad;
  bad.scan("/hedging/delta_band/pnl_std", axes, data);
  bad.scan("/hedging/delta_band/pnl_mean", axes, std::vector<double>(12, 2.0));  // all finite
  EXPECT_EQ(bad.count(), 2u);
  EXPECT_EQ(bad.cells(), 2u);
  const std::vector<std::string> lines = bad.lines();
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0],
            "/hedging/delta_band/pnl_std: 2 of 12 NaN or inf, at volatility=0.4 expiry_days=1 "
            "band=2: nan; volatility=0.8 expiry_days=30 band=2: -inf");
}

TEST(NonFiniteValues, DefinedNaNIsNotListedButInfinityIs) {
  const std::vector<double> vol{0.4}, expiry{7}, m{2, 4};
  const std::vector<NamedAxis> axes{{"volatility", &vol}, {"expiry_days", &expiry}, {"m", &m}};
  NonFiniteValues bad;
  const auto defined = [](std::size_t i) { return i == 0; };
  bad.scan("/cppi/objective", axes, {kNaN, 1.0}, defined);
  EXPECT_TRUE(bad.empty());
  bad.scan("/cppi/objective", axes, {kInf, kNaN}, defined);  // inf at 0 is never "defined"
  EXPECT_EQ(bad.count(), 2u);
  EXPECT_EQ(bad.cells(), 1u);
}

TEST(NonFiniteValues, LinesAreCappedPerVariableAndInNumber) {
  const std::vector<double> vol{0.1, 0.2, 0.3, 0.4, 0.5}, expiry{1};
  const std::vector<NamedAxis> axes{{"volatility", &vol}, {"expiry_days", &expiry}};
  NonFiniteValues bad;
  for (int v = 0; v < 25; ++v)
    bad.scan("/v" + std::to_string(v), axes, std::vector<double>(5, kNaN));
  EXPECT_EQ(bad.count(), 125u);
  EXPECT_EQ(bad.cells(), 5u);
  const std::vector<std::string> lines = bad.lines(20);
  ASSERT_EQ(lines.size(), 21u);
  EXPECT_EQ(lines.back(), "... and 5 more variables");
  // Three coordinates, then "...".
  EXPECT_EQ(lines[0],
            "/v0: 5 of 5 NaN, at volatility=0.1 expiry_days=1: nan; volatility=0.2 expiry_days=1: "
            "nan; volatility=0.3 expiry_days=1: nan; ...");
}

}  // namespace
}  // namespace hedgemap
