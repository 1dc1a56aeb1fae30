#pragma once
/// @file
/// The one JSON string writer (RFC 8259 §7): `kubepriv scan` output, events rebuilt by the
/// audit adapter. Whatever the input bytes, the output is valid JSON text.

#include <cstddef>      // std::size_t
#include <string>       // std::string
#include <string_view>  // std::string_view

namespace kubepriv::common {

/// Length (1-4) of the well-formed UTF-8 sequence starting at `s[pos]` (RFC 3629: no overlong
/// forms, no surrogates, nothing above U+10FFFF), or 0 when it is not one. `pos < s.size()`.
std::size_t utf8_sequence_length(std::string_view s, std::size_t pos) noexcept;

/// Appends `text` to `out` as a quoted JSON string: `"` and `\` are escaped, \n \r \t as such,
/// other control bytes (U+0000-U+001F) as \u00XX (lower-case hex); DEL and valid UTF-8 are
/// copied; each byte that is not part of a valid UTF-8 sequence becomes U+FFFD.
void append_json_string(std::string& out, std::string_view text);

}  // namespace kubepriv::common
