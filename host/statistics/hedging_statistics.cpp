#include "host/statistics/hedging_statistics.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

namespace hedgemap {
namespace {
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr int kDefaultBootstrapBlocks = 32;

// Index of the level-quantile in ascending order: the smallest L with F(L) >= level.
std::uint64_t quantile_index(std::uint64_t n, double level) {
  const double k = std::ceil(level * double(n)) - 1.0;
  if (k < 0.0) return 0;
  return std::min<std::uint64_t>(n - 1, static_cast<std::uint64_t>(k));
}

// Sums of value q over segments [from, to), in segment order.
double add_segments(const PnlSums* sums, std::size_t from, std::size_t to, int q) {
  double total = 0.0;
  for (std::size_t s = from; s < to; ++s) total += sums[s].s[q];
  return total;
}

// Per bootstrap block: its path count and the sums of values q0 and q1 (q1 < 0: none).
void block_sums(const PnlSegments& seg, const PnlSums* sums, int q0, int q1,
                std::vector<double>& count, std::vector<double>& sum, std::vector<double>& sum_sq) {
  const int blocks = seg.blocks();
  count.assign(blocks, 0.0);
  sum.assign(blocks, 0.0);
  sum_sq.assign(blocks, 0.0);
  for (int b = 0; b < blocks; ++b) {
    const std::size_t from = seg.block_first[b], to = seg.block_first[b + 1];
    count[b] = double(seg.bounds[to] - seg.bounds[from]);
    sum[b] = add_segments(sums, from, to, q0);
    if (q1 >= 0) sum_sq[b] = add_segments(sums, from, to, q1);
  }
}
}  // namespace

HedgeObjective hedge_objective(const std::string& kind) {
  if (kind == "mean_std") return HedgeObjective::mean_std;
  if (kind == "cvar") return HedgeObjective::cvar;
  if (kind == "utility") return HedgeObjective::utility;
  if (kind == "mean_variance") return HedgeObjective::mean_variance;
  throw std::invalid_argument("hedging.objective.kind = \"" + kind +
                              "\": must be mean_std, mean_variance, cvar or utility");
}

Sense objective_sense(HedgeObjective kind) {
  return kind == HedgeObjective::utility ? Sense::maximize : Sense::minimize;
}

std::vector<PointStatistics> pnl_statistics(const PnlSamples& samples, const PnlSegments& seg,
                                            HedgeObjective kind, double k, double level) {
  const int points = samples.points();
  std::vector<PointStatistics> out(std::size_t(std::max(points, 0)));
  const std::uint64_t n = samples.paths();
  if (n == 0) {
    const std::vector<double> zeros(std::size_t(std::max(seg.blocks(), 0)), 0.0);
    for (PointStatistics& o : out) {
      o.summary = PnlSummary{kNaN, kNaN, kNaN, kNaN, kNaN, kNaN, kNaN, kNaN, kNaN, kNaN, kNaN};
      o.on_blocks =
          BlockObjective(kind, k, level, 0.0, zeros, zeros, zeros);  // NaN on any resample
    }
    return out;
  }
  const double dn = double(n);
  const std::size_t all = seg.count();
  std::vector<PnlSums> sums;
  std::vector<double> centers(std::size_t(points), 0.0), count, sum, sum_sq;
  // point p's segments in `sums`: [p * all, (p + 1) * all)
  const auto total = [&](int p, int q) { return add_segments(sums.data() + p * all, 0, all, q); };
  const auto blocks_of = [&](int p, int q0, int q1) {
    block_sums(seg, sums.data() + p * all, q0, q1, count, sum, sum_sq);
  };

  samples.segment_sums(pnl_sum_raw, centers, 0.0, seg, sums);
  for (int p = 0; p < points; ++p) centers[p] = out[p].summary.mean = total(p, 0) / dn;
  samples.segment_sums(pnl_sum_central, centers, 0.0, seg, sums);
  for (int p = 0; p < points; ++p) {
    PnlSummary& s = out[p].summary;
    const double m2 = total(p, 1) / dn;
    s.m3 = total(p, 2) / dn;
    s.m4 = total(p, 3) / dn;
    s.std = n > 1 ? std::sqrt(m2 * dn / (dn - 1.0)) : kNaN;
    s.stderr_of_mean = s.std / std::sqrt(dn);
    s.skew = m2 > 0.0 ? s.m3 / std::pow(m2, 1.5) : kNaN;
    s.excess_kurtosis = m2 > 0.0 ? s.m4 / (m2 * m2) - 3.0 : kNaN;
    if (kind == HedgeObjective::mean_std) {
      s.objective = -s.mean + k * s.std;
      const double kurt = m2 > 0.0 ? s.m4 / (m2 * m2) : 0.0;
      const double v =
          m2 + k * k * m2 * (kurt - 1.0) / 4.0 - (m2 > 0.0 ? k * s.m3 / std::sqrt(m2) : 0.0);
      s.objective_stderr = std::sqrt(std::max(v, 0.0) / dn);
      blocks_of(p, 0, 1);  // of x - mean
      out[p].on_blocks = BlockObjective(kind, k, level, s.mean, count, sum, sum_sq);
    } else if (kind == HedgeObjective::mean_variance) {
      const double var = s.std * s.std;
      s.objective = -s.mean + 0.5 * k * var;
      const double v = m2 + 0.25 * k * k * (s.m4 - m2 * m2) - k * s.m3;
      s.objective_stderr = std::sqrt(std::max(v, 0.0) / dn);
      blocks_of(p, 0, 1);  // of x - mean
      out[p].on_blocks = BlockObjective(kind, k, level, s.mean, count, sum, sum_sq);
    }
  }

  // VaR, then CVaR = VaR + sum (L - VaR)^+ / ((1 - a) n)
  const std::vector<double> var = samples.kth_smallest_loss(quantile_index(n, level));
  samples.segment_sums(pnl_sum_tail, var, 0.0, seg, sums);
  for (int p = 0; p < points; ++p) {
    PnlSummary& s = out[p].summary;
    s.var = var[p];
    const double tail = total(p, 0), tail_sq = total(p, 1);
    s.cvar = s.var + tail / ((1.0 - level) * dn);
    if (kind == HedgeObjective::cvar) {
      s.objective = s.cvar;
      const double ym = tail / dn, yv = std::max(tail_sq / dn - ym * ym, 0.0);
      s.objective_stderr = std::sqrt(yv / dn) / (1.0 - level);
      blocks_of(p, 0, -1);
      out[p].on_blocks = BlockObjective(kind, k, level, s.var, count, sum, sum_sq);
    }
  }

  if (kind == HedgeObjective::utility) {
    const std::vector<double> zmax = samples.max_scaled_loss(k);
    samples.segment_sums(pnl_sum_weights, zmax, k, seg, sums);
    for (int p = 0; p < points; ++p) {
      PnlSummary& s = out[p].summary;
      const double ws = total(p, 0), ws2 = total(p, 1);
      const double wm = ws / dn, wv = std::max(ws2 / dn - wm * wm, 0.0);
      s.objective = -(zmax[p] + std::log(wm)) / k;
      s.objective_stderr = std::sqrt(wv / dn) / (k * wm);
      blocks_of(p, 0, -1);
      out[p].on_blocks = BlockObjective(kind, k, level, zmax[p], count, sum, sum_sq);
    }
  }
  return out;
}

PnlSummary summarize_pnl(const double* pnl, std::size_t n, HedgeObjective kind, double k,
                         double level) {
  return pnl_statistics(HostPnlSamples({pnl}, n), pnl_segments(n, kDefaultBootstrapBlocks), kind, k,
                        level)[0]
      .summary;
}

void loss_var_cvar(const double* pnl, std::size_t n, double level, double& var, double& cvar) {
  const PnlSummary s = summarize_pnl(pnl, n, HedgeObjective::cvar, 1.0, level);
  var = s.var;
  cvar = s.cvar;
}

BlockObjective::BlockObjective(HedgeObjective kind, double risk_aversion, double level,
                               double shift, std::vector<double> count, std::vector<double> sum,
                               std::vector<double> sum_sq)
    : kind_(kind),
      k_(risk_aversion),
      level_(level),
      shift_(shift),
      count_(std::move(count)),
      sum_(std::move(sum)),
      sum_sq_(std::move(sum_sq)) {}

BlockObjective::BlockObjective(const double* pnl, std::size_t n, int blocks, HedgeObjective kind,
                               double risk_aversion, double level)
    : BlockObjective(pnl_statistics(HostPnlSamples({pnl}, n), pnl_segments(n, blocks), kind,
                                    risk_aversion, level)[0]
                         .on_blocks) {}

double BlockObjective::operator()(const std::vector<int>& blocks) const {
  double c = 0.0, s = 0.0, s2 = 0.0;
  for (int b : blocks) {
    c += count_[b];
    s += sum_[b];
    s2 += sum_sq_[b];
  }
  if (c < 2.0) return kNaN;
  if (kind_ == HedgeObjective::cvar) return shift_ + s / ((1.0 - level_) * c);
  if (kind_ == HedgeObjective::utility) return -(shift_ + std::log(s / c)) / k_;
  const double m = s / c;
  const double var = std::max((s2 - c * m * m) / (c - 1.0), 0.0);
  if (kind_ == HedgeObjective::mean_variance) return -(shift_ + m) + 0.5 * k_ * var;
  return -(shift_ + m) + k_ * std::sqrt(var);
}

}  // namespace hedgemap
