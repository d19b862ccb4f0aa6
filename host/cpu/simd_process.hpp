// Per-kernel constants of the lane-batched jump-diffusion path (host/cpu/simd_process.inl), as
// JumpDiffusionPath's constructor (kernels/jump_diffusion.hpp) computes them, plus the Philox
// round keys and the words below which a Poisson count is zero (so that the common "no jump, no
// outage" case is one vector compare, and only the rare lanes take the scalar inverse CDF).
// Shared by every lane-batched kernel (host/cpu/simd_hedging.cpp, host/cpu/simd_allocation.cpp,
// host/cpu/simd_book_price.cpp).
#pragma once
#include <cmath>
#include <cstdint>

#include "host/cpu/simd_dispatch.hpp"  // kSimdLanes
#include "kernels/jump_diffusion.hpp"

namespace hedgemap {
namespace simd_process {

struct ProcessConstants {
  std::uint32_t round_key0[10], round_key1[10];  // Philox keys of rounds 1..10
  double ell, jump_mean_ell, jump_mean_rest, p0_jump_ell, p0_jump_rest, gap_mean, p0_gap;
  float spot0, drift_ell, drift_rest, sigma_sqrt_ell, sigma_sqrt_rest, gas_sigma, gas_half_var;
  bool has_latency, has_jumps, has_gaps, has_gas_dispersion, need_g2;
  // A Poisson count is 0 when its word x has u01_open(x) <= P(N = 0), i.e. x <= threshold.
  std::uint32_t jump_ell_threshold, jump_rest_threshold, gap_threshold;

  explicit ProcessConstants(const ProcessParams& p) {
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
    const double guess = std::floor(p0 * 4294967296.0);
    std::uint32_t t = guess > 4294967295.0 ? 0xFFFFFFFFu : std::uint32_t(guess);
    while (t > 0 && u01_open(t) > p0) --t;
    while (t < 0xFFFFFFFFu && u01_open(t + 1) <= p0) ++t;
    return t;
  }
};

// Four Philox output words of every lane.
struct Words {
  alignas(64) std::uint32_t x[kSimdLanes], y[kSimdLanes], z[kSimdLanes], w[kSimdLanes];
};

}  // namespace simd_process
}  // namespace hedgemap
