// A one-pass scanner of a TOML text (see the header). Depth counts tables and arrays from the
// root: a key of k dotted parts in a table at depth T is at depth T + k; a header [a.b] makes the
// current table depth 2, [[a.b]] depth 3 (the array and its element); an array's elements are one
// deeper than the array, an inline table's keys count from the inline table's depth.
#include "host/scenario/toml_precheck.hpp"

#include <string>
#include <vector>

namespace hedgemap {

namespace {

class Scanner {
 public:
  Scanner(std::string_view text, int limit, int base_depth)
      : text_(text), limit_(limit), base_depth_(base_depth), table_depth_(base_depth) {}

  std::optional<TomlPrecheckProblem> scan() {
    if (text_.substr(0, 3) == "\xEF\xBB\xBF") pos_ = 3;  // a UTF-8 byte order mark
    while (pos_ < text_.size() && !problem_) {
      switch (mode_) {
        case Mode::line_start:
          line_start();
          break;
        case Mode::key:
          key();
          break;
        case Mode::value:
          value();
          break;
        case Mode::after_value:
          after_value();
          break;
      }
    }
    return problem_;
  }

 private:
  enum class Mode { line_start, key, value, after_value };
  struct Open {
    char kind;  // '[' or '{'
    int depth;  // depth of the array or inline table itself
  };

  char peek(std::size_t ahead = 0) const {
    return pos_ + ahead < text_.size() ? text_[pos_ + ahead] : '\0';
  }

  void check(int depth) {
    if (depth > limit_ && !problem_) {
      problem_ = TomlPrecheckProblem{TomlPrecheckProblem::Kind::nesting, line_, depth,
                                     "tables and arrays nested " + std::to_string(depth) +
                                         " levels deep here; at most " + std::to_string(limit_) +
                                         " levels are allowed"};
    }
  }

  void non_ascii(const char* where) {
    if (!problem_) {
      problem_ = TomlPrecheckProblem{TomlPrecheckProblem::Kind::non_ascii, line_, 0,
                                     std::string("a non-ASCII character ") + where};
    }
  }

  static bool is_ascii(char c) { return static_cast<unsigned char>(c) < 0x80; }

  // Any other character outside strings and comments.
  void plain_character() {
    if (!is_ascii(text_[pos_]))
      non_ascii("outside a string or comment: TOML allows them only in strings and comments");
    ++pos_;
  }

  void newline() {
    ++line_;
    ++pos_;
    if (open_.empty()) mode_ = Mode::line_start;
  }

  void skip_comment() {
    while (pos_ < text_.size() && text_[pos_] != '\n') ++pos_;
  }

  // A basic ("...", """...""") or literal ('...', '''...''') string starting at pos_; `key`: a
  // quoted key (ASCII only: every scenario key is).
  void skip_string(bool key = false) {
    const char quote = text_[pos_];
    const bool basic = quote == '"';
    if (!key && peek(1) == quote && peek(2) == quote) {  // multi-line
      pos_ += 3;
      while (pos_ < text_.size()) {
        const char c = text_[pos_];
        if (c == '\n') ++line_;
        if (basic && c == '\\') {
          after_backslash();
          continue;
        }
        if (c == quote && peek(1) == quote && peek(2) == quote) {
          pos_ += 3;
          while (peek() == quote) ++pos_;  // up to two quotes may end the content
          return;
        }
        ++pos_;
      }
      return;
    }
    ++pos_;
    while (pos_ < text_.size() && text_[pos_] != '\n') {
      const char c = text_[pos_];
      if (key && !is_ascii(c)) non_ascii("in a key: scenario keys are ASCII");
      if (basic && c == '\\') {
        pos_ += text_.size() - pos_ > 1 && text_[pos_ + 1] != '\n' ? 2 : 1;
        continue;
      }
      ++pos_;
      if (c == quote) return;
    }
  }

  // A backslash in a multi-line basic string: an escape, or a line-ending backslash that skips
  // the whitespace and line breaks after it. toml++ asks whether the character after the
  // backslash, and the first one after the skipped whitespace, is whitespace.
  void after_backslash() {
    ++pos_;
    std::size_t next = pos_;  // the first character after the whitespace (if any)
    int lines = 0;
    while (next < text_.size() && (text_[next] == ' ' || text_[next] == '\t' ||
                                   text_[next] == '\r' || text_[next] == '\n'))
      lines += text_[next++] == '\n';
    if (next < text_.size() && !is_ascii(text_[next]))
      non_ascii("after a backslash in a multi-line string (escape it as \\uXXXX)");
    if (next == pos_) {
      ++pos_;  // the escaped character
    } else {
      line_ += lines;
      pos_ = next;
    }
  }

  void line_start() {
    const char c = peek();
    if (c == ' ' || c == '\t' || c == '\r') {
      ++pos_;
    } else if (c == '\n') {
      newline();
    } else if (c == '#') {
      skip_comment();
    } else if (c == '[') {
      header();
    } else {
      start_key(table_depth_);
    }
  }

  // [a.b] or [[a.b]]: the table every following key belongs to.
  void header() {
    ++pos_;
    const bool array_of_tables = peek() == '[';
    if (array_of_tables) ++pos_;
    int parts = 1;
    while (pos_ < text_.size() && text_[pos_] != ']' && text_[pos_] != '\n') {
      const char c = text_[pos_];
      if (c == '"' || c == '\'') {
        skip_string(/*key=*/true);
      } else {
        if (c == '.') ++parts;
        plain_character();
      }
    }
    while (peek() == ']') ++pos_;
    table_depth_ = base_depth_ + parts + (array_of_tables ? 1 : 0);
    check(table_depth_);
    mode_ = Mode::after_value;
  }

  void start_key(int base) {
    key_base_ = base;
    key_parts_ = 1;
    mode_ = Mode::key;
  }

  void key() {
    const char c = peek();
    if (c == '"' || c == '\'') {
      skip_string(/*key=*/true);
    } else if (c == '.') {
      ++key_parts_;
      ++pos_;
    } else if (c == '=') {
      ++pos_;
      value_depth_ = key_base_ + key_parts_;
      check(value_depth_);
      mode_ = Mode::value;
    } else if (c == '}') {  // an empty inline table
      close();
    } else if (c == '\n') {
      newline();
    } else {
      plain_character();
    }
  }

  void value() {
    const char c = peek();
    if (c == ' ' || c == '\t' || c == '\r') {
      ++pos_;
    } else if (c == '\n') {
      newline();  // inside an array: more elements follow
    } else if (c == '#') {
      skip_comment();
    } else if (c == '[') {
      ++pos_;
      open_.push_back({'[', value_depth_});
      value_depth_ += 1;  // the elements
      check(value_depth_);
    } else if (c == '{') {
      ++pos_;
      open_.push_back({'{', value_depth_});
      start_key(value_depth_);
    } else if (c == ']' || c == '}') {  // an empty array, or a trailing comma
      close();
    } else if (c == '"' || c == '\'') {
      skip_string();
      mode_ = Mode::after_value;
    } else {
      plain_character();  // a number, boolean or date: nothing nests in it
      mode_ = Mode::after_value;
    }
  }

  void after_value() {
    const char c = peek();
    if (c == ',') {
      ++pos_;
      if (open_.empty()) return;
      if (open_.back().kind == '[') {
        value_depth_ = open_.back().depth + 1;
        mode_ = Mode::value;
      } else {
        start_key(open_.back().depth);
      }
    } else if (c == ']' || c == '}') {
      close();
    } else if (c == '\n') {
      newline();
    } else if (c == '#') {
      skip_comment();
    } else {
      // A quote here is no string (TOML has none after a value), and toml++ scans a malformed
      // value on across it: what follows counts as outside strings.
      plain_character();
    }
  }

  void close() {
    ++pos_;
    if (!open_.empty()) open_.pop_back();
    mode_ = Mode::after_value;
  }

  std::string_view text_;
  int limit_;
  std::size_t pos_ = 0;
  int line_ = 1;
  Mode mode_ = Mode::line_start;
  int base_depth_;
  int table_depth_;
  int key_base_ = 0, key_parts_ = 1, value_depth_ = 0;
  std::vector<Open> open_;
  std::optional<TomlPrecheckProblem> problem_;
};

}  // namespace

std::optional<TomlPrecheckProblem> precheck_toml(std::string_view text, int nesting_limit,
                                                 int base_depth) {
  return Scanner(text, nesting_limit, base_depth).scan();
}

}  // namespace hedgemap
