// Distributions drawn from the Philox words against their closed-form moments: uniforms on (0,1),
// Box-Muller normals, unit exponentials, Poisson counts by inversion (chi-square against the pmf),
// and the normal CDF deep in both tails. Every moment is held to 4 standard errors of its sample
// estimate, with fixed seeds.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <vector>

#include "kernels/random_draws.hpp"

namespace hedgemap {
namespace {

// Central sample moments of a sequence of draws.
struct Moments {
  double n = 0, mean = 0, var = 0, skew = 0, kurt = 0;
};

Moments moments_of(const std::vector<double>& x) {
  Moments m;
  m.n = double(x.size());
  for (double v : x) m.mean += v;
  m.mean /= m.n;
  double m2 = 0, m3 = 0, m4 = 0;
  for (double v : x) {
    const double d = v - m.mean, d2 = d * d;
    m2 += d2;
    m3 += d2 * d;
    m4 += d2 * d2;
  }
  m2 /= m.n, m3 /= m.n, m4 /= m.n;
  m.var = m2 * m.n / (m.n - 1);
  m.skew = m3 / std::pow(m2, 1.5);
  m.kurt = m4 / (m2 * m2);
  return m;
}

// The i-th 32-bit word of one fixed stream (path 0, step 0, groups 0, 1, ...).
class WordSource {
 public:
  explicit WordSource(unsigned long long seed) : stream_(seed, 0) {}
  std::uint32_t next() {
    if (i_ % 4 == 0) block_ = stream_.words(0, std::uint32_t(i_ / 4));
    const std::uint32_t w[4] = {block_.x, block_.y, block_.z, block_.w};
    return w[i_++ % 4];
  }

 private:
  PhiloxStream stream_;
  Uint4 block_{};
  std::uint64_t i_ = 0;
};

constexpr int kDraws = 1000000;

template <class Real>
void check_uniform_moments(unsigned long long seed) {
  WordSource words(seed);
  std::vector<double> u(kDraws);
  for (double& v : u) {
    const Real r = uniform_open<Real>(words.next());
    ASSERT_TRUE(r > Real(0) && r < Real(1)) << "uniform " << double(r) << " seed " << seed;
    v = double(r);
  }
  const Moments m = moments_of(u);
  const double n = m.n;
  // Var(U) = 1/12; Var of the sample variance ~ (mu4 - sigma^4) / n, mu4 = 1/80.
  EXPECT_NEAR(m.mean, 0.5, 4 * std::sqrt(1.0 / 12 / n)) << "seed " << seed;
  EXPECT_NEAR(m.var, 1.0 / 12, 4 * std::sqrt((1.0 / 80 - 1.0 / 144) / n)) << "seed " << seed;
}

TEST(RandomDrawsUniform, DoubleMoments) { check_uniform_moments<double>(20240601); }
TEST(RandomDrawsUniform, FloatMoments) { check_uniform_moments<float>(20240602); }

TEST(RandomDrawsUniform, FloatOpenIntervalForEveryRetainedPattern) {
  // Only the top bits reach a float uniform; walk all of them: strictly inside (0,1), increasing.
  float previous = 0.0f;
  for (std::uint64_t x = 0; x <= 0xffffffffull; x += 512) {
    const float u = uniform_open<float>(std::uint32_t(x));
    if (!(u > previous && u < 1.0f)) {
      ADD_FAILURE() << "uniform_open<float>(" << x << ") = " << u << " after " << previous;
      break;
    }
    previous = u;
  }
  EXPECT_LT(uniform_open<float>(0xffffffffu), 1.0f);
  EXPECT_GT(uniform_open<float>(0u), 0.0f);
  EXPECT_LT(uniform_open<double>(0xffffffffu), 1.0);
  EXPECT_GT(uniform_open<double>(0u), 0.0);
}

template <class Real>
void check_box_muller(unsigned long long seed) {
  WordSource words(seed);
  std::vector<double> z(kDraws);
  double cross = 0;  // sum z0 z1: the two normals of a pair are independent
  for (int i = 0; i < kDraws; i += 2) {
    const std::uint32_t a = words.next(), b = words.next();
    const NormalPair<Real> p = box_muller<Real>(a, b);
    ASSERT_TRUE(std::isfinite(double(p.z0)) && std::isfinite(double(p.z1))) << a << " " << b;
    z[i] = double(p.z0);
    z[i + 1] = double(p.z1);
    cross += z[i] * z[i + 1];
  }
  const Moments m = moments_of(z);
  const double n = m.n;
  // Standard errors of N(0,1) sample moments: 1, sqrt 2, sqrt 6, sqrt 24 over sqrt n.
  EXPECT_NEAR(m.mean, 0.0, 4 * std::sqrt(1.0 / n)) << "seed " << seed;
  EXPECT_NEAR(m.var, 1.0, 4 * std::sqrt(2.0 / n)) << "seed " << seed;
  EXPECT_NEAR(m.skew, 0.0, 4 * std::sqrt(6.0 / n)) << "seed " << seed;
  EXPECT_NEAR(m.kurt, 3.0, 4 * std::sqrt(24.0 / n)) << "seed " << seed;
  EXPECT_NEAR(cross / (n / 2), 0.0, 4 * std::sqrt(2.0 / n)) << "seed " << seed;
}

TEST(RandomDrawsNormal, BoxMullerDoubleMoments) { check_box_muller<double>(7); }
TEST(RandomDrawsNormal, BoxMullerFloatMoments) { check_box_muller<float>(8); }

TEST(RandomDrawsNormal, BoxMullerTailFrequency) {
  // P(|Z| > 3) = 2 Phi(-3) = 0.0026998: the tails are where a broken transform shows first.
  WordSource words(99);
  const int pairs = 250000;
  int beyond = 0;
  for (int i = 0; i < pairs; ++i) {
    const std::uint32_t a = words.next(), b = words.next();
    const NormalPair<double> p = box_muller<double>(a, b);
    beyond += (std::fabs(p.z0) > 3) + (std::fabs(p.z1) > 3);
  }
  const double n = 2.0 * pairs, q = std::erfc(3 / std::sqrt(2.0));
  EXPECT_NEAR(beyond / n, q, 4 * std::sqrt(q * (1 - q) / n)) << "count " << beyond;
}

TEST(RandomDrawsExponential, UnitRateMoments) {
  WordSource words(31337);
  std::vector<double> e(kDraws);
  for (double& v : e) {
    v = exponential1(u01_open(words.next()));
    ASSERT_TRUE(v > 0 && std::isfinite(v)) << v;
  }
  const Moments m = moments_of(e);
  // Exp(1): mean 1, variance 1, fourth central moment 9.
  EXPECT_NEAR(m.mean, 1.0, 4 / std::sqrt(m.n));
  EXPECT_NEAR(m.var, 1.0, 4 * std::sqrt(8.0 / m.n));
  EXPECT_NEAR(m.skew, 2.0, 0.05);
}

// Poisson(mean) by inversion: chi-square against the pmf over bins with >= 5 expected counts
// (the upper tail merged), plus mean and variance within 4 standard errors.
void check_poisson(double mean, unsigned long long seed) {
  const int n = 200000;
  WordSource words(seed);
  std::vector<double> counts_as_double(n);
  std::vector<long> histogram(1001, 0);
  for (int i = 0; i < n; ++i) {
    const int k = poisson_inverse(mean, u01_open(words.next()));
    ASSERT_GE(k, 0);
    ASSERT_LE(k, 1000);
    ++histogram[k];
    counts_as_double[i] = k;
  }
  const Moments m = moments_of(counts_as_double);
  // Var(N) = mean; Var of the sample variance ~ (mu4 - sigma^4) / n = (mean + 2 mean^2) / n.
  EXPECT_NEAR(m.mean, mean, 4 * std::sqrt(mean / n)) << "Poisson mean " << mean;
  EXPECT_NEAR(m.var, mean, 4 * std::sqrt((mean + 2 * mean * mean) / n)) << "Poisson mean " << mean;

  // Consecutive k are pooled until a bin expects >= 5; the bin that leaves < 5 above it takes
  // the whole upper tail.
  double chi2 = 0, pmf = std::exp(-mean), cdf = 0, bin_expected = 0;
  long bin_observed = 0, observed_through_k = 0;
  int bins = 0;
  for (int k = 0; k < 1000; ++k) {
    if (k > 0) pmf *= mean / k;
    cdf += pmf;
    observed_through_k += histogram[k];
    bin_expected += n * pmf;
    bin_observed += histogram[k];
    const double tail_expected = n * (1 - cdf);
    if (tail_expected < 5) {
      bin_expected += tail_expected;
      bin_observed += n - observed_through_k;
    }
    if (bin_expected >= 5 || tail_expected < 5) {
      chi2 += (bin_observed - bin_expected) * (bin_observed - bin_expected) / bin_expected;
      ++bins;
      bin_expected = 0;
      bin_observed = 0;
    }
    if (tail_expected < 5) break;
  }
  // bins - 1 degrees of freedom; mean + 4 sd of chi-square (plus a floor for 1 dof).
  const double dof = bins - 1;
  EXPECT_LT(chi2, dof + 4 * std::sqrt(2 * dof) + 10)
      << "Poisson mean " << mean << ", " << bins << " bins";
}

TEST(RandomDrawsPoisson, Mean0p01) { check_poisson(0.01, 1); }
TEST(RandomDrawsPoisson, Mean0p5) { check_poisson(0.5, 2); }
TEST(RandomDrawsPoisson, Mean3) { check_poisson(3.0, 3); }
TEST(RandomDrawsPoisson, Mean20) { check_poisson(20.0, 4); }

TEST(RandomDrawsPoisson, EdgeCases) {
  EXPECT_EQ(poisson_inverse(0.0, 0.999), 0);
  EXPECT_EQ(poisson_inverse(-1.0, 0.999), 0);
  EXPECT_EQ(poisson_inverse(0.5, 1e-300), 0);
  // u at the very top of (0,1) ends within the cap: the search stops where the pmf underflows.
  const int k = poisson_inverse(3.0, u01_open(0xffffffffu));
  EXPECT_GE(k, 10);
  EXPECT_LE(k, 1000);
  // P(N = 0) = e^-mean exactly at the boundary of the first bin.
  EXPECT_EQ(poisson_inverse(2.0, std::exp(-2.0) * 0.999), 0);
  EXPECT_EQ(poisson_inverse(2.0, std::exp(-2.0) * 1.001), 1);
}

// Mills-ratio asymptotic series, independent of erfc: Phi(-x) ~ phi(x)/x (1 - 1/x^2 + 3/x^4 -
// 15/x^6 + 105/x^8 - 945/x^10), relative error below 10395/x^12.
double lower_tail_asymptotic(double x) {
  const double phi = std::exp(-0.5 * x * x) / std::sqrt(2 * M_PI), y = 1 / (x * x);
  return phi / x * (1 - y * (1 - 3 * y * (1 - 5 * y * (1 - 7 * y * (1 - 9 * y)))));
}

TEST(RandomDrawsNormalCdf, DeepTailsDouble) {
  for (double x : {8.0, 12.0, 20.0, 30.0, 37.0}) {
    const double tail = normal_cdf<double>(-x);
    EXPECT_GT(tail, 0.0) << "x=" << x;
    EXPECT_NEAR(tail / lower_tail_asymptotic(x), 1.0, 2 * 10395 / std::pow(x, 12) + 1e-13)
        << "x=" << x;
    // x / sqrt 2 rounds differently from x * (1 / sqrt 2): relative 1e-16 times 2 y^2 = x^2
    EXPECT_NEAR(tail / (0.5 * std::erfc(x / std::sqrt(2.0))), 1.0, 4e-16 * x * x + 1e-15)
        << "x=" << x;
  }
  EXPECT_LT(normal_cdf<double>(8.0), 1.0);
  EXPECT_NEAR(1.0 - normal_cdf<double>(8.0), 6.22096057427178e-16, 2.3e-16);
  EXPECT_DOUBLE_EQ(normal_cdf<double>(0.0), 0.5);
  EXPECT_NEAR(normal_cdf<double>(1.0), 0.841344746068543, 1e-15);
  EXPECT_NEAR(normal_cdf<double>(-1.959963984540054), 0.025, 1e-15);
  for (double x : {0.1, 0.7, 2.0, 5.0})
    EXPECT_NEAR(normal_cdf<double>(x) + normal_cdf<double>(-x), 1.0, 1e-15) << "x=" << x;
}

TEST(RandomDrawsNormalCdf, DeepTailsFloat) {
  for (float x : {8.0f, 10.0f, 12.0f}) {
    const float tail = normal_cdf<float>(-x);
    EXPECT_GT(tail, 0.0f) << "x=" << x;
    // float erfc and the rounding of x / sqrt 2 (relative 6e-8, times d ln erfc / d ln y = 2 y^2)
    EXPECT_NEAR(double(tail) / lower_tail_asymptotic(x), 1.0, 3e-5) << "x=" << x;
  }
  EXPECT_FLOAT_EQ(normal_cdf<float>(0.0f), 0.5f);
  EXPECT_NEAR(normal_cdf<float>(1.0f), 0.841344746f, 1e-7f);
  EXPECT_NEAR(normal_pdf<float>(0.0f), 0.39894228f, 1e-7f);
  EXPECT_NEAR(normal_pdf<double>(1.0), std::exp(-0.5) / std::sqrt(2 * M_PI), 1e-16);
}

}  // namespace
}  // namespace hedgemap
