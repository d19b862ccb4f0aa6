// Lane-batched HedgingKernel<float> on the CPU (see host/simd_hedging.hpp): per-kernel constants,
// the batch body compiled three times (SSE2, AVX2+FMA, AVX-512F; host/simd_hedging_batch.inl)
// with SLEEF's matching vector functions, run-time dispatch, and the OpenMP loop over batches.
#include "host/simd_hedging.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <stdexcept>
#include <string>

#if defined(HEDGEMAP_HAVE_SLEEF) && defined(__x86_64__)
#define HM_SIMD_X86 1
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
struct SleefFloat4Pair { __m128 x, y; };
struct SleefFloat8Pair { __m256 x, y; };
struct SleefFloat16Pair { __m512 x, y; };
}

// Per-kernel constants of the path generator (as JumpDiffusionPath's constructor computes them).
struct BatchConstants {
  std::uint32_t round_key0[10], round_key1[10];  // Philox keys of rounds 1..10
  double ell, jump_mean_ell, jump_mean_rest, p0_jump_ell, p0_jump_rest, gap_mean, p0_gap;
  float spot0, drift_ell, drift_rest, sigma_sqrt_ell, sigma_sqrt_rest, gas_sigma, gas_half_var;
  bool has_latency, has_jumps, has_gaps, has_gas_dispersion, need_g2;
  // A Poisson count is 0 when its word x has u01_open(x) <= P(N = 0), i.e. x <= threshold.
  std::uint32_t jump_ell_threshold, jump_rest_threshold, gap_threshold;
  BlackScholesBookDelta<float> bs_delta;

  explicit BatchConstants(const HedgingKernel<float>& k)
      : bs_delta(k.book, float(k.process.spot)) {
    const ProcessParams& p = k.process;
    std::uint32_t k0 = std::uint32_t(p.seed), k1 = std::uint32_t(p.seed >> 32);
    for (int r = 0; r < 10; ++r) {
      round_key0[r] = k0;
      round_key1[r] = k1;
      k0 += 0x9E3779B9u;
      k1 += 0xBB67AE85u;
    }
    const double log_drift = compensated_log_drift(p);
    ell = p.latency < p.dt ? p.latency : 0.0;
    const double rest = p.dt - ell;
    spot0 = float(p.spot);
    drift_ell = float(log_drift * ell);
    drift_rest = float(log_drift * rest);
    sigma_sqrt_ell = float(p.volatility * std::sqrt(ell));
    sigma_sqrt_rest = float(p.volatility * std::sqrt(rest));
    has_latency = ell > 0.0;
    has_jumps = p.jumps.model != JumpModel::none && p.jumps.intensity > 0.0;
    jump_mean_ell = has_jumps ? p.jumps.intensity * ell : 0.0;
    jump_mean_rest = has_jumps ? p.jumps.intensity * rest : 0.0;
    p0_jump_ell = std::exp(-jump_mean_ell);
    p0_jump_rest = std::exp(-jump_mean_rest);
    has_gaps = p.gaps.intensity > 0.0;
    gap_mean = p.gaps.intensity * p.dt;
    p0_gap = std::exp(-gap_mean);
    has_gas_dispersion = p.gas_volatility > 0.0;
    gas_sigma = float(p.gas_volatility);
    gas_half_var = float(0.5 * p.gas_volatility * p.gas_volatility);
    need_g2 = has_gas_dispersion || has_gaps;
    jump_ell_threshold = zero_count_threshold(p0_jump_ell);
    jump_rest_threshold = zero_count_threshold(p0_jump_rest);
    gap_threshold = zero_count_threshold(p0_gap);
  }

  // Largest x with u01_open(x) <= p0 (0 when none: word 0 then takes the exact path, harmless).
  static std::uint32_t zero_count_threshold(double p0) {
    if (u01_open(0xFFFFFFFFu) <= p0) return 0xFFFFFFFFu;
    if (u01_open(0u) > p0) return 0u;
    double guess = std::floor(p0 * 4294967296.0);
    std::uint32_t t = guess > 4294967295.0 ? 0xFFFFFFFFu : std::uint32_t(guess);
    while (t > 0 && u01_open(t) > p0) --t;
    while (t < 0xFFFFFFFFu && u01_open(t + 1) <= p0) ++t;
    return t;
  }
};

struct Words {
  alignas(64) std::uint32_t x[kSimdLanes], y[kSimdLanes], z[kSimdLanes], w[kSimdLanes];
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
#include "host/simd_hedging_batch.inl"
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
// 32x32 -> 64-bit products of the even and odd lanes (vpmuludq), split into high and low words.
static inline void mulhilo(__m256i a, __m256i m, __m256i& hi, __m256i& lo) {
  const __m256i even = _mm256_mul_epu32(a, m), odd = _mm256_mul_epu32(_mm256_srli_epi64(a, 32), m);
  hi = _mm256_blend_epi32(_mm256_srli_epi64(even, 32), odd, 0xAA);
  lo = _mm256_blend_epi32(even, _mm256_slli_epi64(odd, 32), 0xAA);
}
static inline void philox_lanes(const BatchConstants& c, std::uint32_t step, std::uint32_t group,
                                const std::uint32_t* path_lo, const std::uint32_t* path_hi,
                                Words& w) {
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
#include "host/simd_hedging_batch.inl"
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
static_assert(kSimdLanes == 16, "one zmm register per batch");
static inline void v_exp(const float* a, float* r) {
  _mm512_store_ps(r, Sleef_expf16_u10avx512f(_mm512_load_ps(a)));
}
static inline void v_log(const float* a, float* r) {
  _mm512_store_ps(r, Sleef_logf16_u35avx512f(_mm512_load_ps(a)));
}
static inline void v_log_u10(const float* a, float* r) {
  _mm512_store_ps(r, Sleef_logf16_u10avx512f(_mm512_load_ps(a)));
}
static inline void v_cbrt(const float* a, float* r) {
  _mm512_store_ps(r, Sleef_cbrtf16_u10avx512f(_mm512_load_ps(a)));
}
static inline void v_sincos(const float* a, float* s, float* c) {
  const SleefFloat16Pair sc = Sleef_sincosf16_u35avx512f(_mm512_load_ps(a));
  _mm512_store_ps(s, sc.x);
  _mm512_store_ps(c, sc.y);
}
static inline void mulhilo(__m512i a, __m512i m, __m512i& hi, __m512i& lo) {
  const __m512i even = _mm512_mul_epu32(a, m), odd = _mm512_mul_epu32(_mm512_srli_epi64(a, 32), m);
  hi = _mm512_mask_blend_epi32(0xAAAA, _mm512_srli_epi64(even, 32), odd);
  lo = _mm512_mask_blend_epi32(0xAAAA, even, _mm512_slli_epi64(odd, 32));
}
static inline void philox_lanes(const BatchConstants& c, std::uint32_t step, std::uint32_t group,
                                const std::uint32_t* path_lo, const std::uint32_t* path_hi,
                                Words& w) {
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
#include "host/simd_hedging_batch.inl"
#undef HM_SIMD_OWN_PHILOX
}  // namespace simd_avx512
#pragma GCC diagnostic pop
#pragma GCC pop_options

namespace {
void run_batches(const HedgingKernel<float>& kernel, std::uint64_t first, std::uint64_t n,
                 double* out, int threads, SimdIsa isa) {
  const BatchConstants constants(kernel);
  const auto batches = static_cast<std::int64_t>((n + kSimdLanes - 1) / kSimdLanes);
  auto one = [&](std::int64_t b) {
    const std::uint64_t offset = std::uint64_t(b) * kSimdLanes;
    const int valid = int(std::min<std::uint64_t>(kSimdLanes, n - offset));
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

SimdIsa simd_best_isa() {
#ifdef HM_SIMD_X86
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq") &&
      __builtin_cpu_supports("avx512vl"))
    return SimdIsa::avx512;
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return SimdIsa::avx2;
  return SimdIsa::sse2;
#else
  return SimdIsa::none;
#endif
}

const char* simd_isa_name(SimdIsa isa) {
  switch (isa) {
    case SimdIsa::sse2: return "sse2";
    case SimdIsa::avx2: return "avx2";
    case SimdIsa::avx512: return "avx512";
    default: return "none";
  }
}

bool simd_eligible(const HedgingKernel<float>& k) {
  if (simd_best_isa() == SimdIsa::none) return false;
  const char* scalar = std::getenv("HEDGEMAP_SCALAR_CPU");
  if (scalar && *scalar && std::string(scalar) != "0") return false;
  const JumpModel jumps = k.process.jumps.model;
  return k.model == HedgingModel::black_scholes && k.process.steps >= 1 &&
         (jumps == JumpModel::none || jumps == JumpModel::merton || jumps == JumpModel::kou ||
          k.process.jumps.intensity <= 0.0);
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
    if (isa == SimdIsa::avx512) simd_avx512::erfc_lanes(a, r);
    else if (isa == SimdIsa::avx2) simd_avx2::erfc_lanes(a, r);
    else simd_sse2::erfc_lanes(a, r);
    std::copy(r, r + m, out + i);
  }
#else
  (void)in, (void)out, (void)n, (void)isa;
  throw std::logic_error("simd_erfc: built without SLEEF");
#endif
}

namespace {
// The best instruction set, capped by HEDGEMAP_SIMD_ISA=sse2|avx2 (to measure what an older CPU
// would run; a value above what this CPU runs is ignored).
SimdIsa chosen_isa() {
  SimdIsa isa = simd_best_isa();
  const char* cap = std::getenv("HEDGEMAP_SIMD_ISA");
  if (!cap) return isa;
  for (SimdIsa i : {SimdIsa::sse2, SimdIsa::avx2, SimdIsa::avx512})
    if (std::string(cap) == simd_isa_name(i) && int(i) < int(isa)) isa = i;
  return isa;
}
}  // namespace

bool run_batched_on_cpu(const Execution& exec, const HedgingKernel<float>& kernel,
                        std::uint64_t first, std::uint64_t n, double* out) {
  if (!simd_eligible(kernel)) return false;
  run_hedging_batched(kernel, first, n, out, exec.threads, chosen_isa());
  return true;
}

}  // namespace hedgemap
