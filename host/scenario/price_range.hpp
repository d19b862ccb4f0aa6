// How far a cell's price paths spread: the mean and standard deviation of ln(S_T / S_0) at the
// cell's expiry, from the process's parameters (no simulation). The parser refuses a scenario
// whose paths would leave the range that float prices hold (host/scenario/parser.cpp).
#pragma once
#include "host/scenario/kernel_params.hpp"

namespace hedgemap {

struct LogPriceSpread {
  double mean = 0.0;   // E[ln S_T / S_0]
  double stdev = 0.0;  // sd[ln S_T / S_0]
};

//   mean = a T + lambda_J T E[J] + lambda_G T E[C]     (a: compensated_log_drift)
//   var  = sigma^2 T + lambda_J T E[J^2] + lambda_G T E[C^2]   (compound Poisson sums)
LogPriceSpread log_price_spread(const ProcessParams& p);

// A path's log return may reach |mean| + kPriceSpreadSigmas sd; the parser allows at most
// kMaxLogPriceExcursion there, and spots in [kMinSpot, kMaxSpot]: every price
// S_0 e^(+-40) is then a normal float (1.2e-38 .. 3.4e38) with room to spare.
constexpr double kPriceSpreadSigmas = 6.0;
constexpr double kMaxLogPriceExcursion = 40.0;
constexpr double kMinSpot = 1e-12, kMaxSpot = 1e15;

}  // namespace hedgemap
