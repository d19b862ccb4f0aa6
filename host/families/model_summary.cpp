#include "host/families/model_summary.hpp"

#include <cmath>
#include <limits>

#include "host/statistics/column_moments.hpp"
#include "host/exec/path_runner.hpp"
#include "kernels/book_price_kernel.hpp"

namespace hedgemap {
namespace {

template <class Real>
ModelCell run_model(const Scenario& s, const CellCoordinates& cell, const Execution& exec) {
  BookPriceKernel<Real> kernel;
  kernel.process = process_params(s, cell);
  kernel.book = option_book(s);
  ColumnMoments moments(kernel.columns());
  // No column kept per path: only the moments (also when the paths are split over the ranks).
  run_paths_with_moments(exec, kernel, s.simulation.paths, KeptColumns{}, moments,
                         [](std::uint64_t, std::uint64_t, const double*, std::uint64_t) {});
  return summarize_model(s, cell, moments, 0);
}

}  // namespace

double book_premium(const Scenario& s, const CellCoordinates& cell) {
  const ProcessParams p = process_params(s, cell);
  return book_greeks<double>(option_book(s), hedging_model(s), p.spot, p.rate,
                             hedger_volatility(s, cell.volatility), p.expiry, hedger_jumps(s))
      .price;
}

ModelCell summarize_model(const Scenario& s, const CellCoordinates& cell,
                          const ColumnMoments& moments, int first, int funding_rate_column) {
  ModelCell m;
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const VarianceBudget budget = cell_variance_budget(s, cell.volatility);
  m.implied_volatility = budget.implied_volatility;
  m.realised_volatility_total = std::sqrt(budget.total_variance);
  m.diffusive_volatility = std::sqrt(budget.diffusive_variance);
  m.realised_volatility_mc = moments.mean(first + summary_realised_volatility);
  const OptionBook book = option_book(s);
  if (book.legs > 0) {
    m.book_price = book_premium(s, cell);
    m.book_price_mc = moments.mean(first + summary_discounted_payoff);
    m.book_price_mc_stderr = moments.stderr_of_mean(first + summary_discounted_payoff);
  } else {
    m.book_price = m.book_price_mc = m.book_price_mc_stderr = nan;
  }
  m.jumps_mean = moments.mean(first + summary_jumps);
  m.gap_events_mean = moments.mean(first + summary_gap_events);
  m.terminal_spot_mean = moments.mean(first + summary_terminal_spot);
  m.terminal_spot_stderr = moments.stderr_of_mean(first + summary_terminal_spot);
  m.funding_mean = funding_rate_column >= 0 ? moments.mean(funding_rate_column) : nan;
  return m;
}

ModelCell evaluate_model_cell(const Scenario& s, const CellCoordinates& cell,
                              const Execution& exec) {
  return s.simulation.precision == "double" ? run_model<double>(s, cell, exec)
                                            : run_model<float>(s, cell, exec);
}

}  // namespace hedgemap
