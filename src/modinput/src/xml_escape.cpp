#include "kubepriv/modinput/xml_escape.hpp"

#include <array>
#include <cstdint>

namespace kubepriv::modinput {

namespace {

// Class of each byte: 0 = copy as is, 1 = needs an entity, 2 = forbidden control, 3 = non-ASCII.
// JSON is full of '"', so element text leaves it alone; attributes escape it.
constexpr std::array<std::uint8_t, 256> make_table(bool attribute) {
  std::array<std::uint8_t, 256> t{};
  for (int c = 0; c < 0x20; ++c) t[static_cast<std::size_t>(c)] = 2;
  t['\t'] = 0;
  t['\n'] = 0;
  t['\r'] = 0;
  t['&'] = 1;
  t['<'] = 1;
  t['>'] = 1;
  t['"'] = attribute ? 1 : 0;
  for (int c = 0x80; c < 0x100; ++c) t[static_cast<std::size_t>(c)] = 3;
  return t;
}
constexpr auto kTextClass = make_table(false);
constexpr auto kAttrClass = make_table(true);
constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD

// Length of the valid UTF-8 sequence at s[i] (which is >= 0x80) that XML allows, or 0.
std::size_t valid_utf8_len(std::string_view s, std::size_t i) {
  const auto b = [&](std::size_t k) { return static_cast<unsigned char>(s[i + k]); };
  const std::size_t left = s.size() - i;
  const unsigned char c0 = b(0);
  if (c0 >= 0xC2 && c0 <= 0xDF) {
    if (left >= 2 && (b(1) & 0xC0) == 0x80) return 2;
    return 0;
  }
  if (c0 >= 0xE0 && c0 <= 0xEF) {
    if (left < 3 || (b(1) & 0xC0) != 0x80 || (b(2) & 0xC0) != 0x80) return 0;
    if (c0 == 0xE0 && b(1) < 0xA0) return 0;                                     // overlong
    if (c0 == 0xED && b(1) >= 0xA0) return 0;                                    // surrogates
    if (c0 == 0xEF && b(1) == 0xBF && (b(2) == 0xBE || b(2) == 0xBF)) return 0;  // U+FFFE/F
    return 3;
  }
  if (c0 >= 0xF0 && c0 <= 0xF4) {
    if (left < 4 || (b(1) & 0xC0) != 0x80 || (b(2) & 0xC0) != 0x80 || (b(3) & 0xC0) != 0x80) {
      return 0;
    }
    if (c0 == 0xF0 && b(1) < 0x90) return 0;   // overlong
    if (c0 == 0xF4 && b(1) >= 0x90) return 0;  // > U+10FFFF
    return 4;
  }
  return 0;
}

}  // namespace

std::size_t append_xml_escaped(std::string& out, std::string_view text, bool attribute) {
  const auto& kClass = attribute ? kAttrClass : kTextClass;
  std::size_t replaced = 0;
  std::size_t run_start = 0;
  std::size_t i = 0;
  const std::size_t n = text.size();
  while (i < n) {
    const std::uint8_t cls = kClass[static_cast<unsigned char>(text[i])];
    if (cls == 0) {
      ++i;
      continue;
    }
    if (cls == 3) {
      const std::size_t len = valid_utf8_len(text, i);
      if (len != 0) {
        i += len;
        continue;
      }
    }
    out.append(text.data() + run_start, i - run_start);
    switch (text[i]) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default:
        out += kReplacement;
        ++replaced;
        break;
    }
    ++i;
    run_start = i;
  }
  out.append(text.data() + run_start, n - run_start);
  return replaced;
}

}  // namespace kubepriv::modinput
