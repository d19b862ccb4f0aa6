// Distributions drawn from the 32-bit words of the Philox stream, in the working precision
// (float or double). Discrete draws (Poisson counts) always compare in double.
#pragma once
#include "kernels/philox_stream.hpp"

namespace hedgemap {

// Uniform on the open interval (0, 1) in the working precision: float keeps the top 23 bits, so
// k + 1/2 (k < 2^23) is exact in float's 24-bit significand; with 24 bits it rounds to k + 1 and
// the top word gives exactly 1.
template <class Real>
HM_HD HM_FORCEINLINE Real uniform_open(std::uint32_t x);
template <>
HM_HD HM_FORCEINLINE double uniform_open<double>(std::uint32_t x) {
  return u01_open(x);
}
template <>
HM_HD HM_FORCEINLINE float uniform_open<float>(std::uint32_t x) {
  // k converted as a signed int (k < 2^23, the same float): one instruction in a vector loop too.
  return (static_cast<float>(static_cast<std::int32_t>(x >> 9)) + 0.5f) *
         1.1920928955078125e-7f;  // 2^-23
}

template <class Real>
struct NormalPair {
  Real z0, z1;
};

// Box-Muller: two independent N(0,1) from two 32-bit words (uniforms u0, u1 on (0,1)),
//   z0 = r cos(theta), z1 = r sin(theta),  r = sqrt(-2 ln u0), theta = 2 pi u1.
// The radius and the angle are functions of their own so that lane-batched code (host/cpu/) can
// take the logarithm and the sine and cosine of many lanes at once in between.
template <class Real>
HM_HD HM_FORCEINLINE Real box_muller_radius(Real log_u0) {
  return hm_sqrt<Real>(Real(-2) * log_u0);
}
template <class Real>
HM_HD HM_FORCEINLINE Real box_muller_angle(Real u1) {
  return Real(6.283185307179586476925) * u1;
}
template <class Real>
HM_HD HM_FORCEINLINE NormalPair<Real> box_muller(std::uint32_t a, std::uint32_t b) {
  const Real u0 = uniform_open<Real>(a), u1 = uniform_open<Real>(b);
  const Real r = box_muller_radius<Real>(hm_log<Real>(u0));
  const Real theta = box_muller_angle<Real>(u1);
  Real sin_theta, cos_theta;
  hm_sincos(theta, &sin_theta, &cos_theta);
  return NormalPair<Real>{r * cos_theta, r * sin_theta};
}

// Exponential with rate 1 by inversion: -log(u).
HM_HD HM_FORCEINLINE double exponential1(double u) { return -log(u); }

// Poisson(mean) by inversion of the CDF (sequential search). The means here are lambda*dt,
// almost always far below 1, so the loop ends after one or two terms. Capped at 1000 events.
// p0 = exp(-mean), precomputed by callers that draw with one mean many times.
HM_HD inline int poisson_inverse(double p0, double mean, double u) {
  if (mean <= 0.0) return 0;
  double p = p0;
  double cdf = p;
  int n = 0;
  while (u > cdf && n < 1000) {
    ++n;
    p *= mean / n;
    cdf += p;
    if (p <= 0.0) break;  // tail underflow: u sits in the last 1e-300 of the distribution
  }
  return n;
}

HM_HD inline int poisson_inverse(double mean, double u) {
  return poisson_inverse(exp(-mean), mean, u);
}

// Standard normal CDF, Phi(x) = erfc(-x / sqrt 2) / 2, accurate in both tails.
template <class Real>
HM_HD HM_FORCEINLINE Real normal_cdf(Real x) {
  return Real(0.5) * hm_erfc<Real>(-x * Real(0.70710678118654752440));
}

template <class Real>
HM_HD HM_FORCEINLINE Real normal_pdf(Real x) {
  return Real(0.39894228040143267794) * hm_exp<Real>(Real(-0.5) * x * x);
}

}  // namespace hedgemap
