// The rank logic that needs no MPI: which launcher started the process, the longest-first order
// of cells, which cells have their paths split and each rank's range, and run_cells on one
// process (the serial program's loop).
#include <gtest/gtest.h>

#include <map>
#include <stdexcept>
#include <string>

#include "host/exec/interrupt.hpp"
#include "host/exec/ranks.hpp"

namespace hedgemap {
namespace {

// A fake environment.
struct Env {
  std::map<std::string, std::string> vars;
  const char* operator()(const char* name) const {
    const auto it = vars.find(name);
    return it == vars.end() ? nullptr : it->second.c_str();
  }
};

TEST(MpiLauncher, APlainStartIsTheSerialProgram) {
  EXPECT_EQ(launcher_job_size(Env{}), 0);
  // The batch script of a Slurm job (one task) is not an MPI job either.
  EXPECT_EQ(launcher_job_size(Env{{{"SLURM_STEP_NUM_TASKS", "1"}, {"SLURM_NTASKS", "8"}}}), 0);
  EXPECT_EQ(launcher_local_rank(Env{}), -1);
}

TEST(MpiLauncher, SizeFromOpenMpiPmiOrSlurm) {
  EXPECT_EQ(launcher_job_size(Env{{{"OMPI_COMM_WORLD_SIZE", "4"}}}), 4);
  EXPECT_EQ(launcher_job_size(Env{{{"OMPI_COMM_WORLD_SIZE", "1"}}}), 1);  // mpirun -np 1
  EXPECT_EQ(launcher_job_size(Env{{{"PMI_SIZE", "3"}, {"PMI_RANK", "2"}}}), 3);
  EXPECT_EQ(launcher_job_size(Env{{{"PMIX_RANK", "0"}, {"SLURM_STEP_NUM_TASKS", "8"}}}), 8);
  EXPECT_EQ(launcher_job_size(Env{{{"PMIX_RANK", "0"}}}), 1);
  EXPECT_EQ(launcher_job_size(Env{{{"SLURM_STEP_NUM_TASKS", "2"}}}), 2);  // srun -n 2
  EXPECT_EQ(launcher_job_size(Env{{{"OMPI_COMM_WORLD_SIZE", "x"}}}), 0);  // not a number
}

TEST(MpiLauncher, LocalRankFallbacks) {
  EXPECT_EQ(launcher_local_rank(Env{{{"SLURM_LOCALID", "3"}}}), 3);
  EXPECT_EQ(launcher_local_rank(Env{{{"OMPI_COMM_WORLD_LOCAL_RANK", "1"}}}), 1);
  EXPECT_EQ(launcher_local_rank(Env{{{"SLURM_LOCALID", "2"}, {"OMPI_COMM_WORLD_LOCAL_RANK", "5"}}}),
            2);
  EXPECT_EQ(launcher_local_rank(Env{{{"SLURM_LOCALID", "-1"}}}), -1);
}

TEST(MpiCellOrder, LongestFirstTiesByIndexOnlyWantedCells) {
  const std::vector<double> cost = {2.0, 5.0, 2.0, 9.0, 5.0, 1.0};
  EXPECT_EQ(longest_first(cost, std::vector<bool>(6, true)),
            (std::vector<std::size_t>{3, 1, 4, 0, 2, 5}));
  EXPECT_EQ(longest_first(cost, {true, false, true, false, true, true}),
            (std::vector<std::size_t>{4, 0, 2, 5}));
}

// A split cell's ranges: whole reduction blocks of 1,024 paths, contiguous, in rank order, every
// path once; a rank may have none when the cell has fewer blocks than ranks.
TEST(MpiPathSplit, RangesAreWholeBlocksInRankOrderCoveringEveryPathOnce) {
  for (const std::uint64_t paths : {1ull, 1024ull, 3000ull, 5000ull, 20000ull, 1000003ull})
    for (int size = 1; size <= 5; ++size) {
      std::uint64_t next = 0;
      for (int r = 0; r < size; ++r) {
        const PathRange range = path_range(paths, r, size);
        EXPECT_EQ(range.first, next) << paths << " paths, rank " << r << " of " << size;
        EXPECT_LE(range.first, range.end);
        EXPECT_EQ(range.first % 1024, 0u);
        if (range.end != paths) {
          EXPECT_EQ(range.end % 1024, 0u);
        }
        next = range.end;
      }
      EXPECT_EQ(next, paths);
    }
  // 20,000 paths = 20 blocks (the last short) over 3 ranks: 6, 7 and 7 blocks.
  EXPECT_EQ(path_range(20000, 0, 3).end, 6u * 1024);
  EXPECT_EQ(path_range(20000, 1, 3).end, 13u * 1024);
  EXPECT_EQ(path_range(20000, 2, 3).count(), 20000u - 13 * 1024);
}

TEST(MpiPathSplit, CellsLongerThanOneRanksShareAreSplit) {
  const std::vector<double> cost = {2.0, 5.0, 2.0, 9.0, 5.0, 1.0};          // total 24
  const std::vector<std::size_t> order = {3, 1, 4, 0, 2, 5};                // longest first
  EXPECT_EQ(cells_to_split(order, cost, 1, PathSplitMode::automatic), 0u);  // one process
  EXPECT_EQ(cells_to_split(order, cost, 2, PathSplitMode::automatic), 0u);  // 9 <= 12
  EXPECT_EQ(cells_to_split(order, cost, 3, PathSplitMode::automatic), 1u);  // 9 > 8
  EXPECT_EQ(cells_to_split(order, cost, 4, PathSplitMode::automatic), 1u);  // 5 <= 6
  EXPECT_EQ(cells_to_split(order, cost, 5, PathSplitMode::automatic), 3u);  // 5 > 4.8
  EXPECT_EQ(cells_to_split(order, cost, 4, PathSplitMode::off), 0u);
  EXPECT_EQ(cells_to_split(order, cost, 2, PathSplitMode::all), 6u);
  // Fewer cells than ranks: the longest always is longer than one rank's share.
  EXPECT_EQ(cells_to_split({0}, {1.0}, 2, PathSplitMode::automatic), 1u);
  EXPECT_EQ(cells_to_split({1, 0}, {1.0, 1.0}, 3, PathSplitMode::automatic), 2u);
  EXPECT_EQ(cells_to_split({0, 1, 2}, {1.0, 1.0, 1.0}, 3, PathSplitMode::automatic), 0u);
  EXPECT_EQ(path_split_mode(Env{}), PathSplitMode::automatic);
  EXPECT_EQ(path_split_mode(Env{{{"HEDGEMAP_PATH_SPLIT", "off"}}}), PathSplitMode::off);
  EXPECT_EQ(path_split_mode(Env{{{"HEDGEMAP_PATH_SPLIT", "all"}}}), PathSplitMode::all);
}

CellJob recording_job(std::vector<std::size_t>& made, std::vector<std::size_t>& delivered) {
  CellJob job;
  job.order = {2, 0, 1};
  job.evaluate = [&made](std::size_t cell) {
    made.push_back(cell);
    return "cell " + std::to_string(cell);
  };
  job.on_result = [&delivered](std::size_t cell, const std::string& encoded, int rank) {
    EXPECT_EQ(encoded, "cell " + std::to_string(cell));
    EXPECT_EQ(rank, 0);
    delivered.push_back(cell);
  };
  return job;
}

TEST(MpiOneProcess, RunsEveryCellInOrderHere) {
  RankSession session;  // no launcher in the test's environment: one process, no MPI
  ASSERT_FALSE(session.distributed());
  EXPECT_EQ(session.layout().size, 1);
  EXPECT_EQ(session.min_over_ranks(7), 7);
  EXPECT_EQ(session.gather_text("x"), std::vector<std::string>{"x"});
  std::vector<std::size_t> made, delivered;
  const CellsRun run = run_cells(session, recording_job(made, delivered));
  EXPECT_EQ(run.outcome, CellsOutcome::finished);
  EXPECT_EQ(made, (std::vector<std::size_t>{2, 0, 1}));
  EXPECT_EQ(delivered, made);
  EXPECT_EQ(session.finish(3), 3);
}

TEST(MpiOneProcess, AStopKeepsTheFinishedCellsAndAFailureSaysWhat) {
  RankSession session;
  std::vector<std::size_t> made, delivered;
  CellJob job = recording_job(made, delivered);
  const auto evaluate = job.evaluate;
  job.evaluate = [&](std::size_t cell) {  // a signal while the second cell runs
    if (made.size() == 1) {
      made.push_back(cell);
      throw Interrupted();
    }
    return evaluate(cell);
  };
  EXPECT_EQ(run_cells(session, job).outcome, CellsOutcome::interrupted);
  EXPECT_EQ(delivered, std::vector<std::size_t>{2});

  made.clear(), delivered.clear();
  job.evaluate = [&](std::size_t cell) -> std::string {
    if (cell == 0) throw std::runtime_error("out of device memory");
    return evaluate(cell);
  };
  const CellsRun failed = run_cells(session, job);
  EXPECT_EQ(failed.outcome, CellsOutcome::failed);
  EXPECT_EQ(failed.failure, "out of device memory");
  EXPECT_EQ(delivered, std::vector<std::size_t>{2});

  // A signal that arrives after a cell finished stops before the next one.
  made.clear(), delivered.clear();
  job.evaluate = [&](std::size_t cell) {
    request_interrupt();
    return evaluate(cell);
  };
  EXPECT_EQ(run_cells(session, job).outcome, CellsOutcome::interrupted);
  clear_interrupt();
  EXPECT_EQ(delivered, std::vector<std::size_t>{2});
  session.finish(0);
}

TEST(MpiOneProcess, APeerStopIsNotASignal) {
  clear_interrupt();
  request_stop_by_peer();
  EXPECT_TRUE(interrupt_requested());
  clear_interrupt();
  EXPECT_FALSE(interrupt_requested());
  static bool polled = false;
  set_stop_poll([] { return polled; });
  EXPECT_FALSE(interrupt_requested());
  polled = true;
  EXPECT_TRUE(interrupt_requested());
  polled = false;
  EXPECT_TRUE(interrupt_requested());  // a stop, once seen, stays
  clear_interrupt();
  EXPECT_FALSE(interrupt_requested());
}

}  // namespace
}  // namespace hedgemap
