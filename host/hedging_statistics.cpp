#include "host/hedging_statistics.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

#include "host/lane_sums.hpp"
#include "kernels/block_moments.hpp"

namespace hedgemap {
namespace {
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Index of the level-quantile in ascending order: the smallest L with F(L) >= level.
std::size_t quantile_index(std::size_t n, double level) {
  const double k = std::ceil(level * double(n)) - 1.0;
  if (k < 0.0) return 0;
  return std::min<std::size_t>(n - 1, static_cast<std::size_t>(k));
}

// The k-th smallest loss -pnl[i] (0-based), exactly. Large samples: a strided sample of the
// losses brackets the k-th one (its rank +- 4 binomial standard deviations), one pass counts the
// losses below the bracket and keeps the ~3% inside it, and nth_element runs on those alone (a
// third of the time of nth_element on all n). When the bracket misses (probability ~1e-4) or a
// loss is NaN, nth_element on all of them, as for small samples.
double kth_smallest_loss(const double* pnl, std::size_t n, std::size_t k,
                         std::vector<double>& scratch) {
  const auto select_all = [&] {
    scratch.resize(n);
    for (std::size_t i = 0; i < n; ++i) scratch[i] = -pnl[i];
    std::nth_element(scratch.begin(), scratch.begin() + std::ptrdiff_t(k), scratch.end());
    return scratch[k];
  };
  constexpr std::size_t kSample = 4096;
  if (n < 16 * kSample) return select_all();
  std::vector<double> sample(kSample);
  for (std::size_t j = 0; j < kSample; ++j) sample[j] = -pnl[j * n / kSample];
  std::sort(sample.begin(), sample.end());
  const double p = (double(k) + 0.5) / double(n), rank = p * double(kSample);
  const double margin = 4.0 * std::sqrt(double(kSample) * p * (1.0 - p)) + 2.0;
  const double lo_rank = std::floor(rank - margin), hi_rank = std::ceil(rank + margin);
  const double lo = lo_rank < 0.0 ? -std::numeric_limits<double>::infinity()
                                   : sample[std::size_t(lo_rank)];
  const double hi = hi_rank > double(kSample - 1) ? std::numeric_limits<double>::infinity()
                                                  : sample[std::size_t(hi_rank)];
  scratch.clear();
  scratch.reserve(std::size_t(4.0 * margin / double(kSample) * double(n)) + 1024);
  std::size_t below = 0, above = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const double loss = -pnl[i];
    below += loss < lo;
    above += loss > hi;
    if (loss >= lo && loss <= hi) scratch.push_back(loss);
  }
  const bool bracketed = below + above + scratch.size() == n &&  // no NaN
                         below <= k && k < below + scratch.size();
  if (!bracketed) return select_all();
  const std::size_t kk = k - below;
  std::nth_element(scratch.begin(), scratch.begin() + std::ptrdiff_t(kk), scratch.end());
  return scratch[kk];
}
}  // namespace

HedgeObjective hedge_objective(const std::string& kind) {
  if (kind == "mean_std") return HedgeObjective::mean_std;
  if (kind == "cvar") return HedgeObjective::cvar;
  if (kind == "utility") return HedgeObjective::utility;
  throw std::invalid_argument("hedging.objective.kind = \"" + kind +
                              "\": must be mean_std, cvar or utility");
}

Sense objective_sense(HedgeObjective kind) {
  return kind == HedgeObjective::utility ? Sense::maximize : Sense::minimize;
}

void loss_var_cvar(const double* pnl, std::size_t n, double level, std::vector<double>& scratch,
                   double& var, double& cvar) {
  if (n == 0) {
    var = cvar = kNaN;
    return;
  }
  var = kth_smallest_loss(pnl, n, quantile_index(n, level), scratch);
  // Sum in the fixed lane order of the original path order: deterministic.
  const double excess = lane_sums<1>(0, n, [&](std::size_t i) {
    return std::array<double, 1>{std::max(-pnl[i] - var, 0.0)};
  })[0];
  cvar = var + excess / ((1.0 - level) * double(n));
}

PnlSummary summarize_pnl(const double* x, std::size_t n, HedgeObjective kind, double k,
                         double level) {
  PnlSummary s{};
  const double dn = double(n);
  s.mean = lane_sums<1>(0, n, [&](std::size_t i) { return std::array<double, 1>{x[i]}; })[0] / dn;
  const std::array<double, 3> central = lane_sums<3>(0, n, [&](std::size_t i) {
    const double d = x[i] - s.mean, d2 = d * d;
    return std::array<double, 3>{d2, d2 * d, d2 * d2};
  });
  const double m2 = central[0] / dn;
  s.m3 = central[1] / dn;
  s.m4 = central[2] / dn;
  s.std = n > 1 ? std::sqrt(m2 * dn / (dn - 1.0)) : kNaN;
  s.stderr_of_mean = s.std / std::sqrt(dn);
  s.skew = m2 > 0.0 ? s.m3 / std::pow(m2, 1.5) : kNaN;
  s.excess_kurtosis = m2 > 0.0 ? s.m4 / (m2 * m2) - 3.0 : kNaN;

  std::vector<double> scratch;
  loss_var_cvar(x, n, level, scratch, s.var, s.cvar);

  switch (kind) {
    case HedgeObjective::mean_std: {
      s.objective = -s.mean + k * s.std;
      const double kurt = m2 > 0.0 ? s.m4 / (m2 * m2) : 0.0;
      const double v =
          m2 + k * k * m2 * (kurt - 1.0) / 4.0 - (m2 > 0.0 ? k * s.m3 / std::sqrt(m2) : 0.0);
      s.objective_stderr = std::sqrt(std::max(v, 0.0) / dn);
      break;
    }
    case HedgeObjective::cvar: {
      s.objective = s.cvar;
      const std::array<double, 2> tail = lane_sums<2>(0, n, [&](std::size_t i) {
        const double y = std::max(-x[i] - s.var, 0.0);
        return std::array<double, 2>{y, y * y};
      });
      const double ys = tail[0], ys2 = tail[1];
      const double ym = ys / dn, yv = std::max(ys2 / dn - ym * ym, 0.0);
      s.objective_stderr = std::sqrt(yv / dn) / (1.0 - level);
      break;
    }
    case HedgeObjective::utility: {
      double zmax = -std::numeric_limits<double>::infinity();
      for (std::size_t i = 0; i < n; ++i) zmax = std::max(zmax, -k * x[i]);
      const std::array<double, 2> weights = lane_sums<2>(0, n, [&](std::size_t i) {
        const double w = std::exp(-k * x[i] - zmax);
        return std::array<double, 2>{w, w * w};
      });
      const double ws = weights[0], ws2 = weights[1];
      const double wm = ws / dn, wv = std::max(ws2 / dn - wm * wm, 0.0);
      s.objective = -(zmax + std::log(wm)) / k;
      s.objective_stderr = std::sqrt(wv / dn) / (k * wm);
      break;
    }
  }
  return s;
}

BlockObjective::BlockObjective(const double* pnl, std::size_t n, int blocks, HedgeObjective kind,
                               double risk_aversion, double level)
    : pnl_(pnl),
      n_(n),
      blocks_(blocks),
      kind_(kind),
      k_(risk_aversion),
      level_(level),
      count_(blocks, 0.0),
      sum_(blocks, 0.0),
      sum_sq_(blocks, 0.0) {
  if (n_ == 0) return;
  if (kind_ == HedgeObjective::cvar) {
    // Rockafellar-Uryasev at the full sample's VaR: CVaR(resample) ~ VaR + E_resample[(L - VaR)^+]
    // / (1 - a). The function is minimised at the resample's own VaR, so using the full-sample
    // one is off only to second order, and it makes the resample a sum of per-block tail sums
    // (O(blocks) per resample instead of gathering and partially sorting every path).
    std::vector<double> scratch;
    double cvar_full;
    loss_var_cvar(pnl_, n_, level_, scratch, shift_, cvar_full);
  } else if (kind_ == HedgeObjective::utility) {
    shift_ = -std::numeric_limits<double>::infinity();  // max of z = -k x
    for (std::size_t i = 0; i < n_; ++i) shift_ = std::max(shift_, -k_ * pnl_[i]);
  } else {
    shift_ = pnl_[0];
  }
  for (int b = 0; b < blocks_; ++b) {
    const std::size_t lo = n_ * std::size_t(b) / std::size_t(blocks_);
    const std::size_t hi = n_ * std::size_t(b + 1) / std::size_t(blocks_);
    count_[b] = double(hi - lo);
    const double* x = pnl_;
    const double shift = shift_, k = k_;
    if (kind_ == HedgeObjective::cvar) {  // losses beyond the full-sample VaR
      sum_[b] = lane_sums<1>(lo, hi, [&](std::size_t i) {
        const double tail = -x[i] - shift;
        return std::array<double, 1>{tail > 0.0 ? tail : 0.0};
      })[0];
    } else if (kind_ == HedgeObjective::utility) {
      sum_[b] = lane_sums<1>(lo, hi, [&](std::size_t i) {
        return std::array<double, 1>{std::exp(-k * x[i] - shift)};
      })[0];
    } else {  // the sums of ColumnMoments' blocks, by the same function
      const BlockSums sums = block_moment_sums(x, lo, hi, shift);
      sum_[b] = sums.sum;
      sum_sq_[b] = sums.sum_sq;
    }
  }
}

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
  return -(shift_ + m) + k_ * std::sqrt(var);
}

}  // namespace hedgemap
