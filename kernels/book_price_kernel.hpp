// Path kernel for the /model/ group: the book's discounted payoff on each simulated path, and the
// path's jump and outage counts. Columns: 0 discounted payoff, 1 jumps, 2 outages, 3 S_T.
#pragma once
#include "kernels/jump_diffusion.hpp"
#include "kernels/option_book.hpp"
#include "kernels/path_output.hpp"

namespace hedgemap {

template <class Real>
struct BookPriceKernel {
  ProcessParams process;
  OptionBook book;

  enum Column : int { discounted_payoff = 0, jumps = 1, gap_events = 2, terminal_spot = 3, kColumns };
  HM_HD int columns() const { return kColumns; }

  HM_HD void operator()(unsigned long long path, const PathOutput& out) const {
    JumpDiffusionPath<Real> process_path(process, path);
    MarketPoint<Real> m = process_path.first();
    while (!m.is_expiry) m = process_path.next();
    const double discount = exp(-process.rate * process.expiry);
    out.set(discounted_payoff, discount * double(book_payoff<Real>(book, m.spot)));
    out.set(jumps, double(process_path.jumps()));
    out.set(gap_events, double(process_path.gap_events()));
    out.set(terminal_spot, double(m.spot));
  }
};
static_assert(std::is_trivially_copyable_v<BookPriceKernel<float>>);

}  // namespace hedgemap
