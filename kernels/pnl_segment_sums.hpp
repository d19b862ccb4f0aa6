// The sums behind a policy point's P&L statistics (host/statistics/hedging_statistics.hpp), over
// one segment of paths [lo, hi), in one fixed order on the CPU and the GPU: element lo + i goes to
// partial sum i mod 8, the eight partials are added in a fixed tree, every product and sum rounded
// on its own (kernels/block_moments.hpp). A sample's statistics add its segments' sums in segment
// order, so they do not depend on threads, chunking or where the P&L array lives (host or device
// memory).
//
//   raw      s0 = sum x
//   central  d = x - c:            s0..s3 = sum d, d^2, d^3, d^4          (c = the mean)
//   tail     y = max(-x - c, 0):   s0, s1 = sum y, y^2                    (c = VaR of the loss)
//   weights  w = exp(-k x - c):    s0, s1 = sum w, w^2                    (c = max of -k x)
// A NaN P&L gives NaN sums (the tail's max keeps it: NaN < 0 is false).
#pragma once
#include <cmath>

#include "kernels/block_moments.hpp"
#include "kernels/hd.hpp"

namespace hedgemap {

enum PnlSumKind : int {
  pnl_sum_raw = 0,
  pnl_sum_central = 1,
  pnl_sum_tail = 2,
  pnl_sum_weights = 3
};
constexpr int kPnlSumValues = 4;  // values per segment, whatever the kind (unused ones are 0)

struct PnlSums {
  double s[kPnlSumValues];
};

namespace detail {
HM_HD HM_FORCEINLINE double hm_exp(double x) {
#if defined(__CUDA_ARCH__)
  return ::exp(x);  // within 1 ulp of glibc's: device and host weights may differ in the last bit
#else
  return std::exp(x);
#endif
}

// The terms of element x for Kind, Terms<Kind> of them.
template <int Kind>
struct PnlTerms;
template <>
struct PnlTerms<pnl_sum_raw> {
  static constexpr int count = 1;
  HM_HD static HM_FORCEINLINE void of(double x, double, double, double* t) { t[0] = x; }
};
template <>
struct PnlTerms<pnl_sum_central> {
  static constexpr int count = 4;
  HM_HD static HM_FORCEINLINE void of(double x, double center, double, double* t) {
    const double d = x - center, d2 = hm_mul_rn(d, d);
    t[0] = d;
    t[1] = d2;
    t[2] = hm_mul_rn(d2, d);
    t[3] = hm_mul_rn(d2, d2);
  }
};
template <>
struct PnlTerms<pnl_sum_tail> {
  static constexpr int count = 2;
  HM_HD static HM_FORCEINLINE void of(double x, double center, double, double* t) {
    const double excess = -x - center, y = excess < 0.0 ? 0.0 : excess;
    t[0] = y;
    t[1] = hm_mul_rn(y, y);
  }
};
template <>
struct PnlTerms<pnl_sum_weights> {
  static constexpr int count = 2;
  HM_HD static HM_FORCEINLINE void of(double x, double center, double k, double* t) {
    const double w = hm_exp(hm_add_rn(hm_mul_rn(-k, x), -center));
    t[0] = w;
    t[1] = hm_mul_rn(w, w);
  }
};

template <int Kind>
struct PnlTermsOf {
  double center, k;
  HM_HD HM_FORCEINLINE void operator()(double x, double* t) const {
    PnlTerms<Kind>::of(x, center, k, t);
  }
};

template <int Kind>
HM_HD inline PnlSums pnl_segment_sums_of(const double* x, unsigned long long lo,
                                         unsigned long long hi, double center, double k) {
  PnlSums sums{};
  fixed_order_sums<PnlTerms<Kind>::count>(x, lo, hi, PnlTermsOf<Kind>{center, k}, sums.s);
  return sums;
}
}  // namespace detail

HM_HD inline PnlSums pnl_segment_sums(int kind, const double* x, unsigned long long lo,
                                      unsigned long long hi, double center, double k) {
  switch (kind) {
    case pnl_sum_central:
      return detail::pnl_segment_sums_of<pnl_sum_central>(x, lo, hi, center, k);
    case pnl_sum_tail:
      return detail::pnl_segment_sums_of<pnl_sum_tail>(x, lo, hi, center, k);
    case pnl_sum_weights:
      return detail::pnl_segment_sums_of<pnl_sum_weights>(x, lo, hi, center, k);
    default:
      return detail::pnl_segment_sums_of<pnl_sum_raw>(x, lo, hi, center, k);
  }
}

// max over [lo, hi) of -k x, -inf for an empty segment; NaN elements are skipped (exact in any
// order, so no lanes are needed).
HM_HD inline double pnl_segment_max_scaled_loss(const double* x, unsigned long long lo,
                                                unsigned long long hi, double k) {
  double m = -HUGE_VAL;
  for (unsigned long long i = lo; i < hi; ++i) {
    const double z = hm_mul_rn(-k, x[i]);
    m = m < z ? z : m;
  }
  return m;
}

}  // namespace hedgemap
