#pragma once
/// @file
/// The one percent-encoding codec (RFC 3986 §2.1): SigV4 canonical URIs and queries, STS form
/// bodies, splunkd REST paths and Kubernetes request URIs.

#include <string>       // std::string
#include <string_view>  // std::string_view

#include "kubepriv/common/result.hpp"

namespace kubepriv::common {

/// RFC 3986 unreserved: A-Z a-z 0-9 - _ . ~ (ASCII only, no locale).
constexpr bool is_unreserved(char c) noexcept {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_' || c == '.' || c == '~';
}

/// Every byte but the unreserved ones and those listed in `keep` becomes %XX with upper-case
/// hex (the form SigV4 signs and RFC 3986 recommends). `keep = "/"` encodes a path.
std::string percent_encode(std::string_view text, std::string_view keep = {});

/// How percent_decode treats what is not a plain byte.
struct PercentDecodeRules {
  /// '+' decodes to a space (HTML forms, Go's url.QueryUnescape); otherwise it stays '+'
  /// (RFC 3986, SigV4 canonical query).
  bool plus_is_space = false;
  /// A '%' not followed by two hex digits is kept as it is (SigV4: the server signs what it
  /// received); otherwise it is a kParse error (Go's url.QueryUnescape).
  bool keep_invalid = false;
};

/// Decodes %XX sequences (either hex case). Never fails with `keep_invalid`.
Result<std::string> percent_decode(std::string_view text, PercentDecodeRules rules = {});

}  // namespace kubepriv::common
