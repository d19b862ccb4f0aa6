// One macro header that makes kernels/ compile under both g++ and nvcc.
// Under g++ the CUDA qualifiers vanish; under nvcc every kernels/ function is host + device.
#pragma once

#if defined(__CUDACC__)
#define HM_HD __host__ __device__
#define HM_FORCEINLINE __forceinline__
#else
#define HM_HD
#define HM_FORCEINLINE inline __attribute__((always_inline))
#endif

#include <cmath>
#include <cstdint>
#include <type_traits>

namespace hedgemap {
// Math helpers that pick the float or double overload on both compilers.
template <class Real>
HM_HD HM_FORCEINLINE Real hm_exp(Real x) {
  return exp(x);
}
template <class Real>
HM_HD HM_FORCEINLINE Real hm_log(Real x) {
  return log(x);
}
template <class Real>
HM_HD HM_FORCEINLINE Real hm_sqrt(Real x) {
  return sqrt(x);
}
template <class Real>
HM_HD HM_FORCEINLINE Real hm_erfc(Real x) {
  return erfc(x);
}
template <class Real>
HM_HD HM_FORCEINLINE Real hm_abs(Real x) {
  return fabs(x);
}
template <>
HM_HD HM_FORCEINLINE float hm_exp<float>(float x) {
  return expf(x);
}
template <>
HM_HD HM_FORCEINLINE float hm_log<float>(float x) {
  return logf(x);
}
template <>
HM_HD HM_FORCEINLINE float hm_sqrt<float>(float x) {
  return sqrtf(x);
}
template <>
HM_HD HM_FORCEINLINE float hm_erfc<float>(float x) {
  return erfcf(x);
}
template <>
HM_HD HM_FORCEINLINE float hm_abs<float>(float x) {
  return fabsf(x);
}
// sin and cos of one angle (one call, and the float overload really in float).
HM_HD HM_FORCEINLINE void hm_sincos(double x, double* s, double* c) { sincos(x, s, c); }
HM_HD HM_FORCEINLINE void hm_sincos(float x, float* s, float* c) { sincosf(x, s, c); }
template <class Real>
HM_HD HM_FORCEINLINE Real hm_min(Real a, Real b) {
  return a < b ? a : b;
}
template <class Real>
HM_HD HM_FORCEINLINE Real hm_max(Real a, Real b) {
  return a > b ? a : b;
}
}  // namespace hedgemap
