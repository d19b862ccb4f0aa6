// The Heston variance process and its time step (Andersen 2008, "Simple and efficient simulation
// of the Heston stochastic volatility model", J. Comput. Finance 11(3)): the quadratic-exponential
// (QE) step of the variance with the martingale-corrected log-price step.
//
//   dv = kappa (theta - v) dt + xi sqrt(v) dW_v,   d ln S = (mu_J - v/2) dt + sqrt(v) dW_S,
//   corr(dW_v, dW_S) = rho,  mu_J = mu - lambda_J kappa_J - lambda_G kappa_G (jumps, crashes
//   apart).
//
// Over dt, given v: m = theta + (v - theta) e^{-kappa dt}, s^2 = v xi^2 e (1 - e) / kappa +
// theta xi^2 (1 - e)^2 / (2 kappa), psi = s^2 / m^2. If psi <= 1.5, v' = a (b + Z_v)^2 with
// b^2 = 2/psi - 1 + sqrt(2/psi) sqrt(2/psi - 1), a = m / (1 + b^2); else v' = 0 with probability
// p = (psi - 1) / (psi + 1), and Exp(beta) with beta = (1 - p) / m otherwise (by inversion of U).
// Both match the conditional mean and variance of v' exactly. The log price, with the
// trapezoidal integral of v (gamma1 = gamma2 = 1/2) and an independent normal Z:
//
//   ln S' - ln S = mu_J dt + K0* + K1 v + K2 v' + sqrt(K3 v + K4 v') Z,
//   K1 = dt/2 (kappa rho / xi - 1/2) - rho / xi,  K2 = dt/2 (kappa rho / xi - 1/2) + rho / xi,
//   K3 = K4 = dt/2 (1 - rho^2),  A = K2 + K4 / 2,
//   K0* = -ln E[e^{A v'} | v] - (K1 + K3 / 2) v     (the martingale correction):
//         -A b^2 a / (1 - 2 A a) + ln(1 - 2 A a) / 2 - (K1 + K3/2) v   (quadratic branch),
//         -ln(p + beta (1 - p) / (beta - A)) - (K1 + K3/2) v           (exponential branch),
//
// so E[S'/S | v] = e^{mu_J dt} exactly on every step (K1 cancels). The correction needs
// A < 1 / (2a), resp. A < beta, which holds unless rho xi dt ~ 2 (never at steps of a day or
// less); where it fails the step takes Andersen's uncorrected K0 = -rho kappa theta dt / xi.
// xi = 0 is the deterministic variance, stepped exactly: v' = m, int v = v (1 - e) / kappa +
// theta (dt - (1 - e) / kappa), ln S' - ln S = mu_J dt - int v / 2 + sqrt(int v) Z.
#pragma once
#include "kernels/model_params.hpp"
#include "kernels/random_draws.hpp"

namespace hedgemap {

// The long-run variance theta whose expected average variance over [0, T],
//   (1/T) E[int_0^T v] = theta + (v_0 - theta) (1 - e^{-kappa T}) / (kappa T),  v_0 = r theta,
// is `average_variance` (the cell's diffusive variance, kernels/variance_budget.hpp): at r = 1,
// theta = average_variance.
HM_HD inline double heston_long_run_variance(double average_variance, double kappa,
                                             double initial_to_long_run, double expiry) {
  const double x = kappa * expiry;
  const double weight = x > 1e-8 ? (1.0 - exp(-x)) / x : 1.0 - 0.5 * x;  // (1 - e^{-x}) / x
  return average_variance / (1.0 + (initial_to_long_run - 1.0) * weight);
}

// The constants of one QE step of length dt.
HM_HD inline HestonStep heston_step(const HestonParams& h, double dt) {
  HestonStep c;
  c.dt = dt;
  const double kappa = h.mean_reversion, xi = h.vol_of_vol, rho = h.correlation;
  const double theta = h.long_run_variance;
  const double e = exp(-kappa * dt), one_minus_e = -expm1(-kappa * dt);
  c.decay = e;
  c.var_of_v = xi * xi * e * one_minus_e / kappa;
  c.var_const = theta * xi * xi * one_minus_e * one_minus_e / (2.0 * kappa);
  c.mean_of_v = one_minus_e / kappa;
  c.mean_const = theta * (dt - one_minus_e / kappa);
  c.k3 = c.k4 = 0.5 * dt * (1.0 - rho * rho);
  if (xi > 0.0) {
    const double half_dt_term = 0.5 * dt * (kappa * rho / xi - 0.5);
    c.k0 = -rho * kappa * theta * dt / xi;
    c.k1 = half_dt_term - rho / xi;
    c.k2 = half_dt_term + rho / xi;
  }
  c.a = c.k2 + 0.5 * c.k4;
  return c;
}

// Both sub-intervals of a step: the latency part (t, t + ell] and the rest (t + ell, t + dt].
HM_HD inline void prepare_heston_steps(ProcessParams& p) {
  const double ell = fill_latency(p);
  p.heston.ell = heston_step(p.heston, ell);
  p.heston.rest = heston_step(p.heston, p.dt - ell);
}

// One QE step: advances v over c.dt and returns the diffusion's ln S increment (without mu_J dt).
// z_v and u drive the variance (the quadratic and the exponential branch), z the price.
template <class Real>
HM_HD inline Real heston_qe_step(const HestonParams& h, const HestonStep& c, Real& v, Real z_v,
                                 Real u, Real z) {
  const Real v0 = v, theta = Real(h.long_run_variance);
  const Real m = theta + (v0 - theta) * Real(c.decay);
  if (!(h.vol_of_vol > 0.0)) {  // deterministic variance, exact
    const Real integral = v0 * Real(c.mean_of_v) + Real(c.mean_const);
    v = m;
    return Real(-0.5) * integral + hm_sqrt<Real>(integral) * z;
  }
  const Real s2 = v0 * Real(c.var_of_v) + Real(c.var_const);
  const Real psi = s2 / (m * m);
  const Real a_coef = Real(c.a);
  Real v1, k0;
  bool corrected;
  if (psi <= Real(1.5)) {
    const Real two_over_psi = Real(2) / psi;
    const Real b2 = two_over_psi - Real(1) +
                    hm_sqrt<Real>(two_over_psi) * hm_sqrt<Real>(two_over_psi - Real(1));
    const Real a = m / (Real(1) + b2);
    const Real bz = hm_sqrt<Real>(b2) + z_v;
    v1 = a * bz * bz;
    const Real two_a_a = Real(2) * a_coef * a;
    corrected = two_a_a < Real(1);
    k0 = corrected
             ? -a_coef * b2 * a / (Real(1) - two_a_a) + Real(0.5) * hm_log<Real>(Real(1) - two_a_a)
             : Real(0);
  } else {
    const Real p = (psi - Real(1)) / (psi + Real(1));
    const Real beta = (Real(1) - p) / m;
    v1 = u <= p ? Real(0) : hm_log<Real>((Real(1) - p) / (Real(1) - u)) / beta;
    corrected = a_coef < beta;
    k0 = corrected ? -hm_log<Real>(p + beta * (Real(1) - p) / (beta - a_coef)) : Real(0);
  }
  v = v1;
  const Real diffusion = hm_sqrt<Real>(Real(c.k3) * v0 + Real(c.k4) * v1) * z;
  if (corrected) return k0 - Real(0.5 * c.k3) * v0 + Real(c.k2) * v1 + diffusion;
  return Real(c.k0) + Real(c.k1) * v0 + Real(c.k2) * v1 + diffusion;  // Andersen's K0, uncorrected
}

}  // namespace hedgemap
