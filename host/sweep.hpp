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

// Path-steps of the whole sweep (paths x steps summed over cells; each family counts once).
double sweep_path_steps(const Scenario& s);

// Evaluates one cell (model + every family).
CellResult evaluate_cell(const Scenario& s, int vol_index, int expiry_index, const Execution& exec);

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
