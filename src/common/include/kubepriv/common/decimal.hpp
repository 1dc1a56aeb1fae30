#pragma once
/// @file
/// Strict decimal integers (std::from_chars: no locale, no whitespace, no '+', no silent
/// wrap-around). Every count, size, port and duration read from text goes through here.

#include <charconv>      // std::from_chars
#include <concepts>      // std::integral
#include <limits>        // std::numeric_limits
#include <string>        // std::string
#include <string_view>   // std::string_view
#include <system_error>  // std::errc
#include <type_traits>   // std::is_signed_v
#include <utility>       // std::pair, std::move

#include "kubepriv/common/result.hpp"

namespace kubepriv::common {

/// The leading decimal number of `text` (ASCII digits, after a '-' only when T is signed): its
/// value and the rest of the text after it (a unit suffix, say). kParse when `text` does not
/// start with a number, kInvalidArgument when the number does not fit T.
template <std::integral T>
Result<std::pair<T, std::string_view>> parse_decimal_prefix(std::string_view text) {
  T value{};
  const char* const end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (ec == std::errc::result_out_of_range) {
    return fail(ErrorCode::kInvalidArgument,
                "number out of range (" + std::to_string(std::numeric_limits<T>::min()) + " to " +
                    std::to_string(std::numeric_limits<T>::max()) + ")");
  }
  if (ec != std::errc{} || ptr == text.data()) {
    return fail(ErrorCode::kParse, std::is_signed_v<T> ? "not a decimal number (digits, optionally "
                                                         "after '-')"
                                                       : "not a decimal number (digits only)");
  }
  return std::pair<T, std::string_view>{value,
                                        std::string_view(ptr, static_cast<std::size_t>(end - ptr))};
}

/// `text` as a whole is a decimal number that fits T ("42", "-7" for a signed T; not "",
/// "+1", " 1", "1 ", "0x1", "1e3"). kParse or kInvalidArgument (out of range) otherwise.
template <std::integral T>
Result<T> parse_decimal(std::string_view text) {
  auto r = parse_decimal_prefix<T>(text);
  if (!r) return tl::unexpected(std::move(r.error()));
  if (!r->second.empty()) {
    return fail(ErrorCode::kParse, "not a decimal number (trailing characters after the digits)");
  }
  return r->first;
}

}  // namespace kubepriv::common
