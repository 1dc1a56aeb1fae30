#pragma once
/// @file
/// The CSV dialect of SCP v2 (splunk-protocols.md §1.8): `,` and `"`, `""` inside quotes,
/// quotes allowed on any field, LF or CRLF record ends, CR/LF as data inside quotes, UTF-8
/// passed through as bytes. Decoding happens in place: field views point into the body.

#include <cstddef>      // std::size_t
#include <span>         // std::span
#include <string>       // std::string
#include <string_view>  // std::string_view
#include <vector>       // std::vector

#include "kubepriv/common/result.hpp"

namespace kubepriv::scp {

/// Reads records from a mutable CSV body, unescaping quoted fields in place (the body bytes
/// are overwritten). No allocation per record once `fields` has grown to the row width.
class CsvReader {
 public:
  explicit CsvReader(std::span<char> body) noexcept
      : p_(body.data()), end_(body.data() + body.size()) {}

  /// Decodes the next record into `fields` (cleared first). Returns false at the end of the body.
  /// Errors: a quote left open at the end, or a character other than `,`/CR/LF after a
  /// closing quote. A completely empty line yields one empty field.
  common::Result<bool> next(std::vector<std::string_view>& fields);

  /// 1-based number of the record `next` returned last (header = 1), for error messages.
  [[nodiscard]] std::size_t record_number() const noexcept { return record_; }

  /// True when everything has been read.
  [[nodiscard]] bool at_end() const noexcept { return p_ >= end_; }

 private:
  char* p_;
  char* end_;
  std::size_t record_ = 0;
};

namespace detail {
/// Unescapes a quoted field in place. `r` points just after the opening quote. Returns the
/// position after the closing quote (nullptr if there is none) and sets `w_end` to the end of
/// the unescaped value, which starts at the original `r`.
char* unescape_quoted(char* r, char* end, char*& w_end) noexcept;
/// The same without the SSSE3 fast path (tests compare the two).
char* unescape_quoted_baseline(char* r, char* end, char*& w_end) noexcept;
}  // namespace detail

/// Index of the first column named `name`, or `names.size()` when absent (first occurrence wins).
std::size_t find_column(std::span<const std::string_view> names, std::string_view name) noexcept;

/// True when `value` must be quoted on output (contains `,`, `"`, CR or LF).
bool csv_needs_quotes(std::string_view value) noexcept;

/// Appends `value` as one CSV field (quoted only when needed, `"` doubled).
void csv_append_field(std::string& out, std::string_view value);

}  // namespace kubepriv::scp
