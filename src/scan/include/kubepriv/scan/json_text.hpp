#pragma once
/// @file
/// Small, allocation-free helpers over raw JSON text: skipping values, finding a member of an
/// object without building a DOM, decoding one JSON string, and encoding text for JSON output.
/// They never throw and never read past the view; malformed input yields npos / nullopt / false.

#include <cstddef>      // std::size_t
#include <optional>     // std::optional
#include <string>       // std::string
#include <string_view>  // std::string_view

#include "kubepriv/common/json_escape.hpp"

namespace kubepriv::scan {

/// "not found / malformed" for the position-returning helpers.
inline constexpr std::size_t kNpos = std::string_view::npos;

/// JSON insignificant whitespace (space, tab, CR, LF).
constexpr bool is_json_space(char c) noexcept {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/// Index of the first non-whitespace byte at or after `pos` (s.size() when none).
std::size_t skip_space(std::string_view s, std::size_t pos) noexcept;

/// `pos` is at an opening quote: index just past the closing quote, or kNpos if unterminated.
std::size_t skip_string(std::string_view s, std::size_t pos) noexcept;

/// `pos` is at the first byte of a value: index just past the value, or kNpos if it is truncated.
/// Structural only (tracks strings, escapes and nesting); does not validate scalars.
std::size_t skip_value(std::string_view s, std::size_t pos) noexcept;

/// A member found by find_member: the raw value text. For a string, `raw` is the text between
/// the quotes, still escaped (decode it with unescape_json_string).
struct MemberValue {
  std::string_view raw;
  bool is_string = false;
};

/// Looks up `key` among the top-level members of the JSON object `object` (keys compared after
/// decoding escapes, case-sensitively). Returns the first match, or nullopt when absent or when
/// the object is malformed before the match.
std::optional<MemberValue> find_member(std::string_view object, std::string_view key);

/// Like find_member, but returns the index of the value's first byte in `object` (kNpos when
/// absent or malformed before it), without walking the value.
std::size_t find_member_value(std::string_view object, std::string_view key);

/// `pos` is at an opening quote: decodes the string into `out` (appending) and returns the index
/// just past its closing quote; kNpos on an invalid escape or a missing closing quote.
std::size_t unescape_json_string_at(std::string_view s, std::size_t pos, std::string& out);

/// Decodes the body of a JSON string (the bytes between the quotes) and appends it to `out`.
/// Handles every escape incl. surrogate pairs (a lone surrogate becomes U+FFFD). Returns false
/// on an invalid escape or a truncated \u sequence (then `out` holds a partial result).
bool unescape_json_string(std::string_view raw, std::string& out);

/// JSON string output and UTF-8 checks are the shared ones (kubepriv/common/json_escape.hpp).
using common::append_json_string;
using common::utf8_sequence_length;

}  // namespace kubepriv::scan
