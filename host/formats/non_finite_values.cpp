#include "host/formats/non_finite_values.hpp"

#include <cmath>
#include <cstdio>

namespace hedgemap {
namespace {

std::string coordinate(double x) {
  if (std::isnan(x)) return "nan";  // not "-nan": the sign of a NaN means nothing here
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6g", x);
  return buf;
}

}  // namespace

void NonFiniteValues::scan(const std::string& variable, const std::vector<NamedAxis>& axes,
                           const std::vector<double>& data,
                           const std::function<bool(std::size_t)>& defined_nan) {
  Variable v;
  v.name = variable;
  v.size = data.size();
  for (std::size_t i = 0; i < data.size(); ++i) {
    if (std::isfinite(data[i]) || (defined_nan && std::isnan(data[i]) && defined_nan(i))) continue;
    ++v.count;
    (std::isnan(data[i]) ? v.nan : v.inf) = true;
    // Row-major index -> one index per axis, last axis fastest.
    std::vector<std::size_t> index(axes.size());
    std::size_t rest = i;
    for (std::size_t a = axes.size(); a-- > 0;) {
      const std::size_t n = axes[a].values->size();
      index[a] = rest % n;
      rest /= n;
    }
    if (axes.size() >= 2) cells_.insert({index[0], index[1]});
    if (v.examples.size() < kExamples) {
      std::string at;
      for (std::size_t a = 0; a < axes.size(); ++a)
        at += (a ? " " : "") + axes[a].name + "=" + coordinate((*axes[a].values)[index[a]]);
      v.examples.push_back(at + ": " + coordinate(data[i]));
    }
  }
  if (v.count == 0) return;
  count_ += v.count;
  variables_.push_back(std::move(v));
}

std::vector<std::string> NonFiniteValues::lines(std::size_t max_variables) const {
  std::vector<std::string> out;
  for (std::size_t k = 0; k < variables_.size() && k < max_variables; ++k) {
    const Variable& v = variables_[k];
    std::string line = v.name + ": " + std::to_string(v.count) + " of " + std::to_string(v.size) +
                       (v.nan && v.inf ? " NaN or inf"
                        : v.nan        ? " NaN"
                                       : " inf") +
                       ", at ";
    for (std::size_t e = 0; e < v.examples.size(); ++e) line += (e ? "; " : "") + v.examples[e];
    if (v.count > v.examples.size()) line += "; ...";
    out.push_back(line);
  }
  if (variables_.size() > max_variables)
    out.push_back("... and " + std::to_string(variables_.size() - max_variables) +
                  " more variables");
  return out;
}

}  // namespace hedgemap
