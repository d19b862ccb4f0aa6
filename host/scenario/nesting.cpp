// A one-pass scanner of TOML's nesting (see the header). Depth counts tables and arrays from the
// root: a key of k dotted parts in a table at depth T is at depth T + k; a header [a.b] makes the
// current table depth 2, [[a.b]] depth 3 (the array and its element); an array's elements are one
// deeper than the array, an inline table's keys count from the inline table's depth.
#include "host/scenario/nesting.hpp"

#include <vector>

namespace hedgemap {

namespace {

class NestingScanner {
 public:
  NestingScanner(std::string_view text, int limit, int base_depth)
      : text_(text), limit_(limit), base_depth_(base_depth), table_depth_(base_depth) {}

  std::optional<NestingExcess> scan() {
    while (pos_ < text_.size() && !excess_) {
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
    return excess_;
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
    if (depth > limit_ && !excess_) excess_ = NestingExcess{line_, depth};
  }

  void newline() {
    ++line_;
    ++pos_;
    if (open_.empty()) mode_ = Mode::line_start;
  }

  void skip_comment() {
    while (pos_ < text_.size() && text_[pos_] != '\n') ++pos_;
  }

  // A basic ("...", """...""") or literal ('...', '''...''') string starting at pos_.
  void skip_string() {
    const char quote = text_[pos_];
    const bool basic = quote == '"';
    if (peek(1) == quote && peek(2) == quote) {  // multi-line
      pos_ += 3;
      while (pos_ < text_.size()) {
        const char c = text_[pos_];
        if (c == '\n') ++line_;
        if (basic && c == '\\') {
          if (peek(1) == '\n') ++line_;
          pos_ += 2;
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
      if (basic && c == '\\') {
        pos_ += text_.size() - pos_ > 1 && text_[pos_ + 1] != '\n' ? 2 : 1;
        continue;
      }
      ++pos_;
      if (c == quote) return;
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
        skip_string();
      } else {
        if (c == '.') ++parts;
        ++pos_;
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
      skip_string();
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
      ++pos_;
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
      ++pos_;  // a number, boolean or date: nothing nests in it
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
    } else if (c == '"' || c == '\'') {
      skip_string();
    } else {
      ++pos_;
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
  std::optional<NestingExcess> excess_;
};

}  // namespace

std::optional<NestingExcess> find_excess_nesting(std::string_view text, int limit, int base_depth) {
  return NestingScanner(text, limit, base_depth).scan();
}

}  // namespace hedgemap
