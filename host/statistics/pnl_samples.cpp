#include "host/statistics/pnl_samples.hpp"

#include <algorithm>
#include <cmath>
#include <exception>
#include <limits>
#include <stdexcept>
#include <string>

namespace hedgemap {

PnlSegments pnl_segments(std::uint64_t paths, int bootstrap_blocks) {
  PnlSegments s;
  s.paths = paths;
  const auto blocks = std::uint64_t(std::max(bootstrap_blocks, 1));
  std::vector<std::uint64_t> cuts;
  for (std::uint64_t c = 0; c < paths; c += kPnlSegmentPaths) cuts.push_back(c);
  for (std::uint64_t b = 0; b < blocks; ++b) cuts.push_back(paths * b / blocks);
  cuts.push_back(paths);
  std::sort(cuts.begin(), cuts.end());
  cuts.erase(std::unique(cuts.begin(), cuts.end()), cuts.end());
  s.bounds = cuts;
  for (std::uint64_t b = 0; b <= blocks; ++b) {
    const std::uint64_t start = paths * b / blocks;
    s.block_first.push_back(
        std::size_t(std::lower_bound(s.bounds.begin(), s.bounds.end(), start) - s.bounds.begin()));
  }
  s.block_first.back() = s.count();
  return s;
}

void check_pass_arguments(const PnlSegments& segments, std::uint64_t paths,
                          const std::vector<double>& centers, int points) {
  if (segments.paths != paths || (!segments.bounds.empty() && segments.bounds.back() != paths))
    throw std::invalid_argument("P&L segments of " + std::to_string(segments.paths) +
                                " paths used for samples of " + std::to_string(paths));
  if (int(centers.size()) != points)
    throw std::invalid_argument("P&L pass with " + std::to_string(centers.size()) +
                                " centers for " + std::to_string(points) + " points");
}

void HostPnlSamples::segment_sums(int kind, const std::vector<double>& centers, double k,
                                  const PnlSegments& segments, std::vector<PnlSums>& sums) const {
  check_pass_arguments(segments, paths_, centers, points());
  const auto count = std::int64_t(segments.count()), total = count * points();
  sums.resize(std::size_t(total));
  const std::uint64_t* bounds = segments.bounds.data();
  // (point, segment) pairs over the threads: each sum is the same whoever makes it
#pragma omp parallel for schedule(static) num_threads(threads_ > 1 ? threads_ : 1) if (threads_ > 1)
  for (std::int64_t t = 0; t < total; ++t) {
    const std::int64_t p = t / count, s = t % count;
    sums[std::size_t(t)] =
        pnl_segment_sums(kind, columns_[p], bounds[s], bounds[s + 1], centers[p], k);
  }
}

std::vector<double> HostPnlSamples::max_scaled_loss(double k) const {
  std::vector<double> m(columns_.size());
#pragma omp parallel for schedule(dynamic) \
    num_threads(threads_ > 1 ? threads_ : 1) if (threads_ > 1)
  for (int p = 0; p < points(); ++p) m[p] = pnl_segment_max_scaled_loss(columns_[p], 0, paths_, k);
  return m;
}

std::vector<double> HostPnlSamples::kth_smallest_loss(std::uint64_t k) const {
  std::vector<double> v(columns_.size());
  // The selection allocates (up to n doubles): an exception must not leave an OpenMP region.
  std::exception_ptr failure;
#pragma omp parallel for schedule(dynamic) \
    num_threads(threads_ > 1 ? threads_ : 1) if (threads_ > 1)
  for (int p = 0; p < points(); ++p) {
    try {
      v[p] = kth_smallest_loss_of(columns_[p], paths_, k);
    } catch (...) {
#pragma omp critical(hedgemap_pnl_selection_failure)
      if (!failure) failure = std::current_exception();
    }
  }
  if (failure) std::rethrow_exception(failure);
  return v;
}

LossBracket loss_bracket(std::vector<double>& sample, std::uint64_t n, std::uint64_t k) {
  LossBracket b{};
  for (double v : sample)
    if (std::isnan(v)) return b;  // not usable
  std::sort(sample.begin(), sample.end());
  const double m = double(sample.size());
  const double p = (double(k) + 0.5) / double(n), rank = p * m;
  const double margin = 4.0 * std::sqrt(m * p * (1.0 - p)) + 2.0;
  const double lo_rank = std::floor(rank - margin), hi_rank = std::ceil(rank + margin);
  const double inf = std::numeric_limits<double>::infinity();
  b.usable = true;
  b.lo = lo_rank < 0.0 ? -inf : sample[std::size_t(lo_rank)];
  b.hi = hi_rank > m - 1.0 ? inf : sample[std::size_t(hi_rank)];
  b.expected_inside = std::size_t(4.0 * margin / m * double(n)) + 1024;
  return b;
}

// Large samples: the bracket, one pass that counts and keeps, nth_element on the ~3% kept (a
// third of the time of nth_element on all n). Otherwise nth_element on all of them.
double kth_smallest_loss_of(const double* pnl, std::uint64_t n, std::uint64_t k) {
  std::vector<double> kept;
  const auto select_all = [&] {
    kept.resize(n);
    for (std::uint64_t i = 0; i < n; ++i) kept[i] = -pnl[i];
    std::nth_element(kept.begin(), kept.begin() + std::ptrdiff_t(k), kept.end());
    return kept[k];
  };
  if (n < kLossBracketMinPaths) return select_all();
  std::vector<double> sample(kLossBracketSample);
  for (std::size_t j = 0; j < kLossBracketSample; ++j)
    sample[j] = -pnl[loss_bracket_sample_path(j, n)];
  const LossBracket bracket = loss_bracket(sample, n, k);
  if (!bracket.usable) return select_all();
  kept.reserve(bracket.expected_inside);
  std::uint64_t below = 0, above = 0;
  for (std::uint64_t i = 0; i < n; ++i) {
    const double loss = -pnl[i];
    below += loss < bracket.lo;
    above += loss > bracket.hi;
    if (loss >= bracket.lo && loss <= bracket.hi) kept.push_back(loss);
  }
  if (!loss_bracket_holds(n, k, below, kept.size(), above)) return select_all();
  const std::uint64_t kk = k - below;
  std::nth_element(kept.begin(), kept.begin() + std::ptrdiff_t(kk), kept.end());
  return kept[kk];
}

}  // namespace hedgemap
