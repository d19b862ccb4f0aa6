// The path runner (host/exec/path_runner.hpp) without a GPU: the two-in-flight chunk loop of the
// CUDA backend driven by a fake device on the CPU (every path consumed once, in order, with the
// right data, no chunk's buffer overwritten before it was consumed), and the reduced chunks the
// CUDA backend makes on the device, made by the CPU backend, through every family.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <vector>

#include "host/exec/backend.hpp"
#include "host/exec/path_runner.hpp"
#include "host/exec/ranks.hpp"
#include "host/families/allocation.hpp"
#include "host/families/hedging.hpp"
#include "host/families/model_summary.hpp"
#include "tests/support/scenarios.hpp"
#include "tests/support/group_results.hpp"
#include "tests/support/scoped_env.hpp"

using namespace hedgemap;

namespace {

// A device with two slots: start() only records the request (the work is "in flight"); finish()
// "computes" it into the slot's buffer, as the device and the copy back would by then.
struct FakeDevice {
  struct Slot {
    bool in_flight = false, consumed = true;
    std::uint64_t first = 0, n = 0;
    std::vector<double> columns;
  };
  Slot slots[2];
  int in_flight = 0, max_in_flight = 0;
  std::vector<std::uint64_t> started;
  bool overwrote_unconsumed = false;

  void start(std::uint64_t first, std::uint64_t n, int slot) {
    Slot& s = slots[slot];
    if (!s.consumed) overwrote_unconsumed = true;
    s = Slot{true, false, first, n, {}};
    started.push_back(first);
    max_in_flight = std::max(max_in_flight, ++in_flight);
  }
  const double* finish(int slot) {
    Slot& s = slots[slot];
    EXPECT_TRUE(s.in_flight) << "finish() of a slot that was not started";
    s.columns.assign(2 * s.n, 0.0);
    for (std::uint64_t i = 0; i < s.n; ++i) {  // two columns: the path index and its square
      s.columns[i] = double(s.first + i);
      s.columns[s.n + i] = double(s.first + i) * double(s.first + i);
    }
    s.in_flight = false;
    --in_flight;
    return s.columns.data();
  }
};

void check_run(std::uint64_t total, std::uint64_t chunk) {
  FakeDevice device;
  std::vector<int> seen(total, 0);
  std::uint64_t expected_first = 0;
  int current_slot = -1;
  run_chunks_two_in_flight(
      total, chunk, [&](std::uint64_t f, std::uint64_t n, int slot) { device.start(f, n, slot); },
      [&](int slot) {
        current_slot = slot;
        return device.finish(slot);
      },
      [&](std::uint64_t first, std::uint64_t n, const double* columns) {
        EXPECT_EQ(first, expected_first) << "chunks out of order";
        expected_first = first + n;
        for (std::uint64_t i = 0; i < n; ++i) {
          ASSERT_LT(first + i, total);
          seen[first + i] += 1;
          EXPECT_EQ(columns[i], double(first + i));
          EXPECT_EQ(columns[n + i], double(first + i) * double(first + i));
        }
        device.slots[current_slot].consumed = true;
      });
  EXPECT_EQ(expected_first, total);
  for (std::uint64_t p = 0; p < total; ++p) ASSERT_EQ(seen[p], 1) << "path " << p;
  EXPECT_FALSE(device.overwrote_unconsumed);
  EXPECT_LE(device.max_in_flight, 2);
  EXPECT_EQ(device.in_flight, 0);
  const std::uint64_t chunks = (total + chunk - 1) / chunk;
  EXPECT_EQ(device.started.size(), chunks);
  if (chunks > 1) {
    EXPECT_EQ(device.max_in_flight, 2) << "no overlap";
  }
}

}  // namespace

TEST(PathRunnerPipeline, EveryPathOnceInOrderWithTwoChunksInFlight) {
  for (std::uint64_t total : {0ull, 1ull, 1023ull, 1024ull, 1025ull, 4096ull, 5 * 1024ull + 17})
    check_run(total, 1024);
}

// The callers' side of the device reduction, on every machine: the CPU backend making the same
// reduced chunks as the CUDA backend does on the device (per-block moment sums of every column,
// only the kept columns per path; HEDGEMAP_EMULATE_DEVICE_REDUCTION=1) gives every family's
// results bit for bit as the plain path does. 20,000 paths: two CPU chunks, a short last one.
TEST(ReducedChunks, EmulatedDeviceReductionGivesTheSameBitsInEveryFamily) {
  Scenario s = test_support::busy_market();
  s.simulation.paths = 20000;
  const CellCoordinates cell = cell_coordinates(s, 0, 0);
  const Execution cpu = choose_backend("cpu", 0);
  BootstrapPlan plan;
  plan.seed = 2;
  ASSERT_FALSE(chunks_reduced(cpu));
  ModelCell model_plain{}, model_reduced{};
  const auto hedging = evaluate_hedging_cell(s, cell, cpu, plan, &model_plain);
  const auto allocation = evaluate_allocation_cell(s, cell, cpu, plan);
  std::vector<GroupCellResult> hedging_reduced, allocation_reduced;
  {
    const test_support::ScopedEnv emulate("HEDGEMAP_EMULATE_DEVICE_REDUCTION", "1");
    ASSERT_TRUE(chunks_reduced(cpu));
    hedging_reduced = evaluate_hedging_cell(s, cell, cpu, plan, &model_reduced);
    allocation_reduced = evaluate_allocation_cell(s, cell, cpu, plan);
  }
  test_support::expect_same_results(hedging, hedging_reduced, "hedging");
  test_support::expect_same_results(allocation, allocation_reduced, "allocation");
  ASSERT_GE(allocation.size(), 2u);  // CPPI and vol targeting both ran
  EXPECT_TRUE(std::isnan(model_plain.terminal_spot_mean)
                  ? std::isnan(model_reduced.terminal_spot_mean)
                  : model_plain.terminal_spot_mean == model_reduced.terminal_spot_mean);
}

// A cell's paths split over ranks (run_paths_split), here the share of one rank: its own range
// reduced with the shift from path 0 run on its own, replayed in chunks to the families. Every
// family's results bit for bit as the plain path's (tests/mpi/ runs 2 to 4 ranks end to end).
TEST(PathSplit, OneRankShareGivesTheSameBitsInEveryFamily) {
  Scenario s = test_support::busy_market();
  s.simulation.paths = 20000;
  const CellCoordinates cell = cell_coordinates(s, 0, 0);
  const Execution cpu = choose_backend("cpu", 0);
  BootstrapPlan plan;
  plan.seed = 2;
  ModelCell model_plain{}, model_split{};
  const auto hedging = evaluate_hedging_cell(s, cell, cpu, plan, &model_plain);
  const auto allocation = evaluate_allocation_cell(s, cell, cpu, plan);
  const ModelCell summary_plain = evaluate_model_cell(s, cell, cpu);
  std::vector<GroupCellResult> hedging_split, allocation_split;
  ModelCell summary_split{};
  {
    const PathShare one{0, 1};
    const ScopedPathShare active(one);
    ASSERT_EQ(active_path_share(), &one);
    hedging_split = evaluate_hedging_cell(s, cell, cpu, plan, &model_split);
    allocation_split = evaluate_allocation_cell(s, cell, cpu, plan);
    summary_split = evaluate_model_cell(s, cell, cpu);
  }
  EXPECT_EQ(active_path_share(), nullptr);
  test_support::expect_same_results(hedging, hedging_split, "hedging");
  test_support::expect_same_results(allocation, allocation_split, "allocation");
  ASSERT_GE(allocation.size(), 2u);
  const auto same = [](double a, double b) { return std::isnan(a) ? std::isnan(b) : a == b; };
  EXPECT_TRUE(same(model_plain.terminal_spot_mean, model_split.terminal_spot_mean));
  EXPECT_TRUE(same(summary_plain.terminal_spot_mean, summary_split.terminal_spot_mean));
  EXPECT_TRUE(same(summary_plain.terminal_spot_stderr, summary_split.terminal_spot_stderr));
  EXPECT_TRUE(same(summary_plain.book_price_mc, summary_split.book_price_mc));
  EXPECT_TRUE(same(summary_plain.jumps_mean, summary_split.jumps_mean));
}
