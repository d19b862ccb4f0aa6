// Lane-batched CPU execution of BookPriceKernel<float> (the /model/ summary when no hedging family
// runs): kSimdLanes paths advance in lockstep through the jump-diffusion path on the shared
// batched step of host/cpu/simd_process.inl (vector Philox, glibc's logf/sincosf per lane), but
// only ln S and the jump and outage counts are carried: the summary needs neither the spot nor the
// fill price nor the gas factor nor the outage windows before T, so the per-step exp's, the gas
// normals and the outage durations are skipped. Compiled without FMA contraction, ln S_T, S_T and
// the discounted payoff equal the scalar functor's bit for bit; the counts are exact. Environment
// switches as host/cpu/simd_hedging.hpp: HEDGEMAP_SCALAR_CPU=1 forces the scalar functor,
// HEDGEMAP_SIMD_ISA=sse2|avx2 caps the instruction set.
//
// Eligible: float, jumps none or Merton (Kou runs the scalar functor); any latency, gaps, gas.
#pragma once
#include <cstdint>

#include "host/cpu/simd_hedging.hpp"  // kSimdLanes, SimdIsa, the generic run_batched_on_cpu
#include "kernels/book_price_kernel.hpp"

namespace hedgemap {

// Built with SLEEF, the kernel's process is covered, and HEDGEMAP_SCALAR_CPU is not set.
bool simd_eligible(const BookPriceKernel<float>& kernel);

// Paths [first, first + n) into the column-major block `out` (stride n), like the scalar loop.
// isa must be supported by this CPU; threads: 0 = OpenMP's default.
void run_book_price_batched(const BookPriceKernel<float>& kernel, std::uint64_t first,
                            std::uint64_t n, double* out, int threads, SimdIsa isa);

// Hook used by run_chunk_on (host/exec/path_runner.hpp): true when it ran the chunk.
bool run_batched_on_cpu(int threads, const BookPriceKernel<float>& kernel, std::uint64_t first,
                        std::uint64_t n, double* out);

}  // namespace hedgemap
