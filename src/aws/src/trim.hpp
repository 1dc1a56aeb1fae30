#pragma once
// Internal to the aws layer: the whitespace trim the credential providers apply to tokens, role
// names and token files read from disk or the network.

#include <string>       // std::string
#include <string_view>  // std::string_view

namespace kubepriv::aws::detail {

/// `s` without leading and trailing spaces, tabs, CR and LF.
inline std::string trim(std::string_view s) {
  while (!s.empty() &&
         (s.front() == ' ' || s.front() == '\t' || s.front() == '\r' || s.front() == '\n')) {
    s.remove_prefix(1);
  }
  while (!s.empty() &&
         (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n')) {
    s.remove_suffix(1);
  }
  return std::string(s);
}

}  // namespace kubepriv::aws::detail
