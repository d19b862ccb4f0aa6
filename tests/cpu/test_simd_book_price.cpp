// The lane-batched BookPriceKernel<float> (host/cpu/simd_book_price.cpp) against the scalar functor
// it replaces: same paths, every per-path column bit-identical (discounted payoff of a book of
// calls and puts, jump count, outage count, S_T), for every instruction set this CPU runs, with
// Merton jumps, outages, latency and gas dispersion on and off, path counts that are not a multiple
// of the lane count, a first path that is not either, and 1 vs 2 threads.
#include <gtest/gtest.h>

#include <cstdint>
#include <cstdlib>
#include <vector>

#include "host/exec/path_runner.hpp"
#include "host/cpu/simd_book_price.hpp"
#include "tests/support/kernel_blocks.hpp"

namespace hedgemap {
namespace {

using simd_test::available_isas;
using simd_test::scalar_block;

// 10 days of hourly steps; jumps and outages frequent enough that many lanes of every batch
// take the rare-lane code (about 5 jumps and 1.4 outages per path).
BookPriceKernel<float> eventful_kernel() {
  BookPriceKernel<float> k;
  ProcessParams& p = k.process;
  p.seed = 987654321987ull;
  p.spot = 3000.0;
  p.rate = 0.04;
  p.drift = 0.05;
  p.volatility = 0.8;
  p.expiry = 10.0 / 365.0;
  p.steps = 240;
  p.dt = p.expiry / p.steps;
  p.latency = 0.3 * p.dt;
  p.gas_volatility = 0.5;
  p.jumps.model = JumpModel::merton;
  p.jumps.intensity = 180.0;
  p.jumps.log_mean = -0.02;
  p.jumps.log_stdev = 0.06;
  p.gaps.intensity = 50.0;
  p.gaps.mean_duration = 6.0 / 8760.0;
  p.gaps.crash_log_mean = -0.12;
  p.gaps.crash_log_stdev = 0.05;
  OptionBook& b = k.book;  // a synthetic forward (payoff of both signs) and two OTM wings
  b.legs = 4;
  b.type[0] = OptionType::call, b.strike[0] = 3000.0, b.quantity[0] = 1.0;
  b.type[1] = OptionType::put, b.strike[1] = 3000.0, b.quantity[1] = -1.0;
  b.type[2] = OptionType::call, b.strike[2] = 3400.0, b.quantity[2] = 0.5;
  b.type[3] = OptionType::put, b.strike[3] = 2600.0, b.quantity[3] = 2.0;
  return k;
}

std::vector<double> batched_block(const BookPriceKernel<float>& k, std::uint64_t first,
                                  std::uint64_t n, SimdIsa isa, int threads = 1) {
  std::vector<double> out(std::size_t(k.columns()) * n, -12345.0);
  run_book_price_batched(k, first, n, out.data(), threads, isa);
  return out;
}

// Every column of every path equal; returns how many paths differ (0 expected).
int differing_paths(const std::vector<double>& a, const std::vector<double>& b, std::uint64_t n,
                    const char* what) {
  int bad = 0;
  for (std::uint64_t i = 0; i < n; ++i) {
    bool same = true;
    for (int c = 0; c < kPathSummaryColumns; ++c) same &= a[c * n + i] == b[c * n + i];
    if (!same && ++bad <= 3)
      ADD_FAILURE() << what << " path " << i << ": payoff " << a[i] << " vs " << b[i] << ", S_T "
                    << a[summary_terminal_spot * n + i] << " vs "
                    << b[summary_terminal_spot * n + i] << ", jumps " << a[summary_jumps * n + i]
                    << " vs " << b[summary_jumps * n + i];
  }
  return bad;
}

TEST(SimdBookPrice, MatchesScalarPerPathWithJumpsGapsLatency) {
  if (available_isas().empty()) GTEST_SKIP() << "built without SLEEF";
  const BookPriceKernel<float> k = eventful_kernel();
  const std::uint64_t first = 37, n = 1003;  // neither a multiple of 16
  const std::vector<double> scalar = scalar_block(k, first, n);
  // The configuration reaches the rare-lane code and both signs of the book's payoff.
  int with_jumps = 0, with_gaps = 0, positive = 0, negative = 0;
  for (std::uint64_t i = 0; i < n; ++i) {
    with_jumps += scalar[summary_jumps * n + i] > 0.0;
    with_gaps += scalar[summary_gap_events * n + i] > 0.0;
    positive += scalar[i] > 0.0;
    negative += scalar[i] < 0.0;
  }
  EXPECT_GT(with_jumps, int(n) * 9 / 10);
  EXPECT_GT(with_gaps, int(n) / 2);
  EXPECT_GT(positive, 10);
  EXPECT_GT(negative, 10);
  for (SimdIsa isa : available_isas())
    EXPECT_EQ(differing_paths(scalar, batched_block(k, first, n, isa), n, simd_isa_name(isa)), 0)
        << simd_isa_name(isa);
}

TEST(SimdBookPrice, MatchesScalarWithoutJumpsGapsOrLatency) {
  if (available_isas().empty()) GTEST_SKIP() << "built without SLEEF";
  BookPriceKernel<float> k = eventful_kernel();
  k.process.latency = 0.0;
  k.process.gas_volatility = 0.0;
  k.process.jumps.model = JumpModel::none;
  k.process.gaps.intensity = 0.0;
  const std::uint64_t first = 0, n = 517;
  const std::vector<double> scalar = scalar_block(k, first, n);
  for (SimdIsa isa : available_isas())
    EXPECT_EQ(differing_paths(scalar, batched_block(k, first, n, isa), n, simd_isa_name(isa)), 0)
        << simd_isa_name(isa);
  // Merton jumps only, no latency: the other branch of the interval split.
  k.process.jumps.model = JumpModel::merton;
  const std::vector<double> jumpy = scalar_block(k, first, n);
  for (SimdIsa isa : available_isas())
    EXPECT_EQ(differing_paths(jumpy, batched_block(k, first, n, isa), n, simd_isa_name(isa)), 0)
        << simd_isa_name(isa);
}

TEST(SimdBookPrice, OneAndTwoThreadsIdentical) {
  if (available_isas().empty()) GTEST_SKIP() << "built without SLEEF";
  BookPriceKernel<float> k = eventful_kernel();
  k.process.steps = 48;
  k.process.dt = k.process.expiry / k.process.steps;
  const std::uint64_t first = 5, n = 4099;
  const SimdIsa isa = simd_best_isa();
  EXPECT_EQ(differing_paths(batched_block(k, first, n, isa, 1), batched_block(k, first, n, isa, 2),
                            n, "1 vs 2 threads"),
            0);
}

TEST(SimdBookPrice, EligibilityAndScalarSwitch) {
  if (available_isas().empty()) GTEST_SKIP() << "built without SLEEF";
  BookPriceKernel<float> k = eventful_kernel();
  EXPECT_TRUE(simd_eligible(k));
  ASSERT_EQ(setenv("HEDGEMAP_SCALAR_CPU", "1", 1), 0);
  EXPECT_FALSE(simd_eligible(k));
  unsetenv("HEDGEMAP_SCALAR_CPU");
  k.process.jumps.model = JumpModel::kou;  // Kou jumps run the scalar functor
  EXPECT_FALSE(simd_eligible(k));
  std::vector<double> out(std::size_t(k.columns()) * 16);
  EXPECT_FALSE(run_batched_on_cpu(/*threads=*/0, k, 0, 16, out.data()));
}

// Through run_chunk_on (the hook in host/exec/path_runner.hpp): the same block as the scalar loop.
TEST(SimdBookPrice, PathRunnerUsesTheBatchedKernel) {
  if (available_isas().empty()) GTEST_SKIP() << "built without SLEEF";
  BookPriceKernel<float> k = eventful_kernel();
  k.process.steps = 24;
  k.process.dt = k.process.expiry / k.process.steps;
  Execution exec{};
  exec.threads = 2;
  const std::uint64_t n = 333;
  std::vector<double> out(std::size_t(k.columns()) * n, -1.0);
  run_chunk_on(exec, k, 0, n, out.data());
  EXPECT_EQ(differing_paths(scalar_block(k, 0, n), out, n, "run_chunk_on"), 0);
}

}  // namespace
}  // namespace hedgemap
