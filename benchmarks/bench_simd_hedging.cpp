// Kernel-only speed of the hedging kernel on workload (a), QuantLib's DiscreteHedging set-up
// (float, Black-Scholes, one short ATM call, periodic every step, 21 steps, no costs): the scalar
// functor against the lane-batched version (host/cpu/simd_hedging.cpp) on each instruction set this
// CPU runs, one thread. Counter: path-steps per second (QuantLib: 2.2e6 per CPU-second).
//
//   hedgemap_bench --benchmark_filter=SimdHedging
#include <benchmark/benchmark.h>

#include <vector>

#include "host/families/hedging.hpp"
#include "host/scenario/kernel_params.hpp"
#include "host/cpu/simd_hedging.hpp"

namespace {

using hedgemap::HedgingKernel;

HedgingKernel<float> quantlib_kernel() {
  hedgemap::Scenario s;
  s.seed = 20261124;
  s.simulation.steps = 21;
  s.grid.volatility = {0.2};
  s.grid.expiry_days = {365.0 / 12.0};
  s.market.spot = 100.0;
  s.market.rate = s.market.drift = 0.05;
  s.book = {hedgemap::BookLeg{"call", 1.0, -1.0}};
  s.hedging.present = true;
  s.hedging.policies = {"periodic"};
  s.hedging.periodic_every_steps = {1};
  return hedgemap::make_hedging_kernel<float>(s, hedgemap::cell_coordinates(s, 0, 0));
}

constexpr std::uint64_t kPaths = 1 << 16;

void report(benchmark::State& state, const HedgingKernel<float>& k) {
  state.counters["path_steps_per_s"] = benchmark::Counter(
      double(kPaths) * k.process.steps * double(state.iterations()), benchmark::Counter::kIsRate);
}

void SimdHedgingScalar(benchmark::State& state) {
  const HedgingKernel<float> k = quantlib_kernel();
  std::vector<double> out(std::size_t(k.columns()) * kPaths);
  for (auto _ : state) {
    for (std::uint64_t i = 0; i < kPaths; ++i) k(i, hedgemap::PathOutput{out.data(), kPaths, i});
    benchmark::DoNotOptimize(out.data());
  }
  report(state, k);
}

void SimdHedgingBatched(benchmark::State& state) {
  const auto isa = static_cast<hedgemap::SimdIsa>(state.range(0));
  if (hedgemap::simd_best_isa() == hedgemap::SimdIsa::none ||
      int(isa) > int(hedgemap::simd_best_isa())) {
    state.SkipWithError("instruction set not available");
    return;
  }
  state.SetLabel(hedgemap::simd_isa_name(isa));
  const HedgingKernel<float> k = quantlib_kernel();
  std::vector<double> out(std::size_t(k.columns()) * kPaths);
  for (auto _ : state) {
    hedgemap::run_hedging_batched(k, 0, kPaths, out.data(), 1, isa);
    benchmark::DoNotOptimize(out.data());
  }
  report(state, k);
}

BENCHMARK(SimdHedgingScalar)->Unit(benchmark::kMillisecond);
BENCHMARK(SimdHedgingBatched)
    ->Arg(int(hedgemap::SimdIsa::sse2))
    ->Arg(int(hedgemap::SimdIsa::avx2))
    ->Arg(int(hedgemap::SimdIsa::avx512))
    ->Unit(benchmark::kMillisecond);

}  // namespace
