// Fuzz target (b): the checkpoint decoder (see fuzz_targets.hpp).
#include <string>
#include <vector>

#include "build_info.hpp"
#include "host/formats/checkpoint.hpp"
#include "host/formats/results_file.hpp"
#include "host/scenario/parser.hpp"
#include "host/statistics/bootstrap.hpp"
#include "host/statistics/optimum.hpp"
#include "host/sweep.hpp"
#include "tests/fuzz/fuzz_targets.hpp"

namespace hedgemap::fuzz {

namespace {

struct Run {
  std::size_t cells;
  std::vector<GroupSpec> groups;
};

// The embedded default scenario, whose checkpoints tests/fuzz/corpus/checkpoint/ holds.
const Run& default_run() {
  static const Run run = [] {
    const Scenario s = parse_scenario(build_info::default_scenario_toml, "default.toml");
    return Run{s.grid.volatility.size() * s.grid.expiry_days.size(), sweep_groups(s)};
  }();
  return run;
}

// The input is a checkpoint's content; its SHA-256 trailer is appended here, so that the fuzzer
// reaches the decoder behind the checksum (a mutated file with a stale digest is refused at once).
std::string with_digest(const std::string& content) {
  const std::string hex = sha256_hex(content);
  std::string out = content;
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2)
    out += static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16));
  return out;
}

}  // namespace

bool checkpoint_target(const std::uint8_t* data, std::size_t size) {
  const std::string content(reinterpret_cast<const char*>(data), size);
  // The identity line (after the 8-byte magic) as the input has it: a SHA-256 the fuzzer could
  // not guess, checked by the decoder before anything else.
  const std::size_t eol = content.find('\n', 8);
  const std::string identity =
      size > 8 && eol != std::string::npos ? content.substr(8, eol - 8) : "";
  const Run& run = default_run();
  std::vector<CellResult> cells;
  try {
    cells = decode_checkpoint(with_digest(content), "fuzz.ckpt", identity, run.cells);
  } catch (const std::runtime_error&) {
    return false;  // refused
  }
  for (const CellResult& cell : cells)
    if (cell.done && !cell_fits_groups(cell, run.groups)) return false;  // refused by the sweep
  if (cells.size() != run.cells) throw FuzzFinding("a checkpoint decoded to another cell count");
  for (const CellResult& cell : cells) {
    if (!cell.done) continue;
    if (cell.groups.size() != run.groups.size())
      throw FuzzFinding("a cell with another group count");
    // What the results writer computes from a cell (host/formats/results_file.cpp).
    for (std::size_t g = 0; g < run.groups.size(); ++g) {
      const GroupCellResult& r = cell.groups[g];
      if (r.metrics.size() != run.groups[g].metrics.size())
        throw FuzzFinding("a group with another metric count");
      for (const auto& metric : r.metrics)
        if (metric.size() != run.groups[g].points()) throw FuzzFinding("a metric of another size");
      const GridOptimum optimum = find_optimum(run.groups[g], r.objective);
      (void)optimum_confidence(r.bootstrap_optimum, optimum.index);
    }
    (void)best_hedging_policy(run.groups, cell, nullptr);
  }
  return true;
}

}  // namespace hedgemap::fuzz
