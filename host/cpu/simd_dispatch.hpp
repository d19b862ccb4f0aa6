// What every lane-batched CPU kernel (host/cpu/simd_hedging.cpp, host/cpu/simd_allocation.cpp,
// host/cpu/simd_book_price.cpp) shares around its per-ISA batch bodies: the batch width, the
// instruction sets and their run-time detection, the environment switches, the process
// coverage test, and the OpenMP loop over batches.
// HEDGEMAP_SCALAR_CPU=1 in the environment forces the scalar functor (for comparisons);
// HEDGEMAP_SIMD_ISA=sse2|avx2 caps the instruction set (to time what an older CPU runs).
#pragma once
#include <algorithm>
#include <cstdint>

#include "kernels/jump_diffusion.hpp"

// The batch bodies are compiled for x86-64 with SLEEF only (HEDGEMAP_HAVE_SLEEF is set on the
// simd_*.cpp files by CMakeLists.txt).
#if defined(HEDGEMAP_HAVE_SLEEF) && defined(__x86_64__)
#define HM_SIMD_X86 1
#endif

namespace hedgemap {

// Paths per batch: four AVX-512 registers of floats (eight AVX2, sixteen SSE2), so that every
// vector statement has independent register chains to overlap (Philox and SLEEF are
// latency-bound). One thread, 2026-11-30: 16 -> 32 -> 64 lanes took workload (b) from 0.93 to
// 0.73 to 0.63 s, and 32 -> 64 the 33-point policy benchmark from 15.9 to 18.6 M path-steps/s
// (BENCHMARKS.md). A hedging batch keeps 48 B per lane and point on the stack (300 KB at 97
// points), well inside a thread's default stack (2-8 MB).
constexpr int kSimdLanes = 64;

enum class SimdIsa { none = 0, sse2, avx2, avx512 };

// The best instruction set this CPU runs (none when built without SLEEF).
SimdIsa simd_best_isa();
const char* simd_isa_name(SimdIsa isa);

// simd_best_isa() capped by HEDGEMAP_SIMD_ISA=sse2|avx2 (to measure what an older CPU would run;
// a value above what this CPU runs is ignored).
SimdIsa simd_chosen_isa();

// Built with SLEEF (an instruction set exists) and HEDGEMAP_SCALAR_CPU is not set.
bool simd_available();

// The batched jump-diffusion path covers the process: at least one step, constant volatility
// (Heston paths run the scalar kernels), and jumps none, Merton (or Kou when the caller's batch
// handles it) or of zero intensity.
bool simd_process_covered(const ProcessParams& p, bool kou_covered);

// one_batch(offset, valid) for the batches of kSimdLanes paths of [0, n) (the last one holds
// `valid` < kSimdLanes paths when n is not a multiple), in parallel over OpenMP threads
// (threads: 0 = OpenMP's default).
template <class OneBatch>
void for_each_simd_batch(std::uint64_t n, int threads, const OneBatch& one_batch) {
  const auto batches = static_cast<std::int64_t>((n + kSimdLanes - 1) / kSimdLanes);
  auto one = [&](std::int64_t b) {
    const std::uint64_t offset = std::uint64_t(b) * kSimdLanes;
    const int valid = int(std::min<std::uint64_t>(kSimdLanes, n - offset));
    one_batch(offset, valid);
  };
  if (threads > 0) {
#pragma omp parallel for schedule(static) num_threads(threads)
    for (std::int64_t b = 0; b < batches; ++b) one(b);
  } else {
#pragma omp parallel for schedule(static)
    for (std::int64_t b = 0; b < batches; ++b) one(b);
  }
}

}  // namespace hedgemap
