// Lane-batched CppiKernel<float> and VolTargetKernel<float> on the CPU (see
// host/cpu/simd_allocation.hpp): the path (host/cpu/simd_process.inl) and the portfolios
// (host/cpu/simd_allocation_batch.inl) compiled three times (SSE2, AVX2+FMA, AVX-512F) with SLEEF's
// matching vector functions, run-time dispatch, and the OpenMP loop over batches.
#include "host/cpu/simd_allocation.hpp"

#include <cmath>
#include <cstdint>
#include <stdexcept>

#include "host/cpu/simd_process.hpp"

#ifdef HM_SIMD_X86
#include <immintrin.h>
#endif

namespace hedgemap {

#ifdef HM_SIMD_X86
namespace {

// The path's float exp, log and sincos are glibc's (the scalar kernel's), one lane at a time
// (host/cpu/simd_glibc_lanes.inl): the prices then equal the scalar path's bit for bit, and so do
// the portfolios; the speed comes from the portfolio updates across lanes and the vector Philox.
// The double log of the volatility targeting's returns is SLEEF's (u10: 1 ulp of double; declared
// here: <sleef.h> declares the AVX ones only when the whole file is compiled for AVX).

// ---- SSE2 (x86-64 baseline) ------------------------------------------------------------------
namespace alloc_sse2 {
extern "C" {
__m128d Sleef_logd2_u10sse2(__m128d);
}
#include "host/cpu/simd_glibc_lanes.inl"
static inline void v_logd(const double* a, double* r) {
  for (int j = 0; j < kSimdLanes; j += 2)
    _mm_store_pd(r + j, Sleef_logd2_u10sse2(_mm_load_pd(a + j)));
}
#include "host/cpu/simd_process.inl"
#include "host/cpu/simd_allocation_batch.inl"
}  // namespace alloc_sse2

// ---- AVX2 + FMA ------------------------------------------------------------------------------
#pragma GCC push_options
#pragma GCC target("avx2,fma")
namespace alloc_avx2 {
extern "C" {
__m256d Sleef_logd4_u10avx2(__m256d);
}
#include "host/cpu/simd_glibc_lanes.inl"
static inline void v_logd(const double* a, double* r) {
  for (int j = 0; j < kSimdLanes; j += 4)
    _mm256_store_pd(r + j, Sleef_logd4_u10avx2(_mm256_load_pd(a + j)));
}
#define HM_PHILOX_X86_BITS 256
#include "host/cpu/simd_philox_x86.inl"
#include "host/cpu/simd_process.inl"
#undef HM_SIMD_OWN_PHILOX
#include "host/cpu/simd_allocation_batch.inl"
}  // namespace alloc_avx2
#pragma GCC pop_options

// ---- AVX-512F --------------------------------------------------------------------------------
#pragma GCC push_options
#pragma GCC diagnostic push  // GCC 12: false -Wmaybe-uninitialized in avx512fintrin.h
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC target("avx512f,avx512dq,avx512vl,avx2,fma")
namespace alloc_avx512 {
extern "C" {
__m512d Sleef_logd8_u10avx512f(__m512d);
}
#include "host/cpu/simd_glibc_lanes.inl"
static inline void v_logd(const double* a, double* r) {
  for (int j = 0; j < kSimdLanes; j += 8)
    _mm512_store_pd(r + j, Sleef_logd8_u10avx512f(_mm512_load_pd(a + j)));
}
#define HM_PHILOX_X86_BITS 512
#include "host/cpu/simd_philox_x86.inl"
#include "host/cpu/simd_process.inl"
#undef HM_SIMD_OWN_PHILOX
#include "host/cpu/simd_allocation_batch.inl"
}  // namespace alloc_avx512
#pragma GCC diagnostic pop
#pragma GCC pop_options

// One batch of either kernel on the chosen instruction set.
struct CppiBatch {
  template <class... A>
  static void run(SimdIsa isa, A&&... a) {
    if (isa == SimdIsa::avx512)
      alloc_avx512::run_cppi_batch(a...);
    else if (isa == SimdIsa::avx2)
      alloc_avx2::run_cppi_batch(a...);
    else
      alloc_sse2::run_cppi_batch(a...);
  }
};
struct VolTargetBatch {
  template <class... A>
  static void run(SimdIsa isa, A&&... a) {
    if (isa == SimdIsa::avx512)
      alloc_avx512::run_vol_target_batch(a...);
    else if (isa == SimdIsa::avx2)
      alloc_avx2::run_vol_target_batch(a...);
    else
      alloc_sse2::run_vol_target_batch(a...);
  }
};

template <class Batch, class Kernel>
void run_batches(const Kernel& kernel, std::uint64_t first, std::uint64_t n, double* out,
                 int threads, SimdIsa isa) {
  const simd_process::ProcessConstants constants(kernel.process);
  for_each_simd_batch(n, threads, [&](std::uint64_t offset, int valid) {
    Batch::run(isa, kernel, constants, first + offset, valid, out, n, offset);
  });
}

}  // namespace
#endif  // HM_SIMD_X86

namespace {
[[noreturn]] void no_simd() {
  throw std::logic_error("run_allocation_batched: built without SLEEF or no instruction set");
}
}  // namespace

bool simd_eligible(const CppiKernel<float>& k) {
  return simd_available() && simd_process_covered(k.process, /*kou_covered=*/false) &&
         k.settings.points >= 1 && k.settings.points <= kMaxAllocationPoints;
}

bool simd_eligible(const VolTargetKernel<float>& k) {
  return simd_available() && simd_process_covered(k.process, /*kou_covered=*/false) &&
         k.settings.points >= 1 && k.settings.points <= kMaxAllocationPoints;
}

void run_allocation_batched(const CppiKernel<float>& kernel, std::uint64_t first, std::uint64_t n,
                            double* out, int threads, SimdIsa isa) {
#ifdef HM_SIMD_X86
  if (isa == SimdIsa::none) no_simd();
  run_batches<CppiBatch>(kernel, first, n, out, threads, isa);
#else
  (void)kernel, (void)first, (void)n, (void)out, (void)threads, (void)isa;
  no_simd();
#endif
}

void run_allocation_batched(const VolTargetKernel<float>& kernel, std::uint64_t first,
                            std::uint64_t n, double* out, int threads, SimdIsa isa) {
#ifdef HM_SIMD_X86
  if (isa == SimdIsa::none) no_simd();
  run_batches<VolTargetBatch>(kernel, first, n, out, threads, isa);
#else
  (void)kernel, (void)first, (void)n, (void)out, (void)threads, (void)isa;
  no_simd();
#endif
}

bool run_batched_on_cpu(int threads, const CppiKernel<float>& kernel, std::uint64_t first,
                        std::uint64_t n, double* out) {
  if (!simd_eligible(kernel)) return false;
  run_allocation_batched(kernel, first, n, out, threads, simd_chosen_isa());
  return true;
}

bool run_batched_on_cpu(int threads, const VolTargetKernel<float>& kernel, std::uint64_t first,
                        std::uint64_t n, double* out) {
  if (!simd_eligible(kernel)) return false;
  run_allocation_batched(kernel, first, n, out, threads, simd_chosen_isa());
  return true;
}

}  // namespace hedgemap
