// One batch of kLanes paths of BookPriceKernel<float>, lane-parallel. Included by
// host/cpu/simd_book_price.cpp once per instruction set, after host/cpu/simd_process.inl.
// No include guard: deliberately compiled several times.

// JumpDiffusionPath::emit()'s update of ln S over interval step + 1 = (t_step, t_step+1], and its
// jump and outage counts, for every lane; the MarketPoint of t_step is not formed (no exp), the
// gas normals (group 2) are drawn only in the rare lanes with an outage (for the crash normal),
// and the outage windows are not tracked (nothing trades). The float operations and their order
// are process_emit's, so ln S stays bit-identical to the scalar path's:
//   ln S_fill = ln S + (a ell + sigma sqrt(ell) z_ell + J_ell)
//   ln S'     = ln S_fill + a (dt - ell) + sigma sqrt(dt - ell) z_rest + J_rest [+ crashes]
static inline void book_price_step(const ProcessParams& p, const ProcessConstants& c,
                                   ProcessLanes& s, int step) {
  const std::uint32_t interval = std::uint32_t(step + 1);
  alignas(64) float zd0[kLanes], zd1[kLanes], jump_ell[kLanes], jump_rest[kLanes],
      log_spot_before[kLanes];
  Words g0, g1;
  HM_LANES log_spot_before[j] = s.log_spot[j];
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
    HM_LANES {
      const float log_fill =
          s.log_spot[j] + (c.drift_ell + c.sigma_sqrt_ell * zd1[j] + jump_ell[j]);
      s.log_spot[j] = log_fill + c.drift_rest + c.sigma_sqrt_rest * zd0[j] + jump_rest[j];
    }
  } else {
    HM_LANES s.log_spot[j] =
        s.log_spot[j] + c.drift_rest + c.sigma_sqrt_rest * zd0[j] + jump_rest[j];
  }
  if (c.has_gaps) {  // outages: zero unless the word passes P(N = 0) (rare lanes)
    int any = 0;
#pragma omp simd reduction(| : any)
    for (int j = 0; j < kLanes; ++j) any |= int(g1.z[j] > c.gap_threshold);
    for (int j = 0; any && j < kLanes; ++j) {
      const int n_gaps = poisson_inverse(c.p0_gap, c.gap_mean, u01_open(g1.z[j]));
      if (n_gaps == 0) continue;
      s.gaps[j] += n_gaps;
      const PhiloxStream stream(p.seed, (std::uint64_t(s.path_hi[j]) << 32) | s.path_lo[j]);
      const Uint4 g2 = stream.words(interval, 2);
      const NormalPair<float> zg = box_muller<float>(g2.x, g2.y);  // the crash sum's normal
      s.log_spot[j] +=
          normal_jump_sum<float>(n_gaps, p.gaps.crash_log_mean, p.gaps.crash_log_stdev, zg.z1);
    }
  }
  HM_LANES {  // JumpDiffusionPath::next(): the realised variance's sum of squared log returns
    const float log_return = s.log_spot[j] - log_spot_before[j];
    s.realised_variance[j] += log_return * log_return;
  }
}

// BookPriceKernel<float>::operator() for paths first .. first + kLanes - 1; writes the first
// `valid` (write_path_summary: e^{-rT} payoff(S_T), jumps, outages, S_T, realised volatility).
static void run_book_price_batch(const BookPriceKernel<float>& k, const ProcessConstants& c,
                                 std::uint64_t first, int valid, double* out, std::uint64_t stride,
                                 std::uint64_t out_index) {
  const ProcessParams& p = k.process;
  ProcessLanes m;
  process_start(m, first);
  for (int step = 0; step < p.steps; ++step) book_price_step(p, c, m, step);
  v_exp(m.log_spot, m.spot);
  HM_LANES m.spot[j] = c.spot0 * m.spot[j];
  const double discount = exp(-p.rate * p.expiry);
  double* col = out + out_index;
  for (int j = 0; j < valid; ++j) {
    col[summary_discounted_payoff * stride + j] =
        discount * double(book_payoff<float>(k.book, m.spot[j]));
    col[summary_jumps * stride + j] = double(m.jumps[j]);
    col[summary_gap_events * stride + j] = double(m.gaps[j]);
    col[summary_terminal_spot * stride + j] = double(m.spot[j]);
    col[summary_realised_volatility * stride + j] =
        realised_volatility(double(m.realised_variance[j]), p.expiry);
  }
}

#undef HM_LANES
