#include "host/scenario/problem.hpp"

namespace hedgemap {

std::string ScenarioProblem::line_text() const {
  std::string out = location + ": ";
  if (!key.empty()) out += key + (value.empty() ? "" : " = " + value) + ": ";
  return out + message;
}

static std::string join_lines(const std::vector<ScenarioProblem>& problems) {
  std::string out;
  for (std::size_t i = 0; i < problems.size(); ++i) {
    out += (i ? "\n" : "") + problems[i].line_text();
  }
  return out;
}

ScenarioError::ScenarioError(std::vector<ScenarioProblem> list)
    : std::runtime_error(join_lines(list)), problems(std::move(list)) {}

}  // namespace hedgemap
