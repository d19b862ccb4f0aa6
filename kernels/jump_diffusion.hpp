// The price process of one path: a diffusion (exact log-normal with constant volatility, or Heston
// stochastic variance by Andersen's QE step: kernels/heston_variance.hpp), compound Poisson jumps
// (Merton normal or Kou double-exponential log jumps) and outages ("gap events") with a crash at
// their start. Over one interval (t, t+dt], with constant volatility:
//
//   ln S(t+dt) - ln S(t) = a dt + sigma (W(t+dt) - W(t)) + sum_i J_i + sum_j C_j
//   a = mu - sigma^2/2 - lambda_J kappa_J - lambda_G kappa_G,   kappa = E[e^X] - 1
//
// so E[S_t] = S_0 exp(mu t) with jumps and crashes on. Each interval is split at the latency
// ell: S(t+ell) is the fill price of an order decided at t, and is the process's own price (the
// diffusion and jumps of [t, t+ell] are part of the path, not an extra draw on top of it).
// Outages arrive in (t+ell, t+dt] at Poisson rate lambda_G, last Exp(mean duration), and block
// trading at every decision time they cover. The step is exact in distribution for any dt.
//
// Draw layout for interval i (Philox step counter = i, 1-based), each group 4 words:
//   group 0: normals z_ell, z_rest (diffusion of the two sub-intervals); jump counts n_ell, n_rest
//   group 1: normals for the Merton jump sums of both sub-intervals; outage count; spare
//   group 2: normals for the gas factor and the crash sum; first outage's start and duration
//   group 3 + j: start and duration of outage j = 1..61 of the interval
//   group 64 + j/2: Kou jumps j (sign, size), two per group (j < 2000: groups 64..1063)
//   group 4096: Heston variance of both sub-intervals (only with volatility.model = "heston")
//   group 8192: funding-rate normals (kernels/funding_rate.hpp; only with hedging.instrument perp)
//   group 16384 + j: outage j >= 62 of the interval (3 + j would reach the Kou groups)
// The gas level's persistence and congestion (kernels/gas_process.hpp) reuse group 2's normal.
#pragma once
#include "kernels/funding_rate.hpp"
#include "kernels/gas_process.hpp"
#include "kernels/heston_variance.hpp"
#include "kernels/model_params.hpp"
#include "kernels/random_draws.hpp"

namespace hedgemap {

// What a policy sees at decision time t_k, k = 0..steps.
template <class Real>
struct MarketPoint {
  int index;            // k
  Real time;            // t_k in years
  Real time_to_expiry;  // T - t_k
  Real spot;            // S(t_k)
  Real log_return;      // ln(S(t_k) / S_0)
  Real fill_spot;       // S(t_k + latency): where an order decided at t_k fills (spot at expiry)
  Real gas_factor;      // gas of a transaction at t_k / mean gas (level x congestion)
  Real variance;        // the diffusion's instantaneous variance at t_k (sigma^2, or Heston's v)
  double funding_rate;  // perp funding rate over (t_k, t_k+1], annualized (0 unless perp)
  bool blocked;         // an outage covers t_k: no trade is possible
  bool is_expiry;       // k == steps
};

// E[e^J] - 1 of one jump.
HM_HD inline double jump_compensator(const JumpParams& j) {
  switch (j.model) {
    case JumpModel::merton:
      return exp(j.log_mean + 0.5 * j.log_stdev * j.log_stdev) - 1.0;
    case JumpModel::kou:
      return j.up_probability * j.up_rate / (j.up_rate - 1.0) +
             (1.0 - j.up_probability) * j.down_rate / (j.down_rate + 1.0) - 1.0;
    default:
      return 0.0;
  }
}

HM_HD inline double crash_compensator(const GapParams& g) {
  return exp(g.crash_log_mean + 0.5 * g.crash_log_stdev * g.crash_log_stdev) - 1.0;
}

// Drift of ln S per year that makes E[S_t] = S_0 exp(mu t).
HM_HD inline double compensated_log_drift(const ProcessParams& p) {
  const double lambda_j = p.jumps.model == JumpModel::none ? 0.0 : p.jumps.intensity;
  return p.drift - 0.5 * p.volatility * p.volatility - lambda_j * jump_compensator(p.jumps) -
         p.gaps.intensity * crash_compensator(p.gaps);
}

// mu - lambda_J kappa_J - lambda_G kappa_G: the drift of ln S apart from the diffusion's -v/2
// (the stochastic-variance step brings its own, kernels/heston_variance.hpp).
HM_HD inline double compensated_jump_drift(const ProcessParams& p) {
  const double lambda_j = p.jumps.model == JumpModel::none ? 0.0 : p.jumps.intensity;
  return p.drift - lambda_j * jump_compensator(p.jumps) -
         p.gaps.intensity * crash_compensator(p.gaps);
}

// Sum of n i.i.d. N(mean, stdev^2) log jumps (Merton jumps, outage crashes) from one standard
// normal z: the sum is N(n mean, n stdev^2), so n mean + sqrt(n) stdev z is exact.
template <class Real>
HM_HD HM_FORCEINLINE Real normal_jump_sum(int n, double mean, double stdev, Real z) {
  return Real(n * mean) + Real(sqrt(double(n)) * stdev) * z;
}

// Sum of the n Kou (double-exponential) log jumps numbered first .. first + n - 1 in the interval:
// jump i takes its sign and size words from group 64 + i/2 (two jumps per group).
template <class Real>
HM_HD HM_FORCEINLINE Real kou_jump_sum(const JumpParams& j, const PhiloxStream& stream,
                                       std::uint32_t interval, int n, int first) {
  Real sum = Real(0);
  for (int i = first; i < first + n; ++i) {
    const Uint4 w = stream.words(interval, 64u + std::uint32_t(i / 2));
    const std::uint32_t sign_word = (i % 2 == 0) ? w.x : w.z;
    const std::uint32_t size_word = (i % 2 == 0) ? w.y : w.w;
    const bool up = u01_open(sign_word) < j.up_probability;
    const Real e = Real(exponential1(u01_open(size_word)));
    sum += up ? e / Real(j.up_rate) : -e / Real(j.down_rate);
  }
  return sum;
}

// The later of `blocked_until` and the end of the n >= 1 outages that start in the interval
// (t0, t0 + rest] after the latency: outage g starts at t0 + U rest and lasts mean_duration
// Exp(1), its words (z, w) from group 2 (g = 0, `group2`, already drawn) or outage_group(g).
constexpr std::uint32_t kOutageOverflowGroup = 16384u;
HM_HD HM_FORCEINLINE std::uint32_t outage_group(int g) {
  return g < 62 ? 2u + std::uint32_t(g) : kOutageOverflowGroup + std::uint32_t(g);
}

HM_HD HM_FORCEINLINE double outages_end(const GapParams& gaps, const PhiloxStream& stream,
                                        std::uint32_t interval, int n, const Uint4& group2,
                                        double t0, double rest, double blocked_until) {
  for (int g = 0; g < n; ++g) {
    const Uint4 w = g == 0 ? group2 : stream.words(interval, outage_group(g));
    const double start = t0 + u01_open(w.z) * rest;
    const double end = start + gaps.mean_duration * exponential1(u01_open(w.w));
    blocked_until = end > blocked_until ? end : blocked_until;
  }
  return blocked_until;
}

// The diffusion part of ln S over a step's two sub-intervals, (t, t + ell] and (t + ell, t + dt],
// given their price normals: a policy of JumpDiffusionPath, chosen once per kernel (no branch on
// the volatility model in the step). Constant volatility: exact log-normal increments.
template <class Real>
class ConstantDiffusion {
 public:
  HM_HD ConstantDiffusion(const ProcessParams& p, double ell) {
    // Per-step constants, computed once per path rather than once per step.
    const double log_drift = compensated_log_drift(p), rest = p.dt - ell;
    drift_ell_ = Real(log_drift * ell);
    drift_rest_ = Real(log_drift * rest);
    sigma_sqrt_ell_ = Real(p.volatility * sqrt(ell));
    sigma_sqrt_rest_ = Real(p.volatility * sqrt(rest));
  }
  // The step's own draws (none).
  HM_HD void draw(const ProcessParams&, const PhiloxStream&, std::uint32_t) {}
  // ln S(t + ell) - ln S(t) without the jumps.
  HM_HD Real latency_increment(const ProcessParams&, Real z) {
    return drift_ell_ + sigma_sqrt_ell_ * z;
  }
  // ln S(t + dt) without the jumps, from ln S(t + ell).
  HM_HD Real rest_from(const ProcessParams&, Real log_fill, Real z) {
    return log_fill + drift_rest_ + sigma_sqrt_rest_ * z;
  }
  HM_HD Real variance(const ProcessParams& p) const { return Real(p.volatility * p.volatility); }

 private:
  Real drift_ell_, drift_rest_, sigma_sqrt_ell_, sigma_sqrt_rest_;
};

// Heston variance (Bates with Merton jumps): the QE step of kernels/heston_variance.hpp on each
// sub-interval. Its draws, both sub-intervals' at once, are group kHestonVarianceGroup of the step:
// normals z_v(rest), z_v(ell) from words x, y; uniforms u(ell) = z, u(rest) = w.
constexpr std::uint32_t kHestonVarianceGroup = 4096;

template <class Real>
class HestonDiffusion {
 public:
  HM_HD HestonDiffusion(const ProcessParams& p, double ell) : v_(Real(p.heston.initial_variance)) {
    const double drift = compensated_jump_drift(p);
    drift_ell_ = Real(drift * ell);
    drift_rest_ = Real(drift * (p.dt - ell));
  }
  HM_HD void draw(const ProcessParams&, const PhiloxStream& stream, std::uint32_t interval) {
    words_ = stream.words(interval, kHestonVarianceGroup);
    z_v_ = box_muller<Real>(words_.x, words_.y);
  }
  HM_HD Real latency_increment(const ProcessParams& p, Real z) {
    return drift_ell_ + heston_qe_step<Real>(p.heston, p.heston.ell, v_, z_v_.z1,
                                             uniform_open<Real>(words_.z), z);
  }
  HM_HD Real rest_from(const ProcessParams& p, Real log_fill, Real z) {
    return log_fill + (drift_rest_ + heston_qe_step<Real>(p.heston, p.heston.rest, v_, z_v_.z0,
                                                          uniform_open<Real>(words_.w), z));
  }
  HM_HD Real variance(const ProcessParams&) const { return v_; }

 private:
  Real v_;
  Real drift_ell_, drift_rest_;
  Uint4 words_{0, 0, 0, 0};
  NormalPair<Real> z_v_{Real(0), Real(0)};
};

template <class Real, VolatilityModel Model>
struct DiffusionOf {
  using type = ConstantDiffusion<Real>;
};
template <class Real>
struct DiffusionOf<Real, VolatilityModel::heston> {
  using type = HestonDiffusion<Real>;
};

template <class Real, class Diffusion = ConstantDiffusion<Real>>
class JumpDiffusionPath {
 public:
  HM_HD JumpDiffusionPath(const ProcessParams& p, unsigned long long path)
      : p_(p), stream_(p.seed, path), ell_(fill_latency(p)), diffusion_(p, ell_) {
    spot0_ = Real(p.spot);
    const double rest = p.dt - ell_;
    has_jumps_ = p.jumps.model != JumpModel::none && p.jumps.intensity > 0.0;
    jump_mean_ell_ = has_jumps_ ? p.jumps.intensity * ell_ : 0.0;
    jump_mean_rest_ = has_jumps_ ? p.jumps.intensity * rest : 0.0;
    p0_jump_ell_ = exp(-jump_mean_ell_);
    p0_jump_rest_ = exp(-jump_mean_rest_);
    has_gaps_ = p.gaps.intensity > 0.0;
    gap_mean_ = p.gaps.intensity * p.dt;
    p0_gap_ = exp(-gap_mean_);
    has_gas_dispersion_ = p.gas_volatility > 0.0;
    gas_sigma_ = Real(p.gas_volatility);
    gas_half_var_ = Real(0.5 * p.gas_volatility * p.gas_volatility);
    persistent_gas_ = has_gas_dispersion_ && p.gas_halflife > 0.0;
    if (persistent_gas_) gas_level_.init(p);
    congestion_decays_ = has_gaps_ && p.congestion_halflife > 0.0;
    if (p.funding.on) funding_.init(p.funding, p.dt);
  }

  // Decision point k = 0.
  HM_HD MarketPoint<Real> first() {
    k_ = 0;
    return emit();
  }

  // Decision point k + 1.
  HM_HD MarketPoint<Real> next() {
    ++k_;
    const Real log_return = log_spot_next_ - log_spot_;
    realised_variance_sum_ += log_return * log_return;
    log_spot_ = log_spot_next_;
    blocked_until_ = blocked_until_next_;
    return emit();
  }

  HM_HD int jumps() const { return jumps_; }
  HM_HD int gap_events() const { return gaps_; }
  // ln(S(t_k) / S_0): the state is the log return, small in magnitude, so float keeps precision.
  HM_HD Real log_return() const { return log_spot_; }
  // Mean over the steps so far of the perp funding rate f_k (annualized; 0 unless perp).
  HM_HD double funding_rate_mean() const { return funding_rate_sum_ / p_.steps; }
  // End of the latest outage begun before the current decision time (< 0: none yet), years.
  HM_HD double last_outage_end() const { return blocked_until_; }
  // sum over the steps so far of (ln S(t_{i+1}) - ln S(t_i))^2: the path's realised variance.
  HM_HD Real realised_variance_sum() const { return realised_variance_sum_; }

 private:
  // Sum of the jumps numbered first .. first + n - 1 of the interval (Merton: from merton_z).
  HM_HD Real jump_sum(std::uint32_t interval, int n, int first, Real merton_z) const {
    if (n == 0) return Real(0);
    if (p_.jumps.model == JumpModel::merton)
      return normal_jump_sum<Real>(n, p_.jumps.log_mean, p_.jumps.log_stdev, merton_z);
    return kou_jump_sum<Real>(p_.jumps, stream_, interval, n, first);
  }

  HM_HD MarketPoint<Real> emit() {
    MarketPoint<Real> m;
    m.index = k_;
    m.time = Real(k_ * p_.dt);
    m.time_to_expiry = Real((p_.steps - k_) * p_.dt);
    m.spot = spot0_ * hm_exp<Real>(log_spot_);
    m.log_return = log_spot_;
    m.is_expiry = (k_ == p_.steps);
    m.blocked = k_ > 0 && double(k_) * p_.dt < blocked_until_;
    m.variance = diffusion_.variance(p_);  // before the draws of interval k+1 move it

    // Interval k+1 = (t_k, t_k+dt]: split at the latency, outages after it. Groups that a
    // switched-off feature would use are not generated (their addresses stay reserved, so turning
    // a feature on never changes the other draws).
    const std::uint32_t interval = std::uint32_t(k_ + 1);
    Uint4 g2{0, 0, 0, 0};
    const bool need_g2 = has_gas_dispersion_ || has_gaps_;
    if (need_g2) g2 = stream_.words(interval, 2);
    NormalPair<Real> zg{Real(0), Real(0)};
    if (need_g2) zg = box_muller<Real>(g2.x, g2.y);
    if (persistent_gas_)
      m.gas_factor = Real(gas_level_.advance(k_, double(zg.z0)));
    else
      m.gas_factor =
          has_gas_dispersion_ ? hm_exp<Real>(gas_sigma_ * zg.z0 - gas_half_var_) : Real(1);
    if (congestion_decays_ && blocked_until_ >= 0.0)
      m.gas_factor *= Real(congestion_factor(
          p_.gaps.gas_multiplier, double(k_) * p_.dt - blocked_until_, p_.congestion_halflife));
    Uint4 gf{0, 0, 0, 0};
    m.funding_rate = 0.0;
    if (p_.funding.on) {
      gf = stream_.words(interval, kFundingGroup);
      if (k_ == 0) funding_.start(double(box_muller<Real>(gf.z, gf.w).z0));
      m.funding_rate = funding_.rate();
      if (k_ < p_.steps) funding_rate_sum_ += m.funding_rate;
    }

    if (m.is_expiry) {  // nothing is simulated past T; the unwind fills at S(T)
      m.fill_spot = m.spot;
      return m;
    }
    const Uint4 g0 = stream_.words(interval, 0);
    const NormalPair<Real> zd = box_muller<Real>(g0.x, g0.y);
    if (p_.funding.on)  // the standardised diffusive shock of the whole step drives the rate
      funding_.advance(
          (sqrt(ell_) * double(zd.z1) + sqrt(p_.dt - ell_) * double(zd.z0)) / sqrt(p_.dt),
          double(box_muller<Real>(gf.x, gf.y).z0));
    Uint4 g1{0, 0, 0, 0};
    if (has_jumps_ || has_gaps_) g1 = stream_.words(interval, 1);

    int n_ell = 0, n_rest = 0;
    NormalPair<Real> zj{Real(0), Real(0)};
    if (has_jumps_) {
      n_ell = poisson_inverse(p0_jump_ell_, jump_mean_ell_, u01_open(g0.z));
      n_rest = poisson_inverse(p0_jump_rest_, jump_mean_rest_, u01_open(g0.w));
      jumps_ += n_ell + n_rest;
      if ((n_ell | n_rest) != 0 && p_.jumps.model == JumpModel::merton)
        zj = box_muller<Real>(g1.x, g1.y);
    }

    diffusion_.draw(p_, stream_, interval);
    Real log_fill = log_spot_;
    if (ell_ > 0.0)
      log_fill += diffusion_.latency_increment(p_, zd.z1) + jump_sum(interval, n_ell, 0, zj.z1);
    m.fill_spot = ell_ > 0.0 ? spot0_ * hm_exp<Real>(log_fill) : m.spot;

    Real log_next =
        diffusion_.rest_from(p_, log_fill, zd.z0) + jump_sum(interval, n_rest, n_ell, zj.z0);

    // Outages arriving in (t_k + ell, t_{k+1}]: crash at each start, trading blocked until the end.
    double blocked_until = blocked_until_;
    const int n_gaps = has_gaps_ ? poisson_inverse(p0_gap_, gap_mean_, u01_open(g1.z)) : 0;
    if (n_gaps > 0) {
      gaps_ += n_gaps;
      log_next +=
          normal_jump_sum<Real>(n_gaps, p_.gaps.crash_log_mean, p_.gaps.crash_log_stdev, zg.z1);
      blocked_until = outages_end(p_.gaps, stream_, interval, n_gaps, g2, double(k_) * p_.dt + ell_,
                                  p_.dt - ell_, blocked_until);
    }
    log_spot_next_ = log_next;
    blocked_until_next_ = blocked_until;
    return m;
  }

  ProcessParams p_;
  PhiloxStream stream_;
  double ell_ = 0.0;
  Diffusion diffusion_;
  Real gas_sigma_, gas_half_var_;
  double jump_mean_ell_, jump_mean_rest_, p0_jump_ell_, p0_jump_rest_, gap_mean_, p0_gap_;
  bool has_jumps_, has_gaps_, has_gas_dispersion_, persistent_gas_, congestion_decays_;
  PersistentGasLevel gas_level_;
  FundingRate funding_;
  Real spot0_ = Real(1);
  Real log_spot_ = Real(0), log_spot_next_ = Real(0);  // ln(S/S_0)
  Real realised_variance_sum_ = Real(0);
  double blocked_until_ = -1.0, blocked_until_next_ = -1.0;
  double funding_rate_sum_ = 0.0;
  int k_ = 0, jumps_ = 0, gaps_ = 0;
};

}  // namespace hedgemap
