#pragma once
// Private to the scp layer: the one escaping rule CSV and Splunk's multivalue encoding share.

#include <cstring>      // std::memchr, std::memcpy
#include <string>       // std::string
#include <string_view>  // std::string_view

namespace kubepriv::scp::detail {

/// Appends `value` with every `mark` written twice (CSV's `""`, multivalue's `$$`).
inline void append_doubling(std::string& out, std::string_view value, char mark) {
  for (;;) {
    const auto at = value.find(mark);
    if (at == std::string_view::npos) break;
    out.append(value.substr(0, at + 1));
    out.push_back(mark);
    value.remove_prefix(at + 1);
  }
  out.append(value);
}

/// append_doubling into a buffer with room for 2 * value.size() bytes at `out`; returns the end
/// of what it wrote.
inline char* put_doubling(char* out, std::string_view value, char mark) noexcept {
  if (value.empty()) return out;
  if (std::memchr(value.data(), mark, value.size()) == nullptr) {
    std::memcpy(out, value.data(), value.size());
    return out + value.size();
  }
  for (const char c : value) {
    *out++ = c;
    if (c == mark) *out++ = mark;
  }
  return out;
}

}  // namespace kubepriv::scp::detail
