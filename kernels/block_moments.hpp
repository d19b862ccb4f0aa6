// Sum and sum of squares of (x[i] - shift) over one reduction block i in [lo, hi), in one fixed
// order on the CPU and the GPU: element lo + i goes to partial sum i mod 8, the eight partial sums
// are added in a fixed tree. The same code, with every product and sum rounded on its own (no
// fused multiply-add, which nvcc would otherwise form), runs in ColumnMoments on the host and in
// the CUDA backend's device-side reduction, so both give the same bits (host/lane_sums.hpp is the
// generic form of this order).
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

struct BlockSums {
  double sum, sum_sq;
};

HM_HD inline BlockSums block_moment_sums(const double* x, unsigned long long lo,
                                         unsigned long long hi, double shift) {
  double s[8] = {}, s2[8] = {};
  unsigned long long i = lo;
  for (; i + 8 <= hi; i += 8)
    for (int l = 0; l < 8; ++l) {
      const double d = x[i + l] - shift;
      s[l] = hm_add_rn(s[l], d);
      s2[l] = hm_add_rn(s2[l], hm_mul_rn(d, d));
    }
  for (int l = 0; l < 8; ++l)  // the tail, lanes 0, 1, ... in order (constant indices: registers)
    if (i + l < hi) {
      const double d = x[i + l] - shift;
      s[l] = hm_add_rn(s[l], d);
      s2[l] = hm_add_rn(s2[l], hm_mul_rn(d, d));
    }
  const auto tree = [](const double* a) {
    return hm_add_rn(hm_add_rn(hm_add_rn(a[0], a[1]), hm_add_rn(a[2], a[3])),
                     hm_add_rn(hm_add_rn(a[4], a[5]), hm_add_rn(a[6], a[7])));
  };
  return BlockSums{tree(s), tree(s2)};
}

}  // namespace hedgemap
