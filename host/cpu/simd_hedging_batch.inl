// One batch of kSimdLanes paths of HedgingKernel<float>, lane-parallel. Included by
// host/cpu/simd_hedging.cpp once per instruction set, inside that set's namespace and
// `#pragma GCC target` region, after it defines v_exp, v_log, v_sincos, v_log_u10, v_cbrt (SLEEF,
// on kLanes floats).
// Mirrors kernels/jump_diffusion.hpp and kernels/hedging_kernel.hpp operation for operation, so
// that the only differences are SLEEF's last-bit rounding (and FMA contraction on AVX2/AVX-512).
// No include guard: deliberately compiled several times.

#include "host/cpu/simd_lanes.inl"  // kLanes, HM_LANES, philox_lanes, box_muller_lanes

// HM_SIMD_HAS_FMA: the includer says whether its instruction set has FMA (GCC does not define
// __FMA__ inside a `#pragma GCC target` region).

// erfc of every lane, in the form of Numerical Recipes' erfcc (a Chebyshev fit, fractional error
// below 1.2e-7 for z >= 0 in exact arithmetic; Press et al., 2nd ed., 6.2): z = |a|, t = 1/(1+z/2),
//   erfc(z) = t exp(-z^2 + P(t)),   erfc(-z) = 2 - erfc(z).
// One division, ten FMAs (multiply-adds on SSE2) and one vector exp: 3x cheaper than SLEEF's
// erfcf_u15 (the kernel runs 25% faster), within 3.5e-7 relative of erfc where erfc > 1e-30 (~3
// float ulps; 3.4e-7 with FMA; glibc's erfcf: 1.6e-7), measured in
// tests/cpu/test_simd_hedging.cpp.
// A delta needs absolute accuracy only.
// The book's greeks are computed without FMA contraction (the scalar kernel's x86-64 baseline has
// none): near saturation (deep in or out of the money, close to expiry) a fused delta += q n
// rounds to a different float than the scalar sum, consecutive deltas then differ by an ulp where
// the scalar ones are equal, and every such step is a counted dust trade (18% of workload (b)'s
// paths had different trade counts on AVX2/AVX-512, 0.1% on SSE2).
#define HM_NO_FP_CONTRACT __attribute__((optimize("fp-contract=off")))

#if HM_SIMD_HAS_FMA
#define HM_ERFC_FMA(x, y, c) __builtin_fmaf(x, y, c)
#else
#define HM_ERFC_FMA(x, y, c) ((x) * (y) + (c))
#endif
// Not contracted either: the two-sum below needs every operation rounded as written.
HM_NO_FP_CONTRACT static inline void erfc_lanes(const float* a, float* r) {
  alignas(64) float t[kLanes], arg[kLanes], e[kLanes];
  HM_LANES {
    const float z = fabsf(a[j]), u = 1.0f / (1.0f + 0.5f * z);
    // Horner's rule, fused where the instruction set has FMA (the scalar kernel's delta does not
    // use this erfc, so fusing here changes no comparison with it).
    float p = 0.17087277f;
    p = HM_ERFC_FMA(u, p, -0.82215223f);
    p = HM_ERFC_FMA(u, p, 1.48851587f);
    p = HM_ERFC_FMA(u, p, -1.13520398f);
    p = HM_ERFC_FMA(u, p, 0.27886807f);
    p = HM_ERFC_FMA(u, p, -0.18628806f);
    p = HM_ERFC_FMA(u, p, 0.09678418f);
    p = HM_ERFC_FMA(u, p, 0.37409196f);
    p = HM_ERFC_FMA(u, p, 1.00002368f);
    p = HM_ERFC_FMA(u, p, -1.26551223f);
    // -z^2 + P as float hi + lo: exp(hi) (1 + lo), |lo| < 4e-6, keeps the tails' relative
    // accuracy that a plain float sum of -z^2 + P (|z^2| up to 100) loses.
#if HM_SIMD_HAS_FMA
    // z^2 = zz + zz_err exactly (FMA), hi = P - zz rounded, and Knuth's two-sum error of it.
    const float zz = z * z, zz_err = __builtin_fmaf(z, z, -zz);
    const float hi = p - zz, back = hi - p;
    const float sum_err = (p - (hi - back)) - (zz + back);
    const float lo = sum_err - zz_err;
#else  // no FMA (SSE2): the same split through double, where z^2 is exact
    const double full = double(p) - double(z) * double(z);
    const float hi = float(full), lo = float(full - double(hi));
#endif
    t[j] = u * (1.0f + lo);
    arg[j] = hi;
  }
  v_exp(arg, e);
  HM_LANES {
    const float v = t[j] * e[j];
    r[j] = a[j] >= 0.0f ? v : 2.0f - v;
  }
}

// Per-lane state of one (policy, parameter) point.
struct PointLanes {
  alignas(64) float hedge[kLanes];
  alignas(64) double cash[kLanes], fee[kLanes], gas[kLanes], impact[kLanes];
  alignas(64) std::int32_t trades[kLanes], last_trade[kLanes];
  alignas(64) std::int32_t pending[kLanes];
};

struct StepLanes {  // the MarketPoint of every lane
  alignas(64) float spot[kLanes], fill_spot[kLanes], gas_factor[kLanes];
  alignas(64) std::int32_t blocked[kLanes], last_blocked[kLanes];
};

// trade() of kernels/hedging_kernel.hpp on the lanes where act[j], units[j] != 0 and, unless
// `closing` (the unwind at expiry), |units[j]| is not below the minimum order; c: the point's
// cost slot's costs, volatility: the sqrt law's sigma, the cell's realised rho sigma_i. As many
// integer arguments as fit registers (x86-64: six, the seventh on the stack as before slots).
static inline void trade_lanes(const CostParams& c, float volatility, PointLanes& s,
                               const float* units, std::int32_t* act, const StepLanes& m,
                               double growth, int index, bool closing = false) {
  const float min_units = closing ? 0.0f : float(c.min_trade_units);
  int any = 0;  // most band and Whalley-Wilmott tests trade on no lane: skip the cost arithmetic
  if (min_units > 0.0f) {
#pragma omp simd reduction(| : any)
    for (int j = 0; j < kLanes; ++j) {
      act[j] &= int(units[j] != 0.0f) & int(!(fabsf(units[j]) < min_units));
      any |= act[j];
    }
  } else {  // no minimum order (the default): the original test alone
#pragma omp simd reduction(| : any)
    for (int j = 0; j < kLanes; ++j) {
      act[j] &= int(units[j] != 0.0f);
      any |= act[j];
    }
  }
  if (!any) return;
  if (c.fee_rate == 0.0 && c.gas == 0.0 && c.impact == ImpactModel::none) {
    // No costs (QuantLib's set-up, say): the general update below with total = 0, exactly.
    HM_LANES {
      const int go = act[j] != 0;
      const double cash_change = -growth * (double(units[j]) * double(m.fill_spot[j]) + 0.0);
      s.cash[j] += go ? cash_change : 0.0;
      s.hedge[j] += go ? units[j] : 0.0f;
      s.trades[j] += go;
      s.last_trade[j] += go ? index - s.last_trade[j] : 0;
    }
    return;
  }
  // kernels/execution_costs.hpp's terms, the impact model chosen once for every lane.
  const TradeCostModel<float> model(c, volatility);
  alignas(64) float impact[kLanes];
  switch (c.impact) {
    case ImpactModel::linear:
      HM_LANES impact[j] = model.linear_impact(units[j], m.fill_spot[j]);
      break;
    case ImpactModel::sqrt_law:
      HM_LANES impact[j] = model.sqrt_law_impact(units[j], m.fill_spot[j]);
      break;
    case ImpactModel::amm:
      HM_LANES impact[j] = model.amm_impact(units[j], m.fill_spot[j]);
      break;
    default:
      HM_LANES impact[j] = 0.0f;
  }
  HM_LANES {
    const int go = act[j] != 0;
    const float u = units[j], fill = m.fill_spot[j];
    const bool congested = s.last_trade[j] < m.last_blocked[j];
    const float fee = model.fee(u, fill);
    const float g = model.gas_paid(m.gas_factor[j], congested);
    const float total = fee + g + impact[j];
    // Every store unconditional, x + (go ? dx : 0) (exact: x + 0 = x), so that GCC emits blends,
    // not masked stores (microcoded and slow on AMD's AVX2) or branches (SSE2).
    const double cash_change = -growth * (double(u) * double(fill) + double(total));
    s.cash[j] += go ? cash_change : 0.0;
    s.fee[j] += go ? growth * double(fee) : 0.0;
    s.gas[j] += go ? growth * double(g) : 0.0;
    s.impact[j] += go ? growth * double(impact[j]) : 0.0;
    s.hedge[j] += go ? u : 0.0f;
    s.trades[j] += go;
    s.last_trade[j] += go ? index - s.last_trade[j] : 0;
  }
}

// Book delta under Black-Scholes from the log return (BlackScholesBookDelta), every lane.
HM_NO_FP_CONTRACT static inline void book_delta_lanes(const HedgingKernel<float>& k,
                                                      const BatchConstants& c,
                                                      const float* log_return, const float* spot,
                                                      float tau, float* delta) {
  const float rate = float(k.process.rate), vol = float(k.hedger_volatility);
  const BlackScholesBookDelta<float>::Step st = c.bs_delta.step(rate, vol, tau);
  if (at_expiry_limit(st.total_vol)) {  // the scalar function, lane by lane
    for (int j = 0; j < kLanes; ++j)
      delta[j] = c.bs_delta(k.book, log_return[j], spot[j], rate, vol, tau);
    return;
  }
  alignas(64) float arg[kLanes], erfc_arg[kLanes];
  HM_LANES delta[j] = 0.0f;
  for (int i = 0; i < k.book.legs; ++i) {
    const float q = float(k.book.quantity[i]);
    const float call_offset = k.book.type[i] == OptionType::call ? 0.0f : 1.0f;
    // normal_cdf(d1) = erfc(-d1 / sqrt 2) / 2
    HM_LANES arg[j] = -c.bs_delta.d1(i, log_return[j], st) * 0.70710678118654752440f;
    erfc_lanes(arg, erfc_arg);
    HM_LANES delta[j] += q * (0.5f * erfc_arg[j] - call_offset);
  }
}

// book_greeks() under Black-Scholes (kernels/black_scholes.hpp), delta and gamma of every lane,
// operation for operation (the scalar kernel takes its delta from these greeks, not from the log
// return, when Whalley-Wilmott points need the gamma): F_i = K_i e^{-r tau}, s = sigma sqrt(tau),
//   d1 = ln(S/F_i) / s + s/2,  delta_i = sign Phi(sign d1),  gamma_i = phi(d1) / (S s).
HM_NO_FP_CONTRACT static inline void book_greeks_lanes(const HedgingKernel<float>& k,
                                                       const float* spot, float tau, float* delta,
                                                       float* gamma) {
  const float rate = float(k.process.rate), vol = float(k.hedger_volatility);
  const float discount = expf(-rate * (tau > 0.0f ? tau : 0.0f));
  const float total_vol = total_volatility(vol, tau);
  if (at_expiry_limit(total_vol)) {  // the scalar function, lane by lane
    for (int j = 0; j < kLanes; ++j) {
      const Greeks<float> g = book_greeks<float>(k.book, HedgingModel::black_scholes, spot[j], rate,
                                                 vol, tau, k.hedger_jumps);
      delta[j] = g.delta;
      gamma[j] = g.gamma;
    }
    return;
  }
  alignas(64) float ratio[kLanes], log_ratio[kLanes], d1[kLanes], arg[kLanes], erfc_arg[kLanes],
      pdf_arg[kLanes], e[kLanes];
  HM_LANES delta[j] = gamma[j] = 0.0f;
  for (int i = 0; i < k.book.legs; ++i) {
    const float forward_strike = float(k.book.strike[i]) * discount, q = float(k.book.quantity[i]);
    const float sign = k.book.type[i] == OptionType::call ? 1.0f : -1.0f;
    HM_LANES ratio[j] = spot[j] / forward_strike;
    v_log_u10(ratio, log_ratio);
    HM_LANES {
      d1[j] = black_scholes_d1(log_ratio[j], total_vol);
      arg[j] = -(sign * d1[j]) * 0.70710678118654752440f;  // normal_cdf(sign d1)
      pdf_arg[j] = -0.5f * d1[j] * d1[j];                  // normal_pdf(d1)
    }
    erfc_lanes(arg, erfc_arg);
    v_exp(pdf_arg, e);
    HM_LANES {
      delta[j] += q * (sign * (0.5f * erfc_arg[j]));
      gamma[j] += q * black_scholes_gamma(0.39894228040143267794f * e[j], spot[j], total_vol);
    }
  }
}

// The whole life of paths first .. first + kLanes - 1; writes the first `valid` of them.
// CostSlots: k.cost_slots > 1; without it the slot loop is gone (one slot, cost_slot[0]), so that
// a run without swept cost axes costs what it did before slots.
template <bool CostSlots>
static void run_batch_with(const HedgingKernel<float>& k, const BatchConstants& c,
                           std::uint64_t first, int valid, double* out, std::uint64_t stride,
                           std::uint64_t out_index) {
  const ProcessParams& p = k.process;
  const int slots = CostSlots ? k.cost_slots : 1;
  const float impact_volatility = float(p.realised_volatility);  // the sqrt law's sigma
  // Offsets within a cost slot's points (slot s: s * slot_points + offset).
  const int npoints = k.points(), slot_points = k.points_per_slot(), first_band = 1 + k.n_periodic,
            first_ww = first_band + k.n_band, first_fixed = first_ww + k.n_ww;
  const bool need_gamma = k.needs_gamma();
  alignas(64) std::uint32_t path_lo[kLanes], path_hi[kLanes];
  alignas(64) float log_spot[kLanes], log_fill[kLanes], log_next[kLanes], delta[kLanes],
      realised_variance[kLanes];
  alignas(64) float zd0[kLanes], zd1[kLanes], zg0[kLanes], zg1[kLanes], jump_ell[kLanes],
      jump_rest[kLanes], units[kLanes], gamma[kLanes], band_base[kLanes];
  alignas(64) double blocked_until[kLanes], blocked_until_next[kLanes];
  alignas(64) std::int32_t jumps[kLanes], gaps[kLanes], act[kLanes];
  Words g0, g1, g2;
  StepLanes m;
  PointLanes state[kMaxHedgePoints];

  HM_LANES {
    const std::uint64_t path = first + std::uint64_t(j);
    path_lo[j] = std::uint32_t(path);
    path_hi[j] = std::uint32_t(path >> 32);
    log_spot[j] = 0.0f;
    realised_variance[j] = 0.0f;
    blocked_until[j] = -1.0;
    jumps[j] = gaps[j] = 0;
    m.last_blocked[j] = -1;
    zg0[j] = zg1[j] = 0.0f;
  }
  for (int pt = 0; pt < npoints; ++pt) {
    PointLanes& s = state[pt];
    HM_LANES {
      s.hedge[j] = 0.0f;
      s.cash[j] = s.fee[j] = s.gas[j] = s.impact[j] = 0.0;
      s.trades[j] = s.pending[j] = 0;
      s.last_trade[j] = -1;
    }
  }
  double growth = exp(p.rate * p.expiry);
  const double step_decay = exp(-p.rate * p.dt);

  for (int step = 0;; ++step) {
    // ---- emit(): the market point of decision time t_k ----
    const bool is_expiry = step == p.steps;
    const float tau = float((p.steps - step) * p.dt);
    const std::uint32_t interval = std::uint32_t(step + 1);
    v_exp(log_spot, m.spot);
    HM_LANES m.spot[j] = c.spot0 * m.spot[j];
    if (c.has_gaps) {
      const double now = double(step) * p.dt;
      HM_LANES m.blocked[j] = step > 0 && now < blocked_until[j];
    } else {
      HM_LANES m.blocked[j] = 0;
    }
    if (c.need_g2) {
      philox_lanes(c, interval, 2, path_lo, path_hi, g2);
      box_muller_lanes(g2.x, g2.y, zg0, zg1);
    }
    if (c.has_gas_dispersion) {
      alignas(64) float arg[kLanes];
      HM_LANES arg[j] = c.gas_sigma * zg0[j] - c.gas_half_var;
      v_exp(arg, m.gas_factor);
    } else {
      HM_LANES m.gas_factor[j] = 1.0f;
    }

    if (!is_expiry) {
      philox_lanes(c, interval, 0, path_lo, path_hi, g0);
      box_muller_lanes(g0.x, g0.y, zd0, zd1);
      if (c.has_jumps || c.has_gaps) philox_lanes(c, interval, 1, path_lo, path_hi, g1);
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
          jumps[j] += n_ell + n_rest;
          const JumpParams& jp = p.jumps;
          if (jp.model == JumpModel::merton) {  // n normal jumps: one normal per sub-interval
            const NormalPair<float> zj = box_muller<float>(g1.x[j], g1.y[j]);
            if (n_ell > 0)
              jump_ell[j] = normal_jump_sum<float>(n_ell, jp.log_mean, jp.log_stdev, zj.z1);
            if (n_rest > 0)
              jump_rest[j] = normal_jump_sum<float>(n_rest, jp.log_mean, jp.log_stdev, zj.z0);
          } else {  // Kou: a (sign, size) pair of words per jump
            const PhiloxStream stream(p.seed, first + std::uint64_t(j));
            jump_ell[j] = kou_jump_sum<float>(jp, stream, interval, n_ell, 0);
            jump_rest[j] = kou_jump_sum<float>(jp, stream, interval, n_rest, n_ell);
          }
        }
      }
      if (c.has_latency) {
        HM_LANES log_fill[j] =
            log_spot[j] + (c.drift_ell + c.sigma_sqrt_ell * zd1[j] + jump_ell[j]);
        alignas(64) float e[kLanes];
        v_exp(log_fill, e);
        HM_LANES m.fill_spot[j] = c.spot0 * e[j];
      } else {
        HM_LANES {
          log_fill[j] = log_spot[j];
          m.fill_spot[j] = m.spot[j];
        }
      }
      HM_LANES log_next[j] = log_fill[j] + c.drift_rest + c.sigma_sqrt_rest * zd0[j] + jump_rest[j];
      HM_LANES blocked_until_next[j] = blocked_until[j];
      if (c.has_gaps) {  // outages: zero unless the word passes P(N = 0) (rare lanes)
        int any = 0;
#pragma omp simd reduction(| : any)
        for (int j = 0; j < kLanes; ++j) any |= int(g1.z[j] > c.gap_threshold);
        for (int j = 0; any && j < kLanes; ++j) {
          const int n_gaps = poisson_inverse(c.p0_gap, c.gap_mean, u01_open(g1.z[j]));
          if (n_gaps == 0) continue;
          gaps[j] += n_gaps;
          log_next[j] +=
              normal_jump_sum<float>(n_gaps, p.gaps.crash_log_mean, p.gaps.crash_log_stdev, zg1[j]);
          const PhiloxStream stream(p.seed, first + std::uint64_t(j));
          blocked_until_next[j] = outages_end(
              p.gaps, stream, interval, n_gaps, Uint4{g2.x[j], g2.y[j], g2.z[j], g2.w[j]},
              double(step) * p.dt + c.ell, p.dt - c.ell, blocked_until_next[j]);
        }
      }
    } else {
      HM_LANES m.fill_spot[j] = m.spot[j];
    }

    // ---- the hedging kernel's step ----
    HM_LANES m.last_blocked[j] = m.blocked[j] ? step : m.last_blocked[j];
    if (is_expiry) break;
    if (need_gamma) {
      book_greeks_lanes(k, m.spot, tau, delta, gamma);
    } else {
      book_delta_lanes(k, c, log_spot, m.spot, tau, delta);
    }
    for (int slot = 0; slot < slots; ++slot) {
      const HedgeCostSlot& cs = k.cost_slot[slot];
      PointLanes* const slot_state = state + slot * slot_points;
      if (step == 0) {  // initial hedge of every hedging policy (never blocked)
        for (int pt = 1; pt < slot_points; ++pt) {
          PointLanes& s = slot_state[pt];
          HM_LANES {
            act[j] = 1;  // trade_lanes() clears the lanes it does not trade on
            units[j] = -delta[j] - s.hedge[j];
          }
          trade_lanes(cs.costs, impact_volatility, s, units, act, m, growth, step);
        }
        continue;
      }
      for (int i = 0; i < k.n_periodic; ++i) {
        PointLanes& s = slot_state[1 + i];
        const int scheduled = step % k.every_steps[i] == 0;
        HM_LANES {
          const bool due = (s.pending[j] != 0) | (scheduled != 0);
          s.pending[j] = int(due) & int(m.blocked[j] != 0);
          act[j] = int(due) & int(m.blocked[j] == 0);
          units[j] = -delta[j] - s.hedge[j];
        }
        trade_lanes(cs.costs, impact_volatility, s, units, act, m, growth, step);
      }
      for (int i = 0; i < k.n_band; ++i) {
        PointLanes& s = slot_state[first_band + i];
        const float b = float(k.band[i]);
        HM_LANES {
          const float target = -delta[j], gap = s.hedge[j] - target;
          const float to = k.band_to_edge ? nearest_band_edge(target, gap, b) : target;
          act[j] = (m.blocked[j] == 0) & (fabsf(gap) > b);
          units[j] = to - s.hedge[j];
        }
        trade_lanes(cs.costs, impact_volatility, s, units, act, m, growth, step);
      }
      if (k.n_ww > 0) {  // whalley_wilmott_half_width() with risk aversion 1, then H = base g^-1/3
        const float rate = float(p.rate), lambda = float(cs.ww_lambda);
        alignas(64) float x[kLanes], root[kLanes];
        HM_LANES {
          x[j] = whalley_wilmott_cube(lambda, m.spot[j], gamma[j], rate, tau, 1.0f);
          root[j] = x[j] > 0.0f ? x[j] : 0.0f;
        }
        v_cbrt(root, root);
        HM_LANES band_base[j] = x[j] > 0.0f ? root[j] : 0.0f;
        for (int i = 0; i < k.n_ww; ++i) {
          PointLanes& s = slot_state[first_ww + i];
          const float inv_cbrt = float(k.ww_inv_cbrt_risk_aversion[i]);
          HM_LANES {
            const float target = -delta[j], gap = s.hedge[j] - target, h = band_base[j] * inv_cbrt;
            act[j] = (m.blocked[j] == 0) & (fabsf(gap) > h);
            units[j] = nearest_band_edge(target, gap, h) - s.hedge[j];
          }
          trade_lanes(cs.costs, impact_volatility, s, units, act, m, growth, step);
        }
      }
      if (k.n_fixed > 0) {  // fixed_cost_band_half_width() with risk aversion 1, H = base g^-1/4
        const float rate = float(p.rate), gas = float(cs.costs.gas);
        HM_LANES {
          const float x = fixed_cost_band_fourth_power(gas, gamma[j], rate, tau, 1.0f);
          band_base[j] = x > 0.0f ? sqrtf(sqrtf(x)) : 0.0f;  // sqrt: correctly rounded, as scalar
        }
        for (int i = 0; i < k.n_fixed; ++i) {
          PointLanes& s = slot_state[first_fixed + i];
          const float inv_root = float(k.fixed_inv_fourth_root_risk_aversion[i]);
          HM_LANES {
            const float target = -delta[j], gap = s.hedge[j] - target, h = band_base[j] * inv_root;
            act[j] = (m.blocked[j] == 0) & (fabsf(gap) > h);
            units[j] = target - s.hedge[j];
          }
          trade_lanes(cs.costs, impact_volatility, s, units, act, m, growth, step);
        }
      }
    }
    growth *= step_decay;
    // next(): the state moves to t_{k+1}
    HM_LANES {
      const float log_return = log_next[j] - log_spot[j];
      realised_variance[j] += log_return * log_return;
      log_spot[j] = log_next[j];
      blocked_until[j] = blocked_until_next[j];
    }
  }

  // Expiry: unwind at S_T (growth = 1), settle the book, write every column.
  alignas(64) float payoff[kLanes];
  HM_LANES payoff[j] = 0.0f;
  for (int i = 0; i < k.book.legs; ++i) {  // book_payoff()
    const float strike = float(k.book.strike[i]), q = float(k.book.quantity[i]);
    const OptionType type = k.book.type[i];
    HM_LANES payoff[j] += q * option_payoff(type, strike, m.spot[j]);
  }
  const double settle0 = -k.book_value0 * exp(p.rate * p.expiry);
  for (int pt = 0; pt < npoints; ++pt) {
    PointLanes& s = state[pt];
    HM_LANES {
      act[j] = 1;
      units[j] = -s.hedge[j];
    }
    trade_lanes(k.cost_slot[CostSlots ? pt / slot_points : 0].costs, impact_volatility, s, units,
                act, m, 1.0, p.steps, /*closing=*/true);
    double* col = out + std::uint64_t(pt * kHedgeMetrics) * stride + out_index;
    for (int j = 0; j < valid; ++j) {
      col[hedge_pnl * stride + j] = settle0 + double(payoff[j]) + s.cash[j];
      col[hedge_fee * stride + j] = s.fee[j];
      col[hedge_gas * stride + j] = s.gas[j];
      col[hedge_impact * stride + j] = s.impact[j];
      col[hedge_trades * stride + j] = double(s.trades[j]);
      col[hedge_funding * stride + j] = 0.0;  // spot only: perps run the scalar kernel
      col[hedge_option_fee * stride + j] = 0.0;  // no delta_vega_band here (simd_eligible)
    }
  }
  const double discount = exp(-p.rate * p.expiry);
  double* col = out + std::uint64_t(k.summary_column()) * stride + out_index;
  for (int j = 0; j < valid; ++j) {  // write_path_summary()
    col[summary_discounted_payoff * stride + j] = discount * double(payoff[j]);
    col[summary_jumps * stride + j] = double(jumps[j]);
    col[summary_gap_events * stride + j] = double(gaps[j]);
    col[summary_terminal_spot * stride + j] = double(m.spot[j]);
    col[summary_realised_volatility * stride + j] =
        realised_volatility(double(realised_variance[j]), p.expiry);
  }
}

static void run_batch(const HedgingKernel<float>& k, const BatchConstants& c, std::uint64_t first,
                      int valid, double* out, std::uint64_t stride, std::uint64_t out_index) {
  if (k.cost_slots > 1)
    run_batch_with<true>(k, c, first, valid, out, stride, out_index);
  else
    run_batch_with<false>(k, c, first, valid, out, stride, out_index);
}

#undef HM_LANES
#undef HM_NO_FP_CONTRACT
#undef HM_ERFC_FMA
