#pragma once
/// @file
/// The one base-16 codec (RFC 4648 §8): SHA-256 digests, collector keys, `\uXXXX` escapes and
/// `%XX` sequences all go through it.

#include <cstdint>      // std::uint32_t
#include <string>       // std::string
#include <string_view>  // std::string_view

#include "kubepriv/common/result.hpp"

namespace kubepriv::common {

/// Which digits an encoder writes. Decoders accept both.
enum class HexCase { kLower, kUpper };

/// Value 0-15 of one hex digit ('0'-'9', 'a'-'f', 'A'-'F'), or -1 for any other byte.
constexpr int hex_digit_value(char c) noexcept {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

/// Appends the two hex digits of `byte` to `out`.
inline void append_hex_byte(std::string& out, unsigned char byte, HexCase letters) {
  const char* digits = letters == HexCase::kUpper ? "0123456789ABCDEF" : "0123456789abcdef";
  out.push_back(digits[byte >> 4U]);
  out.push_back(digits[byte & 0xFU]);
}

/// Two hex digits per byte of `bytes` ("\x01\xab" -> "01ab").
std::string hex_encode(std::string_view bytes, HexCase letters = HexCase::kLower);

/// The bytes of an even-length hex string, either case ("01AB" -> "\x01\xab"). kParse for an
/// odd length or a non-hex byte (the message names the offset, never the text: digests and keys
/// may be secret-derived).
Result<std::string> hex_decode(std::string_view hex);

/// The value of exactly `digits.size()` hex digits (1-8, either case), e.g. the XXXX of a JSON
/// `\uXXXX`; false when a byte is not a hex digit or the length is out of range.
constexpr bool hex_to_uint(std::string_view digits, std::uint32_t& out) noexcept {
  if (digits.empty() || digits.size() > 8) return false;
  std::uint32_t v = 0;
  for (const char c : digits) {
    const int d = hex_digit_value(c);
    if (d < 0) return false;
    v = (v << 4U) | static_cast<std::uint32_t>(d);
  }
  out = v;
  return true;
}

}  // namespace kubepriv::common
