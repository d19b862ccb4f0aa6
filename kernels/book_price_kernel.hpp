// Path kernel for the /model/ group: the book's discounted payoff on each simulated path, and the
// path's jump and outage counts (used when no hedging family runs; otherwise the hedging kernel
// writes the same columns).
#pragma once
#include "kernels/jump_diffusion.hpp"
#include "kernels/kernel_variant.hpp"
#include "kernels/option_book.hpp"
#include "kernels/path_output.hpp"

namespace hedgemap {

// What every path reports for the /model/ group, in 5 columns starting at `first`:
// the book's discounted payoff, the path's jumps and outages, S_T, and the path's annualized
// realised volatility sqrt(sum_k (ln S(t_{k+1}) / S(t_k))^2 / T) (jumps and crashes included).
// Family kernels that hedge the book append these columns, so /model/ costs no extra pass over the
// paths.
enum PathSummaryColumn : int {
  summary_discounted_payoff = 0,
  summary_jumps,
  summary_gap_events,
  summary_terminal_spot,
  summary_realised_volatility,
  kPathSummaryColumns
};

// Annualized realised volatility of a path from its sum of squared log returns over `expiry` years.
HM_HD inline double realised_volatility(double realised_variance_sum, double expiry) {
  return sqrt(realised_variance_sum / expiry);
}

template <class Real, class Path>
HM_HD HM_FORCEINLINE void write_path_summary(const PathOutput& out, int first,
                                             const ProcessParams& process, const OptionBook& book,
                                             const Path& path, Real terminal_spot) {
  const double discount = exp(-process.rate * process.expiry);
  out.set(first + summary_discounted_payoff,
          discount * double(book_payoff<Real>(book, terminal_spot)));
  out.set(first + summary_jumps, double(path.jumps()));
  out.set(first + summary_gap_events, double(path.gap_events()));
  out.set(first + summary_terminal_spot, double(terminal_spot));
  out.set(first + summary_realised_volatility,
          realised_volatility(double(path.realised_variance_sum()), process.expiry));
}

template <class Real>
struct BookPriceKernel {
  ProcessParams process;
  OptionBook book;

  HM_HD int columns() const { return kPathSummaryColumns; }

  HM_HD void operator()(unsigned long long path, const PathOutput& out) const {
    dispatch_variant<kVariants>(variant(),
                                [&](auto v) { run_variant<decltype(v)::value>(path, out); });
  }

  // Compile-time variants, one per volatility model of the paths (the GPU backend launches one
  // kernel per variant).
  static constexpr int kVariants = 2;
  HM_HD int variant() const { return int(process.volatility_model); }
  template <int Variant>
  HM_HD void run_variant(unsigned long long path, const PathOutput& out) const {
    constexpr VolatilityModel Model = VolatilityModel(Variant);
    JumpDiffusionPath<Real, typename DiffusionOf<Real, Model>::type> process_path(process, path);
    MarketPoint<Real> m = process_path.first();
    while (!m.is_expiry) m = process_path.next();
    write_path_summary<Real>(out, 0, process, book, process_path, m.spot);
  }
};
static_assert(std::is_trivially_copyable_v<BookPriceKernel<float>>);

}  // namespace hedgemap
