#include "host/exec/ranks.hpp"

#include <algorithm>
#include <cstdlib>
#include <exception>
#include <stdexcept>
#include <unistd.h>

#include "host/exec/interrupt.hpp"
#ifdef HEDGEMAP_WITH_MPI
#include "host/exec/mpi_ranks.hpp"
#endif

namespace hedgemap {
namespace {

// A positive integer variable, or 0.
int positive_env(const std::function<const char*(const char*)>& env, const char* name) {
  const char* text = env(name);
  if (text == nullptr || *text == '\0') return 0;
  char* end = nullptr;
  const long value = std::strtol(text, &end, 10);
  return *end == '\0' && value > 0 && value < (1L << 30) ? int(value) : 0;
}

[[maybe_unused]] constexpr int kAbortExitCode = 1;  // a runtime failure (README, exit status)

std::string host_name() {
  char name[256] = {};
  if (gethostname(name, sizeof name - 1) != 0) return "localhost";
  return name;
}

}  // namespace

int launcher_job_size(const std::function<const char*(const char*)>& env) {
  // Open MPI's mpirun; MPICH/Hydra and srun --mpi=pmi2; srun --mpi=pmix (PMIx names no size).
  for (const char* name : {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE"})
    if (const int size = positive_env(env, name)) return size;
  const bool pmix = env("PMIX_RANK") != nullptr;
  const int slurm_tasks = positive_env(env, "SLURM_STEP_NUM_TASKS");
  if (pmix) return slurm_tasks > 0 ? slurm_tasks : 1;
  return slurm_tasks > 1 ? slurm_tasks : 0;  // srun of several tasks
}

int launcher_local_rank(const std::function<const char*(const char*)>& env) {
  for (const char* name : {"SLURM_LOCALID", "OMPI_COMM_WORLD_LOCAL_RANK", "MPI_LOCALRANKID"}) {
    const char* text = env(name);
    if (text == nullptr || *text == '\0') continue;
    char* end = nullptr;
    const long value = std::strtol(text, &end, 10);
    if (*end == '\0' && value >= 0 && value < (1L << 30)) return int(value);
  }
  return -1;
}

bool mpi_compiled() {
#ifdef HEDGEMAP_WITH_MPI
  return true;
#else
  return false;
#endif
}

std::string mpi_library_version() {
#ifdef HEDGEMAP_WITH_MPI
  return mpi::library_version();
#else
  return {};
#endif
}

RankSession::RankSession() {
  const auto env = [](const char* name) -> const char* { return std::getenv(name); };
  const int launched = launcher_job_size(env);
  layout_.host = host_name();
  if (launched == 0) return;  // a plain start: the serial program
#ifdef HEDGEMAP_WITH_MPI
  layout_ = mpi::start();
  distributed_ = true;
  if (launched > 1 && layout_.size == 1) {  // e.g. MPICH's mpiexec starting an Open MPI binary
    finish(0);
    throw std::runtime_error(
        "started as one of " + std::to_string(launched) +
        " processes, but MPI sees only this one: the launcher does not belong to the MPI "
        "library hedgemap was built with (" +
        mpi::library_version() +
        "; use its mpirun, or srun --mpi=pmix); every process would run "
        "the whole sweep");
  }
#else
  if (launched > 1)
    throw std::runtime_error(
        "started as one of " + std::to_string(launched) +
        " processes by an MPI launcher, but this binary was built without MPI "
        "(-DHEDGEMAP_MPI=OFF or no MPI library found): every process would run the whole sweep; "
        "rebuild with Open MPI (scripts/install-deps.sh) or start one process");
#endif
}

RankSession::~RankSession() {
#ifdef HEDGEMAP_WITH_MPI
  if (distributed_ && !finished_) mpi::abort_all(kAbortExitCode);
#endif
}

int RankSession::finish(int exit_code) {
#ifdef HEDGEMAP_WITH_MPI
  if (distributed_ && !finished_) mpi::stop();
#endif
  finished_ = true;
  return exit_code;
}

std::vector<std::string> RankSession::gather_text(const std::string& text) const {
#ifdef HEDGEMAP_WITH_MPI
  if (distributed_) return mpi::gather_text(text);
#endif
  return {text};
}

int RankSession::min_over_ranks(int value) const {
#ifdef HEDGEMAP_WITH_MPI
  if (distributed_) return mpi::min_over_ranks(value);
#endif
  return value;
}

std::vector<std::size_t> longest_first(const std::vector<double>& costs,
                                       const std::vector<bool>& wanted) {
  std::vector<std::size_t> order;
  for (std::size_t c = 0; c < costs.size(); ++c)
    if (c >= wanted.size() || wanted[c]) order.push_back(c);
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return costs[a] > costs[b]; });
  return order;
}

PathRange path_range(std::uint64_t paths, int rank, int size) {
  constexpr std::uint64_t kBlock = 1024;  // kReductionBlock (host/statistics/column_moments.hpp)
  const std::uint64_t blocks = (paths + kBlock - 1) / kBlock;
  const auto block_start = [&](int r) {
    return std::min(paths, blocks * std::uint64_t(r) / std::uint64_t(size) * kBlock);
  };
  return PathRange{block_start(rank), block_start(rank + 1)};
}

namespace {
thread_local const PathShare* g_path_share = nullptr;
}

const PathShare* active_path_share() { return g_path_share; }

ScopedPathShare::ScopedPathShare(const PathShare& share) : previous_(g_path_share) {
  g_path_share = &share;
}
ScopedPathShare::~ScopedPathShare() { g_path_share = previous_; }

PathSplitMode path_split_mode(const std::function<const char*(const char*)>& env) {
  const char* text = env("HEDGEMAP_PATH_SPLIT");
  const std::string mode = text ? text : "";
  if (mode == "off" || mode == "0") return PathSplitMode::off;
  if (mode == "all") return PathSplitMode::all;
  return PathSplitMode::automatic;
}

std::size_t cells_to_split(const std::vector<std::size_t>& order, const std::vector<double>& cost,
                           int ranks, PathSplitMode mode) {
  if (ranks <= 1 || mode == PathSplitMode::off) return 0;
  if (mode == PathSplitMode::all) return order.size();
  double total = 0.0;
  for (const std::size_t c : order) total += cost[c];
  const double share = total / double(ranks);
  std::size_t n = 0;
  while (n < order.size() && cost[order[n]] > share) ++n;  // order is longest first
  return n;
}

void share_doubles_from(int root, double* data, std::size_t count) {
#ifdef HEDGEMAP_WITH_MPI
  const PathShare* share = active_path_share();
  if (share != nullptr && share->size > 1) mpi::broadcast_doubles(root, data, count);
#else
  (void)root, (void)data, (void)count;
#endif
}

int max_over_ranks(int value) {
#ifdef HEDGEMAP_WITH_MPI
  const PathShare* share = active_path_share();
  if (share != nullptr && share->size > 1) return mpi::max_over_ranks(value);
#endif
  return value;
}

CellsRun run_cells(const RankSession& session, const CellJob& job) {
#ifdef HEDGEMAP_WITH_MPI
  if (session.distributed()) return mpi::run_cells(session.layout(), job);
#endif
  (void)session;
  CellsRun run;
  for (const std::size_t cell : job.order) {
    std::string encoded;
    try {
      encoded = job.evaluate(cell);
    } catch (const Interrupted&) {
      run.outcome = CellsOutcome::interrupted;
      return run;
    } catch (const std::exception& e) {  // out of memory, a CUDA fault, ...: keep what is done
      run.outcome = CellsOutcome::failed;
      run.failure = e.what();
      return run;
    }
    job.on_result(cell, encoded, 0);
    if (interrupt_requested()) {  // a signal arrived after the cell finished: stop cleanly here
      run.outcome = CellsOutcome::interrupted;
      return run;
    }
  }
  return run;
}

}  // namespace hedgemap
