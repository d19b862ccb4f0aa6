// The nightly job: every cell of volatility x expiry runs every policy family on the same paths,
// with a checkpoint after each cell, then one atomic results file.
#pragma once
#include <string>
#include <vector>

#include "host/exec/backend.hpp"
#include "host/exec/ranks.hpp"
#include "host/families/cell_result.hpp"
#include "host/statistics/policy_group.hpp"
#include "host/scenario/scenario.hpp"

namespace hedgemap {

// Exit codes of `hedgemap run`, documented in the README.
enum ExitCode : int {
  kExitOk = 0,
  kExitRuntimeFailure = 1,
  kExitBadInput = 2,
  kExitNaNCells = 3,
  kExitInterrupted = 75,
};

struct RunOptions {
  std::string output;  // results file path
  bool overwrite = false;
  bool resume = false;             // --resume: the checkpoint must exist and match
  bool resume_if_present = false;  // --resume=auto: resume when a matching checkpoint exists
  std::string progress = "auto";
  bool quiet = false;
  std::string command_line;
};

struct RunSummary {
  int exit_code = kExitOk;
  std::size_t cells = 0, nan_cells = 0;
  double wall_seconds = 0.0;
  double path_steps = 0.0;
  bool root = true;  // this process reports (rank 0 of an MPI run; the only process otherwise)
};

// Every policy group the scenario evaluates, in file order.
std::vector<GroupSpec> sweep_groups(const Scenario& s);

// The cells of the full grid, volatility x expiry_days x the extra axes (row-major, the last
// extra axis fastest: cell = (v * expiries + e) * combinations + k), and the path passes that
// compute them: one per market cell and combination of the path-changing axes, shared by the
// combinations that differ only on objective axes (grid_axes.hpp, SweptAxis::paths_unchanged)
// or on cost-only axes (SweptAxis::cost_only). A pass holds at most cost_slots_per_pass cost
// settings (the hedging kernel's points of all its slots must fit kMaxHedgePoints); the cost
// settings of a path setting beyond that take further passes.
struct SweepLayout {
  explicit SweepLayout(const Scenario& s);
  std::size_t volatilities, expiries, combinations;
  std::size_t cost_slots_per_pass;
  std::vector<std::vector<std::size_t>> pass_combinations;  // per pass of a market cell
  std::vector<std::size_t> pass_cost_slots;  // its cost settings (the hedging kernel's slots)
  // Cost slots per pass, on average: each slot evaluates every policy point on the pass's paths.
  double mean_cost_slots() const;

  std::size_t cells() const { return volatilities * expiries * combinations; }
  std::size_t passes_per_market_cell() const { return pass_combinations.size(); }
  std::size_t passes() const { return volatilities * expiries * passes_per_market_cell(); }
  std::size_t vol_index(std::size_t pass) const {
    return pass / passes_per_market_cell() / expiries;
  }
  std::size_t expiry_index(std::size_t pass) const {
    return pass / passes_per_market_cell() % expiries;
  }
  std::vector<std::size_t> pass_cells(std::size_t pass) const;  // its cells, in pass order
};

// Path-steps of the whole sweep (paths x steps summed over path passes; each family counts once).
double sweep_path_steps(const Scenario& s);

// Evaluates one cell (model + every family) of the extra axes' `combination`.
CellResult evaluate_cell(const Scenario& s, int vol_index, int expiry_index, const Execution& exec,
                         std::size_t combination = 0);

// Evaluates the cells of `combinations` (of one market cell) that share their paths (one
// SweepLayout pass): one hedging path pass whose cost slots are the combinations' cost settings,
// one CellResult per combination, each equal to evaluate_cell of it alone.
std::vector<CellResult> evaluate_pass(const Scenario& s, int vol_index, int expiry_index,
                                      const std::vector<std::size_t>& combinations,
                                      const Execution& exec);

// Runs the sweep on every rank of `session` (one process, or the ranks of an MPI job: cells are
// spread over them, host/exec/ranks.hpp) and returns the exit code to use (0, 3 with NaN cells,
// 75 interrupted after a checkpoint, 1 when a cell failed: said on stderr by rank 0). Rank 0 alone
// keeps the checkpoint and writes the results file. Every rank returns the same exit code, except
// that rank 0 throws std::runtime_error when it cannot write the results (the CLI maps it to
// exit 1).
RunSummary run_sweep(const Scenario& s, const Execution& exec, const RunOptions& options,
                     const RankSession& session);

// Identity of a run for checkpoints: SHA-256 of the effective scenario and the run options that
// change numbers.
std::string run_identity(const Scenario& s);

}  // namespace hedgemap
