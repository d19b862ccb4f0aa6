// Test-only independent reference: the Heston (1993) and Bates (1996) European call by the Lewis
// (2001) Fourier integral, sharing no code with kernels/ or the Monte Carlo engine. Up to two
// normal compound Poisson components in the log price (Bates' jumps, and the outage crashes of
// hedgemap's paths, which arrive at a Poisson rate too).
//
//   C = S - sqrt(S K) e^{-rT/2} / pi * int_0^inf Re[e^{i u k} phi(u - i/2)] / (u^2 + 1/4) du,
//   k = ln(S/K) + rT,  phi(u) = E[e^{i u (ln(S_T/S_0) - rT)}] under the risk-neutral measure
//   (Lewis' formula on the forward F = S e^{rT}, discounted),
//   ln phi(u) = C(u) + D(u) v0 + T sum_j lambda_j (e^{i u m_j - s_j^2 u^2 / 2} - 1 - i u k_j),
//   k_j = e^{m_j + s_j^2/2} - 1, and the Heston part in the "little trap" form (Albrecher et al.
//   2007, continuous in u):
//   b = kappa - rho xi i u,  d = sqrt(b^2 + xi^2 (i u + u^2)),  g = (b - d) / (b + d),
//   C = kappa theta / xi^2 ((b - d) T - 2 ln((1 - g e^{-dT}) / (1 - g))),
//   D = (b - d) / xi^2 (1 - e^{-dT}) / (1 - g e^{-dT}).
//
// Integrated by adaptive Simpson (depth 20) on unit panels to an absolute 1e-13 each, until five
// panels in a row add less than 1e-15 (the integrand decays exponentially in u). Needs xi > 0
// (small xi loses digits to the kappa theta / xi^2 factor).
#pragma once
#include <cmath>
#include <complex>

namespace hedgemap::reference {

struct NormalJumpComponent {
  double intensity = 0.0, log_mean = 0.0, log_stdev = 0.0;
};

struct HestonModel {
  double spot, strike, expiry, rate;
  double v0, kappa, theta, xi, rho;
  NormalJumpComponent jumps, crashes;  // Bates: jumps; hedgemap's outage crashes
};

inline std::complex<double> heston_characteristic_function(const HestonModel& m,
                                                           std::complex<double> u) {
  using cd = std::complex<double>;
  const cd i(0.0, 1.0);
  const double T = m.expiry, xi2 = m.xi * m.xi;
  const cd b = m.kappa - m.rho * m.xi * i * u;
  const cd d = std::sqrt(b * b + xi2 * (i * u + u * u));
  const cd g = (b - d) / (b + d);
  const cd e = std::exp(-d * T);
  const cd c = m.kappa * m.theta / xi2 * ((b - d) * T - 2.0 * std::log((1.0 - g * e) / (1.0 - g)));
  const cd dd = (b - d) / xi2 * (1.0 - e) / (1.0 - g * e);
  cd log_phi = c + dd * m.v0;
  for (const NormalJumpComponent& j : {m.jumps, m.crashes}) {
    if (j.intensity == 0.0) continue;
    const double k = std::exp(j.log_mean + 0.5 * j.log_stdev * j.log_stdev) - 1.0;
    log_phi +=
        T * j.intensity *
        (std::exp(i * u * j.log_mean - 0.5 * j.log_stdev * j.log_stdev * u * u) - 1.0 - i * u * k);
  }
  return std::exp(log_phi);
}

namespace heston_detail {

template <class F>
double simpson(const F& f, double a, double b, double fa, double fm, double fb, double whole,
               double tolerance, int depth) {
  const double m = 0.5 * (a + b), lm = 0.5 * (a + m), rm = 0.5 * (m + b);
  const double flm = f(lm), frm = f(rm);
  const double left = (m - a) / 6.0 * (fa + 4.0 * flm + fm);
  const double right = (b - m) / 6.0 * (fm + 4.0 * frm + fb);
  const double delta = left + right - whole;
  // (a NaN stops the recursion at once; the caller sees it)
  if (depth <= 0 || !(std::fabs(delta) > 15.0 * tolerance)) return left + right + delta / 15.0;
  return simpson(f, a, m, fa, flm, fm, left, 0.5 * tolerance, depth - 1) +
         simpson(f, m, b, fm, frm, fb, right, 0.5 * tolerance, depth - 1);
}

}  // namespace heston_detail

inline double heston_call_lewis(const HestonModel& m) {
  const double k = std::log(m.spot / m.strike) + m.rate * m.expiry;
  const auto f = [&m, k](double u) {
    const std::complex<double> phi =
        heston_characteristic_function(m, std::complex<double>(u, -0.5));
    return std::real(std::exp(std::complex<double>(0.0, u * k)) * phi) / (u * u + 0.25);
  };
  double integral = 0.0;
  int quiet = 0;
  for (double a = 0.0; a < 5000.0 && quiet < 5 && std::isfinite(integral); a += 1.0) {
    const double fa = f(a), fb = f(a + 1.0), fm = f(a + 0.5);
    const double whole = (fa + 4.0 * fm + fb) / 6.0;
    const double panel = heston_detail::simpson(f, a, a + 1.0, fa, fm, fb, whole, 1e-13, 20);
    integral += panel;
    quiet = std::fabs(panel) < 1e-15 ? quiet + 1 : 0;
  }
  const double pi = 3.14159265358979323846;
  return m.spot - std::sqrt(m.spot * m.strike) * std::exp(-0.5 * m.rate * m.expiry) / pi * integral;
}

inline double heston_put_lewis(const HestonModel& m) {
  return heston_call_lewis(m) - m.spot + m.strike * std::exp(-m.rate * m.expiry);
}

}  // namespace hedgemap::reference
