// Typed, range-checked reading of TOML fields for the scenario parser. Each read either stores a
// valid value or records a ScenarioProblem (key, file:line:col, value, what is allowed) and leaves
// the default in place, so one pass over a scenario reports every problem it has.
#pragma once
#include <cstdint>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <toml++/toml.h>

#include "host/scenario/problem.hpp"

namespace hedgemap::scenario_detail {

// An allowed interval for a number: (lo, hi), [lo, hi], half-open, or unbounded on a side.
struct Bound {
  enum class Side { kNone, kOpen, kClosed };
  Side lower = Side::kNone;
  double lo = 0.0;
  Side upper = Side::kNone;
  double hi = 0.0;
  std::string custom_text;  // replaces the generated text ("in [1, 2^40]")

  bool contains(double x) const;
  std::string text() const;  // "> 0", ">= 1", "in (0, 1)", "" when unbounded
};

Bound any_number();
Bound greater_than(double lo);
Bound at_least(double lo);
Bound open_interval(double lo, double hi);
Bound closed_interval(double lo, double hi);

// The value as written in TOML, floats in shortest round-trip form: -0.3, "kou", [1, 2].
std::string render_value(const toml::node& node);
std::string format_number(double x);
// The table as TOML text that parses back to the same values (shortest round-trip floats, unlike
// toml++'s printer which writes 0.9 as 0.90000000000000002).
std::string to_toml_text(const toml::table& root);

class FieldReader {
 public:
  FieldReader(std::string source_name, std::vector<ScenarioProblem>& problems)
      : source_name_(std::move(source_name)), problems_(problems) {}

  // Records a problem. `where` gives the position (nullptr: the file as a whole); `value`, when
  // given, is rendered after the key.
  void report(const std::string& key, const toml::node* where, const toml::node* value,
              const std::string& message);
  void report_at(const std::string& key, const toml::source_region* where, const toml::node* value,
                 const std::string& message);
  // Records a problem found elsewhere (another reader, on another table).
  void report_problem(ScenarioProblem problem) { problems_.push_back(std::move(problem)); }

  // Reports every key of `table` that is not in `allowed`, listing the allowed ones.
  void check_keys(const toml::table& table, const std::string& prefix,
                  const std::vector<std::string_view>& allowed, const std::string& table_label);

  // The sub-table `key`, nullptr when absent or not a table (the latter is reported).
  const toml::table* table(const toml::table& parent, const std::string& prefix,
                           std::string_view key);

  // Readers: absent -> `out` unchanged and false; present and valid -> stored and true; present
  // and invalid -> reported, `out` unchanged, false. Keys are prefix + key.
  bool number(const toml::table& t, const std::string& prefix, std::string_view key, double& out,
              const Bound& bound);
  bool integer(const toml::table& t, const std::string& prefix, std::string_view key,
               std::int64_t& out, const Bound& bound);
  bool text(const toml::table& t, const std::string& prefix, std::string_view key, std::string& out,
            const std::vector<std::string_view>& choices);
  // A swept axis: a non-empty, strictly increasing array whose elements satisfy `bound`.
  // `required`: absence is a problem too.
  bool number_axis(const toml::table& t, const std::string& prefix, std::string_view key,
                   std::vector<double>& out, const Bound& bound, bool required);
  bool integer_axis(const toml::table& t, const std::string& prefix, std::string_view key,
                    std::vector<int>& out, const Bound& bound);
  // A non-empty list of distinct strings, each one of `choices`.
  bool choice_list(const toml::table& t, const std::string& prefix, std::string_view key,
                   std::vector<std::string>& out, const std::vector<std::string_view>& choices);

  const std::string& source_name() const { return source_name_; }

  // From now on, remembers the key of every number() or integer() read that finds a value: the
  // numeric scalar keys of the scenario, which [grid.axes] may sweep.
  void record_numeric_keys(std::set<std::string>* keys) { numeric_keys_ = keys; }

 private:
  // Element checks shared by scalars and array elements; report under `key`.
  bool read_number(const toml::node& node, const std::string& key, double& out, const Bound& bound);
  bool read_integer(const toml::node& node, const std::string& key, std::int64_t& out,
                    const Bound& bound);
  template <typename T, typename ReadElement>
  bool read_axis(const toml::table& t, const std::string& prefix, std::string_view key,
                 std::vector<T>& out, const std::string& what, bool required,
                 ReadElement read_element);

  std::string source_name_;
  std::vector<ScenarioProblem>& problems_;
  std::set<std::string>* numeric_keys_ = nullptr;
};

std::string quoted_list(const std::vector<std::string_view>& words);  // "a", "b", "c"

}  // namespace hedgemap::scenario_detail
