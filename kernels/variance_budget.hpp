// The variance budget of a cell: how the total realised variance of ln S, in expected annualized
// variance over the option's life, splits into the diffusion, the jumps and the outage crashes.
// The cell's volatility is the implied volatility sigma_i at t = 0; `[volatility]
// realised_to_implied` (rho) sets the total realised volatility, and the diffusion gets what is
// left after the compound Poisson parts:
//
//   (rho sigma_i)^2 = sigma_d^2 + lambda_J E[J^2] + lambda_G E[C^2]
//
// (a compound Poisson sum over a time t has variance lambda t E[X^2]), with
//   E[J^2] = m_J^2 + s_J^2 (Merton),  p 2/eta_1^2 + (1 - p) 2/eta_2^2 (Kou),
//   E[C^2] = m_C^2 + s_C^2 (the normal crash at each outage start, lambda_G = outages per year).
// sigma_d^2 <= 0 is refused by the parser (host/scenario/parser.cpp), naming the cell. Under
// Heston, sigma_d^2 is the expected average of the variance process over the life
// (kernels/heston_variance.hpp turns it into the long-run variance theta).
//
// The hedger's Merton model believes the total variance equals its input volatility squared
// (it knows the jump and crash laws, not the variance risk premium): its diffusive variance is
// sigma_input^2 - lambda_J E[J^2] - lambda_G E[C^2] with its two normal components.
#pragma once
#include "kernels/model_params.hpp"

namespace hedgemap {

// lambda E[X^2] of a normal compound Poisson component, per year.
HM_HD inline double normal_jump_variance_rate(const NormalJumps& j) {
  return j.intensity * (j.log_mean * j.log_mean + j.log_stdev * j.log_stdev);
}

// lambda_J E[J^2] of the paths' jumps, per year.
HM_HD inline double jump_variance_rate(const JumpParams& j) {
  switch (j.model) {
    case JumpModel::merton:
      return normal_jump_variance_rate(NormalJumps{j.intensity, j.log_mean, j.log_stdev});
    case JumpModel::kou:
      return j.intensity * (j.up_probability * 2.0 / (j.up_rate * j.up_rate) +
                            (1.0 - j.up_probability) * 2.0 / (j.down_rate * j.down_rate));
    default:
      return 0.0;
  }
}

// lambda_G E[C^2] of the outage crashes, per year.
HM_HD inline double crash_variance_rate(const GapParams& g) {
  return normal_jump_variance_rate(NormalJumps{g.intensity, g.crash_log_mean, g.crash_log_stdev});
}

struct VarianceBudget {
  double implied_volatility;  // sigma_i, the cell's
  double total_volatility;    // rho sigma_i, the expected total realised volatility
  double total_variance;      // (rho sigma_i)^2
  double jump_variance;       // lambda_J E[J^2]
  double crash_variance;      // lambda_G E[C^2]
  double diffusive_variance;  // what is left: > 0 for a cell that can run
};

HM_HD inline VarianceBudget variance_budget(double implied_volatility, double realised_to_implied,
                                            const JumpParams& jumps, const GapParams& gaps) {
  VarianceBudget b;
  b.implied_volatility = implied_volatility;
  b.total_volatility = realised_to_implied * implied_volatility;
  b.total_variance = b.total_volatility * b.total_volatility;
  b.jump_variance = jumps.intensity > 0.0 ? jump_variance_rate(jumps) : 0.0;
  b.crash_variance = crash_variance_rate(gaps);
  b.diffusive_variance = b.total_variance - b.jump_variance - b.crash_variance;
  return b;
}

// The hedger's Merton model: the paths' Merton jumps (none unless jumps.model = "merton") and the
// outage crashes as a second normal component.
HM_HD inline MertonJumps merton_jumps(const JumpParams& jumps, const GapParams& gaps) {
  MertonJumps m;
  if (jumps.model == JumpModel::merton) {
    m.jumps.intensity = jumps.intensity;
    m.jumps.log_mean = jumps.log_mean;
    m.jumps.log_stdev = jumps.log_stdev;
  }
  m.crashes.intensity = gaps.intensity;
  m.crashes.log_mean = gaps.crash_log_mean;
  m.crashes.log_stdev = gaps.crash_log_stdev;
  return m;
}

// The diffusive variance of a Merton model whose total variance rate is `total_variance`.
HM_HD inline double merton_diffusive_variance(double total_variance, const MertonJumps& m) {
  return total_variance - normal_jump_variance_rate(m.jumps) - normal_jump_variance_rate(m.crashes);
}

}  // namespace hedgemap
