// `--set` overrides on the parsed scenario table (see the header).
#include "host/scenario/overrides.hpp"

#include <string_view>
#include <utility>

#include "host/scenario/field_reader.hpp"
#include "host/scenario/toml_precheck.hpp"

namespace hedgemap::scenario_detail {

namespace {

std::string trim(std::string_view s) {
  const auto first = s.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return {};
  const auto last = s.find_last_not_of(" \t\r\n");
  return std::string(s.substr(first, last - first + 1));
}

ScenarioProblem override_problem(const std::string& key, const std::string& value,
                                 const std::string& message, std::string_view location) {
  ScenarioProblem p;
  p.key = key;
  p.value = value;
  p.location = std::string(location);
  p.message = message;
  return p;
}

// `value_text` as a TOML value ("10", "[0.5, 0.9]", "\"kou\""), or as a string when it is not
// one (`jumps.model=kou`, or any text toml++ must not parse: toml_precheck.hpp). Nodes keep
// `location` ("--set", "--paths") as their source path, so that problems point at the override.
toml::table parse_override_value(const std::string& value_text, std::string_view location) {
  try {
    const std::string text = "v = " + value_text;
    if (!precheck_toml(text, kMaxTomlNesting)) {
      toml::table parsed = toml::parse(text, std::string(location));
      if (parsed.size() == 1 && parsed.contains("v")) return parsed;
    }
  } catch (const toml::parse_error&) {
  }
  const std::string quoted = render_value(toml::value<std::string>(value_text));
  try {
    return toml::parse("v = " + quoted, std::string(location));
  } catch (const toml::parse_error&) {  // not valid UTF-8: toml++ refuses it as a string too
    toml::table as_string;
    as_string.insert("v", value_text);
    return as_string;
  }
}

struct KeySegment {
  std::string name;
  bool indexed = false;
  std::size_t index = 0;
};

bool split_key(const std::string& key, std::vector<KeySegment>& segments) {
  std::string_view rest = key;
  while (true) {
    const auto dot = rest.find('.');
    std::string part = trim(rest.substr(0, dot));
    KeySegment seg;
    const auto bracket = part.find('[');
    if (bracket != std::string::npos) {
      if (part.back() != ']' || bracket + 2 > part.size() - 1) return false;
      const std::string digits = part.substr(bracket + 1, part.size() - bracket - 2);
      if (digits.size() > 9 || digits.find_first_not_of("0123456789") != std::string::npos) {
        return false;
      }
      seg.indexed = true;
      seg.index = std::stoul(digits);
      part = trim(part.substr(0, bracket));
    }
    if (part.empty()) return false;
    seg.name = part;
    segments.push_back(seg);
    if (dot == std::string_view::npos) return true;
    rest = rest.substr(dot + 1);
  }
}

}  // namespace

void apply_override(toml::table& root, const std::string& text,
                    std::vector<ScenarioProblem>& problems, std::string_view location) {
  const auto eq = text.find('=');
  const std::string key = trim(text.substr(0, eq));
  std::vector<KeySegment> segments;
  if (eq == std::string::npos || key.empty() || !split_key(key, segments)) {
    problems.push_back(
        override_problem(trim(text), "", "expected --set dotted.key=value", location));
    return;
  }
  const std::string value_text = trim(text.substr(eq + 1));
  // The key's parts and the value's own nesting (each index is a level too): see toml_precheck.hpp.
  int key_depth = 0;
  for (const KeySegment& seg : segments) key_depth += seg.indexed ? 2 : 1;
  const auto precheck = precheck_toml("v = " + value_text, kMaxTomlNesting, key_depth - 1);
  if (key_depth > kMaxTomlNesting ||
      (precheck && precheck->kind == TomlPrecheckProblem::Kind::nesting)) {
    problems.push_back(override_problem(
        key, "",
        "nests tables and arrays more than " + std::to_string(kMaxTomlNesting) +
            " levels deep; at most " + std::to_string(kMaxTomlNesting) + " are allowed",
        location));
    return;
  }
  toml::table holder = parse_override_value(value_text, location);
  toml::node& value = *holder.get("v");

  toml::table* current = &root;
  std::string walked;
  for (std::size_t i = 0; i < segments.size(); ++i) {
    const KeySegment& seg = segments[i];
    const bool last = i + 1 == segments.size();
    walked += (walked.empty() ? "" : ".") + seg.name;
    toml::node* child = current->get(seg.name);
    if (seg.indexed) {
      toml::array* array = child ? child->as_array() : nullptr;
      if (!array || seg.index >= array->size()) {
        const std::size_t n = array ? array->size() : 0;
        problems.push_back(override_problem(
            key, value_text,
            "no such element: " + walked + " has " + std::to_string(n) + " element(s)", location));
        return;
      }
      if (last) {
        array->replace(array->cbegin() + static_cast<std::ptrdiff_t>(seg.index), std::move(value));
        return;
      }
      current = (*array)[seg.index].as_table();
      walked += "[" + std::to_string(seg.index) + "]";
      if (!current) {
        problems.push_back(override_problem(key, value_text, walked + " is not a table", location));
        return;
      }
      continue;
    }
    if (last) {
      current->insert_or_assign(seg.name, std::move(value));
      return;
    }
    if (!child) child = &current->insert(seg.name, toml::table{}).first->second;
    current = child->as_table();
    if (!current) {
      problems.push_back(override_problem(key, value_text, walked + " is not a table", location));
      return;
    }
  }
}

void apply_option_override(toml::table& root, const OptionOverride& option,
                           std::vector<ScenarioProblem>& problems) {
  const toml::node* given = root.at_path(option.key).node();
  const bool from_set =
      given && (given->source().begin.line == 0 ||
                (given->source().path && *given->source().path == kOverrideLocation));
  if (from_set) {
    const toml::table mine = parse_override_value(trim(option.value), option.option);
    const std::string set_value = render_value(*given);
    if (render_value(*mine.get("v")) != set_value) {
      problems.push_back(override_problem(option.key, trim(option.value),
                                          "conflicts with --set " + option.key + "=" + set_value +
                                              ": give one of " + option.option + " and --set " +
                                              option.key,
                                          option.option));
      return;
    }
  }
  apply_override(root, option.key + "=" + option.value, problems, option.option);
}

}  // namespace hedgemap::scenario_detail
