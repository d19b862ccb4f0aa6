// Lane-batched HedgingKernel<float> on the CPU (see host/cpu/simd_hedging.hpp): per-kernel
// constants, the batch body compiled three times (SSE2, AVX2+FMA, AVX-512F;
// host/cpu/simd_hedging_batch.inl) with SLEEF's matching vector functions, run-time dispatch, and
// the OpenMP loop over batches.
#include "host/cpu/simd_hedging.hpp"

#include <algorithm>
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

// SLEEF 3.5 vector functions, declared here rather than from <sleef.h>, whose AVX declarations
// exist only when the whole file is compiled for AVX. Accuracy: exp u10 = 1.0 ulp; log and
// sincos (Box-Muller) u35 = 3.5 ulp: 5% faster than u10, the normals still within a few ulp;
// the greeks' log(S/F) and the Whalley-Wilmott cbrt u10 = 1.0 ulp (as close to glibc as it gets).
extern "C" {
struct SleefFloat4Pair {
  __m128 x, y;
};
struct SleefFloat8Pair {
  __m256 x, y;
};
struct SleefFloat16Pair {
  __m512 x, y;
};
}

// Per-kernel constants: the path generator's (host/cpu/simd_process.hpp) and the book's delta.
struct BatchConstants : simd_process::ProcessConstants {
  BlackScholesBookDelta<float> bs_delta;

  explicit BatchConstants(const HedgingKernel<float>& k)
      : simd_process::ProcessConstants(k.process), bs_delta(k.book, float(k.process.spot)) {}
};

}  // namespace

// ---- SSE2 (x86-64 baseline) ------------------------------------------------------------------
namespace simd_sse2 {
extern "C" {
__m128 Sleef_expf4_u10sse2(__m128);
__m128 Sleef_logf4_u35sse2(__m128);
SleefFloat4Pair Sleef_sincosf4_u35sse2(__m128);
__m128 Sleef_logf4_u10sse2(__m128);
__m128 Sleef_cbrtf4_u10sse2(__m128);
}
static inline void v_exp(const float* a, float* r) {
  for (int j = 0; j < kSimdLanes; j += 4)
    _mm_store_ps(r + j, Sleef_expf4_u10sse2(_mm_load_ps(a + j)));
}
static inline void v_log(const float* a, float* r) {
  for (int j = 0; j < kSimdLanes; j += 4)
    _mm_store_ps(r + j, Sleef_logf4_u35sse2(_mm_load_ps(a + j)));
}
static inline void v_log_u10(const float* a, float* r) {
  for (int j = 0; j < kSimdLanes; j += 4)
    _mm_store_ps(r + j, Sleef_logf4_u10sse2(_mm_load_ps(a + j)));
}
static inline void v_cbrt(const float* a, float* r) {
  for (int j = 0; j < kSimdLanes; j += 4)
    _mm_store_ps(r + j, Sleef_cbrtf4_u10sse2(_mm_load_ps(a + j)));
}
static inline void v_sincos(const float* a, float* s, float* c) {
  for (int j = 0; j < kSimdLanes; j += 4) {
    const SleefFloat4Pair sc = Sleef_sincosf4_u35sse2(_mm_load_ps(a + j));
    _mm_store_ps(s + j, sc.x);
    _mm_store_ps(c + j, sc.y);
  }
}
#define HM_SIMD_HAS_FMA 0
#include "host/cpu/simd_hedging_batch.inl"
#undef HM_SIMD_HAS_FMA
}  // namespace simd_sse2

// ---- AVX2 + FMA ------------------------------------------------------------------------------
#pragma GCC push_options
#pragma GCC target("avx2,fma")
namespace simd_avx2 {
extern "C" {
__m256 Sleef_expf8_u10avx2(__m256);
__m256 Sleef_logf8_u35avx2(__m256);
SleefFloat8Pair Sleef_sincosf8_u35avx2(__m256);
__m256 Sleef_logf8_u10avx2(__m256);
__m256 Sleef_cbrtf8_u10avx2(__m256);
}
static inline void v_exp(const float* a, float* r) {
  for (int j = 0; j < kSimdLanes; j += 8)
    _mm256_store_ps(r + j, Sleef_expf8_u10avx2(_mm256_load_ps(a + j)));
}
static inline void v_log(const float* a, float* r) {
  for (int j = 0; j < kSimdLanes; j += 8)
    _mm256_store_ps(r + j, Sleef_logf8_u35avx2(_mm256_load_ps(a + j)));
}
static inline void v_log_u10(const float* a, float* r) {
  for (int j = 0; j < kSimdLanes; j += 8)
    _mm256_store_ps(r + j, Sleef_logf8_u10avx2(_mm256_load_ps(a + j)));
}
static inline void v_cbrt(const float* a, float* r) {
  for (int j = 0; j < kSimdLanes; j += 8)
    _mm256_store_ps(r + j, Sleef_cbrtf8_u10avx2(_mm256_load_ps(a + j)));
}
static inline void v_sincos(const float* a, float* s, float* c) {
  for (int j = 0; j < kSimdLanes; j += 8) {
    const SleefFloat8Pair sc = Sleef_sincosf8_u35avx2(_mm256_load_ps(a + j));
    _mm256_store_ps(s + j, sc.x);
    _mm256_store_ps(c + j, sc.y);
  }
}
#define HM_PHILOX_X86_BITS 256
#include "host/cpu/simd_philox_x86.inl"
#define HM_SIMD_HAS_FMA 1
#include "host/cpu/simd_hedging_batch.inl"
#undef HM_SIMD_HAS_FMA
#undef HM_SIMD_OWN_PHILOX
}  // namespace simd_avx2
#pragma GCC pop_options

// ---- AVX-512F --------------------------------------------------------------------------------
#pragma GCC push_options
#pragma GCC diagnostic push  // GCC 12: false -Wmaybe-uninitialized in avx512fintrin.h
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC target("avx512f,avx512dq,avx512vl,avx2,fma")
namespace simd_avx512 {
extern "C" {
__m512 Sleef_expf16_u10avx512f(__m512);
__m512 Sleef_logf16_u35avx512f(__m512);
SleefFloat16Pair Sleef_sincosf16_u35avx512f(__m512);
__m512 Sleef_logf16_u10avx512f(__m512);
__m512 Sleef_cbrtf16_u10avx512f(__m512);
}
static_assert(kSimdLanes % 16 == 0, "whole zmm registers per batch");
static inline void v_exp(const float* a, float* r) {
  for (int j = 0; j < kSimdLanes; j += 16)
    _mm512_store_ps(r + j, Sleef_expf16_u10avx512f(_mm512_load_ps(a + j)));
}
static inline void v_log(const float* a, float* r) {
  for (int j = 0; j < kSimdLanes; j += 16)
    _mm512_store_ps(r + j, Sleef_logf16_u35avx512f(_mm512_load_ps(a + j)));
}
static inline void v_log_u10(const float* a, float* r) {
  for (int j = 0; j < kSimdLanes; j += 16)
    _mm512_store_ps(r + j, Sleef_logf16_u10avx512f(_mm512_load_ps(a + j)));
}
static inline void v_cbrt(const float* a, float* r) {
  for (int j = 0; j < kSimdLanes; j += 16)
    _mm512_store_ps(r + j, Sleef_cbrtf16_u10avx512f(_mm512_load_ps(a + j)));
}
static inline void v_sincos(const float* a, float* s, float* c) {
  for (int j = 0; j < kSimdLanes; j += 16) {
    const SleefFloat16Pair sc = Sleef_sincosf16_u35avx512f(_mm512_load_ps(a + j));
    _mm512_store_ps(s + j, sc.x);
    _mm512_store_ps(c + j, sc.y);
  }
}
#define HM_PHILOX_X86_BITS 512
#include "host/cpu/simd_philox_x86.inl"
#define HM_SIMD_HAS_FMA 1
#include "host/cpu/simd_hedging_batch.inl"
#undef HM_SIMD_HAS_FMA
#undef HM_SIMD_OWN_PHILOX
}  // namespace simd_avx512
#pragma GCC diagnostic pop
#pragma GCC pop_options

namespace {
void run_batches(const HedgingKernel<float>& kernel, std::uint64_t first, std::uint64_t n,
                 double* out, int threads, SimdIsa isa) {
  const BatchConstants constants(kernel);
  for_each_simd_batch(n, threads, [&](std::uint64_t offset, int valid) {
    switch (isa) {
      case SimdIsa::avx512:
        simd_avx512::run_batch(kernel, constants, first + offset, valid, out, n, offset);
        break;
      case SimdIsa::avx2:
        simd_avx2::run_batch(kernel, constants, first + offset, valid, out, n, offset);
        break;
      default:
        simd_sse2::run_batch(kernel, constants, first + offset, valid, out, n, offset);
    }
  });
}
}  // namespace
#endif  // HM_SIMD_X86

// The batch computes with one volatility for every lane and step: the EWMA of realised (and
// Heston paths) run the scalar kernel, as do perp hedges (funding) and delta_vega_band (its
// option trades have no lane version).
bool simd_eligible(const HedgingKernel<float>& k) {
  return simd_available() && k.model == HedgingModel::black_scholes && !k.perp && k.n_dv() == 0 &&
         !k.hedger.moves(k.process.volatility_model) &&
         simd_process_covered(k.process, /*kou_covered=*/true);
}

void run_hedging_batched(const HedgingKernel<float>& kernel, std::uint64_t first, std::uint64_t n,
                         double* out, int threads, SimdIsa isa) {
#ifdef HM_SIMD_X86
  if (isa == SimdIsa::none) throw std::logic_error("run_hedging_batched: no instruction set");
  run_batches(kernel, first, n, out, threads, isa);
#else
  (void)kernel, (void)first, (void)n, (void)out, (void)threads, (void)isa;
  throw std::logic_error("run_hedging_batched: built without SLEEF");
#endif
}

void simd_erfc(const float* in, float* out, std::size_t n, SimdIsa isa) {
#ifdef HM_SIMD_X86
  alignas(64) float a[kSimdLanes], r[kSimdLanes];
  for (std::size_t i = 0; i < n; i += kSimdLanes) {
    const std::size_t m = std::min<std::size_t>(kSimdLanes, n - i);
    for (std::size_t j = 0; j < std::size_t(kSimdLanes); ++j) a[j] = j < m ? in[i + j] : 0.0f;
    if (isa == SimdIsa::avx512)
      simd_avx512::erfc_lanes(a, r);
    else if (isa == SimdIsa::avx2)
      simd_avx2::erfc_lanes(a, r);
    else
      simd_sse2::erfc_lanes(a, r);
    std::copy(r, r + m, out + i);
  }
#else
  (void)in, (void)out, (void)n, (void)isa;
  throw std::logic_error("simd_erfc: built without SLEEF");
#endif
}

bool run_batched_on_cpu(int threads, const HedgingKernel<float>& kernel, std::uint64_t first,
                        std::uint64_t n, double* out) {
  if (!simd_eligible(kernel)) return false;
  run_hedging_batched(kernel, first, n, out, threads, simd_chosen_isa());
  return true;
}

}  // namespace hedgemap
