// A checkpoint whose cells do not have the run's shapes is refused on --resume: the results
// writer indexes every metric and objective by parameter point, so a malformed cell (a corrupted
// or crafted file whose identity line matches) would read out of bounds.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "host/formats/checkpoint.hpp"
#include "host/scenario/parser.hpp"
#include "host/sweep.hpp"
#include "tests/scenario_test_inputs.hpp"

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
    r.bootstrap_optimum.assign(64, static_cast<int>(g.points()) - 1);
    cell.groups.push_back(r);
  }
  return cell;
}

std::string checkpoint_bytes(const std::vector<CellResult>& cells) {
  const std::string path =
      testing::TempDir() + "/hedgemap-test-" + std::to_string(getpid()) + ".ckpt";
  save_checkpoint(path, "identity", cells);
  std::ifstream in(path, std::ios::binary);
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::remove(path.c_str());
  return bytes;
}

TEST(CheckpointDecode, CellsOfAnotherShapeAreRefused) {
  const Scenario s = parse_scenario(scenario_test::kMinimalHedging, "x.toml");
  const std::vector<GroupSpec> groups = sweep_groups(s);
  ASSERT_GE(groups.size(), 2u);
  const std::vector<CellResult> good{cell_of(groups, 1.5), CellResult{}};
  const auto decoded = decode_checkpoint(checkpoint_bytes(good), "c", "identity", 2, groups);
  ASSERT_EQ(decoded.size(), 2u);
  EXPECT_TRUE(decoded[0].done);
  EXPECT_FALSE(decoded[1].done);
  EXPECT_EQ(decoded[0].groups[1].objective, good[0].groups[1].objective);
  EXPECT_THROW(decode_checkpoint(checkpoint_bytes(good), "c", "other", 2, groups),
               std::runtime_error);

  std::vector<std::vector<CellResult>> bad(5, good);
  bad[0][0].groups.pop_back();                      // a group missing
  bad[1][0].groups[1].metrics.pop_back();           // a metric missing
  bad[2][0].groups[1].objective.push_back(0.0);     // a point too many
  bad[3][0].groups[1].metrics[0].pop_back();        // a point too few
  bad[4][0].groups[1].bootstrap_optimum[3] = 1000;  // an optimum beyond the grid
  for (std::size_t i = 0; i < bad.size(); ++i) {
    try {
      decode_checkpoint(checkpoint_bytes(bad[i]), "c.ckpt", "identity", 2, groups);
      ADD_FAILURE() << "malformed cell " << i << " accepted";
    } catch (const std::runtime_error& e) {
      EXPECT_NE(std::string(e.what()).find("c.ckpt: cell 0 does not have the shape"),
                std::string::npos)
          << e.what();
    }
  }
}

}  // namespace
}  // namespace hedgemap
