// The /model/ group of one cell: the book's closed-form value under the hedging model, its Monte
// Carlo value on the simulated paths, and what happened on them (jumps, outages, E[S_T]).
#pragma once
#include "host/backend.hpp"
#include "host/kernel_params.hpp"
#include "host/scenario.hpp"

namespace hedgemap {

struct ModelCell {
  double book_price = 0.0;            // closed form, NaN without a book
  double book_price_mc = 0.0;         // mean discounted payoff on the simulated paths
  double book_price_mc_stderr = 0.0;
  double gap_events_mean = 0.0;
  double jumps_mean = 0.0;
  double terminal_spot_mean = 0.0;    // E[S_T]: S_0 exp(mu T) by construction
  double terminal_spot_stderr = 0.0;
};

ModelCell evaluate_model_cell(const Scenario& s, const CellCoordinates& cell, const Execution& exec);

}  // namespace hedgemap
