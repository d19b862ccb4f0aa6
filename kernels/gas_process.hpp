// Gas as a process along one path (README, "Costs"), shared by every policy on the path.
//
// Persistent level (costs.gas_halflife_hours = h_g > 0): log-gas deviation x is an
// Ornstein-Uhlenbeck process sampled exactly at the decision times,
//   x_0 = s z_0,   x_{k+1} = phi x_k + s sqrt(1 - phi^2) z_{k+1},   phi = 2^(-dt / h_g),
// stationary N(0, s^2) (s = gas_volatility), and the level is g_k = exp(x_k - s^2/2), so
// E[g_k] = 1 at every step (the mean gas per transaction is `gas`) and corr(x_k, x_{k+j}) =
// phi^j = 2^(-j dt / h_g). z_k is the gas normal the independent model draws at step k
// (group 2 of interval k+1, kernels/jump_diffusion.hpp): h_g = 0 gives phi = 0, today's draws.
//
// Congestion (gaps.congestion_halflife_hours = h_c > 0): a transaction a time u after the last
// outage ended pays the level times
//   c(u) = 1 + (m - 1) 2^(-u / h_c)          (m = gaps.gas_multiplier; c = m during an outage),
// decaying back to 1 whoever trades; without h_c the first trade after an outage pays m x gas.
#pragma once
#include "kernels/model_params.hpp"

namespace hedgemap {

HM_HD HM_FORCEINLINE double congestion_factor(double multiplier, double since_outage_end,
                                              double halflife) {
  if (since_outage_end < 0.0) return multiplier;  // the outage still covers this time
  return 1.0 + (multiplier - 1.0) * exp2(-since_outage_end / halflife);
}

// Whether the gas is a process along the path (a persistent level, or a congestion premium that
// decays): then the path's gas factor at t_k is informative of the next trades' gas.
HM_HD inline bool gas_is_a_process(const ProcessParams& p) {
  return (p.gas_halflife > 0.0 && p.gas_volatility > 0.0) ||
         (p.congestion_halflife > 0.0 && p.gaps.intensity > 0.0);
}

// The persistent gas level of one path, advanced once per decision time.
class PersistentGasLevel {
 public:
  HM_HD void init(const ProcessParams& p) {
    sigma_ = p.gas_volatility;
    half_var_ = 0.5 * sigma_ * sigma_;
    phi_ = exp2(-p.dt / p.gas_halflife);
    innovation_ = sigma_ * sqrt(1.0 - phi_ * phi_);
  }

  // The level g_k of step k from the step's gas normal z (steps taken in order 0, 1, ...).
  HM_HD double advance(int k, double z) {
    log_deviation_ = k == 0 ? sigma_ * z : phi_ * log_deviation_ + innovation_ * z;
    return exp(log_deviation_ - half_var_);
  }

 private:
  double sigma_ = 0.0, half_var_ = 0.0, phi_ = 0.0, innovation_ = 0.0, log_deviation_ = 0.0;
};

}  // namespace hedgemap
