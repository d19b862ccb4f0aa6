// Fuzz target (a): scenario parser and validator with overrides (see fuzz_targets.hpp).
#include <string>
#include <string_view>
#include <vector>

#include "host/families/allocation.hpp"
#include "host/families/hedging.hpp"
#include "host/families/memory_fit.hpp"
#include "host/scenario/kernel_params.hpp"
#include "host/scenario/parser.hpp"
#include "host/sweep.hpp"
#include "tests/fuzz/fuzz_targets.hpp"

namespace hedgemap::fuzz {

namespace {

struct CommandLine {
  std::vector<std::string> overrides;
  std::vector<OptionOverride> options;
};

// "#set KEY=VALUE", "#paths N" and "#seed S" lines (TOML comments, so the text parses the same).
CommandLine command_line_in(std::string_view text) {
  CommandLine c;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view line = text.substr(start, end - start);
    const auto after = [&](std::string_view prefix) {
      return std::string(line.substr(prefix.size()));
    };
    if (line.rfind("#set ", 0) == 0) c.overrides.push_back(after("#set "));
    if (line.rfind("#paths ", 0) == 0)
      c.options.push_back({"--paths", "simulation.paths", after("#paths ")});
    if (line.rfind("#seed ", 0) == 0) c.options.push_back({"--seed", "seed", after("#seed ")});
    start = end + 1;
  }
  return c;
}

void check_printable(const ScenarioError& error) {
  if (error.problems.empty()) throw FuzzFinding("a ScenarioError without problems");
  if (error.problems.size() > kMaxProblemsListed + 64)
    throw FuzzFinding("a ScenarioError lists " + std::to_string(error.problems.size()) + " lines");
  for (const ScenarioProblem& p : error.problems) {
    for (const char c : p.line_text()) {
      const auto byte = static_cast<unsigned char>(c);
      if (byte < 0x20 || byte == 0x7f)
        throw FuzzFinding("a control character in: " + printable(p.line_text()));
    }
  }
}

// Everything `run` derives from the scenario before it simulates: none of it may refuse a
// scenario that `validate` accepted.
void check_run_accepts(const Scenario& s) {
  try {
    const std::vector<GroupSpec> groups = sweep_groups(s);
    if (groups.empty()) throw FuzzFinding("a valid scenario without policy groups");
    MachineMemory memory;
    memory.host_bytes = 64.0 * 1073741824.0;
    memory.host_source = "fuzz";
    (void)memory_problem(s, groups, memory, "fuzz.toml");
    (void)sweep_path_steps(s);
    (void)run_identity(s);
    const int nv = static_cast<int>(s.grid.volatility.size());
    const int ne = static_cast<int>(s.grid.expiry_days.size());
    for (const auto& [v, e] : {std::pair{0, 0}, std::pair{nv - 1, ne - 1}}) {
      const CellCoordinates cell = cell_coordinates(s, v, e);
      if (cell.steps < 1) throw FuzzFinding("a cell with " + std::to_string(cell.steps) + " steps");
      (void)process_params(s, cell);
      (void)cost_params(s);
      if (s.hedging.present) {
        (void)option_book(s);
        (void)hedging_model(s);
        (void)hedging_cost_params(s);
        (void)funding_params(s);
        (void)whalley_wilmott_lambda(hedging_cost_params(s));
        (void)make_hedging_kernel<float>(s, cell);
        (void)make_hedging_kernel<double>(s, cell);
      }
      if (s.cppi.present) (void)cppi_settings(s, cell);
      if (s.vol_target.present) (void)vol_target_settings(s, cell);
    }
  } catch (const FuzzFinding&) {
    throw;
  } catch (const std::exception& e) {
    throw FuzzFinding(std::string("validate accepts a scenario that run refuses: ") + e.what());
  }
}

}  // namespace

bool scenario_target(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  const CommandLine command_line = command_line_in(text);
  Scenario s;
  try {
    s = parse_scenario(text, "fuzz.toml", command_line.overrides, command_line.options);
  } catch (const ScenarioError& error) {
    check_printable(error);
    return false;
  }
  check_run_accepts(s);
  // The results file stores the effective scenario: it must read back as the same scenario.
  try {
    const Scenario again = parse_scenario(s.effective_toml, "effective.toml");
    if (again.effective_toml != s.effective_toml)
      throw FuzzFinding("the effective scenario changes when parsed again:\n" + s.effective_toml +
                        "\n---\n" + again.effective_toml);
  } catch (const ScenarioError& error) {
    throw FuzzFinding("the effective scenario does not parse: " + printable(error.what()) + "\n" +
                      printable(s.effective_toml));
  }
  return true;
}

}  // namespace hedgemap::fuzz
