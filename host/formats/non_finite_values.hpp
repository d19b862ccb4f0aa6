// The non-finite values (NaN, +-inf) of a results file, noted as its variables are written
// (host/formats/results_file.cpp), so that a run lists them on stderr and exits with 3 (README,
// "Exit status"): a NaN in the file is never silent.
#pragma once
#include <cstddef>
#include <functional>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace hedgemap {

// One dimension of a variable: its name and coordinate values (not owned).
struct NamedAxis {
  std::string name;
  const std::vector<double>* values;
};

class NonFiniteValues {
 public:
  // data: row-major over `axes`, whose first two are volatility and expiry_days (the cell).
  // defined_nan(i): true where the file defines NaN as the value itself (an infeasible point of
  // a constrained objective), which is then not noted.
  void scan(const std::string& variable, const std::vector<NamedAxis>& axes,
            const std::vector<double>& data,
            const std::function<bool(std::size_t)>& defined_nan = nullptr);

  bool empty() const { return count_ == 0; }
  std::size_t count() const { return count_; }
  std::size_t cells() const { return cells_.size(); }  // (volatility, expiry) cells with any

  // For stderr: one line per variable (its count, what kind, the coordinates of its first
  // kExamples), at most max_variables of them and then one "... and N more variables" line.
  static constexpr std::size_t kExamples = 3;
  std::vector<std::string> lines(std::size_t max_variables = 20) const;

 private:
  struct Variable {
    std::string name;
    std::size_t count = 0, size = 0;
    bool nan = false, inf = false;
    std::vector<std::string> examples;  // "volatility=0.4 expiry_days=1 band=0.2"
  };
  std::vector<Variable> variables_;
  std::size_t count_ = 0;
  std::set<std::pair<std::size_t, std::size_t>> cells_;
};

}  // namespace hedgemap
