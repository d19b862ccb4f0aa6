// Scenario helpers that need no parsing (the parser is host/scenario/parser.cpp).
#include "host/scenario/scenario.hpp"

#include <algorithm>
#include <climits>
#include <cmath>

namespace hedgemap {

// steps = round(expiry_days * 24 / dt_hours), at least 1, unless a fixed `steps` is given.
// The parser bounds expiry_days * 24 / dt_hours by 1e8, so the rounding never overflows.
int Scenario::steps_for_expiry(double expiry_days) const {
  if (simulation.steps) return *simulation.steps;
  const double steps = std::min(expiry_days * 24.0 / simulation.dt_hours, double(INT_MAX));
  return static_cast<int>(std::max(1LL, std::llround(steps)));
}

std::size_t GridConfig::axis_combinations() const {
  std::size_t n = 1;
  for (const SweptAxis& a : axes) n *= a.values.size();
  return n;
}

}  // namespace hedgemap
