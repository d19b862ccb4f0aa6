// A cell's per-path P&L of every policy point, wherever it lives (host arrays, or the CUDA
// backend's device memory: host/cuda/backend.hpp), seen through the few passes its statistics
// need (host/statistics/hedging_statistics.hpp). Both kinds compute the same fixed-order segment
// sums (kernels/pnl_segment_sums.hpp) and the same exact order statistic, so the statistics do not
// depend on where the P&L was kept (bit for bit, except the utility weights' exp, which the GPU's
// libdevice and glibc may round an ulp apart).
#pragma once
#include <cstdint>
#include <utility>
#include <vector>

#include "kernels/pnl_segment_sums.hpp"

namespace hedgemap {

// Paths per statistics segment at most: small enough that a cell's segments keep every thread
// (and every GPU warp) busy, large enough that their sums are cheap to add up in order.
constexpr std::uint64_t kPnlSegmentPaths = 1024;

// The segments of [0, paths): cut at every multiple of kPnlSegmentPaths and at every bootstrap
// block's start (block b holds paths [b paths / B, (b + 1) paths / B),
// host/statistics/bootstrap.hpp), so a bootstrap block's sums are sums of whole segments.
struct PnlSegments {
  std::uint64_t paths = 0;
  std::vector<std::uint64_t> bounds;  // segment s = [bounds[s], bounds[s + 1])
  std::vector<std::size_t>
      block_first;  // bootstrap block b = segments [block_first[b], block_first[b + 1])
  std::size_t count() const { return bounds.empty() ? 0 : bounds.size() - 1; }
  int blocks() const { return int(block_first.size()) - 1; }
};
PnlSegments pnl_segments(std::uint64_t paths, int bootstrap_blocks);

// Every point's per-path P&L of one cell, wherever it lives (host arrays, or the CUDA backend's
// device store: host/cuda/backend.hpp), seen through the few passes its statistics need. Each pass
// covers every point at once: on a device, one launch and one synchronisation per pass and cell.
class PnlSamples {
 public:
  virtual ~PnlSamples() = default;
  virtual int points() const = 0;
  virtual std::uint64_t paths() const = 0;
  // sums[p * segments.count() + s] = pnl_segment_sums(kind, x_p, bounds[s], bounds[s + 1],
  // centers[p], k) for every point p and segment s; throws std::invalid_argument unless
  // segments.paths == paths() and centers has points() values.
  virtual void segment_sums(int kind, const std::vector<double>& centers, double k,
                            const PnlSegments& segments, std::vector<PnlSums>& sums) const = 0;
  // Per point: max over paths of -k x (NaN paths skipped; -inf for none).
  virtual std::vector<double> max_scaled_loss(double k) const = 0;
  // Per point: the k-th smallest loss -x (0-based, k < paths()), exactly.
  virtual std::vector<double> kth_smallest_loss(std::uint64_t k) const = 0;
};

// P&L arrays in host memory (columns[p] holds point p's paths), the passes spread over `threads`
// OpenMP threads (1: none, for a caller that is parallel itself).
class HostPnlSamples final : public PnlSamples {
 public:
  HostPnlSamples(std::vector<const double*> columns, std::uint64_t paths, int threads = 1)
      : columns_(std::move(columns)), paths_(paths), threads_(threads) {}
  int points() const override { return int(columns_.size()); }
  std::uint64_t paths() const override { return paths_; }
  void segment_sums(int kind, const std::vector<double>& centers, double k,
                    const PnlSegments& segments, std::vector<PnlSums>& sums) const override;
  std::vector<double> max_scaled_loss(double k) const override;
  std::vector<double> kth_smallest_loss(std::uint64_t k) const override;

 private:
  std::vector<const double*> columns_;
  std::uint64_t paths_;
  int threads_;
};

// The k-th smallest loss -pnl[i], i < n, exactly (the host's selection; also the device's
// fallback on the losses it copies back).
double kth_smallest_loss_of(const double* pnl, std::uint64_t n, std::uint64_t k);

// Throws std::invalid_argument unless `segments` cut exactly [0, paths) and `centers` has one
// value per point.
void check_pass_arguments(const PnlSegments& segments, std::uint64_t paths,
                          const std::vector<double>& centers, int points);

// The exact selection of the k-th smallest loss in two steps, shared by both kinds of sample: a
// strided sample of the losses brackets the k-th one (its rank +- 4 binomial standard
// deviations); the losses below, inside and above the bracket are counted and those inside kept;
// the k-th is then the (k - below)-th of those kept, unless the bracket missed it (probability
// ~1e-4) or a loss is NaN, when the caller selects from all losses.
constexpr std::size_t kLossBracketSample = 4096;
constexpr std::uint64_t kLossBracketMinPaths = 16 * kLossBracketSample;  // below: select from all
HM_HD inline unsigned long long loss_bracket_sample_path(unsigned long long j,
                                                         unsigned long long n) {
  return j * n / kLossBracketSample;
}
struct LossBracket {
  bool usable;                  // false when the sample holds a NaN: select from all losses
  double lo, hi;                // keep losses with lo <= loss <= hi
  std::size_t expected_inside;  // an upper estimate, to reserve for the kept losses
};
// `sample`: the losses at paths loss_bracket_sample_path(j, n), j < kLossBracketSample; sorted
// in place (unless it holds a NaN, which std::sort cannot order).
LossBracket loss_bracket(std::vector<double>& sample, std::uint64_t n, std::uint64_t k);
// Whether the counts show that the k-th loss is among the `inside` ones (and no loss was NaN).
inline bool loss_bracket_holds(std::uint64_t n, std::uint64_t k, std::uint64_t below,
                               std::uint64_t inside, std::uint64_t above) {
  return below + inside + above == n && below <= k && k < below + inside;
}

}  // namespace hedgemap
