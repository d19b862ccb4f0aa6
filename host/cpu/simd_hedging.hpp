// Lane-batched CPU execution of HedgingKernel<float>: kSimdLanes paths advance in lockstep, one
// step at a time, in structure-of-arrays form, so that the per-path arithmetic (Philox, Box-Muller,
// the log-normal step, the book delta's erfc, the trades) runs in SIMD registers across paths.
// exp, log, sincos and cbrt come from SLEEF's vector functions (SSE2, AVX2+FMA or AVX-512F, chosen
// at run time from cpuid), erfc from a Chebyshev fit around SLEEF's exp. Per-path results equal
// the scalar kernel's up to float rounding (1-3.5 ulp functions instead of glibc's, FMA
// contraction); rare events (jumps of either model, outages) take per-lane scalar code.
//
// Eligible: float, Black-Scholes hedging model, any policies (none, periodic, delta bands to center
// or edge, Whalley-Wilmott and the fixed-cost band: the book's gamma and the half-widths in
// lanes), jumps none, Merton or Kou; any costs, latency, gaps. Everything else (double precision,
// the Merton hedging model) runs the scalar functor. Environment switches and instruction sets:
// host/cpu/simd_dispatch.hpp (HEDGEMAP_SCALAR_CPU=1 forces the scalar functor,
// HEDGEMAP_SIMD_ISA=sse2|avx2 caps the instruction set).
#pragma once
#include <cstddef>
#include <cstdint>

#include "host/cpu/simd_dispatch.hpp"  // kSimdLanes, SimdIsa, simd_best_isa, simd_isa_name
#include "kernels/hedging_kernel.hpp"

namespace hedgemap {

// Built with SLEEF, the kernel's configuration is covered, and HEDGEMAP_SCALAR_CPU is not set.
bool simd_eligible(const HedgingKernel<float>& kernel);

// Paths [first, first + n) into the column-major block `out` (stride n), like the scalar loop.
// isa must be supported by this CPU; threads: 0 = OpenMP's default.
void run_hedging_batched(const HedgingKernel<float>& kernel, std::uint64_t first, std::uint64_t n,
                         double* out, int threads, SimdIsa isa);

// The batched kernel's erfc (host/cpu/simd_hedging_batch.inl) on n values, for its accuracy test.
void simd_erfc(const float* in, float* out, std::size_t n, SimdIsa isa);

// Hook used by run_chunk_on (host/exec/path_runner.hpp): true when it ran the chunk.
template <class Kernel>
bool run_batched_on_cpu(int, const Kernel&, std::uint64_t, std::uint64_t, double*) {
  return false;
}
bool run_batched_on_cpu(int threads, const HedgingKernel<float>& kernel, std::uint64_t first,
                        std::uint64_t n, double* out);

}  // namespace hedgemap
