// Translation from the user's scenario (host/scenario/scenario.hpp: days, hours, bps, names) to the
// plain parameter blocks that kernels take (kernels/model_params.hpp: years, fractions, enums).
#pragma once
#include "host/scenario/scenario.hpp"
#include "kernels/hedger_volatility.hpp"
#include "kernels/model_params.hpp"
#include "kernels/option_book.hpp"
#include "kernels/variance_budget.hpp"

namespace hedgemap {

struct CellCoordinates {
  int vol_index = 0, expiry_index = 0;
  double volatility = 0.0;
  double expiry_days = 0.0;
  int steps = 1;
};

CellCoordinates cell_coordinates(const Scenario& s, int vol_index, int expiry_index);
// The paths of a cell: volatility = its diffusive sigma (kernels/variance_budget.hpp),
// implied_volatility = the cell's grid value.
ProcessParams process_params(const Scenario& s, const CellCoordinates& cell);
GapParams gap_params(const Scenario& s);
// The cell's variance budget: realised_to_implied x implied volatility, split into diffusion,
// jumps and outage crashes.
VarianceBudget cell_variance_budget(const Scenario& s, double implied_volatility);
// The inverse: the implied volatility whose diffusive part is `diffusive_volatility` (tests, and
// scenarios written for the diffusive axis of the first release).
double implied_for_diffusive(const Scenario& s, double diffusive_volatility);
// The hedger's model: its jump components (none under Black-Scholes; under Merton the market's
// jumps and the outage crashes), the diffusive variance Merton leaves of an input volatility, and
// the volatility its model takes (the input itself under Black-Scholes).
MertonJumps hedger_jumps(const Scenario& s);
double hedger_diffusive_variance(const Scenario& s, double input_volatility);
double hedger_volatility(const Scenario& s, double input_volatility);
// hedging.volatility_input of a cell: what moves the hedger's volatility along a path.
HedgerVolatility hedger_volatility_input(const Scenario& s, const CellCoordinates& cell);
CostParams cost_params(const Scenario& s);
// The hedging family's costs: cost_params, with no gas for hedging.instrument = "perp".
CostParams hedging_cost_params(const Scenario& s);
// hedging.instrument = "perp" and [funding]; on only there (the hedging kernel's process).
FundingParams funding_params(const Scenario& s);
JumpParams jump_params(const Scenario& s);
OptionBook option_book(const Scenario& s);  // strikes scaled by spot
HedgingModel hedging_model(const Scenario& s);

}  // namespace hedgemap
