// Typed, range-checked TOML field reading with problem collection (see the header).
#include "host/scenario/field_reader.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <sstream>

namespace hedgemap::scenario_detail {

// ---- bounds ----------------------------------------------------------------------------------

bool Bound::contains(double x) const {
  if (lower == Side::kOpen && !(x > lo)) return false;
  if (lower == Side::kClosed && !(x >= lo)) return false;
  if (upper == Side::kOpen && !(x < hi)) return false;
  if (upper == Side::kClosed && !(x <= hi)) return false;
  return true;
}

std::string Bound::text() const {
  if (!custom_text.empty()) return custom_text;
  if (lower == Side::kNone && upper == Side::kNone) return "";
  if (upper == Side::kNone) return (lower == Side::kOpen ? "> " : ">= ") + format_number(lo);
  if (lower == Side::kNone) return (upper == Side::kOpen ? "< " : "<= ") + format_number(hi);
  return std::string("in ") + (lower == Side::kOpen ? "(" : "[") + format_number(lo) + ", " +
         format_number(hi) + (upper == Side::kOpen ? ")" : "]");
}

Bound any_number() { return {}; }
Bound greater_than(double lo) { return {Bound::Side::kOpen, lo, Bound::Side::kNone, 0.0, {}}; }
Bound at_least(double lo) { return {Bound::Side::kClosed, lo, Bound::Side::kNone, 0.0, {}}; }
Bound open_interval(double lo, double hi) {
  return {Bound::Side::kOpen, lo, Bound::Side::kOpen, hi, {}};
}
Bound closed_interval(double lo, double hi) {
  return {Bound::Side::kClosed, lo, Bound::Side::kClosed, hi, {}};
}

static std::string with_space(const std::string& s) { return s.empty() ? s : " " + s; }

// ---- rendering -------------------------------------------------------------------------------

std::string format_number(double x) {
  if (std::isnan(x)) return "nan";
  if (std::isinf(x)) return x > 0 ? "inf" : "-inf";
  char buf[64];
  const auto res = std::to_chars(buf, buf + sizeof(buf), x);  // shortest round-trip form
  return std::string(buf, res.ptr);
}

static std::string toml_float(double x) {
  std::string s = format_number(x);
  if (std::isfinite(x) && s.find_first_of(".eE") == std::string::npos) s += ".0";
  return s;
}

static std::string toml_quote(std::string_view s) {
  std::string out = "\"";
  for (const char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof(buf), "\\u%04x", static_cast<unsigned>(c));
          out += buf;
        } else {
          out += c;
        }
    }
  }
  return out + "\"";
}

// A bare key when TOML allows one, else a quoted key.
static std::string toml_key(std::string_view key) {
  const bool bare = !key.empty() && key.find_first_not_of(
                                        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                                        "0123456789_-") == std::string_view::npos;
  return bare ? std::string(key) : toml_quote(key);
}

std::string render_value(const toml::node& node) {
  if (const auto* s = node.as_string()) return toml_quote(s->get());
  if (const auto* i = node.as_integer()) return std::to_string(i->get());
  if (const auto* f = node.as_floating_point()) return toml_float(f->get());
  if (const auto* b = node.as_boolean()) return b->get() ? "true" : "false";
  if (const auto* a = node.as_array()) {
    std::string out = "[";
    for (std::size_t i = 0; i < a->size(); ++i) out += (i ? ", " : "") + render_value((*a)[i]);
    return out + "]";
  }
  if (const auto* t = node.as_table()) {
    std::string out = "{";
    for (auto&& [key, value] : *t) {
      out += (out.size() > 1 ? ", " : " ") + toml_key(key.str()) + " = " + render_value(value);
    }
    return out + (out.size() > 1 ? " }" : "}");
  }
  std::ostringstream os;  // dates and times
  os << toml::node_view<const toml::node>(node);
  return os.str();
}

// Plain values of a table first, then its sub-tables as [a.b] and arrays of tables as [[a]].
static void write_table(std::ostream& os, const toml::table& table, const std::string& path) {
  for (auto&& [key, value] : table) {
    if (!value.is_table() && !value.is_array_of_tables()) {
      os << toml_key(key.str()) << " = " << render_value(value) << "\n";
    }
  }
  for (auto&& [key, value] : table) {
    const std::string child = path.empty() ? toml_key(key.str()) : path + "." + toml_key(key.str());
    if (const auto* sub = value.as_table()) {
      os << "\n[" << child << "]\n";
      write_table(os, *sub, child);
    } else if (value.is_array_of_tables()) {
      for (const toml::node& element : *value.as_array()) {
        os << "\n[[" << child << "]]\n";
        write_table(os, *element.as_table(), child);
      }
    }
  }
}

std::string to_toml_text(const toml::table& root) {
  std::ostringstream os;
  write_table(os, root, "");
  return os.str();
}

std::string quoted_list(const std::vector<std::string_view>& words) {
  std::string out;
  for (std::size_t i = 0; i < words.size(); ++i) {
    out += (i ? ", \"" : "\"") + std::string(words[i]) + "\"";
  }
  return out;
}

// Levenshtein distance, to suggest the intended key for a typo.
static std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] != b[j - 1] ? 1 : 0)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

// ---- problems --------------------------------------------------------------------------------

void FieldReader::report(const std::string& key, const toml::node* where, const toml::node* value,
                         const std::string& message) {
  report_at(key, where ? &where->source() : nullptr, value, message);
}

void FieldReader::report_at(const std::string& key, const toml::source_region* where,
                            const toml::node* value, const std::string& message) {
  ScenarioProblem p;
  p.key = key;
  p.message = message;
  if (value) p.value = render_value(*value);
  p.location = source_name_;
  if (where) {
    const toml::source_region& src = *where;
    // Override nodes carry "--set" or the option that set them ("--paths") as their path.
    const bool from_option = src.path && src.path->rfind("--", 0) == 0;
    if (from_option) {
      p.location = *src.path;
    } else if (src.begin.line == 0) {
      p.location = std::string(kOverrideLocation);
    } else {
      p.line = static_cast<int>(src.begin.line);
      p.column = static_cast<int>(src.begin.column);
      p.location = (src.path ? *src.path : source_name_) + ":" + std::to_string(p.line) + ":" +
                   std::to_string(p.column);
    }
  }
  problems_.push_back(std::move(p));
}

void FieldReader::check_keys(const toml::table& table, const std::string& prefix,
                             const std::vector<std::string_view>& allowed,
                             const std::string& table_label) {
  for (auto&& [key, node] : table) {
    const std::string_view name = key.str();
    if (std::find(allowed.begin(), allowed.end(), name) != allowed.end()) continue;
    std::string message = "unknown key";
    for (const std::string_view candidate : allowed) {
      if (edit_distance(name, candidate) <= 2) {
        message += " (did you mean \"" + std::string(candidate) + "\"?)";
        break;
      }
    }
    std::string list;
    for (std::size_t i = 0; i < allowed.size(); ++i) {
      list += (i ? ", " : "") + std::string(allowed[i]);
    }
    message += "; allowed keys of " + table_label + ": " + list;
    const bool is_section = node.is_table() || node.is_array_of_tables();
    // Point at the key itself (the node's position is that of its value).
    report_at(prefix + std::string(name), &key.source(), is_section ? nullptr : &node, message);
  }
}

const toml::table* FieldReader::table(const toml::table& parent, const std::string& prefix,
                                      std::string_view key) {
  const toml::node* node = parent.get(key);
  if (!node) return nullptr;
  if (const toml::table* t = node->as_table()) return t;
  report(prefix + std::string(key), node, node, "must be a table");
  return nullptr;
}

// ---- scalars ---------------------------------------------------------------------------------

bool FieldReader::read_number(const toml::node& node, const std::string& key, double& out,
                              const Bound& bound) {
  double x = 0.0;
  if (const auto* f = node.as_floating_point()) {
    x = f->get();
  } else if (const auto* i = node.as_integer()) {
    x = static_cast<double>(i->get());
  } else {
    report(key, &node, &node, "must be a number" + with_space(bound.text()));
    return false;
  }
  if (!std::isfinite(x)) {
    report(key, &node, &node, "must be a finite number" + with_space(bound.text()));
    return false;
  }
  if (!bound.contains(x)) {
    report(key, &node, &node, "must be " + bound.text());
    return false;
  }
  out = x;
  return true;
}

bool FieldReader::read_integer(const toml::node& node, const std::string& key, std::int64_t& out,
                               const Bound& bound) {
  const auto* i = node.as_integer();
  if (!i) {
    std::string message = "must be an integer" + with_space(bound.text());
    if (node.is_floating_point()) message += " (write it without a decimal point)";
    report(key, &node, &node, message);
    return false;
  }
  if (!bound.contains(static_cast<double>(i->get()))) {
    report(key, &node, &node, "must be " + bound.text());
    return false;
  }
  out = i->get();
  return true;
}

bool FieldReader::number(const toml::table& t, const std::string& prefix, std::string_view key,
                         double& out, const Bound& bound) {
  const toml::node* node = t.get(key);
  if (node && numeric_keys_) numeric_keys_->insert(prefix + std::string(key));
  return node && read_number(*node, prefix + std::string(key), out, bound);
}

bool FieldReader::integer(const toml::table& t, const std::string& prefix, std::string_view key,
                          std::int64_t& out, const Bound& bound) {
  const toml::node* node = t.get(key);
  if (node && numeric_keys_) numeric_keys_->insert(prefix + std::string(key));
  return node && read_integer(*node, prefix + std::string(key), out, bound);
}

bool FieldReader::text(const toml::table& t, const std::string& prefix, std::string_view key,
                       std::string& out, const std::vector<std::string_view>& choices) {
  const toml::node* node = t.get(key);
  if (!node) return false;
  const std::string full = prefix + std::string(key);
  const auto* s = node->as_string();
  const std::string allowed = choices.empty() ? "a string" : "one of " + quoted_list(choices);
  if (!s) {
    report(full, node, node, "must be " + allowed);
    return false;
  }
  if (!choices.empty() && std::find(choices.begin(), choices.end(), s->get()) == choices.end()) {
    report(full, node, node, "must be " + allowed);
    return false;
  }
  out = s->get();
  return true;
}

// ---- arrays ----------------------------------------------------------------------------------

template <typename T, typename ReadElement>
bool FieldReader::read_axis(const toml::table& t, const std::string& prefix, std::string_view key,
                            std::vector<T>& out, const std::string& what, bool required,
                            ReadElement read_element) {
  const std::string full = prefix + std::string(key);
  const toml::node* node = t.get(key);
  if (!node) {
    if (required) report(full, nullptr, nullptr, "is required: " + what);
    return false;
  }
  const toml::array* array = node->as_array();
  if (!array) {
    report(full, node, node, "must be " + what);
    return false;
  }
  if (array->empty()) {
    report(full, node, node, "must not be empty: " + what);
    return false;
  }
  std::vector<T> values;
  bool ok = true;
  for (std::size_t i = 0; i < array->size(); ++i) {
    const toml::node& element = (*array)[i];
    const std::string element_key = full + "[" + std::to_string(i) + "]";
    T value{};
    if (!read_element(element, element_key, value)) {
      ok = false;
      continue;
    }
    if (!values.empty() && !(value > values.back())) {
      report(element_key, &element, &element,
             "must be greater than the element before it (" +
                 format_number(static_cast<double>(values.back())) +
                 "): the array must be strictly increasing");
      ok = false;
    }
    values.push_back(value);
  }
  if (ok) out = std::move(values);
  return ok;
}

bool FieldReader::number_axis(const toml::table& t, const std::string& prefix, std::string_view key,
                              std::vector<double>& out, const Bound& bound, bool required) {
  const std::string what =
      "a non-empty, strictly increasing array of numbers" + with_space(bound.text());
  return read_axis<double>(t, prefix, key, out, what, required,
                           [&](const toml::node& n, const std::string& k, double& v) {
                             return read_number(n, k, v, bound);
                           });
}

bool FieldReader::integer_axis(const toml::table& t, const std::string& prefix,
                               std::string_view key, std::vector<int>& out, const Bound& bound) {
  const std::string what =
      "a non-empty, strictly increasing array of integers" + with_space(bound.text());
  return read_axis<int>(t, prefix, key, out, what, false,
                        [&](const toml::node& n, const std::string& k, int& v) {
                          std::int64_t wide = 0;
                          if (!read_integer(n, k, wide, bound)) return false;
                          v = static_cast<int>(wide);
                          return true;
                        });
}

bool FieldReader::choice_list(const toml::table& t, const std::string& prefix, std::string_view key,
                              std::vector<std::string>& out,
                              const std::vector<std::string_view>& choices) {
  const std::string full = prefix + std::string(key);
  const toml::node* node = t.get(key);
  if (!node) return false;
  const std::string what = "a non-empty array of distinct names among " + quoted_list(choices);
  const toml::array* array = node->as_array();
  if (!array || array->empty()) {
    report(full, node, node, "must be " + what);
    return false;
  }
  std::vector<std::string> values;
  bool ok = true;
  for (std::size_t i = 0; i < array->size(); ++i) {
    const toml::node& element = (*array)[i];
    const std::string element_key = full + "[" + std::to_string(i) + "]";
    const auto* s = element.as_string();
    if (!s || std::find(choices.begin(), choices.end(), s->get()) == choices.end()) {
      report(element_key, &element, &element, "must be one of " + quoted_list(choices));
      ok = false;
    } else if (std::find(values.begin(), values.end(), s->get()) != values.end()) {
      report(element_key, &element, &element, "is listed twice");
      ok = false;
    } else {
      values.push_back(s->get());
    }
  }
  if (ok) out = std::move(values);
  return ok;
}

}  // namespace hedgemap::scenario_detail
