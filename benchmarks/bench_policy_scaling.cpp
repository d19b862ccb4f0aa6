// What one more policy parameter costs: the hedging kernel over the same paths with 1, 8 and 32
// delta-band values (CPU backend, all threads). Counters: path-steps/s (the shared work: path,
// book delta) and policy evaluations/s (path-steps x parameter points). The per-point cost is a
// small fraction of a path-step when policy_evals/s grows almost in proportion to the points.
//
//   hedgemap_bench --benchmark_filter=HedgingPolicyScaling
#include <benchmark/benchmark.h>

#include <vector>

#include "host/exec/backend.hpp"
#include "host/families/hedging.hpp"
#include "host/exec/path_runner.hpp"

namespace {

using hedgemap::Scenario;

Scenario bench_scenario(int bands) {
  Scenario s;
  s.seed = 7;
  s.simulation.paths = 1 << 14;
  s.simulation.dt_hours = 1.0;
  s.grid.volatility = {0.6};
  s.grid.expiry_days = {7.0};  // 168 hourly steps
  s.market.spot = 3000.0;
  s.book = {hedgemap::BookLeg{"call", 1.0, -10.0}, hedgemap::BookLeg{"put", 1.0, -10.0}};
  s.costs.fee_bps = 5.0;
  s.costs.gas = 4.0;
  s.costs.gas_volatility = 0.6;
  s.costs.impact = "amm";
  s.costs.pool_depth = 5.0e7;
  s.costs.latency_seconds = 12.0;
  s.hedging.present = true;
  s.hedging.policies = {"delta_band"};
  s.hedging.delta_band_band.clear();
  for (int i = 0; i < bands; ++i) s.hedging.delta_band_band.push_back(0.05 * (1.0 + 0.15 * i));
  return s;
}

template <class Real>
void HedgingPolicyScaling(benchmark::State& state) {
  const int bands = static_cast<int>(state.range(0));
  const Scenario s = bench_scenario(bands);
  const hedgemap::CellCoordinates cell = hedgemap::cell_coordinates(s, 0, 0);
  const auto kernel = hedgemap::make_hedging_kernel<Real>(s, cell);
  hedgemap::Execution exec;
  exec.backend = hedgemap::BackendKind::cpu;
  const std::uint64_t paths = s.simulation.paths;
  double sink = 0.0;
  for (auto _ : state) {
    hedgemap::run_paths(exec, kernel, paths,
                        [&](std::uint64_t, std::uint64_t n, const double* b) { sink += b[n - 1]; });
  }
  benchmark::DoNotOptimize(sink);
  const double path_steps = double(paths) * double(cell.steps) * double(state.iterations());
  state.counters["path_steps_per_s"] = benchmark::Counter(path_steps, benchmark::Counter::kIsRate);
  state.counters["policy_evals_per_s"] =
      benchmark::Counter(path_steps * kernel.points(), benchmark::Counter::kIsRate);
  state.counters["points"] = kernel.points();  // the bands plus the "none" baseline
}

BENCHMARK_TEMPLATE(HedgingPolicyScaling, float)
    ->Arg(1)
    ->Arg(8)
    ->Arg(32)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK_TEMPLATE(HedgingPolicyScaling, double)
    ->Arg(1)
    ->Arg(8)
    ->Arg(32)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
