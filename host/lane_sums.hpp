// Fixed-order sums that vectorise. Element lo + i of a range goes to partial sum i mod kSumLanes,
// and the partial sums are added in one fixed tree at the end: the order depends only on the
// element's position in its range, never on threads, chunking or backend, so every result stays
// bit-identical from run to run. Eight independent chains instead of one also remove the add
// latency (~4 cycles per element) that bounded the sequential loops of the statistics.
#pragma once
#include <array>
#include <cstddef>

namespace hedgemap {

constexpr int kSumLanes = 8;

// sums[q] = sum over i in [lo, hi) of term(i)[q], q < K, with term(i) -> std::array<double, K>.
template <int K, class Term>
std::array<double, K> lane_sums(std::size_t lo, std::size_t hi, Term&& term) {
  double acc[K][kSumLanes] = {};
  std::size_t i = lo;
  for (; i + kSumLanes <= hi; i += kSumLanes)
    for (int l = 0; l < kSumLanes; ++l) {
      const std::array<double, K> t = term(i + std::size_t(l));
      for (int q = 0; q < K; ++q) acc[q][l] += t[q];
    }
  for (int l = 0; i < hi; ++i, ++l) {  // the tail: lanes 0, 1, ... in order
    const std::array<double, K> t = term(i);
    for (int q = 0; q < K; ++q) acc[q][l] += t[q];
  }
  std::array<double, K> sums{};
  for (int q = 0; q < K; ++q) {
    const double* a = acc[q];
    sums[q] = ((a[0] + a[1]) + (a[2] + a[3])) + ((a[4] + a[5]) + (a[6] + a[7]));
  }
  return sums;
}
static_assert(kSumLanes == 8, "the combining tree above adds eight partial sums");

}  // namespace hedgemap
