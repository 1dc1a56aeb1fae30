#pragma once
// ASCII case folding for protocol words (header names, option values, enum-like settings): the
// same result in every locale, bytes outside A-Z untouched.

#include <string>       // std::string
#include <string_view>  // std::string_view

namespace kubepriv::common {

/// `s` with A-Z turned into a-z; every other byte as it is.
inline std::string ascii_lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

}  // namespace kubepriv::common
