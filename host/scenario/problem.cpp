#include "host/scenario/problem.hpp"

#include <cstdio>
#include <map>

namespace hedgemap {

std::string printable(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    unsigned code = 0x100;  // none
    if (c < 0x20 || c == 0x7f) {
      code = c;
    } else if (c == 0xc2 && i + 1 < text.size()) {  // U+0080..U+009F (C1) in UTF-8
      const auto next = static_cast<unsigned char>(text[i + 1]);
      if (next >= 0x80 && next <= 0x9f) {
        code = next;
        ++i;
      }
    }
    if (code == 0x100) {
      out += text[i];
    } else {
      char escaped[8];
      std::snprintf(escaped, sizeof escaped, "\\u%04x", code);
      out += escaped;
    }
  }
  return out;
}

namespace {

// A key or value of a problem line, cut at kMaxEchoedBytes (on a UTF-8 character boundary): a
// 30,000-part key or a 1 MB array is named, not echoed whole.
std::string shortened(const std::string& text) {
  if (text.size() <= kMaxEchoedBytes) return text;
  std::size_t cut = kMaxEchoedBytes;
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xc0) == 0x80) --cut;
  return text.substr(0, cut) + "... (" + std::to_string(text.size()) + " bytes)";
}

}  // namespace

std::string ScenarioProblem::line_text() const {
  std::string out = shortened(location) + ": ";
  if (!key.empty()) out += shortened(key) + (value.empty() ? "" : " = " + shortened(value)) + ": ";
  return printable(out + message);
}

namespace {

std::string join_lines(const std::vector<ScenarioProblem>& problems) {
  std::string out;
  for (std::size_t i = 0; i < problems.size(); ++i) {
    out += (i ? "\n" : "") + problems[i].line_text();
  }
  return out;
}

// The key a problem counts for: array indices replaced by [*], a trailing one dropped
// (grid.volatility[7] -> grid.volatility, book[2].strike -> book[*].strike).
std::string key_family(const std::string& key) {
  std::string out;
  for (std::size_t i = 0; i < key.size(); ++i) {
    if (key[i] == '[') {
      const std::size_t close = key.find(']', i);
      if (close != std::string::npos && key.find_first_not_of("0123456789", i + 1) == close &&
          close > i + 1) {
        out += "[*]";
        i = close;
        continue;
      }
    }
    out += key[i];
  }
  if (out.size() >= 3 && out.compare(out.size() - 3, 3, "[*]") == 0) out.resize(out.size() - 3);
  return out;
}

std::string with_thousands(std::size_t n) {
  std::string digits = std::to_string(n), out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

std::vector<ScenarioProblem> capped(std::vector<ScenarioProblem> all) {
  if (all.size() <= kMaxProblemsPerKey) return all;
  std::vector<ScenarioProblem> listed;
  std::map<std::string, std::size_t> per_key;  // problems seen per key
  std::vector<std::string> capped_keys;        // keys with more than kMaxProblemsPerKey, in order
  std::size_t beyond_total = 0;
  std::string location;  // of the "... and N more" lines: the file of the first one left out
  for (ScenarioProblem& p : all) {
    const std::string family = key_family(p.key);
    const std::size_t n = ++per_key[family];
    const bool over_key = n > kMaxProblemsPerKey && !family.empty();
    if (!over_key && listed.size() < kMaxProblemsListed) {
      listed.push_back(std::move(p));
      continue;
    }
    if (location.empty()) location = p.location.substr(0, p.location.find(':'));
    if (!over_key) {
      ++beyond_total;
    } else if (n == kMaxProblemsPerKey + 1) {
      capped_keys.push_back(family);
    }
  }
  const auto more_line = [&](std::size_t count, const std::string& where) {
    ScenarioProblem line;
    line.location = location;
    line.message =
        "... and " + with_thousands(count) + " more problem" + (count == 1 ? "" : "s") + where;
    listed.push_back(std::move(line));
  };
  for (const std::string& key : capped_keys)
    more_line(per_key[key] - kMaxProblemsPerKey, " in " + key);
  if (beyond_total > 0) more_line(beyond_total, "");
  return listed;
}

}  // namespace

ScenarioError::ScenarioError(std::vector<ScenarioProblem> list)
    : ScenarioError(Listed{list.size(), capped(std::move(list))}) {}

ScenarioError::ScenarioError(Listed listed)
    : std::runtime_error(join_lines(listed.problems)),
      problems(std::move(listed.problems)),
      count(listed.count) {}

}  // namespace hedgemap
