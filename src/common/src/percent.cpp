#include "kubepriv/common/percent.hpp"

#include "kubepriv/common/hex.hpp"

namespace kubepriv::common {

std::string percent_encode(std::string_view text, std::string_view keep) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    if (is_unreserved(c) || keep.find(c) != std::string_view::npos) {
      out.push_back(c);
    } else {
      out.push_back('%');
      append_hex_byte(out, static_cast<unsigned char>(c), HexCase::kUpper);
    }
  }
  return out;
}

Result<std::string> percent_decode(std::string_view text, PercentDecodeRules rules) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '+' && rules.plus_is_space) {
      out.push_back(' ');
    } else if (c != '%') {
      out.push_back(c);
    } else if (i + 2 < text.size() && hex_digit_value(text[i + 1]) >= 0 &&
               hex_digit_value(text[i + 2]) >= 0) {
      out.push_back(
          static_cast<char>(hex_digit_value(text[i + 1]) * 16 + hex_digit_value(text[i + 2])));
      i += 2;
    } else if (rules.keep_invalid) {
      out.push_back(c);
    } else {
      return fail(ErrorCode::kParse,
                  "'%' at offset " + std::to_string(i) + " is not followed by two hex digits");
    }
  }
  return out;
}

}  // namespace kubepriv::common
