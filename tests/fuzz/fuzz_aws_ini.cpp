// Fuzz target: the AWS shared config and credentials files (~/.aws/config, ~/.aws/credentials),
// written by hand and by tools -> kubepriv::aws::parse_ini.
// Invariants beyond "no crash": parsing is deterministic; an error has a message; a parse error
// never quotes a value of a key named like a secret (aws_secret_access_key,
// aws_session_token), since the message goes to the input's log.

#include <cstddef>      // std::size_t
#include <cstdint>      // std::uint8_t
#include <cstdio>       // std::fprintf
#include <cstdlib>      // std::abort
#include <string>       // std::string
#include <string_view>  // std::string_view

#include "kubepriv/aws/ini.hpp"

namespace {

constexpr std::string_view kMarker = "SECRETMARKERq7Zx9";

[[noreturn]] void fail(const char* what) {
  std::fprintf(stderr, "fuzz_aws_ini: invariant broken: %s\n", what);
  std::abort();
}

// Values of secret keys written "key = value" on one line (what a user would paste).
void secret_values(std::string_view text, std::string_view key, std::string* out) {
  std::size_t at = 0;
  while ((at = text.find(key, at)) != std::string_view::npos) {
    std::size_t p = text.find('=', at);
    const std::size_t eol = text.find('\n', at);
    at += key.size();
    if (p == std::string_view::npos || (eol != std::string_view::npos && p > eol)) continue;
    ++p;
    while (p < text.size() && (text[p] == ' ' || text[p] == '\t')) ++p;
    std::size_t end = eol == std::string_view::npos ? text.size() : eol;
    while (end > p && (text[end - 1] == '\r' || text[end - 1] == ' ')) --end;
    if (end > p) *out = std::string(text.substr(p, end - p));
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto ini = kubepriv::aws::parse_ini(text);
  const auto again = kubepriv::aws::parse_ini(text);
  if (ini.has_value() != again.has_value() || (ini && *ini != *again))
    fail("parsing the same bytes twice disagrees");
  if (ini) return 0;
  const std::string& message = ini.error().message;
  if (message.empty()) fail("error without a message");
  for (std::string_view key :
       {std::string_view("aws_secret_access_key"), std::string_view("aws_session_token")}) {
    std::string secret;
    secret_values(text, key, &secret);
    if (secret.size() < 8) continue;
    // The value may coincide with the message's own words ("outside of a section"): decide by
    // swapping in an unmistakable marker and parsing again.
    std::string marked(text);
    for (std::size_t at = 0; (at = marked.find(secret, at)) != std::string::npos;
         at += kMarker.size())
      marked.replace(at, secret.size(), kMarker);
    const auto again_marked = kubepriv::aws::parse_ini(marked);
    if (!again_marked && again_marked.error().message.find(kMarker) != std::string::npos)
      fail("parse error quotes a secret value");
  }
  return 0;
}
