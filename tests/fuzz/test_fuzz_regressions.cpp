// Every input of the fuzz targets' seed corpora and every crasher the fuzzers found
// (tests/fuzz/corpus/<target>/, tests/fuzz/regressions/<target>/; tests/fuzz/results_bases/ for
// results_raw), run through the same target
// code in this build (no sanitizers: crashes, hangs, exceptions and broken invariants show here;
// scripts/fuzz.sh replays them under ASan and UBSan).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "tests/fuzz/fuzz_targets.hpp"

namespace hedgemap {
namespace {

namespace fs = std::filesystem;
using Target = bool (*)(const std::uint8_t*, std::size_t);

std::vector<fs::path> inputs_of(const std::string& target) {
  std::vector<fs::path> files;
  for (const std::string kind : {"corpus/", "regressions/", ""}) {
    // results_raw reads the results target's base files (real results files) as its seeds.
    const std::string sub =
        kind.empty() ? (target == "results_raw" ? "results_bases" : "-") : kind + target;
    const fs::path dir = fs::path(HEDGEMAP_SOURCE_DIR) / "tests/fuzz" / sub;
    if (!fs::is_directory(dir)) continue;
    for (const auto& entry : fs::directory_iterator(dir))
      if (entry.is_regular_file() && entry.path().filename() != "README.md")
        files.push_back(entry.path());
  }
  return files;
}

// Replays every input; the seed corpus must hold at least `accepted_seeds` inputs the target
// accepts (real scenarios, checkpoints, results files), so that the fuzzer starts past the
// refusals.
void replay(const std::string& name, Target target, std::size_t accepted_seeds) {
  std::size_t accepted = 0;
  for (const fs::path& file : inputs_of(name)) {
    std::ifstream in(file, std::ios::binary);
    const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    try {
      accepted += target(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
    } catch (const std::exception& e) {
      ADD_FAILURE() << file << ": " << e.what();
    }
  }
  EXPECT_GE(accepted, accepted_seeds) << "tests/fuzz/corpus/" << name;
}

TEST(FuzzRegressions, ScenarioInputs) { replay("scenario", fuzz::scenario_target, 6); }
TEST(FuzzRegressions, CheckpointInputs) { replay("checkpoint", fuzz::checkpoint_target, 1); }
TEST(FuzzRegressions, ResultsInputs) { replay("results", fuzz::results_target, 4); }
TEST(FuzzRegressions, RealResultsFilesAsBytes) {
  replay("results_raw", fuzz::results_raw_target, 4);
}

}  // namespace
}  // namespace hedgemap
