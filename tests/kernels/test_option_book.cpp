// The option book: payoff, greeks as sums of the legs', and the per-path fast delta that the
// hedging kernel uses (from the log return, hoisted per-step factors) against the exact function.
#include <gtest/gtest.h>

#include <cmath>

#include "kernels/option_book.hpp"

using namespace hedgemap;

namespace {
OptionBook straddle_and_wing() {
  OptionBook b;
  b.legs = 3;
  b.type[0] = OptionType::call;
  b.strike[0] = 3000;
  b.quantity[0] = -10;
  b.type[1] = OptionType::put;
  b.strike[1] = 3000;
  b.quantity[1] = -10;
  b.type[2] = OptionType::call;
  b.strike[2] = 3600;
  b.quantity[2] = 4;
  return b;
}
}  // namespace

TEST(OptionBook, PayoffIsTheSumOfTheLegs) {
  const OptionBook b = straddle_and_wing();
  EXPECT_DOUBLE_EQ(book_payoff<double>(b, 3000.0), 0.0);
  EXPECT_DOUBLE_EQ(book_payoff<double>(b, 2500.0), -10 * 500.0);
  EXPECT_DOUBLE_EQ(book_payoff<double>(b, 4000.0), -10 * 1000.0 + 4 * 400.0);
}

TEST(OptionBook, GreeksAreQuantityWeightedLegGreeks) {
  const OptionBook b = straddle_and_wing();
  const auto g =
      book_greeks<double>(b, HedgingModel::black_scholes, 3100.0, 0.02, 0.7, 0.05, MertonJumps{});
  double price = 0, delta = 0;
  for (int i = 0; i < b.legs; ++i) {
    const auto l = black_scholes<double>(b.type[i], 3100.0, b.strike[i], 0.02, 0.7, 0.05);
    price += b.quantity[i] * l.price;
    delta += b.quantity[i] * l.delta;
  }
  EXPECT_NEAR(g.price, price, 1e-9);
  EXPECT_NEAR(g.delta, delta, 1e-12);
}

TEST(OptionBook, FastDeltaFromLogReturnEqualsTheExactDelta) {
  const OptionBook b = straddle_and_wing();
  const double s0 = 3000.0;
  const BlackScholesBookDelta<double> fast_d(b, s0);
  const BlackScholesBookDelta<float> fast_f(b, float(s0));
  for (double x : {-0.8, -0.2, -0.01, 0.0, 0.03, 0.25, 0.9})
    for (double tau : {0.0, 1e-9, 1.0 / 8760, 1.0 / 365, 0.1, 1.0})
      for (double rate : {0.0, 0.05}) {
        const double spot = s0 * std::exp(x);
        const double exact =
            book_delta<double>(b, HedgingModel::black_scholes, spot, rate, 0.8, tau, MertonJumps{});
        EXPECT_NEAR(fast_d(b, x, spot, rate, 0.8, tau), exact, 1e-9)
            << "x=" << x << " tau=" << tau << " rate=" << rate;
        EXPECT_NEAR(fast_f(b, float(x), float(spot), float(rate), 0.8f, float(tau)), exact, 2e-3)
            << "float x=" << x << " tau=" << tau << " rate=" << rate;
      }
}
