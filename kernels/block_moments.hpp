// Sum and sum of squares of (x[i] - shift) over one reduction block i in [lo, hi), in one fixed
// order on the CPU and the GPU: element lo + i goes to partial sum i mod 8, the eight partial sums
// are added in a fixed tree. The same code, with every product and sum rounded on its own (no
// fused multiply-add, which nvcc would otherwise form), runs in ColumnMoments on the host and in
// the CUDA backend's device-side reduction, so both give the same bits. fixed_order_sums is the
// order itself, for any terms (also kernels/pnl_segment_sums.hpp).
#pragma once
#include "kernels/hd.hpp"

namespace hedgemap {

HM_HD HM_FORCEINLINE double hm_mul_rn(double a, double b) {
#if defined(__CUDA_ARCH__)
  return __dmul_rn(a, b);
#else
  return a * b;  // host builds have no FMA contraction of this (x86-64 baseline; see CMakeLists)
#endif
}
HM_HD HM_FORCEINLINE double hm_add_rn(double a, double b) {
#if defined(__CUDA_ARCH__)
  return __dadd_rn(a, b);
#else
  return a + b;
#endif
}

// A column's shift: its value on the run's first path, or 0 where that is not finite (so that one
// NaN path does not poison the column's moments twice). ColumnMoments and the device use this.
HM_HD HM_FORCEINLINE double column_shift(double first_path_value) {
#if defined(__CUDA_ARCH__)
  return isfinite(first_path_value) ? first_path_value : 0.0;
#else
  return std::isfinite(first_path_value) ? first_path_value : 0.0;
#endif
}

// out[q] = sum over i in [lo, hi) of the q-th of the K terms that terms(x[i], t) writes to t, in
// the fixed order above: element lo + i to lane i mod 8, lanes added in the tree
// ((a0 + a1) + (a2 + a3)) + ((a4 + a5) + (a6 + a7)).
template <int K, class Terms>
HM_HD HM_FORCEINLINE void fixed_order_sums(const double* x, unsigned long long lo,
                                           unsigned long long hi, const Terms& terms, double* out) {
  double acc[K][8] = {};
  double t[K];
  unsigned long long i = lo;
  for (; i + 8 <= hi; i += 8)
    for (int l = 0; l < 8; ++l) {
      terms(x[i + l], t);
      for (int q = 0; q < K; ++q) acc[q][l] = hm_add_rn(acc[q][l], t[q]);
    }
  for (int l = 0; l < 8; ++l)  // the tail, lanes 0, 1, ... in order (constant indices: registers)
    if (i + l < hi) {
      terms(x[i + l], t);
      for (int q = 0; q < K; ++q) acc[q][l] = hm_add_rn(acc[q][l], t[q]);
    }
  for (int q = 0; q < K; ++q) {
    const double* a = acc[q];
    out[q] = hm_add_rn(hm_add_rn(hm_add_rn(a[0], a[1]), hm_add_rn(a[2], a[3])),
                       hm_add_rn(hm_add_rn(a[4], a[5]), hm_add_rn(a[6], a[7])));
  }
}

struct BlockSums {
  double sum, sum_sq;
};

struct ShiftedAndSquared {  // x - shift and its square
  double shift;
  HM_HD HM_FORCEINLINE void operator()(double x, double* t) const {
    const double d = x - shift;
    t[0] = d;
    t[1] = hm_mul_rn(d, d);
  }
};

HM_HD inline BlockSums block_moment_sums(const double* x, unsigned long long lo,
                                         unsigned long long hi, double shift) {
  double out[2];
  fixed_order_sums<2>(x, lo, hi, ShiftedAndSquared{shift}, out);
  return BlockSums{out[0], out[1]};
}

}  // namespace hedgemap
