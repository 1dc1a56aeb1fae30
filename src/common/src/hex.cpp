#include "kubepriv/common/hex.hpp"

namespace kubepriv::common {

std::string hex_encode(std::string_view bytes, HexCase letters) {
  std::string out;
  out.reserve(bytes.size() * 2);
  for (const char c : bytes) append_hex_byte(out, static_cast<unsigned char>(c), letters);
  return out;
}

Result<std::string> hex_decode(std::string_view hex) {
  if (hex.size() % 2 != 0) {
    return fail(ErrorCode::kParse, "hex text has an odd length (" + std::to_string(hex.size()) +
                                       " digits; two per byte)");
  }
  std::string out;
  out.reserve(hex.size() / 2);
  for (std::size_t i = 0; i < hex.size(); i += 2) {
    const int hi = hex_digit_value(hex[i]);
    const int lo = hex_digit_value(hex[i + 1]);
    if (hi < 0 || lo < 0) {
      return fail(ErrorCode::kParse,
                  "hex text has a non-hex byte at offset " + std::to_string(hi < 0 ? i : i + 1));
    }
    out.push_back(static_cast<char>(hi * 16 + lo));
  }
  return out;
}

}  // namespace kubepriv::common
