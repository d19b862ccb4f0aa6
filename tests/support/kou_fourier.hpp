// Test-only independent reference: the Kou (2002) double-exponential jump-diffusion European call
// by the Lewis (2001) Fourier integral, sharing no code with kernels/ or the Monte Carlo engine.
//
//   C = S - sqrt(S K) e^{-rT} / pi * int_0^inf Re[e^{i u k} phi_T(u - i/2)] / (u^2 + 1/4) du,
//   k = ln(S/K),  phi_T(u) = E[e^{i u ln(S_T/S_0)}] = exp(T psi(u)) under the risk-neutral measure,
//   psi(u) = i u (r - s^2/2 - lambda zeta) - s^2 u^2 / 2
//            + lambda (p eta1 / (eta1 - i u) + (1 - p) eta2 / (eta2 + i u) - 1),
//   zeta = p eta1 / (eta1 - 1) + (1 - p) eta2 / (eta2 + 1) - 1   (needs eta1 > 1).
//
// The integrand decays like exp(-s^2 T u^2 / 2) / u^2; the range is cut where that factor is
// e^-60 and integrated by adaptive Simpson on unit panels to an absolute 1e-12 each. Needs s > 0.
// Put by parity: P = C - S + K e^{-rT}.
#pragma once
#include <cmath>
#include <complex>

namespace hedgemap::reference {

struct KouModel {
  double spot, strike, expiry, rate, volatility;
  double intensity, up_probability, up_rate, down_rate;  // lambda, p, eta1, eta2
};

inline std::complex<double> kou_characteristic_function(const KouModel& m, std::complex<double> u) {
  const std::complex<double> i(0.0, 1.0);
  const double p = m.up_probability, e1 = m.up_rate, e2 = m.down_rate;
  const double zeta = p * e1 / (e1 - 1.0) + (1.0 - p) * e2 / (e2 + 1.0) - 1.0;
  const double s2 = m.volatility * m.volatility;
  const std::complex<double> psi =
      i * u * (m.rate - 0.5 * s2 - m.intensity * zeta) - 0.5 * s2 * u * u +
      m.intensity * (p * e1 / (e1 - i * u) + (1.0 - p) * e2 / (e2 + i * u) - 1.0);
  return std::exp(m.expiry * psi);
}

namespace detail {

inline double lewis_integrand(const KouModel& m, double u) {
  const double k = std::log(m.spot / m.strike);
  const std::complex<double> phi = kou_characteristic_function(m, std::complex<double>(u, -0.5));
  return std::real(std::exp(std::complex<double>(0.0, u * k)) * phi) / (u * u + 0.25);
}

template <class F>
double adaptive_simpson(const F& f, double a, double b, double fa, double fm, double fb,
                        double whole, double tolerance, int depth) {
  const double m = 0.5 * (a + b), lm = 0.5 * (a + m), rm = 0.5 * (m + b);
  const double flm = f(lm), frm = f(rm);
  const double left = (m - a) / 6.0 * (fa + 4.0 * flm + fm);
  const double right = (b - m) / 6.0 * (fm + 4.0 * frm + fb);
  const double delta = left + right - whole;
  if (depth <= 0 || std::fabs(delta) <= 15.0 * tolerance) return left + right + delta / 15.0;
  return adaptive_simpson(f, a, m, fa, flm, fm, left, 0.5 * tolerance, depth - 1) +
         adaptive_simpson(f, m, b, fm, frm, fb, right, 0.5 * tolerance, depth - 1);
}

template <class F>
double integrate(const F& f, double a, double b, double tolerance) {
  const double fa = f(a), fb = f(b), fm = f(0.5 * (a + b));
  const double whole = (b - a) / 6.0 * (fa + 4.0 * fm + fb);
  return adaptive_simpson(f, a, b, fa, fm, fb, whole, tolerance, 40);
}

}  // namespace detail

inline double kou_call_lewis(const KouModel& m) {
  const double total_vol = m.volatility * std::sqrt(m.expiry);
  const double upper = std::sqrt(120.0) / total_vol;  // exp(-total_vol^2 u^2 / 2) = e^-60
  const auto f = [&m](double u) { return detail::lewis_integrand(m, u); };
  double integral = 0.0;
  for (double a = 0.0; a < upper; a += 1.0)
    integral += detail::integrate(f, a, std::fmin(a + 1.0, upper), 1e-12);
  const double pi = 3.14159265358979323846;
  return m.spot - std::sqrt(m.spot * m.strike) * std::exp(-m.rate * m.expiry) / pi * integral;
}

inline double kou_put_lewis(const KouModel& m) {
  return kou_call_lewis(m) - m.spot + m.strike * std::exp(-m.rate * m.expiry);
}

}  // namespace hedgemap::reference
