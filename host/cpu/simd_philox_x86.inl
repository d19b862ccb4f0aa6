// Philox4x32-10 for every lane in AVX2 or AVX-512 registers: the hand-written replacement of the
// portable philox_lanes of host/cpu/simd_lanes.inl, which GCC widens to 64-bit multiplies. Included
// inside an instruction set's namespace and `#pragma GCC target` region after
// `#define HM_PHILOX_X86_BITS 256` (AVX2) or 512 (AVX-512F); it defines HM_SIMD_OWN_PHILOX (so that
// host/cpu/simd_lanes.inl keeps its portable one out) and undefines HM_PHILOX_X86_BITS. The
// includer #undefs HM_SIMD_OWN_PHILOX after its batch body. Random123's rounds: hi/lo of M0 c0 and
// M1 c2, then c = (hi1^c1^k0, lo1, hi0^c3^k1, lo0). No include guard: deliberately compiled several
// times.

// Each 32-bit counter word sits in the low half of a 64-bit element ("wide" layout): vpmuludq
// reads only those low halves, so one multiply gives the whole 64-bit product, hi = product >> 32
// and lo = the product itself (its high half is garbage that no later step reads: xor is bitwise,
// the next multiply reads low halves, and the output keeps low halves). 2 multiplies, 2 shifts
// and 2 three-way xors per round and register of 8 (AVX-512) or 4 (AVX2) lanes, with no blends:
// a quarter fewer operations and a shorter dependency chain than 16 lanes in 32-bit elements.
#if HM_PHILOX_X86_BITS == 256
using WideWords = __m256i;
constexpr int kWideLanes = 4;
static inline __m256i wide_load(const std::uint32_t* p) {  // 4 words, zero-extended
  return _mm256_cvtepu32_epi64(_mm_load_si128(reinterpret_cast<const __m128i*>(p)));
}
static inline void wide_store(std::uint32_t* p, __m256i v) {  // the low halves of 4 elements
  const __m256i packed = _mm256_permutevar8x32_epi32(v, _mm256_setr_epi32(0, 2, 4, 6, 0, 2, 4, 6));
  _mm_store_si128(reinterpret_cast<__m128i*>(p), _mm256_castsi256_si128(packed));
}
static inline __m256i wide_set1(std::uint32_t x) { return _mm256_set1_epi64x(std::int64_t(x)); }
static inline __m256i wide_mul(__m256i a, __m256i m) { return _mm256_mul_epu32(a, m); }
static inline __m256i wide_hi(__m256i p) { return _mm256_srli_epi64(p, 32); }
static inline __m256i wide_xor3(__m256i a, __m256i b, __m256i c) {
  return _mm256_xor_si256(_mm256_xor_si256(a, b), c);
}
#elif HM_PHILOX_X86_BITS == 512
using WideWords = __m512i;
constexpr int kWideLanes = 8;
static inline __m512i wide_load(const std::uint32_t* p) {  // 8 words, zero-extended
  return _mm512_cvtepu32_epi64(_mm256_load_si256(reinterpret_cast<const __m256i*>(p)));
}
static inline void wide_store(std::uint32_t* p, __m512i v) {  // the low halves of 8 elements
  _mm256_store_si256(reinterpret_cast<__m256i*>(p), _mm512_cvtepi64_epi32(v));
}
static inline __m512i wide_set1(std::uint32_t x) { return _mm512_set1_epi64(std::int64_t(x)); }
static inline __m512i wide_mul(__m512i a, __m512i m) { return _mm512_mul_epu32(a, m); }
static inline __m512i wide_hi(__m512i p) { return _mm512_srli_epi64(p, 32); }
static inline __m512i wide_xor3(__m512i a, __m512i b, __m512i c) {  // vpternlogq 0x96
  return _mm512_ternarylogic_epi64(a, b, c, 0x96);
}
#else
#error "simd_philox_x86.inl: define HM_PHILOX_X86_BITS as 256 or 512"
#endif

// All registers of a batch go through the rounds side by side: each register's rounds are a chain
// of dependent multiplies, and independent chains let the core overlap their latencies.
static inline void philox_lanes(const simd_process::ProcessConstants& c, std::uint32_t step,
                                std::uint32_t group, const std::uint32_t* path_lo,
                                const std::uint32_t* path_hi, simd_process::Words& w) {
  static_assert(kSimdLanes % kWideLanes == 0, "whole registers per batch");
  constexpr int kRegs = kSimdLanes / kWideLanes;
  const WideWords m0 = wide_set1(0xD2511F53u), m1 = wide_set1(0xCD9E8D57u);
  WideWords c0[kRegs], c1[kRegs], c2[kRegs], c3[kRegs];
  for (int v = 0; v < kRegs; ++v) {
    c0[v] = wide_set1(group);
    c1[v] = wide_set1(step);
    c2[v] = wide_load(path_lo + kWideLanes * v);
    c3[v] = wide_load(path_hi + kWideLanes * v);
  }
  for (int r = 0; r < 10; ++r) {
    const WideWords k0 = wide_set1(c.round_key0[r]), k1 = wide_set1(c.round_key1[r]);
    for (int v = 0; v < kRegs; ++v) {
      const WideWords p0 = wide_mul(c0[v], m0), p1 = wide_mul(c2[v], m1);
      c0[v] = wide_xor3(wide_hi(p1), c1[v], k0);  // hi1 ^ c1 ^ k0
      c1[v] = p1;                                 // lo1
      c2[v] = wide_xor3(wide_hi(p0), c3[v], k1);  // hi0 ^ c3 ^ k1
      c3[v] = p0;                                 // lo0
    }
  }
  for (int v = 0; v < kRegs; ++v) {
    wide_store(w.x + kWideLanes * v, c0[v]);
    wide_store(w.y + kWideLanes * v, c1[v]);
    wide_store(w.z + kWideLanes * v, c2[v]);
    wide_store(w.w + kWideLanes * v, c3[v]);
  }
}

#define HM_SIMD_OWN_PHILOX
#undef HM_PHILOX_X86_BITS
