#pragma once
// Private to the scp layer: the one escaping rule CSV and Splunk's multivalue encoding share.

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

}  // namespace kubepriv::scp::detail
