// Shared by the tests of the lane-batched CPU kernels (tests/test_simd_*.cpp): the scalar
// reference block and the instruction sets to compare on.
#pragma once
#include <cstdint>
#include <vector>

#include "host/cpu/simd_dispatch.hpp"
#include "kernels/path_output.hpp"

namespace hedgemap::simd_test {

// Paths [first, first + n) by the scalar __host__ __device__ functor, column-major like
// run_chunk_on: the reference every batched kernel must reproduce.
template <class Kernel>
std::vector<double> scalar_block(const Kernel& k, std::uint64_t first, std::uint64_t n) {
  std::vector<double> out(std::size_t(k.columns()) * n);
  for (std::uint64_t i = 0; i < n; ++i) k(first + i, PathOutput{out.data(), n, i});
  return out;
}

// Every instruction set this CPU runs, from SSE2 up (empty when built without SLEEF).
inline std::vector<SimdIsa> available_isas() {
  std::vector<SimdIsa> v;
  const SimdIsa best = simd_best_isa();
  for (SimdIsa i : {SimdIsa::sse2, SimdIsa::avx2, SimdIsa::avx512})
    if (best != SimdIsa::none && int(i) <= int(best)) v.push_back(i);
  return v;
}

}  // namespace hedgemap::simd_test
