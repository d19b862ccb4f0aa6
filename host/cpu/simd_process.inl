// The jump-diffusion path of kernels/jump_diffusion.hpp for kLanes paths in lockstep (structure of
// arrays): Philox words, Box-Muller normals, the log-normal step split at the latency, Merton
// jumps and outages. Included once per instruction set, inside that set's namespace and
// `#pragma GCC target` region, after the includer defines v_exp, v_log, v_sincos (on kLanes
// floats: SLEEF's vector functions, or glibc's per lane for bit-identical prices) and, optionally,
// its own philox_lanes (HM_SIMD_OWN_PHILOX; see host/cpu/simd_lanes.inl). Mirrors
// JumpDiffusionPath::emit operation for operation, so that per-lane prices equal the scalar
// path's up to the rounding of those functions (and FMA contraction, unless compiled with
// -ffp-contract=off). The rare lanes with a jump or an outage in an interval take scalar code. Kou
// jumps are not covered (callers fall back). No include guard: deliberately compiled several times.

#include "host/cpu/simd_lanes.inl"

// The path state of every lane and the MarketPoint of the current decision time t_k.
struct ProcessLanes {
  alignas(64) std::uint32_t path_lo[kLanes], path_hi[kLanes];
  alignas(64) float log_spot[kLanes], log_next[kLanes];
  alignas(64) float realised_variance[kLanes];  // sum of squared log returns (book price only)
  alignas(64) double blocked_until[kLanes], blocked_until_next[kLanes];
  alignas(64) std::int32_t jumps[kLanes], gaps[kLanes];
  // MarketPoint of t_k: spot, fill_spot, gas_factor, blocked (index and is_expiry are common)
  alignas(64) float spot[kLanes], fill_spot[kLanes], gas_factor[kLanes];
  alignas(64) std::int32_t blocked[kLanes];
};

// Paths first .. first + kLanes - 1 at t_0 (emit() then gives the first MarketPoint).
static inline void process_start(ProcessLanes& s, std::uint64_t first) {
  HM_LANES {
    const std::uint64_t path = first + std::uint64_t(j);
    s.path_lo[j] = std::uint32_t(path);
    s.path_hi[j] = std::uint32_t(path >> 32);
    s.log_spot[j] = 0.0f;
    s.realised_variance[j] = 0.0f;
    s.blocked_until[j] = -1.0;
    s.jumps[j] = s.gaps[j] = 0;
  }
}

// JumpDiffusionPath::emit() at decision point `step`: the MarketPoint of t_step, and (before
// expiry) the state at t_{step+1} in log_next / blocked_until_next.
static inline void process_emit(const ProcessParams& p, const ProcessConstants& c, ProcessLanes& s,
                                int step) {
  const bool is_expiry = step == p.steps;
  const std::uint32_t interval = std::uint32_t(step + 1);
  alignas(64) float zd0[kLanes], zd1[kLanes], zg0[kLanes], zg1[kLanes], jump_ell[kLanes],
      jump_rest[kLanes], log_fill[kLanes];
  Words g0, g1, g2;
  v_exp(s.log_spot, s.spot);
  HM_LANES s.spot[j] = c.spot0 * s.spot[j];
  if (c.has_gaps) {
    const double now = double(step) * p.dt;
    HM_LANES s.blocked[j] = step > 0 && now < s.blocked_until[j];
  } else {
    HM_LANES s.blocked[j] = 0;
  }
  if (c.need_g2) {
    philox_lanes(c, interval, 2, s.path_lo, s.path_hi, g2);
    box_muller_lanes(g2.x, g2.y, zg0, zg1);
  }
  if (c.has_gas_dispersion) {
    alignas(64) float arg[kLanes];
    HM_LANES arg[j] = c.gas_sigma * zg0[j] - c.gas_half_var;
    v_exp(arg, s.gas_factor);
  } else {
    HM_LANES s.gas_factor[j] = 1.0f;
  }
  if (is_expiry) {  // nothing is simulated past T; the unwind fills at S(T)
    HM_LANES s.fill_spot[j] = s.spot[j];
    return;
  }

  philox_lanes(c, interval, 0, s.path_lo, s.path_hi, g0);
  box_muller_lanes(g0.x, g0.y, zd0, zd1);
  if (c.has_jumps || c.has_gaps) philox_lanes(c, interval, 1, s.path_lo, s.path_hi, g1);
  HM_LANES jump_ell[j] = jump_rest[j] = 0.0f;
  if (c.has_jumps) {  // Poisson counts: zero unless the word passes P(N = 0) (rare lanes)
    int any = 0;
#pragma omp simd reduction(| : any)
    for (int j = 0; j < kLanes; ++j)
      any |= int(g0.z[j] > c.jump_ell_threshold) | int(g0.w[j] > c.jump_rest_threshold);
    for (int j = 0; any && j < kLanes; ++j) {
      const int n_ell = poisson_inverse(c.p0_jump_ell, c.jump_mean_ell, u01_open(g0.z[j]));
      const int n_rest = poisson_inverse(c.p0_jump_rest, c.jump_mean_rest, u01_open(g0.w[j]));
      if ((n_ell | n_rest) == 0) continue;
      s.jumps[j] += n_ell + n_rest;
      const NormalPair<float> zj = box_muller<float>(g1.x[j], g1.y[j]);  // Merton: one normal
      const JumpParams& jp = p.jumps;
      if (n_ell > 0) jump_ell[j] = normal_jump_sum<float>(n_ell, jp.log_mean, jp.log_stdev, zj.z1);
      if (n_rest > 0)
        jump_rest[j] = normal_jump_sum<float>(n_rest, jp.log_mean, jp.log_stdev, zj.z0);
    }
  }
  if (c.has_latency) {
    HM_LANES log_fill[j] = s.log_spot[j] + (c.drift_ell + c.sigma_sqrt_ell * zd1[j] + jump_ell[j]);
    alignas(64) float e[kLanes];
    v_exp(log_fill, e);
    HM_LANES s.fill_spot[j] = c.spot0 * e[j];
  } else {
    HM_LANES {
      log_fill[j] = s.log_spot[j];
      s.fill_spot[j] = s.spot[j];
    }
  }
  HM_LANES s.log_next[j] = log_fill[j] + c.drift_rest + c.sigma_sqrt_rest * zd0[j] + jump_rest[j];
  HM_LANES s.blocked_until_next[j] = s.blocked_until[j];
  if (c.has_gaps) {  // outages: zero unless the word passes P(N = 0) (rare lanes)
    int any = 0;
#pragma omp simd reduction(| : any)
    for (int j = 0; j < kLanes; ++j) any |= int(g1.z[j] > c.gap_threshold);
    for (int j = 0; any && j < kLanes; ++j) {
      const int n_gaps = poisson_inverse(c.p0_gap, c.gap_mean, u01_open(g1.z[j]));
      if (n_gaps == 0) continue;
      s.gaps[j] += n_gaps;
      s.log_next[j] +=
          normal_jump_sum<float>(n_gaps, p.gaps.crash_log_mean, p.gaps.crash_log_stdev, zg1[j]);
      const PhiloxStream stream(p.seed, (std::uint64_t(s.path_hi[j]) << 32) | s.path_lo[j]);
      s.blocked_until_next[j] =
          outages_end(p.gaps, stream, interval, n_gaps, Uint4{g2.x[j], g2.y[j], g2.z[j], g2.w[j]},
                      double(step) * p.dt + c.ell, p.dt - c.ell, s.blocked_until_next[j]);
    }
  }
}

// JumpDiffusionPath::next(): the state moves to t_{k+1}.
static inline void process_advance(ProcessLanes& s) {
  HM_LANES {
    s.log_spot[j] = s.log_next[j];
    s.blocked_until[j] = s.blocked_until_next[j];
  }
}
