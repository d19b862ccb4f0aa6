// Translation from the user's scenario (host/scenario/scenario.hpp: days, hours, bps, names) to the
// plain parameter blocks that kernels take (kernels/model_params.hpp: years, fractions, enums).
#pragma once
#include "host/scenario/scenario.hpp"
#include "kernels/model_params.hpp"
#include "kernels/option_book.hpp"

namespace hedgemap {

struct CellCoordinates {
  int vol_index = 0, expiry_index = 0;
  double volatility = 0.0;
  double expiry_days = 0.0;
  int steps = 1;
};

CellCoordinates cell_coordinates(const Scenario& s, int vol_index, int expiry_index);
ProcessParams process_params(const Scenario& s, const CellCoordinates& cell);
CostParams cost_params(const Scenario& s);
// The hedging family's costs: cost_params, with no gas for hedging.instrument = "perp".
CostParams hedging_cost_params(const Scenario& s);
// hedging.instrument = "perp" and [funding]; on only there (the hedging kernel's process).
FundingParams funding_params(const Scenario& s);
JumpParams jump_params(const Scenario& s);
OptionBook option_book(const Scenario& s);  // strikes scaled by spot
HedgingModel hedging_model(const Scenario& s);

}  // namespace hedgemap
