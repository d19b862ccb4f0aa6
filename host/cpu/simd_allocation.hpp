// Lane-batched CPU execution of the allocation kernels CppiKernel<float> and
// VolTargetKernel<float>: kSimdLanes paths advance in lockstep through the jump-diffusion path
// (host/cpu/simd_process.inl: vector Philox and Box-Muller arithmetic, glibc's expf/logf/sincosf
// per lane) and every (parameter, tolerance) portfolio is rebalanced across the lanes at once, the
// accounting in double as in the scalar kernels (8 lanes per AVX-512 register). Compiled without
// FMA contraction, the prices and portfolios equal the portable scalar build's bit for bit; only
// the volatility targeting's double log of returns (SLEEF, 1 ulp) may differ in the last bit.
// Rare events (jumps, outages) take per-lane scalar code. Instruction set and environment
// switches as host/cpu/simd_hedging.hpp: HEDGEMAP_SCALAR_CPU=1 forces the scalar functor,
// HEDGEMAP_SIMD_ISA=sse2|avx2 caps the instruction set.
//
// Eligible: float, jumps none or Merton (Kou runs the scalar functor); any costs, latency, gaps.
#pragma once
#include <cstdint>

#include "host/cpu/simd_hedging.hpp"  // kSimdLanes, SimdIsa, the generic run_batched_on_cpu
#include "kernels/cppi_kernel.hpp"
#include "kernels/vol_target_kernel.hpp"

namespace hedgemap {

// Built with SLEEF, the kernel's configuration is covered, and HEDGEMAP_SCALAR_CPU is not set.
bool simd_eligible(const CppiKernel<float>& kernel);
bool simd_eligible(const VolTargetKernel<float>& kernel);

// Paths [first, first + n) into the column-major block `out` (stride n), like the scalar loop.
// isa must be supported by this CPU; threads: 0 = OpenMP's default.
void run_allocation_batched(const CppiKernel<float>& kernel, std::uint64_t first, std::uint64_t n,
                            double* out, int threads, SimdIsa isa);
void run_allocation_batched(const VolTargetKernel<float>& kernel, std::uint64_t first,
                            std::uint64_t n, double* out, int threads, SimdIsa isa);

// Hooks used by run_chunk_on (host/exec/path_runner.hpp): true when they ran the chunk.
bool run_batched_on_cpu(int threads, const CppiKernel<float>& kernel, std::uint64_t first,
                        std::uint64_t n, double* out);
bool run_batched_on_cpu(int threads, const VolTargetKernel<float>& kernel, std::uint64_t first,
                        std::uint64_t n, double* out);

}  // namespace hedgemap
