#include "host/hedging_statistics.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

namespace hedgemap {
namespace {
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Index of the level-quantile in ascending order: the smallest L with F(L) >= level.
std::size_t quantile_index(std::size_t n, double level) {
  const double k = std::ceil(level * double(n)) - 1.0;
  if (k < 0.0) return 0;
  return std::min<std::size_t>(n - 1, static_cast<std::size_t>(k));
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
  scratch.resize(n);
  for (std::size_t i = 0; i < n; ++i) scratch[i] = -pnl[i];
  const std::size_t k = quantile_index(n, level);
  std::nth_element(scratch.begin(), scratch.begin() + std::ptrdiff_t(k), scratch.end());
  var = scratch[k];
  double excess = 0.0;  // sum in the original path order: deterministic
  for (std::size_t i = 0; i < n; ++i) excess += std::max(-pnl[i] - var, 0.0);
  cvar = var + excess / ((1.0 - level) * double(n));
}

PnlSummary summarize_pnl(const double* x, std::size_t n, HedgeObjective kind, double k,
                         double level) {
  PnlSummary s{};
  const double dn = double(n);
  double sum = 0.0;
  for (std::size_t i = 0; i < n; ++i) sum += x[i];
  s.mean = sum / dn;
  double m2 = 0.0, m3 = 0.0, m4 = 0.0;
  for (std::size_t i = 0; i < n; ++i) {
    const double d = x[i] - s.mean, d2 = d * d;
    m2 += d2;
    m3 += d2 * d;
    m4 += d2 * d2;
  }
  m2 /= dn;
  s.m3 = m3 / dn;
  s.m4 = m4 / dn;
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
      double ys = 0.0, ys2 = 0.0;
      for (std::size_t i = 0; i < n; ++i) {
        const double y = std::max(-x[i] - s.var, 0.0);
        ys += y;
        ys2 += y * y;
      }
      const double ym = ys / dn, yv = std::max(ys2 / dn - ym * ym, 0.0);
      s.objective_stderr = std::sqrt(yv / dn) / (1.0 - level);
      break;
    }
    case HedgeObjective::utility: {
      double zmax = -std::numeric_limits<double>::infinity();
      for (std::size_t i = 0; i < n; ++i) zmax = std::max(zmax, -k * x[i]);
      double ws = 0.0, ws2 = 0.0;
      for (std::size_t i = 0; i < n; ++i) {
        const double w = std::exp(-k * x[i] - zmax);
        ws += w;
        ws2 += w * w;
      }
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
    for (std::size_t i = lo; i < hi; ++i) {
      if (kind_ == HedgeObjective::cvar) {
        const double tail = -pnl_[i] - shift_;  // loss beyond the full-sample VaR
        if (tail > 0.0) sum_[b] += tail;
      } else if (kind_ == HedgeObjective::utility) {
        sum_[b] += std::exp(-k_ * pnl_[i] - shift_);
      } else {
        const double d = pnl_[i] - shift_;
        sum_[b] += d;
        sum_sq_[b] += d * d;
      }
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
