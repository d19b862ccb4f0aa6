// What every lane-batched body shares (host/cpu/simd_process.inl, host/cpu/simd_hedging_batch.inl):
// the lane loop, the Philox words of every lane and Box-Muller. Included once per instruction set,
// inside that set's namespace and `#pragma GCC target` region, after the includer defines v_log and
// v_sincos (on kLanes floats) and, optionally, its own philox_lanes (HM_SIMD_OWN_PHILOX, e.g.
// host/cpu/simd_philox_x86.inl: GCC widens the portable one to 64-bit multiplies). HM_LANES stays
// defined for the includer's body, which #undefs it at its end.
// No include guard: deliberately compiled several times.

constexpr int kLanes = kSimdLanes;
#define HM_LANES _Pragma("omp simd") for (int j = 0; j < kLanes; ++j)

using simd_process::ProcessConstants;
using simd_process::Words;

// Philox4x32-10 of counter (group, step, path_lo[j], path_hi[j]) for every lane (Random123's
// rounds: hi/lo of M0 c0 and M1 c2, then c = (hi1^c1^k0, lo1, hi0^c3^k1, lo0)).
#ifndef HM_SIMD_OWN_PHILOX
static inline void philox_lanes(const ProcessConstants& c, std::uint32_t step, std::uint32_t group,
                                const std::uint32_t* path_lo, const std::uint32_t* path_hi,
                                Words& w) {
  HM_LANES {
    std::uint32_t c0 = group, c1 = step, c2 = path_lo[j], c3 = path_hi[j];
    for (int r = 0; r < 10; ++r) {
      const std::uint64_t p0 = std::uint64_t(0xD2511F53u) * c0;
      const std::uint64_t p1 = std::uint64_t(0xCD9E8D57u) * c2;
      const std::uint32_t hi0 = std::uint32_t(p0 >> 32), lo0 = std::uint32_t(p0);
      const std::uint32_t hi1 = std::uint32_t(p1 >> 32), lo1 = std::uint32_t(p1);
      c0 = hi1 ^ c1 ^ c.round_key0[r];
      c1 = lo1;
      c2 = hi0 ^ c3 ^ c.round_key1[r];
      c3 = lo0;
    }
    w.x[j] = c0;
    w.y[j] = c1;
    w.z[j] = c2;
    w.w[j] = c3;
  }
}
#endif

// box_muller() of kernels/random_draws.hpp, the logarithm and the sine and cosine taken for every
// lane at once: z0 = r cos(theta), z1 = r sin(theta).
static inline void box_muller_lanes(const std::uint32_t* a, const std::uint32_t* b, float* z0,
                                    float* z1) {
  alignas(64) float u0[kLanes], theta[kLanes], log_u0[kLanes], s[kLanes], co[kLanes];
  HM_LANES {
    u0[j] = uniform_open<float>(a[j]);
    theta[j] = box_muller_angle(uniform_open<float>(b[j]));
  }
  v_log(u0, log_u0);
  v_sincos(theta, s, co);
  HM_LANES {
    const float r = box_muller_radius<float>(log_u0[j]);
    z0[j] = r * co[j];
    z1[j] = r * s[j];
  }
}
