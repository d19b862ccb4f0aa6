// Per-path blocks of the path kernels, as the tests compare them: the scalar reference (the
// __host__ __device__ functor over a range of paths, column-major like run_chunk_on), the
// lane-batched CPU kernels' blocks per instruction set, the kernels of a scenario's first cell,
// and a column's mean.
#pragma once
#include <cstdint>
#include <type_traits>
#include <utility>
#include <vector>

#include "host/cpu/simd_allocation.hpp"
#include "host/cpu/simd_book_price.hpp"
#include "host/cpu/simd_dispatch.hpp"
#include "host/cpu/simd_hedging.hpp"
#include "host/families/allocation.hpp"
#include "host/families/hedging.hpp"
#include "host/scenario/kernel_params.hpp"
#include "kernels/path_output.hpp"

namespace hedgemap::test_support {

// Paths [first, first + n) by the scalar __host__ __device__ functor, column-major like
// run_chunk_on: the reference every backend must reproduce.
template <class Kernel>
std::vector<double> scalar_block(const Kernel& k, std::uint64_t first, std::uint64_t n) {
  std::vector<double> out(std::size_t(k.columns()) * n);
  for (std::uint64_t i = 0; i < n; ++i) k(first + i, PathOutput{out.data(), n, i});
  return out;
}

// Mean over the n paths of one column of a column-major block.
inline double column_mean(const std::vector<double>& block, int column, std::uint64_t n) {
  double sum = 0.0;
  for (std::uint64_t i = 0; i < n; ++i) sum += block[std::size_t(column) * n + i];
  return sum / double(n);
}

// The kernels of a scenario's first cell (first volatility, first expiry).
template <class Real>
HedgingKernel<Real> hedging_kernel(const Scenario& s) {
  return make_hedging_kernel<Real>(s, cell_coordinates(s, 0, 0));
}
template <class Real>
CppiKernel<Real> cppi_kernel(const Scenario& s) {
  const CellCoordinates cell = cell_coordinates(s, 0, 0);
  return CppiKernel<Real>{process_params(s, cell), cost_params(s), cppi_settings(s, cell)};
}
template <class Real>
VolTargetKernel<Real> vol_target_kernel(const Scenario& s) {
  const CellCoordinates cell = cell_coordinates(s, 0, 0);
  return VolTargetKernel<Real>{process_params(s, cell), cost_params(s),
                               vol_target_settings(s, cell)};
}
template <class Real>
BookPriceKernel<Real> book_price_kernel(const Scenario& s) {
  return BookPriceKernel<Real>{process_params(s, cell_coordinates(s, 0, 0)), option_book(s)};
}

// Every instruction set this CPU runs, from SSE2 up (empty when built without SLEEF).
inline std::vector<SimdIsa> available_isas() {
  std::vector<SimdIsa> v;
  const SimdIsa best = simd_best_isa();
  for (SimdIsa i : {SimdIsa::sse2, SimdIsa::avx2, SimdIsa::avx512})
    if (best != SimdIsa::none && int(i) <= int(best)) v.push_back(i);
  return v;
}

// The lane-batched CPU entry point of each float kernel type that has one (host/cpu/).
inline void run_lane_batched(const HedgingKernel<float>& k, std::uint64_t first, std::uint64_t n,
                             double* out, int threads, SimdIsa isa) {
  run_hedging_batched(k, first, n, out, threads, isa);
}
inline void run_lane_batched(const CppiKernel<float>& k, std::uint64_t first, std::uint64_t n,
                             double* out, int threads, SimdIsa isa) {
  run_allocation_batched(k, first, n, out, threads, isa);
}
inline void run_lane_batched(const VolTargetKernel<float>& k, std::uint64_t first, std::uint64_t n,
                             double* out, int threads, SimdIsa isa) {
  run_allocation_batched(k, first, n, out, threads, isa);
}
inline void run_lane_batched(const BookPriceKernel<float>& k, std::uint64_t first, std::uint64_t n,
                             double* out, int threads, SimdIsa isa) {
  run_book_price_batched(k, first, n, out, threads, isa);
}

// Whether Kernel has a lane-batched form.
template <class Kernel, class = void>
constexpr bool kHasBatchedForm = false;
template <class Kernel>
constexpr bool
    kHasBatchedForm<Kernel, std::void_t<decltype(run_lane_batched(std::declval<const Kernel&>(), 0,
                                                                  0, nullptr, 0, SimdIsa::sse2))>> =
        true;

// Paths [first, first + n) by a lane-batched CPU kernel on one instruction set (unwritten values
// stay -12345).
template <class Kernel, class = std::enable_if_t<kHasBatchedForm<Kernel>>>
std::vector<double> batched_block(const Kernel& k, std::uint64_t first, std::uint64_t n,
                                  SimdIsa isa, int threads = 1) {
  std::vector<double> out(std::size_t(k.columns()) * n, -12345.0);
  run_lane_batched(k, first, n, out.data(), threads, isa);
  return out;
}

}  // namespace hedgemap::test_support
