// Philox4x32-10 for every lane in AVX2 or AVX-512 registers: the hand-written replacement of the
// portable philox_lanes of host/simd_lanes.inl, which GCC widens to 64-bit multiplies. Included
// inside an instruction set's namespace and `#pragma GCC target` region after
// `#define HM_PHILOX_X86_BITS 256` (AVX2) or 512 (AVX-512F); it defines HM_SIMD_OWN_PHILOX (so that
// host/simd_lanes.inl keeps its portable one out) and undefines HM_PHILOX_X86_BITS. The includer
// #undefs HM_SIMD_OWN_PHILOX after its batch body.
// Random123's rounds: hi/lo of M0 c0 and M1 c2, then c = (hi1^c1^k0, lo1, hi0^c3^k1, lo0).
// No include guard: deliberately compiled several times.

#if HM_PHILOX_X86_BITS == 256
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

#elif HM_PHILOX_X86_BITS == 512
static_assert(kSimdLanes == 16, "one zmm register per batch");
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

#else
#error "simd_philox_x86.inl: define HM_PHILOX_X86_BITS as 256 or 512"
#endif

#define HM_SIMD_OWN_PHILOX
#undef HM_PHILOX_X86_BITS
