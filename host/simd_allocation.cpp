// Lane-batched CppiKernel<float> and VolTargetKernel<float> on the CPU (see
// host/simd_allocation.hpp): the path (host/simd_process.inl) and the portfolios
// (host/simd_allocation_batch.inl) compiled three times (SSE2, AVX2+FMA, AVX-512F) with SLEEF's
// matching vector functions, run-time dispatch, and the OpenMP loop over batches.
#include "host/simd_allocation.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <stdexcept>
#include <string>

#include "host/simd_process.hpp"

#if defined(HEDGEMAP_HAVE_SLEEF) && defined(__x86_64__)
#define HM_SIMD_X86 1
#include <immintrin.h>
#endif

namespace hedgemap {

#ifdef HM_SIMD_X86
namespace {

// The path's float exp, log and sincos are glibc's (the scalar kernel's), one lane at a time:
// the prices then equal the scalar path's bit for bit (this file is compiled without FMA
// contraction, like the portable scalar build), and so do the portfolios. A tolerance rule
// amplifies any last-bit difference in the price path (trade sizes are differences of large
// exposures), which SLEEF's vector functions (1-3.5 ulp) would put on almost every path; the
// speed comes from the portfolio updates across lanes and the vector Philox instead.
// The double log of the volatility targeting's returns is SLEEF's (u10: 1 ulp of double; declared
// here: <sleef.h> declares the AVX ones only when the whole file is compiled for AVX).
static inline void glibc_exp_lanes(const float* a, float* r) {
  for (int j = 0; j < kSimdLanes; ++j) r[j] = expf(a[j]);
}
static inline void glibc_log_lanes(const float* a, float* r) {
  for (int j = 0; j < kSimdLanes; ++j) r[j] = logf(a[j]);
}
static inline void glibc_sincos_lanes(const float* a, float* s, float* c) {
  for (int j = 0; j < kSimdLanes; ++j) sincosf(a[j], s + j, c + j);
}

// ---- SSE2 (x86-64 baseline) ------------------------------------------------------------------
namespace alloc_sse2 {
extern "C" {
__m128d Sleef_logd2_u10sse2(__m128d);
}
static inline void v_exp(const float* a, float* r) { glibc_exp_lanes(a, r); }
static inline void v_log(const float* a, float* r) { glibc_log_lanes(a, r); }
static inline void v_sincos(const float* a, float* s, float* c) {
  glibc_sincos_lanes(a, s, c);
}
static inline void v_logd(const double* a, double* r) {
  for (int j = 0; j < kSimdLanes; j += 2)
    _mm_store_pd(r + j, Sleef_logd2_u10sse2(_mm_load_pd(a + j)));
}
#include "host/simd_process.inl"
#include "host/simd_allocation_batch.inl"
}  // namespace alloc_sse2

// ---- AVX2 + FMA ------------------------------------------------------------------------------
#pragma GCC push_options
#pragma GCC target("avx2,fma")
namespace alloc_avx2 {
extern "C" {
__m256d Sleef_logd4_u10avx2(__m256d);
}
static inline void v_exp(const float* a, float* r) { glibc_exp_lanes(a, r); }
static inline void v_log(const float* a, float* r) { glibc_log_lanes(a, r); }
static inline void v_sincos(const float* a, float* s, float* c) {
  glibc_sincos_lanes(a, s, c);
}
static inline void v_logd(const double* a, double* r) {
  for (int j = 0; j < kSimdLanes; j += 4)
    _mm256_store_pd(r + j, Sleef_logd4_u10avx2(_mm256_load_pd(a + j)));
}
// 32x32 -> 64-bit products of the even and odd lanes (vpmuludq), split into high and low words.
static inline void mulhilo(__m256i a, __m256i m, __m256i& hi, __m256i& lo) {
  const __m256i even = _mm256_mul_epu32(a, m), odd = _mm256_mul_epu32(_mm256_srli_epi64(a, 32), m);
  hi = _mm256_blend_epi32(_mm256_srli_epi64(even, 32), odd, 0xAA);
  lo = _mm256_blend_epi32(even, _mm256_slli_epi64(odd, 32), 0xAA);
}
static inline void philox_lanes(const simd_process::ProcessConstants& c, std::uint32_t step,
                                std::uint32_t group, const std::uint32_t* path_lo,
                                const std::uint32_t* path_hi, simd_process::Words& w) {
  const __m256i m0 = _mm256_set1_epi32(int(0xD2511F53u)), m1 = _mm256_set1_epi32(int(0xCD9E8D57u));
  for (int j = 0; j < kSimdLanes; j += 8) {
    __m256i c0 = _mm256_set1_epi32(int(group)), c1 = _mm256_set1_epi32(int(step));
    __m256i c2 = _mm256_load_si256(reinterpret_cast<const __m256i*>(path_lo + j));
    __m256i c3 = _mm256_load_si256(reinterpret_cast<const __m256i*>(path_hi + j));
    for (int r = 0; r < 10; ++r) {
      __m256i hi0, lo0, hi1, lo1;
      mulhilo(c0, m0, hi0, lo0);
      mulhilo(c2, m1, hi1, lo1);
      c0 = _mm256_xor_si256(_mm256_xor_si256(hi1, c1), _mm256_set1_epi32(int(c.round_key0[r])));
      c1 = lo1;
      c2 = _mm256_xor_si256(_mm256_xor_si256(hi0, c3), _mm256_set1_epi32(int(c.round_key1[r])));
      c3 = lo0;
    }
    _mm256_store_si256(reinterpret_cast<__m256i*>(w.x + j), c0);
    _mm256_store_si256(reinterpret_cast<__m256i*>(w.y + j), c1);
    _mm256_store_si256(reinterpret_cast<__m256i*>(w.z + j), c2);
    _mm256_store_si256(reinterpret_cast<__m256i*>(w.w + j), c3);
  }
}
#define HM_SIMD_OWN_PHILOX
#include "host/simd_process.inl"
#undef HM_SIMD_OWN_PHILOX
#include "host/simd_allocation_batch.inl"
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
static_assert(kSimdLanes == 16, "one zmm register of floats per batch");
static inline void v_exp(const float* a, float* r) { glibc_exp_lanes(a, r); }
static inline void v_log(const float* a, float* r) { glibc_log_lanes(a, r); }
static inline void v_sincos(const float* a, float* s, float* c) {
  glibc_sincos_lanes(a, s, c);
}
static inline void v_logd(const double* a, double* r) {
  _mm512_store_pd(r, Sleef_logd8_u10avx512f(_mm512_load_pd(a)));
  _mm512_store_pd(r + 8, Sleef_logd8_u10avx512f(_mm512_load_pd(a + 8)));
}
static inline void mulhilo(__m512i a, __m512i m, __m512i& hi, __m512i& lo) {
  const __m512i even = _mm512_mul_epu32(a, m), odd = _mm512_mul_epu32(_mm512_srli_epi64(a, 32), m);
  hi = _mm512_mask_blend_epi32(0xAAAA, _mm512_srli_epi64(even, 32), odd);
  lo = _mm512_mask_blend_epi32(0xAAAA, even, _mm512_slli_epi64(odd, 32));
}
static inline void philox_lanes(const simd_process::ProcessConstants& c, std::uint32_t step,
                                std::uint32_t group, const std::uint32_t* path_lo,
                                const std::uint32_t* path_hi, simd_process::Words& w) {
  const __m512i m0 = _mm512_set1_epi32(int(0xD2511F53u)), m1 = _mm512_set1_epi32(int(0xCD9E8D57u));
  __m512i c0 = _mm512_set1_epi32(int(group)), c1 = _mm512_set1_epi32(int(step));
  __m512i c2 = _mm512_load_si512(path_lo), c3 = _mm512_load_si512(path_hi);
  for (int r = 0; r < 10; ++r) {
    __m512i hi0, lo0, hi1, lo1;
    mulhilo(c0, m0, hi0, lo0);
    mulhilo(c2, m1, hi1, lo1);
    // hi1 ^ c1 ^ k0 and hi0 ^ c3 ^ k1 (vpternlogd 0x96 = three-way xor)
    c0 = _mm512_ternarylogic_epi32(hi1, c1, _mm512_set1_epi32(int(c.round_key0[r])), 0x96);
    c1 = lo1;
    c2 = _mm512_ternarylogic_epi32(hi0, c3, _mm512_set1_epi32(int(c.round_key1[r])), 0x96);
    c3 = lo0;
  }
  _mm512_store_si512(w.x, c0);
  _mm512_store_si512(w.y, c1);
  _mm512_store_si512(w.z, c2);
  _mm512_store_si512(w.w, c3);
}
#define HM_SIMD_OWN_PHILOX
#include "host/simd_process.inl"
#undef HM_SIMD_OWN_PHILOX
#include "host/simd_allocation_batch.inl"
}  // namespace alloc_avx512
#pragma GCC diagnostic pop
#pragma GCC pop_options

// One batch of either kernel on the chosen instruction set.
struct CppiBatch {
  template <class... A> static void run(SimdIsa isa, A&&... a) {
    if (isa == SimdIsa::avx512) alloc_avx512::run_cppi_batch(a...);
    else if (isa == SimdIsa::avx2) alloc_avx2::run_cppi_batch(a...);
    else alloc_sse2::run_cppi_batch(a...);
  }
};
struct VolTargetBatch {
  template <class... A> static void run(SimdIsa isa, A&&... a) {
    if (isa == SimdIsa::avx512) alloc_avx512::run_vol_target_batch(a...);
    else if (isa == SimdIsa::avx2) alloc_avx2::run_vol_target_batch(a...);
    else alloc_sse2::run_vol_target_batch(a...);
  }
};

template <class Batch, class Kernel>
void run_batches(const Kernel& kernel, std::uint64_t first, std::uint64_t n, double* out,
                 int threads, SimdIsa isa) {
  const simd_process::ProcessConstants constants(kernel.process);
  const auto batches = static_cast<std::int64_t>((n + kSimdLanes - 1) / kSimdLanes);
  auto one = [&](std::int64_t b) {
    const std::uint64_t offset = std::uint64_t(b) * kSimdLanes;
    const int valid = int(std::min<std::uint64_t>(kSimdLanes, n - offset));
    Batch::run(isa, kernel, constants, first + offset, valid, out, n, offset);
  };
  if (threads > 0) {
#pragma omp parallel for schedule(static) num_threads(threads)
    for (std::int64_t b = 0; b < batches; ++b) one(b);
  } else {
#pragma omp parallel for schedule(static)
    for (std::int64_t b = 0; b < batches; ++b) one(b);
  }
}

}  // namespace
#endif  // HM_SIMD_X86

namespace {
bool scalar_forced() {
  const char* scalar = std::getenv("HEDGEMAP_SCALAR_CPU");
  return scalar && *scalar && std::string(scalar) != "0";
}

bool process_covered(const ProcessParams& p) {
  const JumpModel jumps = p.jumps.model;
  return p.steps >= 1 &&
         (jumps == JumpModel::none || jumps == JumpModel::merton || p.jumps.intensity <= 0.0);
}

// The best instruction set, capped by HEDGEMAP_SIMD_ISA=sse2|avx2 (as host/simd_hedging.cpp).
SimdIsa chosen_isa() {
  SimdIsa isa = simd_best_isa();
  const char* cap = std::getenv("HEDGEMAP_SIMD_ISA");
  if (!cap) return isa;
  for (SimdIsa i : {SimdIsa::sse2, SimdIsa::avx2, SimdIsa::avx512})
    if (std::string(cap) == simd_isa_name(i) && int(i) < int(isa)) isa = i;
  return isa;
}

[[noreturn]] void no_simd() {
  throw std::logic_error("run_allocation_batched: built without SLEEF or no instruction set");
}
}  // namespace

bool simd_eligible(const CppiKernel<float>& k) {
  return simd_best_isa() != SimdIsa::none && !scalar_forced() && process_covered(k.process) &&
         k.settings.points >= 1 && k.settings.points <= kMaxAllocationPoints;
}

bool simd_eligible(const VolTargetKernel<float>& k) {
  return simd_best_isa() != SimdIsa::none && !scalar_forced() && process_covered(k.process) &&
         k.settings.points >= 1 && k.settings.points <= kMaxAllocationPoints;
}

void run_allocation_batched(const CppiKernel<float>& kernel, std::uint64_t first,
                            std::uint64_t n, double* out, int threads, SimdIsa isa) {
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

bool run_batched_on_cpu(const Execution& exec, const CppiKernel<float>& kernel,
                        std::uint64_t first, std::uint64_t n, double* out) {
  if (!simd_eligible(kernel)) return false;
  run_allocation_batched(kernel, first, n, out, exec.threads, chosen_isa());
  return true;
}

bool run_batched_on_cpu(const Execution& exec, const VolTargetKernel<float>& kernel,
                        std::uint64_t first, std::uint64_t n, double* out) {
  if (!simd_eligible(kernel)) return false;
  run_allocation_batched(kernel, first, n, out, exec.threads, chosen_isa());
  return true;
}

}  // namespace hedgemap
