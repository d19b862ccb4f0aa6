// Statistics of one policy point's per-path P&L, in double and in a fixed order (segment sums,
// host/statistics/pnl_samples.hpp), so they do not depend on threads or backend: moments, the exact
// empirical VaR / CVaR of the loss, and the hedging objectives with their standard errors.
//
//   loss L = -PnL; VaR_a = L_(ceil(a n)) (the a-quantile of the sorted losses);
//   CVaR_a = VaR_a + E[(L - VaR_a)^+] / (1 - a)      (Rockafellar-Uryasev, exact for the sample)
//   mean_std = -mean + k std                          (minimise)
//   mean_variance = -mean + (k/2) var                 (minimise; k in 1/quote currency)
//   cvar     = CVaR_a                                 (minimise)
//   utility  = CE = -(1/k) ln E[exp(-k PnL)]          (maximise), as M + ln mean exp(z - M) with
//              z = -k PnL and M = max z, so it never overflows.
// Standard errors by the delta method:
//   mean_std: Var = (s^2 + k^2 s^2 (kurt - 1) / 4 - k m3 / s) / n   (kurt = m4 / s^4)
//   mean_variance: Var = (s^2 + (k^2 / 4) (m4 - s^4) - k m3) / n
//   cvar:     Var = Var((L - VaR)^+) / ((1 - a)^2 n)                (the VaR error is second order)
//   utility:  Var = Var(w) / (k^2 mean(w)^2 n), w = exp(z - M)
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "host/statistics/pnl_samples.hpp"
#include "host/statistics/policy_group.hpp"

namespace hedgemap {

struct PnlSummary {
  double mean, std, stderr_of_mean, skew, excess_kurtosis;
  double m3, m4;     // central moments (population)
  double var, cvar;  // of the loss at `level`, losses positive
  double objective, objective_stderr;
};

enum class HedgeObjective { mean_std, cvar, utility, mean_variance };

HedgeObjective hedge_objective(const std::string& kind);  // throws on an unknown kind
Sense objective_sense(HedgeObjective kind);

// Objective of one point on a bootstrap resample: `blocks` are indices of path blocks (block b
// holds paths [b n / B, (b + 1) n / B)), drawn with replacement. Holds per-block sums: of x - mean
// and its square for mean_std and mean_variance, of exp(-k x - M) for utility, and of the tail (L -
// VaR)^+ beyond the full-sample VaR for cvar (Rockafellar-Uryasev at that VaR: exact to second
// order).
class BlockObjective {
 public:
  BlockObjective() = default;
  BlockObjective(HedgeObjective kind, double risk_aversion, double level, double shift,
                 std::vector<double> count, std::vector<double> sum, std::vector<double> sum_sq);
  // The same from a host array, cut into `blocks` (for tests and small callers).
  BlockObjective(const double* pnl, std::size_t n, int blocks, HedgeObjective kind,
                 double risk_aversion, double level);
  double operator()(const std::vector<int>& blocks) const;

 private:
  HedgeObjective kind_ = HedgeObjective::mean_std;
  double k_ = 0.0, level_ = 0.0, shift_ = 0.0;  // shift_: mean, VaR or M, as above
  std::vector<double> count_, sum_, sum_sq_;    // per block
};

struct PointStatistics {
  PnlSummary summary;
  BlockObjective on_blocks;  // for the bootstrap over segments.blocks() path blocks
};

// Everything above for every point of a cell (wherever its P&L lives:
// host/statistics/pnl_samples.hpp), every sum over `segments` in segment order (so the bits depend
// on the number of bootstrap blocks, not on threads or backend). Passes over the samples, each for
// all points at once: sum, central sums, the VaR selection, tail sums, and for utility the maximum
// and the weights.
std::vector<PointStatistics> pnl_statistics(const PnlSamples& samples, const PnlSegments& segments,
                                            HedgeObjective kind, double risk_aversion,
                                            double level);

// The summary of a host array (n >= 1), with 32 bootstrap blocks' segments.
PnlSummary summarize_pnl(const double* pnl, std::size_t n, HedgeObjective kind,
                         double risk_aversion, double level);

// Exact VaR and CVaR of the loss -x at `level` of a host array.
void loss_var_cvar(const double* pnl, std::size_t n, double level, double& var, double& cvar);

}  // namespace hedgemap
