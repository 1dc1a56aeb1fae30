#include "kubepriv/scan/json_text.hpp"

#include <cstdint>  // std::uint32_t
#include <cstring>  // std::memchr

#include "kubepriv/common/hex.hpp"

namespace kubepriv::scan {

std::size_t skip_space(std::string_view s, std::size_t pos) noexcept {
  while (pos < s.size() && is_json_space(s[pos])) ++pos;
  return pos;
}

std::size_t skip_string(std::string_view s, std::size_t pos) noexcept {
  // pos is at '"'. One tight pass: an escape skips the byte after it. (memchr for the quote
  // restarts at every \" inside an escaped AWS message, which costs more than it saves.)
  const std::size_t n = s.size();
  std::size_t i = pos + 1;
  while (i < n) {
    const char c = s[i];
    if (c == '"') return i + 1;
    i += (c == '\\') ? 2 : 1;
  }
  return kNpos;
}

std::size_t skip_value(std::string_view s, std::size_t pos) noexcept {
  if (pos >= s.size()) return kNpos;
  const char first = s[pos];
  if (first == '"') return skip_string(s, pos);
  if (first != '{' && first != '[') {
    // A scalar (number, true, false, null, or junk): runs to the next delimiter.
    std::size_t i = pos;
    while (i < s.size() && s[i] != ',' && s[i] != '}' && s[i] != ']' && !is_json_space(s[i])) ++i;
    return i;
  }
  std::size_t depth = 0;
  for (std::size_t i = pos; i < s.size(); ++i) {
    const char c = s[i];
    if (c == '"') {
      i = skip_string(s, i);
      if (i == kNpos) return kNpos;
      --i;  // the loop's ++i moves past the closing quote
    } else if (c == '{' || c == '[') {
      ++depth;
    } else if (c == '}' || c == ']') {
      if (--depth == 0) return i + 1;
    }
  }
  return kNpos;
}

namespace {
bool key_equals(std::string_view raw_key, std::string_view key, std::string& scratch) {
  if (raw_key.find('\\') == std::string_view::npos) return raw_key == key;
  scratch.clear();
  return unescape_json_string(raw_key, scratch) && scratch == key;
}
}  // namespace

std::size_t find_member_value(std::string_view object, std::string_view key) {
  std::string scratch;
  std::size_t i = skip_space(object, 0);
  if (i >= object.size() || object[i] != '{') return kNpos;
  i = skip_space(object, i + 1);
  while (i < object.size() && object[i] == '"') {
    const std::size_t key_end = skip_string(object, i);
    if (key_end == kNpos) return kNpos;
    const std::string_view raw_key = object.substr(i + 1, key_end - i - 2);
    i = skip_space(object, key_end);
    if (i >= object.size() || object[i] != ':') return kNpos;
    i = skip_space(object, i + 1);
    if (i >= object.size()) return kNpos;
    if (key_equals(raw_key, key, scratch)) return i;  // the caller reads the value itself
    const std::size_t value_end = skip_value(object, i);
    if (value_end == kNpos || value_end == i) return kNpos;
    i = skip_space(object, value_end);
    if (i < object.size() && object[i] == ',') i = skip_space(object, i + 1);
  }
  return kNpos;
}

std::optional<MemberValue> find_member(std::string_view object, std::string_view key) {
  const std::size_t i = find_member_value(object, key);
  if (i == kNpos) return std::nullopt;
  const std::size_t value_end = skip_value(object, i);
  if (value_end == kNpos || value_end == i) return std::nullopt;
  if (object[i] == '"') return MemberValue{object.substr(i + 1, value_end - i - 2), true};
  return MemberValue{object.substr(i, value_end - i), false};
}

namespace {
bool read_hex4(std::string_view raw, std::size_t pos, unsigned& out) noexcept {
  std::uint32_t v = 0;
  if (pos > raw.size() || raw.size() - pos < 4 || !common::hex_to_uint(raw.substr(pos, 4), v)) {
    return false;
  }
  out = v;
  return true;
}

void append_utf8(std::string& out, unsigned cp) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0U | (cp >> 6U)));
    out.push_back(static_cast<char>(0x80U | (cp & 0x3FU)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0U | (cp >> 12U)));
    out.push_back(static_cast<char>(0x80U | ((cp >> 6U) & 0x3FU)));
    out.push_back(static_cast<char>(0x80U | (cp & 0x3FU)));
  } else {
    out.push_back(static_cast<char>(0xF0U | (cp >> 18U)));
    out.push_back(static_cast<char>(0x80U | ((cp >> 12U) & 0x3FU)));
    out.push_back(static_cast<char>(0x80U | ((cp >> 6U) & 0x3FU)));
    out.push_back(static_cast<char>(0x80U | (cp & 0x3FU)));
  }
}
constexpr unsigned kReplacement = 0xFFFD;
}  // namespace

namespace {

// Decodes the escape at r (r[0] == '\\') into w. Advances both; false on an invalid escape.
// Never writes more bytes than it consumes.
bool decode_escape(std::string_view all, const char*& r, const char* end, char*& w) {
  if (end - r < 2) return false;
  const char e = r[1];
  r += 2;
  switch (e) {
    case '"': *w++ = '"'; return true;
    case '\\': *w++ = '\\'; return true;
    case '/': *w++ = '/'; return true;
    case 'b': *w++ = '\b'; return true;
    case 'f': *w++ = '\f'; return true;
    case 'n': *w++ = '\n'; return true;
    case 'r': *w++ = '\r'; return true;
    case 't': *w++ = '\t'; return true;
    case 'u': break;
    default: return false;
  }
  const auto pos = static_cast<std::size_t>(r - all.data());
  unsigned cp = 0;
  if (!read_hex4(all, pos, cp)) return false;
  r += 4;
  if (cp >= 0xD800 && cp <= 0xDBFF) {
    unsigned low = 0;
    if (end - r >= 6 && r[0] == '\\' && r[1] == 'u' && read_hex4(all, pos + 6, low) &&
        low >= 0xDC00 && low <= 0xDFFF) {
      cp = 0x10000 + ((cp - 0xD800) << 10U) + (low - 0xDC00);
      r += 6;
    } else {
      cp = kReplacement;
    }
  } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
    cp = kReplacement;
  }
  std::string tmp;
  append_utf8(tmp, cp);
  for (const char c : tmp) *w++ = c;
  return true;
}

}  // namespace

std::size_t unescape_json_string_at(std::string_view s, std::size_t pos, std::string& out) {
  if (pos >= s.size() || s[pos] != '"') return kNpos;
  // Decoded text is never longer than what is left of the input: size once, write through a
  // pointer, trim at the end.
  const std::size_t base = out.size();
  out.resize(base + (s.size() - pos));
  char* w = out.data() + base;
  const char* r = s.data() + pos + 1;
  const char* const end = s.data() + s.size();
  while (r < end) {
    const char c = *r;
    if (c == '"') {
      out.resize(static_cast<std::size_t>(w - out.data()));
      return static_cast<std::size_t>(r - s.data()) + 1;
    }
    if (c != '\\') {
      *w++ = c;
      ++r;
    } else if (!decode_escape(s, r, end, w)) {
      break;
    }
  }
  out.resize(static_cast<std::size_t>(w - out.data()));
  return kNpos;
}

bool unescape_json_string(std::string_view raw, std::string& out) {
  const std::size_t base = out.size();
  out.resize(base + raw.size());
  char* w = out.data() + base;
  const char* r = raw.data();
  const char* const end = r + raw.size();
  bool ok = true;
  while (r < end) {
    if (*r != '\\') {
      *w++ = *r++;
    } else if (!decode_escape(raw, r, end, w)) {
      ok = false;
      break;
    }
  }
  out.resize(static_cast<std::size_t>(w - out.data()));
  return ok;
}

}  // namespace kubepriv::scan
