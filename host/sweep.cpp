#include "host/sweep.hpp"

#include <algorithm>
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
#include "host/exec/ranks.hpp"
#include "host/scenario/grid_axes.hpp"
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

SweepLayout::SweepLayout(const Scenario& s)
    : volatilities(s.grid.volatility.size()),
      expiries(s.grid.expiry_days.size()),
      combinations(s.grid.axis_combinations()),
      cost_slots_per_pass(std::size_t(kMaxCostSlots)) {
  if (s.hedging.present) {
    std::size_t points = 0;
    for (const GroupSpec& g : hedging_groups(s)) points += g.points();
    cost_slots_per_pass = std::max<std::size_t>(
        1, std::min(cost_slots_per_pass, std::size_t(kMaxHedgePoints) / points));
  }
  // Combinations with the same path setting share a pass, up to cost_slots_per_pass cost
  // settings each (row-major over the axes: the first pass of a path setting fills first).
  struct Pass {
    std::vector<std::size_t> path;
    std::vector<std::vector<std::size_t>> costs;  // its cost settings, one slot each
  };
  std::vector<Pass> passes;
  for (std::size_t k = 0; k < combinations; ++k) {
    const std::vector<std::size_t> path = path_setting(s.grid, k), cost = cost_setting(s.grid, k);
    std::size_t p = passes.size();
    for (std::size_t q = 0; q < passes.size(); ++q) {
      const Pass& pass = passes[q];
      if (pass.path != path) continue;
      const bool has_cost =
          std::find(pass.costs.begin(), pass.costs.end(), cost) != pass.costs.end();
      if (has_cost || pass.costs.size() < cost_slots_per_pass) {
        p = q;
        break;
      }
    }
    if (p == passes.size()) {
      passes.push_back(Pass{path, {}});
      pass_combinations.emplace_back();
    }
    if (std::find(passes[p].costs.begin(), passes[p].costs.end(), cost) == passes[p].costs.end())
      passes[p].costs.push_back(cost);
    pass_combinations[p].push_back(k);
  }
  for (const Pass& pass : passes) pass_cost_slots.push_back(pass.costs.size());
}

double SweepLayout::mean_cost_slots() const {
  double slots = 0;
  for (std::size_t n : pass_cost_slots) slots += double(n);
  return slots / double(passes_per_market_cell());
}

std::vector<std::size_t> SweepLayout::pass_cells(std::size_t pass) const {
  const std::size_t market = pass / passes_per_market_cell();
  const std::vector<std::size_t>& combos = pass_combinations[pass % passes_per_market_cell()];
  std::vector<std::size_t> out;
  for (std::size_t k : combos) out.push_back(market * combinations + k);
  return out;
}

double sweep_path_steps(const Scenario& s) {
  double steps = 0.0;
  for (double e : s.grid.expiry_days) steps += s.steps_for_expiry(e);
  return steps * double(s.grid.volatility.size()) * double(s.simulation.paths) *
         double(SweepLayout(s).passes_per_market_cell());
}

std::string run_identity(const Scenario& s) {
  return sha256_hex(s.effective_toml + "\npaths=" + std::to_string(s.simulation.paths) +
                    "\nseed=" + std::to_string(s.seed) + "\nprecision=" + s.simulation.precision);
}

std::vector<CellResult> evaluate_pass(const Scenario& s, int vol_index, int expiry_index,
                                      const std::vector<std::size_t>& combinations,
                                      const Execution& exec) {
  std::vector<Scenario> variants;
  for (std::size_t k : combinations) variants.push_back(scenario_at(s, k));
  const Scenario& first = variants.front();
  const CellCoordinates cell = cell_coordinates(first, vol_index, expiry_index);
  BootstrapPlan plan;
  // Resampling draws its own stream per market cell (the same for every combination of the
  // extra axes, as in a run with those values --set), so the optimum's confidence does not
  // depend on the order in which cells run.
  plan.seed =
      s.seed ^ (0x9E3779B97F4A7C15ull * std::uint64_t(vol_index * 65536 + expiry_index + 1));
  // The cost slot of each combination: its cost setting's rank among the pass's, in order.
  std::vector<std::vector<std::size_t>> settings;
  std::vector<int> slot_of;
  for (std::size_t k : combinations) {
    const std::vector<std::size_t> cost = cost_setting(s.grid, k);
    const auto found = std::find(settings.begin(), settings.end(), cost);
    slot_of.push_back(int(found - settings.begin()));
    if (found == settings.end()) settings.push_back(cost);
  }
  std::vector<CellResult> results(variants.size());
  // The hedging pass also summarises its paths for /model/; without it, a pass of its own.
  if (first.hedging.present) {
    std::vector<const Scenario*> pointers;
    for (const Scenario& v : variants) pointers.push_back(&v);
    std::vector<std::vector<GroupCellResult>> hedging =
        evaluate_hedging_cell_variants(pointers, slot_of, cell, exec, plan, &results[0].model);
    for (std::size_t i = 0; i < variants.size(); ++i) results[i].groups = std::move(hedging[i]);
  } else {
    results[0].model = evaluate_model_cell(first, cell, exec);
  }
  // Allocation families do not read [hedging.objective] but read the costs: one evaluation (a
  // path pass of its own) per cost setting, shared by the combinations that have it.
  if (first.cppi.present || first.vol_target.present) {
    for (std::size_t slot = 0; slot < settings.size(); ++slot) {
      const std::size_t i =
          std::size_t(std::find(slot_of.begin(), slot_of.end(), int(slot)) - slot_of.begin());
      const std::vector<GroupCellResult> allocation =
          evaluate_allocation_cell(variants[i], cell, exec, plan);
      for (std::size_t j = 0; j < variants.size(); ++j)
        if (slot_of[j] == int(slot))
          results[j].groups.insert(results[j].groups.end(), allocation.begin(), allocation.end());
    }
  }
  for (CellResult& r : results) {
    r.model = results[0].model;
    r.done = true;
  }
  return results;
}

CellResult evaluate_cell(const Scenario& s, int vol_index, int expiry_index, const Execution& exec,
                         std::size_t combination) {
  return evaluate_pass(s, vol_index, expiry_index, {combination}, exec).front();
}

namespace {

std::string resumable_note(std::size_t done, std::size_t total, const std::string& ckpt) {
  if (done == 0) return "; nothing was written";
  return "; " + std::to_string(done) + " of " + std::to_string(total) + " cells are saved in " +
         ckpt + ": fix the cause and run the same command with --resume";
}

}  // namespace

RunSummary run_sweep(const Scenario& s, const Execution& exec, const RunOptions& options,
                     const RankSession& session) {
  const auto start = std::chrono::steady_clock::now();
  const std::vector<GroupSpec> groups = sweep_groups(s);
  const SweepLayout layout(s);
  const std::size_t total = layout.cells(), passes = layout.passes();
  const std::string identity = run_identity(s);
  const std::string ckpt = checkpoint_path(options.output);
  const bool root = session.layout().root();
  // Path-steps simulated by a pass (every cell of a pass shares them).
  const auto pass_path_steps = [&](std::size_t pass) {
    return double(s.simulation.paths) *
           s.steps_for_expiry(s.grid.expiry_days[layout.expiry_index(pass)]);
  };

  // Rank 0 keeps the cells (and the checkpoint); the other ranks only compute the ones handed to
  // them (host/exec/ranks.hpp).
  std::vector<CellResult> cells(root ? total : 0);
  bool resume = options.resume;
  std::string cannot_resume;
  if (root && options.resume_if_present && !resume && std::filesystem::exists(ckpt)) {
    try {
      cells = load_checkpoint(ckpt, identity, total);
      resume = true;
    } catch (const std::exception& e) {
      std::fprintf(stderr, "hedgemap: warning: not resuming: %s; starting afresh\n", e.what());
    }
  } else if (root && resume) {
    try {
      cells = load_checkpoint(ckpt, identity, total);
    } catch (const std::exception& e) {
      cannot_resume = e.what();
    }
  }
  if (root && resume && cannot_resume.empty())
    for (const CellResult& cell : cells)
      if (cell.done && !cell_fits_groups(cell, groups)) {
        if (!options.resume) {  // --resume=auto: a checkpoint of another version, start afresh
          std::fprintf(stderr,
                       "hedgemap: warning: not resuming: %s does not fit this run's policy "
                       "groups; starting afresh\n",
                       ckpt.c_str());
          cells.assign(total, CellResult{});
          resume = false;
          break;
        }
        cannot_resume = ckpt +
                        " does not fit this run's policy groups (written by another "
                        "version of hedgemap?): it was kept; remove it to start over";
        break;
      }
  // Every rank stops with rank 0 (a vote, so that no rank waits for a rank 0 that gave up).
  if (session.min_over_ranks(cannot_resume.empty() ? 1 : 0) == 0) {
    if (root) std::fprintf(stderr, "hedgemap: error: %s\n", cannot_resume.c_str());
    RunSummary failed;
    failed.root = root;
    failed.exit_code = kExitRuntimeFailure;
    return failed;
  }
  std::size_t done = 0;
  double path_steps_done = 0.0;
  std::vector<bool> wanted(passes, false);
  for (std::size_t pass = 0; pass < passes && root; ++pass) {
    bool all_done = true;
    for (std::size_t c : layout.pass_cells(pass)) {
      all_done = all_done && cells[c].done;
      if (cells[c].done) ++done;
    }
    wanted[pass] = !all_done;
    if (all_done) path_steps_done += pass_path_steps(pass);
  }
  if (!options.quiet && resume && root)
    std::fprintf(stderr, "hedgemap: resuming from %s: %zu of %zu cells already done\n",
                 ckpt.c_str(), done, total);

  // Longest first (paths x steps x points), so that no rank is left with a long cell at the end.
  std::size_t points = 0;
  for (const auto& g : groups) points += g.points();
  CellJob job;
  job.fingerprint = identity;
  for (std::size_t pass = 0; pass < passes; ++pass)
    job.cost.push_back(pass_path_steps(pass) * double(points > 0 ? points : 1) *
                       double(layout.pass_cost_slots[pass % layout.passes_per_market_cell()]));
  if (root) job.order = longest_first(job.cost, wanted);

  Progress progress(options.quiet || !root ? "none" : options.progress, total, sweep_path_steps(s));
  std::vector<RankThroughput> ranks;
  if (session.layout().size > 1) ranks.resize(std::size_t(session.layout().size));
  job.evaluate = [&](std::size_t pass) {
    std::string encoded;
    for (const CellResult& cell :
         evaluate_pass(s, int(layout.vol_index(pass)), int(layout.expiry_index(pass)),
                       layout.pass_combinations[pass % layout.passes_per_market_cell()], exec))
      encode_cell(cell, encoded);
    return encoded;
  };
  std::size_t saved = resume ? done : 0;  // cells in the checkpoint on disk
  // A full disk or `ulimit -f` at a checkpoint ends the run (exit 1) with what the previous
  // checkpoint still holds.
  const auto save = [&] {
    save_checkpoint(ckpt, identity, cells);
    saved = done;
  };
  job.on_result = [&](std::size_t pass, const std::string& encoded, int rank) {
    std::size_t pos = 0;
    const std::vector<std::size_t> pass_cells = layout.pass_cells(pass);
    for (std::size_t c : pass_cells) {
      if (!cells[c].done) ++done;
      cells[c] = decode_cell(encoded, pos);
    }
    path_steps_done += pass_path_steps(pass);
    save();
    if (!ranks.empty()) {
      ranks[std::size_t(rank)].cells += pass_cells.size();
      ranks[std::size_t(rank)].path_steps += pass_path_steps(pass);
    }
    progress.cell_done(done, path_steps_done, ranks);
  };
  CellsRun run;
  try {
    run = run_cells(session, job);
  } catch (const std::exception& e) {  // one process: a checkpoint that could not be written
    run.outcome = CellsOutcome::failed;
    run.failure = e.what();
  }

  RunSummary summary;
  summary.cells = total;
  summary.root = root;
  if (run.outcome != CellsOutcome::finished) progress.finish();
  if (run.outcome == CellsOutcome::interrupted) {
    if (root) {
      try {
        save();
      } catch (const std::exception& e) {
        throw std::runtime_error(std::string(e.what()) + resumable_note(saved, total, ckpt));
      }
      std::fprintf(stderr,
                   "hedgemap: interrupted; %zu of %zu cells are saved in %s. Run the same command "
                   "with --resume to finish.\n",
                   done, total, ckpt.c_str());
    }
    summary.exit_code = kExitInterrupted;
    return summary;
  }
  if (run.outcome == CellsOutcome::failed) {  // out of memory, a CUDA fault, ...: rank 0 says
    if (root)
      std::fprintf(stderr, "hedgemap: error: %s%s\n", run.failure.c_str(),
                   resumable_note(saved, total, ckpt).c_str());
    summary.exit_code = kExitRuntimeFailure;
    return summary;
  }
  if (!root) return summary;
  progress.finish();
  if (run.split_cells > 0 && !options.quiet)
    std::fprintf(stderr, "hedgemap: %zu cell(s) ran with their paths split over the %d ranks\n",
                 run.split_cells, session.layout().size);

  Provenance prov;
  prov.command_line = options.command_line;
  prov.backend = backend_name(exec.backend);
  prov.device = exec.device;
  prov.scenario_sha256 = sha256_hex(s.effective_toml);
  prov.wall_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  NonFiniteValues non_finite;
  try {
    non_finite = write_results_file(options.output, options.overwrite, s, groups, cells, prov);
  } catch (const std::exception& e) {  // disk full, permissions: the checkpoint has every cell
    throw std::runtime_error(std::string(e.what()) + resumable_note(saved, total, ckpt));
  }
  std::error_code ec;
  std::filesystem::remove(ckpt, ec);
  summary.wall_seconds = prov.wall_seconds;
  summary.path_steps = sweep_path_steps(s);
  // A value that could not be computed stays NaN (or inf) in the file, and is never silent: every
  // variable that holds one is listed, and the exit status is 3.
  summary.nan_cells = non_finite.cells();
  if (!non_finite.empty()) {
    std::fprintf(stderr,
                 "hedgemap: warning: %s holds %zu non-finite values (NaN or inf) in %zu of %zu "
                 "cells; exit status 3:\n",
                 options.output.c_str(), non_finite.count(), non_finite.cells(), total);
    for (const std::string& line : non_finite.lines()) std::fprintf(stderr, "  %s\n", line.c_str());
  }
  summary.exit_code = non_finite.empty() ? kExitOk : kExitNaNCells;
  return summary;
}

}  // namespace hedgemap
