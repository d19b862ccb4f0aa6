// A checkpoint whose cells do not have the run's shapes is refused on --resume: the results
// writer indexes every metric and objective by parameter point, so a malformed cell (a crafted
// file whose identity line and checksum match) would read out of bounds.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "host/formats/checkpoint.hpp"
#include "host/scenario/parser.hpp"
#include "host/sweep.hpp"
#include "tests/support/scenario_inputs.hpp"

namespace hedgemap {
namespace {

// A done cell shaped like `groups`, every value `x`.
CellResult cell_of(const std::vector<GroupSpec>& groups, double x) {
  CellResult cell;
  cell.done = true;
  for (const GroupSpec& g : groups) {
    GroupCellResult r;
    r.metrics.assign(g.metrics.size(), std::vector<double>(g.points(), x));
    r.objective.assign(g.points(), x);
    r.objective_stderr.assign(g.points(), x);
    r.objective_paired_stderr.assign(g.points(), x);
    r.bootstrap_optimum.assign(64, static_cast<int>(g.points()) - 1);
    cell.groups.push_back(r);
  }
  return cell;
}

TEST(CheckpointDecode, CellsOfAnotherShapeDoNotFit) {
  const Scenario s = parse_scenario(test_support::kMinimalHedging, "x.toml");
  const std::vector<GroupSpec> groups = sweep_groups(s);
  ASSERT_GE(groups.size(), 2u);
  const std::vector<CellResult> good{cell_of(groups, 1.5), CellResult{}};
  const auto decoded =
      decode_checkpoint(encode_checkpoint("identity", good), "c", "identity", good.size());
  ASSERT_EQ(decoded.size(), 2u);
  EXPECT_TRUE(decoded[0].done);
  EXPECT_FALSE(decoded[1].done);
  EXPECT_EQ(decoded[0].groups[1].objective, good[0].groups[1].objective);
  EXPECT_TRUE(cell_fits_groups(decoded[0], groups));

  std::vector<CellResult> bad(6, good[0]);
  bad[0].groups.pop_back();                             // a group missing
  bad[1].groups[1].metrics.pop_back();                  // a metric missing
  bad[2].groups[1].objective.push_back(0.0);            // a point too many
  bad[3].groups[1].metrics[0].pop_back();               // a point too few
  bad[4].groups[1].bootstrap_optimum[3] = 1000;         // an optimum beyond the grid
  bad[5].groups[0].objective_paired_stderr.pop_back();  // a paired error missing
  for (std::size_t i = 0; i < bad.size(); ++i) {
    const auto round_trip =
        decode_checkpoint(encode_checkpoint("identity", {bad[i]}), "c", "identity", 1);
    EXPECT_FALSE(cell_fits_groups(round_trip[0], groups)) << "malformed cell " << i << " fits";
  }
}

}  // namespace
}  // namespace hedgemap
