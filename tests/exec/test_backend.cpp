// How `auto` chooses a backend and says why, and what `cuda` does without a device. The
// backends against each other: tests/exec/test_backend_parity.cpp.
#include <gtest/gtest.h>

#include <stdexcept>
#include <string>

#include "host/exec/backend.hpp"

using namespace hedgemap;

namespace {

bool gpu_usable() { return probe_cuda().usable; }

}  // namespace

TEST(BackendChoice, CpuIsAlwaysAvailableAndSaysSo) {
  const Execution e = choose_backend("cpu", 1);
  EXPECT_EQ(e.backend, BackendKind::cpu);
  EXPECT_EQ(e.reason, "requested");
  EXPECT_FALSE(e.device.empty());
}

TEST(BackendChoice, AutoExplainsItsChoice) {
  const Execution e = choose_backend("auto", 0);
  if (gpu_usable()) {
    EXPECT_EQ(e.backend, BackendKind::cuda);
  } else {
    EXPECT_EQ(e.backend, BackendKind::cpu);
    EXPECT_NE(e.reason.find("no usable CUDA device"), std::string::npos) << e.reason;
  }
}

TEST(BackendChoice, CudaWithoutADeviceIsAnErrorNotACrash) {
  if (gpu_usable()) GTEST_SKIP() << "a GPU is usable here; this checks the machine without one";
  EXPECT_THROW(choose_backend("cuda", 0), std::runtime_error);
  EXPECT_THROW(choose_backend("quantum", 0), std::invalid_argument);
}
