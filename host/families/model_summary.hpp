// The /model/ group of one cell: its volatilities (implied, total realised, diffusive, and the
// realised volatility measured on the paths), the book's premium under the hedging model, its
// Monte Carlo value on the simulated paths, and what happened on them (jumps, outages, E[S_T]).
#pragma once
#include "host/exec/backend.hpp"
#include "host/scenario/kernel_params.hpp"
#include "host/scenario/scenario.hpp"

namespace hedgemap {

struct ModelCell {
  double implied_volatility = 0.0;         // the cell's grid value
  double realised_volatility_total = 0.0;  // realised_to_implied x implied (expected, annualized)
  double diffusive_volatility = 0.0;       // what the diffusion gets of it
  double realised_volatility_mc = 0.0;     // mean over paths of the path's realised volatility
  double book_price = 0.0;  // the premium: closed form under the hedger's model, NaN without a book
  double book_price_mc = 0.0;  // mean discounted payoff on the simulated paths
  double book_price_mc_stderr = 0.0;
  double gap_events_mean = 0.0;
  double jumps_mean = 0.0;
  double terminal_spot_mean = 0.0;  // E[S_T]: S_0 exp(mu T) by construction
  double terminal_spot_stderr = 0.0;
  // Perp hedging only (NaN otherwise): mean over paths of the path's mean funding rate, 1/yr,
  // from the column after the path summary (HedgingKernel::funding_rate_column).
  double funding_mean = 0.0;
};

// The book's premium: its value at t=0 under the hedging model at the cell's implied volatility
// (Black-Scholes at sigma_i; Merton with jumps and crashes whose total variance is sigma_i^2).
double book_premium(const Scenario& s, const CellCoordinates& cell);

// A pass of its own over the cell's paths (used when no hedging family runs).
ModelCell evaluate_model_cell(const Scenario& s, const CellCoordinates& cell,
                              const Execution& exec);

class ColumnMoments;
// From the path-summary columns (kernels/book_price_kernel.hpp) at `first_column` of a pass, and
// the perp hedging pass's mean funding rate column (-1: none, funding_mean NaN).
ModelCell summarize_model(const Scenario& s, const CellCoordinates& cell,
                          const ColumnMoments& moments, int first_column,
                          int funding_rate_column = -1);

}  // namespace hedgemap
