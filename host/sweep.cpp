#include "host/sweep.hpp"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <stdexcept>

#include "host/families/allocation.hpp"
#include "host/statistics/bootstrap.hpp"
#include "host/formats/checkpoint.hpp"
#include "host/families/hedging.hpp"
#include "host/exec/interrupt.hpp"
#include "host/scenario/kernel_params.hpp"
#include "host/families/model_summary.hpp"
#include "host/progress.hpp"
#include "host/formats/results_file.hpp"

namespace hedgemap {

std::vector<GroupSpec> sweep_groups(const Scenario& s) {
  std::vector<GroupSpec> groups;
  if (s.hedging.present) groups = hedging_groups(s);
  if (s.cppi.present || s.vol_target.present) {
    std::vector<GroupSpec> allocation = allocation_groups(s);
    groups.insert(groups.end(), allocation.begin(), allocation.end());
  }
  return groups;
}

double sweep_path_steps(const Scenario& s) {
  double steps = 0.0;
  for (double e : s.grid.expiry_days) steps += s.steps_for_expiry(e);
  return steps * double(s.grid.volatility.size()) * double(s.simulation.paths);
}

std::string run_identity(const Scenario& s) {
  return sha256_hex(s.effective_toml + "\npaths=" + std::to_string(s.simulation.paths) +
                    "\nseed=" + std::to_string(s.seed) + "\nprecision=" + s.simulation.precision);
}

CellResult evaluate_cell(const Scenario& s, int vol_index, int expiry_index,
                         const Execution& exec) {
  const CellCoordinates cell = cell_coordinates(s, vol_index, expiry_index);
  BootstrapPlan plan;
  // Resampling draws its own stream per cell, so the optimum's confidence does not depend on
  // the order in which cells run.
  plan.seed =
      s.seed ^ (0x9E3779B97F4A7C15ull * std::uint64_t(vol_index * 65536 + expiry_index + 1));
  CellResult result;
  // The hedging pass also summarises its paths for /model/; without it, a pass of its own.
  if (s.hedging.present)
    result.groups = evaluate_hedging_cell(s, cell, exec, plan, &result.model);
  else
    result.model = evaluate_model_cell(s, cell, exec);
  if (s.cppi.present || s.vol_target.present) {
    std::vector<GroupCellResult> allocation = evaluate_allocation_cell(s, cell, exec, plan);
    result.groups.insert(result.groups.end(), allocation.begin(), allocation.end());
  }
  result.done = true;
  return result;
}

namespace {

// A cell whose headline statistics are not finite: the run finishes, the values stay NaN in the
// file, and the exit status is 3.
bool cell_has_nan(const CellResult& cell, const std::vector<GroupSpec>& groups) {
  if (!std::isfinite(cell.model.terminal_spot_mean)) return true;
  for (std::size_t g = 0; g < groups.size(); ++g)
    for (double v : cell.groups[g].metrics.front())
      if (!std::isfinite(v)) return true;
  return false;
}

std::string resumable_note(std::size_t done, std::size_t total, const std::string& ckpt) {
  if (done == 0) return "; nothing was written";
  return "; " + std::to_string(done) + " of " + std::to_string(total) + " cells are saved in " +
         ckpt + ": fix the cause and run the same command with --resume";
}

}  // namespace

RunSummary run_sweep(const Scenario& s, const Execution& exec, const RunOptions& options) {
  const auto start = std::chrono::steady_clock::now();
  const std::vector<GroupSpec> groups = sweep_groups(s);
  const std::size_t nv = s.grid.volatility.size(), ne = s.grid.expiry_days.size();
  const std::size_t total = nv * ne;
  const std::string identity = run_identity(s);
  const std::string ckpt = checkpoint_path(options.output);

  std::vector<CellResult> cells(total);
  if (options.resume) {
    cells = load_checkpoint(ckpt, identity, total, groups);
  }
  std::size_t done = 0;
  double path_steps_done = 0.0;
  for (std::size_t c = 0; c < total; ++c)
    if (cells[c].done) {
      ++done;
      path_steps_done +=
          double(s.simulation.paths) * s.steps_for_expiry(s.grid.expiry_days[c % ne]);
    }
  if (!options.quiet && options.resume)
    std::fprintf(stderr, "hedgemap: resuming from %s: %zu of %zu cells already done\n",
                 ckpt.c_str(), done, total);

  Progress progress(options.quiet ? "none" : options.progress, total, sweep_path_steps(s));
  RunSummary summary;
  summary.cells = total;
  for (std::size_t c = 0; c < total; ++c) {
    if (cells[c].done) continue;
    try {
      cells[c] = evaluate_cell(s, int(c / ne), int(c % ne), exec);
    } catch (const Interrupted&) {
      progress.finish();
      save_checkpoint(ckpt, identity, cells);
      std::fprintf(stderr,
                   "hedgemap: interrupted; %zu of %zu cells are saved in %s. Run the same command "
                   "with --resume to finish.\n",
                   done, total, ckpt.c_str());
      summary.exit_code = kExitInterrupted;
      return summary;
    } catch (const std::exception& e) {  // out of memory, a CUDA fault, ...: keep what is done
      progress.finish();
      throw std::runtime_error(std::string(e.what()) + resumable_note(done, total, ckpt));
    }
    ++done;
    path_steps_done += double(s.simulation.paths) * s.steps_for_expiry(s.grid.expiry_days[c % ne]);
    save_checkpoint(ckpt, identity, cells);
    progress.cell_done(done, path_steps_done);
    if (interrupt_requested()) {  // a signal arrived after the cell finished: stop cleanly here
      progress.finish();
      std::fprintf(stderr,
                   "hedgemap: interrupted; %zu of %zu cells are saved in %s. Run the same "
                   "command with --resume to finish.\n",
                   done, total, ckpt.c_str());
      summary.exit_code = kExitInterrupted;
      return summary;
    }
  }
  progress.finish();

  for (std::size_t c = 0; c < total; ++c)
    if (cell_has_nan(cells[c], groups)) {
      ++summary.nan_cells;
      std::fprintf(stderr,
                   "hedgemap: warning: cell volatility=%g expiry_days=%g has non-finite statistics "
                   "(NaN in the file)\n",
                   s.grid.volatility[c / ne], s.grid.expiry_days[c % ne]);
    }

  Provenance prov;
  prov.command_line = options.command_line;
  prov.backend = backend_name(exec.backend);
  prov.device = exec.device;
  prov.scenario_sha256 = sha256_hex(s.effective_toml);
  prov.wall_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  try {
    write_results_file(options.output, options.overwrite, s, groups, cells, prov);
  } catch (const std::exception& e) {  // disk full, permissions: the checkpoint has every cell
    throw std::runtime_error(std::string(e.what()) + resumable_note(done, total, ckpt));
  }
  std::error_code ec;
  std::filesystem::remove(ckpt, ec);
  summary.wall_seconds = prov.wall_seconds;
  summary.path_steps = sweep_path_steps(s);
  summary.exit_code = summary.nan_cells > 0 ? kExitNaNCells : kExitOk;
  return summary;
}

}  // namespace hedgemap
