// libFuzzer entry of one fuzz target (HEDGEMAP_FUZZ_TARGET: scenario_target, checkpoint_target or
// results_target): a FuzzFinding aborts, so that libFuzzer saves the input as a crash.
#include <cstdio>
#include <cstdlib>

#include <hdf5.h>

#include "tests/fuzz/fuzz_targets.hpp"

// No HDF5 clean-up at exit: the results target's edits can leave a file whose close failed, and
// HDF5 1.10.8 crashes closing such a file again (at exit, in H5F__close_cb). The target keeps it
// open instead (results_target.cpp, files_whose_close_failed); the process ends without closing.
extern "C" int LLVMFuzzerInitialize(int*, char***) {
  H5dont_atexit();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  try {
    hedgemap::fuzz::HEDGEMAP_FUZZ_TARGET(data, size);
  } catch (const hedgemap::fuzz::FuzzFinding& finding) {
    std::fprintf(stderr, "FUZZ FINDING: %s\n", finding.what());
    std::abort();
  }
  return 0;
}
