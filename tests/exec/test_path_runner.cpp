// The two-in-flight chunk loop of the CUDA backend (host/exec/path_runner.hpp), driven by a fake
// device on the CPU: the GPU itself is not needed to check that every path is consumed once, in
// order, with the right data, and that no chunk's buffer is overwritten before it was consumed.
#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "host/exec/path_runner.hpp"

using namespace hedgemap;

namespace {

// A device with two slots: start() only records the request (the work is "in flight"); finish()
// "computes" it into the slot's buffer, as the device and the copy back would by then.
struct FakeDevice {
  struct Slot {
    bool in_flight = false, consumed = true;
    std::uint64_t first = 0, n = 0;
    std::vector<double> columns;
  };
  Slot slots[2];
  int in_flight = 0, max_in_flight = 0;
  std::vector<std::uint64_t> started;
  bool overwrote_unconsumed = false;

  void start(std::uint64_t first, std::uint64_t n, int slot) {
    Slot& s = slots[slot];
    if (!s.consumed) overwrote_unconsumed = true;
    s = Slot{true, false, first, n, {}};
    started.push_back(first);
    max_in_flight = std::max(max_in_flight, ++in_flight);
  }
  const double* finish(int slot) {
    Slot& s = slots[slot];
    EXPECT_TRUE(s.in_flight) << "finish() of a slot that was not started";
    s.columns.assign(2 * s.n, 0.0);
    for (std::uint64_t i = 0; i < s.n; ++i) {  // two columns: the path index and its square
      s.columns[i] = double(s.first + i);
      s.columns[s.n + i] = double(s.first + i) * double(s.first + i);
    }
    s.in_flight = false;
    --in_flight;
    return s.columns.data();
  }
};

void check_run(std::uint64_t total, std::uint64_t chunk) {
  FakeDevice device;
  std::vector<int> seen(total, 0);
  std::uint64_t expected_first = 0;
  int current_slot = -1;
  run_chunks_two_in_flight(
      total, chunk, [&](std::uint64_t f, std::uint64_t n, int slot) { device.start(f, n, slot); },
      [&](int slot) {
        current_slot = slot;
        return device.finish(slot);
      },
      [&](std::uint64_t first, std::uint64_t n, const double* columns) {
        EXPECT_EQ(first, expected_first) << "chunks out of order";
        expected_first = first + n;
        for (std::uint64_t i = 0; i < n; ++i) {
          ASSERT_LT(first + i, total);
          seen[first + i] += 1;
          EXPECT_EQ(columns[i], double(first + i));
          EXPECT_EQ(columns[n + i], double(first + i) * double(first + i));
        }
        device.slots[current_slot].consumed = true;
      });
  EXPECT_EQ(expected_first, total);
  for (std::uint64_t p = 0; p < total; ++p) ASSERT_EQ(seen[p], 1) << "path " << p;
  EXPECT_FALSE(device.overwrote_unconsumed);
  EXPECT_LE(device.max_in_flight, 2);
  EXPECT_EQ(device.in_flight, 0);
  const std::uint64_t chunks = (total + chunk - 1) / chunk;
  EXPECT_EQ(device.started.size(), chunks);
  if (chunks > 1) {
    EXPECT_EQ(device.max_in_flight, 2) << "no overlap";
  }
}

}  // namespace

TEST(PathRunnerPipeline, EveryPathOnceInOrderWithTwoChunksInFlight) {
  for (std::uint64_t total : {0ull, 1ull, 1023ull, 1024ull, 1025ull, 4096ull, 5 * 1024ull + 17})
    check_run(total, 1024);
}
