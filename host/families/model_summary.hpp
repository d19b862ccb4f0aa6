// The /model/ group of one cell: the book's closed-form value under the hedging model, its Monte
// Carlo value on the simulated paths, and what happened on them (jumps, outages, E[S_T]).
#pragma once
#include "host/exec/backend.hpp"
#include "host/scenario/kernel_params.hpp"
#include "host/scenario/scenario.hpp"

namespace hedgemap {

struct ModelCell {
  double book_price = 0.0;     // closed form, NaN without a book
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
