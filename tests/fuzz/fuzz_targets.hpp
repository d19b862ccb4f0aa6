// The fuzz targets: what hedgemap does with bytes an attacker or a mistaken user controls. Each
// runs one input, returns whether it was accepted (false: refused, as bad input should be), and
// throws FuzzFinding when an invariant breaks; anything else (a crash, a
// sanitizer report, an exception other than the refusals these inputs may cause) is a finding
// too. Built into libFuzzer executables by -DHEDGEMAP_FUZZ=ON (scripts/fuzz.sh) and into
// hedgemap_tests, which replays tests/fuzz/corpus/<target>/ and tests/fuzz/regressions/<target>/.
#pragma once
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>

namespace hedgemap::fuzz {

// An invariant the input broke (a bug, not a refusal of the input).
class FuzzFinding : public std::logic_error {
 public:
  using std::logic_error::logic_error;
};

// (a) The scenario parser and validator: the input is a scenario TOML file whose comment lines
// "#set KEY=VALUE", "#paths N" and "#seed S" are also given as --set, --paths and --seed. A
// ScenarioError is a refusal (its lines must be printable); a scenario it accepts must pass every
// check `run` makes before simulating, and its effective TOML must parse back to itself.
bool scenario_target(const std::uint8_t* data, std::size_t size);

// (b) The checkpoint decoder: the input is a checkpoint of the embedded default scenario (the
// identity line is taken from the input, so that the rest is reached). A std::runtime_error is a
// refusal; decoded cells must have the run's shapes, and the results writer's optimum and
// confidence must be computable from them.
bool checkpoint_target(const std::uint8_t* data, std::size_t size);

// (c) The results reader behind `inspect` and `export`: the input chooses a base file
// (tests/fuzz/results_bases/) and edits made through HDF5's API (results_target.cpp says why). A
// std::exception from the reader is a refusal; what it reads must print and export.
bool results_target(const std::uint8_t* data, std::size_t size);

// (c') The same reader on the input's bytes as a file: finds libhdf5's own crashes on corrupted
// files too (contained by inspect/export, not fixable here), so it is not run by default.
bool results_raw_target(const std::uint8_t* data, std::size_t size);

}  // namespace hedgemap::fuzz
