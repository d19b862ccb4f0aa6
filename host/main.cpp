// hedgemap command line: run, validate, info (and inspect/export of results files).
// Exit codes: 0 ok, 1 runtime failure, 2 bad input, 3 finished with NaN cells, 75 interrupted
// (resumable with --resume).
#include <CLI/CLI.hpp>

#include <csignal>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <memory>
#include <new>
#include <sstream>
#include <string>

#include "build_info.hpp"
#include "host/exec/backend.hpp"
#include "host/exec/device_map.hpp"
#include "host/exec/interrupt.hpp"
#include "host/exec/ranks.hpp"
#include "host/formats/atomic_file.hpp"
#include "host/formats/checkpoint.hpp"
#include "host/formats/h5_writer.hpp"
#include "host/families/memory_estimate.hpp"
#include "host/families/memory_fit.hpp"
#include "host/formats/inspect.hpp"
#include "host/scenario/parser.hpp"
#include "host/sweep.hpp"

namespace fs = std::filesystem;
using namespace hedgemap;

namespace {

struct ScenarioArgs {
  std::string file;                        // empty: the embedded default
  std::vector<std::string> overrides;      // --set
  std::optional<std::string> paths, seed;  // as given: the parser checks them (range, conflicts)
};

void add_scenario_options(CLI::App* cmd, ScenarioArgs& a) {
  cmd->add_option("scenario", a.file,
                  "scenario TOML file (default: the embedded scenarios/default.toml)");
  cmd->add_option("--set", a.overrides, "override a scenario key: --set costs.gas=10 (TOML value)")
      ->type_name("KEY=VALUE");
  cmd->add_option("--paths", a.paths, "Monte Carlo paths per cell (simulation.paths)")
      ->type_name("N");
  cmd->add_option("--seed", a.seed, "random seed (seed)")->type_name("S");
}

// The scenario as `validate` and `run` both check it: parsed and validated with its overrides,
// and one cell within this machine's memory. Throws ScenarioError (exit 2).
Scenario load(const ScenarioArgs& a) {
  std::vector<OptionOverride> options;
  if (a.paths) options.push_back({"--paths", "simulation.paths", *a.paths});
  if (a.seed) options.push_back({"--seed", "seed", *a.seed});
  const std::string source = a.file.empty() ? "<embedded default.toml>" : a.file;
  Scenario s = a.file.empty()
                   ? parse_scenario(build_info::default_scenario_toml, source, a.overrides, options)
                   : load_scenario_file(a.file, a.overrides, options);
  const std::vector<GroupSpec> groups = sweep_groups(s);
  if (memory_problem(s, groups, machine_memory(false), source)) {
    // Before refusing, see whether a CUDA device would hold it (probing it takes a moment).
    if (auto problem = memory_problem(s, groups, machine_memory(true), source))
      throw ScenarioError({*problem});
  }
  return s;
}

std::string joined_command_line(int argc, char** argv) {
  std::string s;
  for (int i = 0; i < argc; ++i) {
    if (i) s += ' ';
    s += argv[i];
  }
  return s;
}

// "rank 2: " in an MPI run of several ranks, else nothing.
std::string rank_prefix(const RankSession& session) {
  return session.layout().size > 1 ? "rank " + std::to_string(session.layout().rank) + ": " : "";
}

int bad_input(const std::string& message) {
  std::fprintf(stderr, "hedgemap: error: %s\n", printable(message).c_str());
  return kExitBadInput;
}

// The results file and its checkpoint are checked before anything is simulated (exit 2): a path
// that cannot be written would otherwise fail only after the whole run. Missing directories of
// the output are created first (the default is results/<name>.h5).
std::string output_problem(const RunOptions& options) {
  if (std::string problem = output_name_problem(options.output); !problem.empty()) return problem;
  const fs::path parent = fs::path(options.output).parent_path();
  std::error_code error;
  if (!parent.empty() && !fs::is_directory(parent, error)) {
    fs::create_directories(parent, error);
    if (error)
      return "cannot create the output directory '" + parent.string() + "': " + error.message();
  }
  if (std::string problem = output_path_problem(options.output, options.overwrite);
      !problem.empty())
    return problem;
  // The checkpoint is replaced after every cell: it may be absent or a regular file.
  return output_path_problem(checkpoint_path(options.output), /*may_replace=*/true);
}

// --threads above the cap is brought down to it, with a warning: results do not depend on the
// thread count, and libgomp fails (segfaults) when asked for ~100,000 threads.
int capped_threads(int requested) {
  const int cap = max_cpu_threads();
  if (requested <= cap) return requested;
  std::fprintf(stderr,
               "hedgemap: warning: --threads %d is more than %d (4 x the %d CPUs this process "
               "may use, at most 1024); using %d threads\n",
               requested, cap, available_cpus(), cap);
  return cap;
}

void print_info() {
  std::printf("hedgemap %s (git %s%s)\n", build_info::version, build_info::git_commit,
              build_info::git_dirty ? ", dirty" : "");
  std::printf("backends compiled in: cpu (OpenMP)%s\n", build_info::cuda_compiled ? ", cuda" : "");
  std::printf("mpi: %s\n", mpi_compiled() ? mpi_library_version().c_str()
                                          : "not compiled in (one process per run)");
  std::printf("cpu: %s\n", cpu_model_name().c_str());
  const CudaDeviceInfo cuda = probe_cuda();
  if (cuda.usable) {
    std::printf(
        "cuda device 0: %s, compute capability %d.%d, %.1f GiB (%.1f GiB free), driver %d, runtime "
        "%d\n",
        cuda.name.c_str(), cuda.compute_major, cuda.compute_minor, cuda.total_memory / 1073741824.0,
        cuda.free_memory / 1073741824.0, cuda.driver_version, cuda.runtime_version);
  } else {
    std::printf("cuda: not usable: %s\n", cuda.why_not.c_str());
  }
  std::printf("rng: philox4x32-10 (Random123; equal to cuRAND's Philox4_32_10)\n");
}

void print_plan(const Scenario& s) {
  const auto groups = sweep_groups(s);
  const SweepLayout layout(s);
  std::string extra;  // " x 3 gas x 2 fee_bps" with [grid.axes]
  for (const SweptAxis& a : s.grid.axes)
    extra += " x " + std::to_string(a.values.size()) + " " + a.name;
  std::string passes;  // objective and cost-only axes share a path pass
  if (layout.passes() != layout.cells())
    passes = " (" + std::to_string(layout.passes()) + " path passes)";
  std::printf(
      "scenario %s: %zu volatilities x %zu expiries%s = %zu cells%s, %llu paths each, %s "
      "precision\n",
      s.name.c_str(), s.grid.volatility.size(), s.grid.expiry_days.size(), extra.c_str(),
      layout.cells(), passes.c_str(), static_cast<unsigned long long>(s.simulation.paths),
      s.simulation.precision.c_str());
  std::printf("  volatility:");
  for (double v : s.grid.volatility) std::printf(" %g", v);
  std::printf("\n  expiry_days (steps):");
  for (double e : s.grid.expiry_days) std::printf(" %g (%d)", e, s.steps_for_expiry(e));
  for (const SweptAxis& a : s.grid.axes) {
    std::printf("\n  %s (%s%s):", a.name.c_str(), a.key.c_str(),
                a.paths_unchanged ? ", objective only: shares the path pass"
                : a.cost_only     ? ", costs only: shares the path pass, a cost slot per value"
                                  : "");
    for (const std::string& t : a.texts) std::printf(" %s", t.c_str());
  }
  std::printf("\n");
  std::size_t points = 0;
  for (const auto& g : groups) {
    std::printf("  %-28s %zu parameter point(s)\n", g.path.c_str(), g.points());
    points += g.points();
  }
  const double path_steps = sweep_path_steps(s);
  std::printf("work: %.3g path-steps, %.3g policy evaluations (path-steps x parameter points)\n",
              path_steps, path_steps * double(points ? points : 1) * layout.mean_cost_slots());
  const CellMemoryEstimate m = estimate_cell_memory(s, groups);
  const auto size = [](double bytes) {
    char text[32];
    if (bytes >= 1073741824.0)
      std::snprintf(text, sizeof text, "%.2f GiB", bytes / 1073741824.0);
    else
      std::snprintf(text, sizeof text, "%.0f MiB", bytes / 1048576.0);
    return std::string(text);
  };
  std::printf(
      "memory per cell (estimate): %s of host memory on the CPU backend; with CUDA %s host "
      "(pinned chunks) + %s device,\n  or with HEDGEMAP_CUDA_DEVICE_MOMENTS=1 %s host + %s "
      "device\n",
      size(m.cpu_host).c_str(), size(m.cuda_host).c_str(), size(m.cuda_device).c_str(),
      size(m.reduced_host).c_str(), size(m.reduced_device).c_str());
}

}  // namespace

int main(int argc, char** argv) {
  // Under `ulimit -f` a write past the limit raises SIGXFSZ, whose default action kills the
  // process and leaves temporaries behind. Ignored, the write fails with EFBIG instead and takes
  // the normal error path: exit 1, a message, temporaries removed, the checkpoint kept.
  std::signal(SIGXFSZ, SIG_IGN);
  // HDF5 prints its error stack by default; every failure becomes one message of ours instead.
  h5::turn_off_error_printing();
  // Outlives the try block below, so that an error is printed before an MPI job is aborted
  // (~RankSession without finish()).
  std::unique_ptr<RankSession> session;
  CLI::App app{"hedgemap: Monte Carlo optimizer of rebalancing thresholds for crypto option books"};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string("hedgemap ") + build_info::version);

  ScenarioArgs run_args;
  RunOptions run_options;
  std::string backend = "";
  int threads = 0;
  auto* run = app.add_subcommand("run", "run a scenario and write its results file");
  add_scenario_options(run, run_args);
  run->add_option("-o,--output", run_options.output, "results file (default: results/<name>.h5)");
  run->add_flag("--overwrite", run_options.overwrite, "replace an existing results file");
  run->add_option("--backend", backend, "auto | cpu | cuda (default: simulation.backend)")
      ->check(CLI::IsMember({"auto", "cpu", "cuda"}));
  run->add_option("--threads", threads, "CPU threads (default: all)")
      ->check(CLI::NonNegativeNumber);
  int device = -1;
  run->add_option("--device", device,
                  "GPU to use, numbered as CUDA sees them (default: the only one, or each MPI "
                  "rank's node-local rank modulo the GPU count)")
      ->check(CLI::NonNegativeNumber);
  std::string resume_mode;
  run->add_flag("--resume", resume_mode,
                "finish an interrupted run from its checkpoint; --resume=auto: resume when a "
                "checkpoint of this run exists, else start afresh (for batch jobs that requeue)")
      ->check(CLI::IsMember({"true", "auto"}))
      ->option_text("[=auto]");
  run->add_option("--progress", run_options.progress, "auto | bar | jsonl | none")
      ->check(CLI::IsMember({"auto", "bar", "jsonl", "none"}));
  run->add_flag("-q,--quiet", run_options.quiet, "no progress and no summary");

  ScenarioArgs validate_args;
  auto* validate = app.add_subcommand(
      "validate", "check a scenario and print the grid, the work and the memory it needs");
  add_scenario_options(validate, validate_args);

  auto* info =
      app.add_subcommand("info", "version, git commit, backends compiled in, devices seen");

  std::string inspect_file;
  auto* inspect = app.add_subcommand("inspect", "print the optimal thresholds of a results file");
  inspect->add_option("file", inspect_file, "results file (.h5)")
      ->required()
      ->check(CLI::ExistingFile);

  std::string export_file, export_format = "csv", export_output;
  auto* export_cmd = app.add_subcommand(
      "export", "optimal threshold per (volatility, expiry, policy) as CSV or JSON");
  export_cmd->add_option("file", export_file, "results file (.h5)")
      ->required()
      ->check(CLI::ExistingFile);
  export_cmd->add_option("--format", export_format, "csv | json")
      ->check(CLI::IsMember({"csv", "json"}));
  export_cmd->add_option("-o,--output", export_output, "output file (default: stdout)");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? 0 : kExitBadInput;
  }

  try {
    if (*info) {
      print_info();
      return kExitOk;
    }
    if (*inspect) return inspect_results(inspect_file, std::cout);
    if (*export_cmd) return export_results(export_file, export_format, export_output);

    ScenarioArgs& args = *validate ? validate_args : run_args;
    Scenario scenario;
    try {
      scenario = load(args);
    } catch (const ScenarioError& e) {
      for (const auto& p : e.problems) std::fprintf(stderr, "%s\n", p.line_text().c_str());
      std::fprintf(stderr, "hedgemap: %zu problem(s) in the scenario; nothing was run\n", e.count);
      return kExitBadInput;
    }
    if (*validate) {
      print_plan(scenario);
      std::printf("scenario is valid\n");
      return kExitOk;
    }

    // --- run ---
    if (run_options.output.empty()) run_options.output = "results/" + scenario.name + ".h5";
    if (const std::string problem = output_problem(run_options); !problem.empty())
      return bad_input(problem + "; nothing was run");
    run_options.command_line = joined_command_line(argc, argv);
    run_options.resume = resume_mode == "true";
    run_options.resume_if_present = resume_mode == "auto";

    // One process, or this rank of an MPI job (mpirun, srun): every check above ran on each rank
    // alike; from here on the ranks vote or end together (host/exec/ranks.hpp).
    session = std::make_unique<RankSession>();
    const bool root = session->layout().root();

    const std::string requested = backend.empty() ? scenario.simulation.backend : backend;
    Execution exec;
    std::string backend_problem;
    int backend_status = kExitOk;
    try {
      DevicePlacement placement;
      placement.local_rank = session->layout().local_rank;
      placement.requested_device = device;
      exec = choose_backend(requested, capped_threads(threads), placement);
    } catch (const DeviceChoiceError& e) {
      backend_problem = e.what();
      backend_status = kExitBadInput;
    } catch (const std::runtime_error& e) {
      backend_problem = e.what();
      backend_status = kExitRuntimeFailure;
    }
    if (!backend_problem.empty())
      std::fprintf(stderr, "hedgemap: error: %s%s\n", rank_prefix(*session).c_str(),
                   printable(backend_problem).c_str());
    // Every rank ends with the worst status of any (bad input 2 before a runtime failure 1).
    const int worst = -session->min_over_ranks(-backend_status);
    if (worst != kExitOk) return session->finish(worst);
    // One GPU per rank: rank 0 compares the ranks' GPUs by UUID.
    const std::vector<std::string> gpus = session->gather_text(exec.gpu_uuid);
    const std::string shared = root ? shared_gpu_problem(gpus) : std::string();
    if (!shared.empty()) std::fprintf(stderr, "hedgemap: error: %s\n", shared.c_str());
    if (session->min_over_ranks(shared.empty() ? 1 : 0) == 0) return session->finish(kExitBadInput);
    const std::vector<std::string> backends =
        session->gather_text(rank_prefix(*session) + "backend " + backend_name(exec.backend) +
                             " (" + exec.device + "): " + exec.reason);
    if (!run_options.quiet && root) {
      if (session->distributed())
        std::fprintf(stderr, "hedgemap: %d rank(s) on %d node(s)\n", session->layout().size,
                     session->layout().nodes);
      for (const std::string& line : backends) std::fprintf(stderr, "hedgemap: %s\n", line.c_str());
    }
    install_interrupt_handlers();
    const RunSummary summary = run_sweep(scenario, exec, run_options, *session);
    if (!summary.root) return session->finish(summary.exit_code);
    if (summary.exit_code == kExitOk || summary.exit_code == kExitNaNCells) {
      if (!run_options.quiet)
        std::fprintf(stderr, "hedgemap: %zu cells, %.3g path-steps in %.2f s (%.3g path-steps/s)\n",
                     summary.cells, summary.path_steps, summary.wall_seconds,
                     summary.path_steps / summary.wall_seconds);
      std::printf("%s\n", run_options.output.c_str());
    }
    const std::string timing = backend_timing_report(exec);  // HEDGEMAP_CUDA_TIMING=1
    if (!timing.empty()) std::fprintf(stderr, "hedgemap: %s\n", timing.c_str());
    return session->finish(summary.exit_code);
  } catch (const std::bad_alloc&) {
    std::fprintf(
        stderr,
        "hedgemap: error: out of host memory (lower simulation.paths); nothing was written\n");
    return kExitRuntimeFailure;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "hedgemap: error: %s\n", printable(e.what()).c_str());
    return kExitRuntimeFailure;
  }
}
