// libFuzzer entry of one fuzz target (HEDGEMAP_FUZZ_TARGET: scenario_target, checkpoint_target or
// results_target): a FuzzFinding aborts, so that libFuzzer saves the input as a crash.
#include <cstdio>
#include <cstdlib>

#include "tests/fuzz/fuzz_targets.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  try {
    hedgemap::fuzz::HEDGEMAP_FUZZ_TARGET(data, size);
  } catch (const hedgemap::fuzz::FuzzFinding& finding) {
    std::fprintf(stderr, "FUZZ FINDING: %s\n", finding.what());
    std::abort();
  }
  return 0;
}
