#include "host/scenario/price_range.hpp"

#include <cmath>

#include "kernels/jump_diffusion.hpp"

namespace hedgemap {
namespace {

struct JumpMoments {
  double mean = 0.0, second = 0.0;  // E[X], E[X^2] of one jump
};

// Merton N(m, s^2): m, m^2 + s^2. Kou +Exp(eta1) w.p. p, else -Exp(eta2):
// p / eta1 - (1 - p) / eta2, 2 p / eta1^2 + 2 (1 - p) / eta2^2.
JumpMoments jump_moments(const JumpParams& j) {
  switch (j.model) {
    case JumpModel::merton:
      return {j.log_mean, j.log_mean * j.log_mean + j.log_stdev * j.log_stdev};
    case JumpModel::kou: {
      const double p = j.up_probability, up = j.up_rate, down = j.down_rate;
      return {p / up - (1.0 - p) / down, 2.0 * p / (up * up) + 2.0 * (1.0 - p) / (down * down)};
    }
    default:
      return {};
  }
}

}  // namespace

LogPriceSpread log_price_spread(const ProcessParams& p) {
  const double T = p.expiry;
  const double lambda_j = p.jumps.model == JumpModel::none ? 0.0 : p.jumps.intensity;
  const JumpMoments jump = jump_moments(p.jumps);
  const double crash_mean = p.gaps.crash_log_mean;
  const double crash_second =
      crash_mean * crash_mean + p.gaps.crash_log_stdev * p.gaps.crash_log_stdev;
  LogPriceSpread s;
  s.mean =
      compensated_log_drift(p) * T + lambda_j * T * jump.mean + p.gaps.intensity * T * crash_mean;
  s.stdev = std::sqrt(p.volatility * p.volatility * T + lambda_j * T * jump.second +
                      p.gaps.intensity * T * crash_second);
  return s;
}

}  // namespace hedgemap
