// A policy group's results in the tests: a metric's index by name, and two runs' results held to
// the same bits.
#pragma once
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "host/statistics/policy_group.hpp"

namespace hedgemap::test_support {

// Index of a metric in GroupSpec::metrics (a failure, and 0, when the group has none of that name).
inline int metric_index(const GroupSpec& g, const std::string& name) {
  for (std::size_t i = 0; i < g.metrics.size(); ++i)
    if (g.metrics[i].name == name) return int(i);
  ADD_FAILURE() << "no metric " << name << " in " << g.path;
  return 0;
}

// Same bits in every metric, objective, objective stderr and bootstrap optimum of every group
// (NaN where the other has NaN).
inline void expect_same_results(const std::vector<GroupCellResult>& a,
                                const std::vector<GroupCellResult>& b, const std::string& what) {
  const auto same = [](double x, double y) { return std::isnan(x) ? std::isnan(y) : x == y; };
  ASSERT_EQ(a.size(), b.size()) << what;
  for (std::size_t g = 0; g < a.size(); ++g) {
    ASSERT_EQ(a[g].metrics.size(), b[g].metrics.size()) << what << " group " << g;
    for (std::size_t m = 0; m < a[g].metrics.size(); ++m) {
      ASSERT_EQ(a[g].metrics[m].size(), b[g].metrics[m].size()) << what << " group " << g;
      for (std::size_t p = 0; p < a[g].metrics[m].size(); ++p)
        EXPECT_TRUE(same(a[g].metrics[m][p], b[g].metrics[m][p]))
            << what << " group " << g << " metric " << m << " point " << p << ": "
            << a[g].metrics[m][p] << " vs " << b[g].metrics[m][p];
    }
    ASSERT_EQ(a[g].objective.size(), b[g].objective.size()) << what << " group " << g;
    ASSERT_EQ(a[g].objective_stderr.size(), b[g].objective_stderr.size()) << what;
    for (std::size_t p = 0; p < a[g].objective.size(); ++p) {
      EXPECT_TRUE(same(a[g].objective[p], b[g].objective[p])) << what << " group " << g;
      EXPECT_TRUE(same(a[g].objective_stderr[p], b[g].objective_stderr[p])) << what;
    }
    EXPECT_EQ(a[g].bootstrap_optimum, b[g].bootstrap_optimum) << what << " group " << g;
  }
}

}  // namespace hedgemap::test_support
