// The processes of one run: a plain start is one process (the serial program); under an MPI
// launcher (mpirun, srun) it is one rank of several, and the sweep's cells are spread over them.
// This header and ranks.cpp know no MPI; the MPI side is host/exec/mpi_*.cpp, compiled only when
// the build has MPI (HEDGEMAP_WITH_MPI). Nothing above host/exec/ knows which it is.
#pragma once
#include <cstddef>
#include <cstdint>
#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

namespace hedgemap {

struct RankLayout {
  int rank = 0, size = 1;              // in the whole run
  int local_rank = 0, local_size = 1;  // on this node
  int nodes = 1;
  std::string host;  // this rank's node name
  bool root() const { return rank == 0; }
};

// The MPI job size a launcher announces in the environment (Open MPI's mpirun, a PMI/PMIx
// launcher such as srun --mpi=pmix, Slurm's step task count), 0 when none does: then the process
// is the serial program. `env(name)` returns the variable or nullptr (std::getenv in real use).
int launcher_job_size(const std::function<const char*(const char*)>& env);

// The node-local rank a launcher announces (SLURM_LOCALID, OMPI_COMM_WORLD_LOCAL_RANK, ...), or
// -1: the fallback when MPI cannot split the ranks by shared memory.
int launcher_local_rank(const std::function<const char*(const char*)>& env);

// Whether this binary has MPI (HEDGEMAP_MPI), and which library ("" without).
bool mpi_compiled();
std::string mpi_library_version();

// MPI started (MPI_Init_thread) when a launcher started this process, for as long as the session
// lives. A plain start is a session of one rank with no MPI at all. Throws std::runtime_error
// when a launcher started several processes but this binary has no MPI (they would all write
// the same file).
class RankSession {
 public:
  RankSession();
  // Without finish(): MPI_Abort, which ends every rank (an error that only this rank met; the
  // launcher exits non-zero).
  ~RankSession();
  RankSession(const RankSession&) = delete;
  RankSession& operator=(const RankSession&) = delete;
  const RankLayout& layout() const { return layout_; }
  bool distributed() const { return distributed_; }
  // The end every rank reaches the same way: waits for every rank (so that no rank's exit makes
  // the launcher kill rank 0 while it writes the results file), finalizes MPI, returns
  // exit_code.
  int finish(int exit_code);
  // Every rank's `text`, in rank order, on rank 0 (empty elsewhere); just {text} in one process.
  std::vector<std::string> gather_text(const std::string& text) const;
  // The smallest `value` over the ranks, on every rank (a vote: 0 from any rank wins).
  int min_over_ranks(int value) const;

 private:
  RankLayout layout_;
  bool distributed_ = false, finished_ = false;
};

// Cells handed out in `order`, longest first: costs[c] is cell c's work (paths x steps x
// points); ties keep the lower index first. Only cells with wanted[c] are listed.
std::vector<std::size_t> longest_first(const std::vector<double>& costs,
                                       const std::vector<bool>& wanted);

// One sweep's cells, computed by every rank of the session.
struct CellJob {
  std::string fingerprint;         // the same on every rank, or the run fails (another scenario)
  std::vector<std::size_t> order;  // rank 0: the cells to run, in hand-out order
  std::vector<double> cost;        // rank 0: work per cell (for the ranks' throughput)
  // Any rank: one cell's encoded result. Throws Interrupted (a stop) or another exception.
  std::function<std::string(std::size_t cell)> evaluate;
  // Rank 0 only, one call at a time, from any of its threads: a finished cell, and which rank
  // made it.
  std::function<void(std::size_t cell, const std::string& encoded, int rank)> on_result;
};

enum class CellsOutcome { finished, interrupted, failed };
struct CellsRun {
  CellsOutcome outcome = CellsOutcome::finished;
  std::string failure;          // what failed (with the rank when it was not this one), when failed
  std::size_t split_cells = 0;  // cells whose paths were split over the ranks (cells_to_split)
};

// ---- one cell's paths over the ranks (the second level of the split) -------------------------
// A split cell is run by every rank at once, the same family code in lockstep: each rank runs the
// paths of its own contiguous range, and the path runner (host/exec/path_runner.hpp) hands every
// rank all the ranges' per-block sums and kept columns in path order, so that each computes the
// serial run's statistics, bit for bit; rank 0's result is kept.

// Rank `rank` of `size`'s paths [first, end) of a cell of `paths`: whole reduction blocks of
// 1,024 paths (host/statistics/column_moments.hpp), blocks [rank B / size, (rank + 1) B / size).
struct PathRange {
  std::uint64_t first = 0, end = 0;
  std::uint64_t count() const { return end - first; }
};
PathRange path_range(std::uint64_t paths, int rank, int size);

struct PathShare {
  int rank = 0, size = 1;
};
// The share of the cell the calling thread runs now, or nullptr when its paths are not split.
const PathShare* active_path_share();
// Makes `share` the calling thread's for its lifetime (run_cells, around a split cell).
class ScopedPathShare {
 public:
  explicit ScopedPathShare(const PathShare& share);
  ~ScopedPathShare();
  ScopedPathShare(const ScopedPathShare&) = delete;
  ScopedPathShare& operator=(const ScopedPathShare&) = delete;

 private:
  const PathShare* previous_;
};

// Which cells run split (HEDGEMAP_PATH_SPLIT): "auto" (the default) splits each cell whose work
// is more than one rank's share of the run (cost > total / ranks: no hand-out of whole cells can
// then finish before it, and with fewer cells than ranks the longest always is); "off" never;
// "all" every cell (tests). Returns how many of the leading cells of `order` (longest first) run
// split; none on one rank.
enum class PathSplitMode { automatic, off, all };
PathSplitMode path_split_mode(const std::function<const char*(const char*)>& env);
std::size_t cells_to_split(const std::vector<std::size_t>& order, const std::vector<double>& cost,
                           int ranks, PathSplitMode mode);

// Collectives of a split cell, called by every rank in the same order (no-ops for a share of one
// rank, or without an active share).
// `count` doubles at `data` from rank `root` to every rank.
void share_doubles_from(int root, double* data, std::size_t count);
// The largest `value` over the ranks, on every rank (exact: integers).
int max_over_ranks(int value);
// What a rank throws when another rank of a split cell failed (that rank's message reaches rank 0).
struct PeerFailed : std::runtime_error {
  PeerFailed() : std::runtime_error("another rank failed during this cell") {}
};

// Runs every cell of `job.order` once, somewhere. One process: in order, here. Several ranks:
// rank 0 hands out one cell at a time to whichever rank asks (itself included), receives each
// finished cell's encoding and passes it to on_result; the first stop (a signal on any rank, or
// a failure) stops every rank at its next chunk of paths; cells finished by then are kept. Every
// rank returns the same outcome. Before that, the cells cells_to_split picks run one at a time
// on every rank, their paths split (active_path_share() set around job.evaluate).
CellsRun run_cells(const RankSession& session, const CellJob& job);

}  // namespace hedgemap
