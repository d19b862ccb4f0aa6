// Option values against textbook numbers and independent references (docs/validation.md 1-3):
// Black-Scholes (Hull's example, parity, greeks by finite differences, limits without NaN),
// the Merton series (Surkov's reference, the BS limit, greeks by finite differences), the Kou
// Fourier reference of tests/support/kou_fourier.hpp (Surkov's reference, the BS limit), and
// Monte Carlo with JumpDiffusionPath against both series (4 standard errors).
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "kernels/jump_diffusion.hpp"
#include "kernels/merton_pricing.hpp"
#include "tests/support/kou_fourier.hpp"

namespace hedgemap {
namespace {

using reference::KouModel;

// ---- Black-Scholes --------------------------------------------------------------------------

TEST(BlackScholesPricing, HullExample) {
  // Hull, Options Futures and Other Derivatives: S=42, K=40, r=10%, s=20%, T=0.5.
  const auto call = black_scholes<double>(OptionType::call, 42, 40, 0.1, 0.2, 0.5);
  const auto put = black_scholes<double>(OptionType::put, 42, 40, 0.1, 0.2, 0.5);
  EXPECT_NEAR(call.price, 4.7594, 5e-5);
  EXPECT_NEAR(put.price, 0.8086, 5e-5);
  const auto callf = black_scholes<float>(OptionType::call, 42.f, 40.f, 0.1f, 0.2f, 0.5f);
  EXPECT_NEAR(callf.price, 4.7594f, 2e-4f);
}

TEST(BlackScholesPricing, PutCallParity) {
  for (double S : {50.0, 95.0, 100.0, 130.0, 400.0})
    for (double tau : {1.0 / 365, 0.25, 2.0}) {
      const double K = 100, r = 0.04, s = 0.7;
      const auto c = black_scholes<double>(OptionType::call, S, K, r, s, tau);
      const auto p = black_scholes<double>(OptionType::put, S, K, r, s, tau);
      EXPECT_NEAR(c.price - p.price, S - K * std::exp(-r * tau), 1e-11 * S)
          << "S=" << S << " tau=" << tau;
      EXPECT_NEAR(c.delta - p.delta, 1.0, 1e-14) << "S=" << S << " tau=" << tau;
      EXPECT_DOUBLE_EQ(c.gamma, p.gamma);
      EXPECT_DOUBLE_EQ(c.vega, p.vega);
    }
}

// Central differences of the double price: delta and vega to O(h^2), gamma from delta. Float greeks
// are held to the double finite differences at float tolerance.
TEST(BlackScholesGreeks, MatchFiniteDifferences) {
  const double K = 100, r = 0.03;
  for (OptionType type : {OptionType::call, OptionType::put})
    for (double S : {60.0, 90.0, 100.0, 115.0, 180.0})
      for (double s : {0.2, 0.8})
        for (double tau : {7.0 / 365, 0.5}) {
          auto price = [&](double spot, double vol) {
            return black_scholes<double>(type, spot, K, r, vol, tau).price;
          };
          const auto g = black_scholes<double>(type, S, K, r, s, tau);
          // step in spot scaled by the total volatility: truncation ~ (h / (S s sqrt tau))^2
          const double h = 3e-4 * S * s * std::sqrt(tau), hv = 1e-5;
          const double fd_delta = (price(S + h, s) - price(S - h, s)) / (2 * h);
          // gamma from the (price-checked) delta: a second difference of prices loses too many
          // digits to rounding where gamma is small
          auto delta = [&](double spot) {
            return black_scholes<double>(type, spot, K, r, s, tau).delta;
          };
          const double fd_gamma = (delta(S + h) - delta(S - h)) / (2 * h);
          const double fd_vega = (price(S, s + hv) - price(S, s - hv)) / (2 * hv);
          const double scale = std::fabs(g.gamma) + 1e-6;
          EXPECT_NEAR(g.delta, fd_delta, 2e-7)
              << "type " << int(type) << " S=" << S << " s=" << s << " tau=" << tau;
          EXPECT_NEAR(g.gamma, fd_gamma, 1e-6 * scale + 1e-10)
              << "type " << int(type) << " S=" << S << " s=" << s << " tau=" << tau;
          EXPECT_NEAR(g.vega, fd_vega, 1e-6 * (g.vega + 1))
              << "type " << int(type) << " S=" << S << " s=" << s << " tau=" << tau;
          EXPECT_NEAR(black_scholes_delta<double>(type, S, K, r, s, tau), g.delta, 1e-15);

          const auto f =
              black_scholes<float>(type, float(S), float(K), float(r), float(s), float(tau));
          EXPECT_NEAR(f.price, g.price, 2e-6 * S) << "float S=" << S << " s=" << s;
          EXPECT_NEAR(f.delta, fd_delta, 2e-5) << "float S=" << S << " s=" << s << " tau=" << tau;
          EXPECT_NEAR(f.gamma, fd_gamma, 1e-4 * scale + 1e-6) << "float S=" << S << " s=" << s;
          EXPECT_NEAR(f.vega, fd_vega, 1e-4 * (g.vega + 1)) << "float S=" << S << " s=" << s;
          EXPECT_NEAR(
              black_scholes_delta<float>(type, float(S), float(K), float(r), float(s), float(tau)),
              f.delta, 1e-6f);
        }
}

TEST(BlackScholesLimits, DeepMoneynessAndExpiry) {
  const double K = 100, r = 0.05, s = 0.6, tau = 0.25, df = std::exp(-r * tau);
  // Deep in the money: call = S - K e^{-r tau}, delta 1; deep out: 0, delta 0.
  auto deep_itm = black_scholes<double>(OptionType::call, 1e4, K, r, s, tau);
  EXPECT_NEAR(deep_itm.price, 1e4 - K * df, 1e-9);
  EXPECT_DOUBLE_EQ(deep_itm.delta, 1.0);
  auto deep_otm = black_scholes<double>(OptionType::call, 1.0, K, r, s, tau);
  EXPECT_GE(deep_otm.price, 0.0);
  EXPECT_LT(deep_otm.price, 1e-40);
  auto deep_itm_put = black_scholes<double>(OptionType::put, 1.0, K, r, s, tau);
  EXPECT_NEAR(deep_itm_put.price, K * df - 1.0, 1e-9);
  EXPECT_DOUBLE_EQ(deep_itm_put.delta, -1.0);

  // tau -> 0, 0 and past expiry: intrinsic value, step delta, no gamma or vega.
  for (double t : {1e-12, 0.0, -0.1}) {
    for (double S : {80.0, 120.0}) {
      const auto c = black_scholes<double>(OptionType::call, S, K, r, s, t);
      const auto p = black_scholes<double>(OptionType::put, S, K, r, s, t);
      EXPECT_NEAR(c.price, std::fmax(S - K, 0.0), 1e-9) << "S=" << S << " tau=" << t;
      EXPECT_NEAR(p.price, std::fmax(K - S, 0.0), 1e-9) << "S=" << S << " tau=" << t;
      EXPECT_DOUBLE_EQ(c.delta, S > K ? 1.0 : 0.0) << "S=" << S << " tau=" << t;
      EXPECT_DOUBLE_EQ(p.delta, S < K ? -1.0 : 0.0) << "S=" << S << " tau=" << t;
      EXPECT_NEAR(c.gamma, 0.0, 1e-12) << "S=" << S << " tau=" << t;
      EXPECT_NEAR(c.vega, 0.0, 1e-12) << "S=" << S << " tau=" << t;
      const auto cf =
          black_scholes<float>(OptionType::call, float(S), float(K), float(r), float(s), float(t));
      EXPECT_NEAR(cf.price, std::fmax(S - K, 0.0), 1e-4) << "float S=" << S << " tau=" << t;
      EXPECT_EQ(cf.delta, S > K ? 1.0f : 0.0f) << "float S=" << S << " tau=" << t;
    }
  }
}

template <class Real>
void expect_finite(const Greeks<Real>& g, double S, double tau) {
  EXPECT_TRUE(std::isfinite(double(g.price)) && std::isfinite(double(g.delta)) &&
              std::isfinite(double(g.gamma)) && std::isfinite(double(g.vega)))
      << "S=" << S << " tau=" << tau << ": " << g.price << " " << g.delta << " " << g.gamma << " "
      << g.vega;
  EXPECT_GE(double(g.price), 0.0) << "S=" << S << " tau=" << tau;
}

TEST(BlackScholesLimits, NoNanForTinyOrHugeSpot) {
  for (OptionType type : {OptionType::call, OptionType::put})
    for (double tau : {1e-12, 0.0, 1.0 / 365, 1.0}) {
      for (double S : {1e-300, 1e-12, 1e12, 1e300})
        expect_finite(black_scholes<double>(type, S, 100.0, 0.05, 0.8, tau), S, tau);
      for (float S : {1e-30f, 1e-6f, 1e6f, 1e30f})
        expect_finite(black_scholes<float>(type, S, 100.f, 0.05f, 0.8f, float(tau)), S, tau);
    }
}

// ---- Merton ----------------------------------------------------------------------------------

JumpParams merton_jumps(double intensity, double log_mean, double log_stdev) {
  JumpParams j;
  j.model = JumpModel::merton;
  j.intensity = intensity;
  j.log_mean = log_mean;
  j.log_stdev = log_stdev;
  return j;
}

TEST(MertonPricing, SurkovReference) {
  // docs/validation.md 2: S=K=100, T=0.25, r=0.05, s=0.15, l=0.1, muJ=-0.9, dJ=0.45 -> 4.391243
  const JumpParams j = merton_jumps(0.1, -0.9, 0.45);
  const auto c = merton_jump_diffusion<double>(OptionType::call, 100, 100, 0.05, 0.15, 0.25, j);
  EXPECT_NEAR(c.price, 4.391243, 1e-5);
  const auto p = merton_jump_diffusion<double>(OptionType::put, 100, 100, 0.05, 0.15, 0.25, j);
  EXPECT_NEAR(c.price - p.price, 100 - 100 * std::exp(-0.05 * 0.25), 1e-10);
  const auto cf =
      merton_jump_diffusion<float>(OptionType::call, 100.f, 100.f, 0.05f, 0.15f, 0.25f, j);
  EXPECT_NEAR(cf.price, 4.391243f, 2e-4f);
}

TEST(MertonPricing, ZeroIntensityIsBlackScholes) {
  for (double S : {70.0, 100.0, 140.0}) {
    const auto bs = black_scholes<double>(OptionType::call, S, 100, 0.02, 0.5, 0.3);
    for (const JumpParams& j : {merton_jumps(0.0, -0.2, 0.1), JumpParams{}}) {
      const auto m = merton_jump_diffusion<double>(OptionType::call, S, 100, 0.02, 0.5, 0.3, j);
      EXPECT_NEAR(m.price, bs.price, 1e-14 * S) << "S=" << S;
      EXPECT_NEAR(m.delta, bs.delta, 1e-14) << "S=" << S;
    }
  }
}

TEST(MertonPricing, GreeksMatchFiniteDifferences) {
  const JumpParams j = merton_jumps(5.0, -0.1, 0.2);
  const double K = 100, r = 0.03, tau = 0.4;
  for (OptionType type : {OptionType::call, OptionType::put})
    for (double S : {70.0, 100.0, 130.0})
      for (double s : {0.15, 0.6}) {
        auto price = [&](double spot, double vol) {
          return merton_jump_diffusion<double>(type, spot, K, r, vol, tau, j).price;
        };
        const auto g = merton_jump_diffusion<double>(type, S, K, r, s, tau, j);
        const double h = 3e-4 * S * s * std::sqrt(tau), hv = 1e-5;
        EXPECT_NEAR(g.delta, (price(S + h, s) - price(S - h, s)) / (2 * h), 1e-7)
            << "type " << int(type) << " S=" << S << " s=" << s;
        auto delta = [&](double spot) {
          return merton_jump_diffusion<double>(type, spot, K, r, s, tau, j).delta;
        };
        EXPECT_NEAR(g.gamma, (delta(S + h) - delta(S - h)) / (2 * h), 1e-6 * g.gamma + 1e-10)
            << "type " << int(type) << " S=" << S << " s=" << s;
        EXPECT_NEAR(g.vega, (price(S, s + hv) - price(S, s - hv)) / (2 * hv), 1e-6 * (g.vega + 1))
            << "type " << int(type) << " S=" << S << " s=" << s;
      }
}

// ---- Kou (Fourier reference) ------------------------------------------------------------------

TEST(KouPricing, SurkovReference) {
  // docs/validation.md 3: S=100, K=110, T=1, r=0, s=0.2, l=0.2, p=0.5, eta1=3, eta2=2
  const KouModel m{100, 110, 1.0, 0.0, 0.2, 0.2, 0.5, 3.0, 2.0};
  EXPECT_NEAR(reference::kou_call_lewis(m), 7.27993383, 1e-6);
}

TEST(KouPricing, ZeroIntensityIsBlackScholes) {
  for (double K : {40.0, 80.0, 100.0, 120.0, 200.0})
    for (double tau : {0.02, 0.5, 2.0}) {
      const KouModel m{100, K, tau, 0.05, 0.6, 0.0, 0.4, 5.0, 4.0};
      const double bs = black_scholes<double>(OptionType::call, 100, K, 0.05, 0.6, tau).price;
      EXPECT_NEAR(reference::kou_call_lewis(m), bs, 1e-9) << "K=" << K << " tau=" << tau;
    }
  // Hull's example through the Fourier route.
  EXPECT_NEAR(reference::kou_call_lewis(KouModel{42, 40, 0.5, 0.1, 0.2, 0, 0.5, 3, 2}), 4.7594,
              5e-5);
}

// ---- Monte Carlo with the engine's process ---------------------------------------------------

struct McPrice {
  double price, se;
};

// Risk-neutral paths (drift = rate, no outages), discounted call payoff at S_T.
McPrice monte_carlo_call(ProcessParams p, double strike, int paths) {
  p.drift = p.rate;
  p.dt = p.expiry / p.steps;
  double sum = 0, sum2 = 0;
  for (int i = 0; i < paths; ++i) {
    JumpDiffusionPath<double> path(p, i);
    MarketPoint<double> m = path.first();
    for (int k = 0; k < p.steps; ++k) m = path.next();
    const double payoff = std::exp(-p.rate * p.expiry) * std::fmax(m.spot - strike, 0.0);
    sum += payoff;
    sum2 += payoff * payoff;
  }
  const double mean = sum / paths, var = (sum2 - sum * mean) / (paths - 1);
  return {mean, std::sqrt(var / paths)};
}

ProcessParams process_for(double S, double T, double r, double s, const JumpParams& j,
                          unsigned long long seed, int steps) {
  ProcessParams p;
  p.seed = seed;
  p.spot = S;
  p.rate = r;
  p.volatility = s;
  p.expiry = T;
  p.steps = steps;
  p.jumps = j;
  return p;
}

constexpr int kMcPaths = 200000;

struct MertonPoint {
  double S, K, T, r, s, lambda, mu_j, d_j;
};

TEST(MertonPricingMonteCarlo, AgreesWithSeries) {
  const MertonPoint points[] = {
      {100, 100, 0.25, 0.05, 0.15, 0.1, -0.9, 0.45},  // Surkov's reference
      {100, 90, 0.5, 0.03, 0.6, 5.0, -0.1, 0.2},
      {100, 120, 1.0 / 12, 0.0, 0.8, 30.0, -0.02, 0.05},
  };
  unsigned long long seed = 1000;
  for (const MertonPoint& q : points) {
    const JumpParams j = merton_jumps(q.lambda, q.mu_j, q.d_j);
    const double series =
        merton_jump_diffusion<double>(OptionType::call, q.S, q.K, q.r, q.s, q.T, j).price;
    const McPrice mc =
        monte_carlo_call(process_for(q.S, q.T, q.r, q.s, j, ++seed, 1), q.K, kMcPaths);
    EXPECT_NEAR(mc.price, series, 4 * mc.se)
        << "S=" << q.S << " K=" << q.K << " T=" << q.T << " r=" << q.r << " s=" << q.s
        << " lambda=" << q.lambda << " muJ=" << q.mu_j << " dJ=" << q.d_j << " mc=" << mc.price
        << " se=" << mc.se;
  }
}

TEST(MertonPricingMonteCarlo, StepSplittingIsExact) {
  // Four steps of the same process give the same terminal law: the reference within 4 SE.
  const JumpParams j = merton_jumps(0.1, -0.9, 0.45);
  const McPrice mc = monte_carlo_call(process_for(100, 0.25, 0.05, 0.15, j, 77, 4), 100, kMcPaths);
  EXPECT_NEAR(mc.price, 4.391243, 4 * mc.se) << "mc=" << mc.price << " se=" << mc.se;
}

TEST(KouPricingMonteCarlo, AgreesWithFourierReference) {
  const KouModel models[] = {
      {100, 110, 1.0, 0.0, 0.2, 0.2, 0.5, 3.0, 2.0},  // Surkov's reference
      {100, 95, 0.25, 0.02, 0.5, 10.0, 0.4, 10.0, 5.0},
      {100, 130, 0.5, 0.05, 0.7, 3.0, 0.3, 4.0, 6.0},
  };
  unsigned long long seed = 2000;
  for (const KouModel& m : models) {
    JumpParams j;
    j.model = JumpModel::kou;
    j.intensity = m.intensity;
    j.up_probability = m.up_probability;
    j.up_rate = m.up_rate;
    j.down_rate = m.down_rate;
    const double reference = reference::kou_call_lewis(m);
    const McPrice mc = monte_carlo_call(
        process_for(m.spot, m.expiry, m.rate, m.volatility, j, ++seed, 1), m.strike, kMcPaths);
    EXPECT_NEAR(mc.price, reference, 4 * mc.se)
        << "S=" << m.spot << " K=" << m.strike << " T=" << m.expiry << " r=" << m.rate
        << " s=" << m.volatility << " lambda=" << m.intensity << " p=" << m.up_probability
        << " eta1=" << m.up_rate << " eta2=" << m.down_rate << " mc=" << mc.price << " se=" << mc.se
        << " ref=" << reference;
  }
}

}  // namespace
}  // namespace hedgemap
