// The funding rate of a perpetual-futures hedge along one path (hedging.instrument = "perp").
//
// f_k = rate + y_k, y an Ornstein-Uhlenbeck deviation sampled exactly at the decision times:
//   y_0 = v z'_1 (stationary),  y_{k+1} = phi y_k + v sqrt(1 - phi^2) e_{k+1},
//   phi = 2^(-dt / h_f),  e = rho z_price + sqrt(1 - rho^2) z_f,
// v = funding.volatility, h_f = funding.halflife_hours, rho = funding.correlation and z_price the
// standardised diffusive shock of the step's log return, (sqrt(ell) z_ell + sqrt(dt - ell) z_rest)
// / sqrt(dt), so corr(e, diffusive return) = rho. E[f_k] = rate at every step. The normals z_f,
// z'_1 are group kFundingGroup of the interval (kernels/jump_diffusion.hpp), drawn only when on.
//
// A long position of h units pays f_k h S_k dt over (t_k, t_k+1] (the rate and the mark known at
// t_k); a short receives it.
#pragma once
#include "kernels/model_params.hpp"

namespace hedgemap {

constexpr std::uint32_t kFundingGroup = 8192u;

class FundingRate {
 public:
  HM_HD void init(const FundingParams& f, double dt) {
    mean_ = f.rate;
    sigma_ = f.volatility;
    phi_ = f.volatility > 0.0 ? exp2(-dt / f.halflife) : 0.0;
    innovation_ = sigma_ * sqrt(1.0 - phi_ * phi_);
    rho_ = f.correlation;
    rho_bar_ = sqrt(1.0 - rho_ * rho_);
  }

  HM_HD void start(double z) { deviation_ = sigma_ * z; }
  HM_HD double rate() const { return mean_ + deviation_; }
  // y_{k+1} from the step's standardised price shock and the funding group's own normal.
  HM_HD void advance(double z_price, double z_own) {
    deviation_ = phi_ * deviation_ + innovation_ * (rho_ * z_price + rho_bar_ * z_own);
  }

 private:
  double mean_ = 0.0, sigma_ = 0.0, phi_ = 0.0, innovation_ = 0.0, rho_ = 0.0, rho_bar_ = 1.0;
  double deviation_ = 0.0;
};

}  // namespace hedgemap
