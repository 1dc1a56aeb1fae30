#include "kubepriv/aws/redact.hpp"

#include <array>   // std::array
#include <cctype>  // std::tolower

namespace kubepriv::aws {

std::string redact_secret(std::string_view secret, bool keep_prefix) {
  std::string out;
  if (keep_prefix && secret.size() >= 8) out = std::string(secret.substr(0, 4));
  out += "…(" + std::to_string(secret.size()) + " chars)";
  return out;
}

namespace {

char lower(char c) {
  return static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
}

// Case-insensitive find of `needle` in `hay` from `pos`.
std::size_t ifind(std::string_view hay, std::string_view needle, std::size_t pos) {
  if (needle.size() > hay.size()) return std::string_view::npos;
  for (std::size_t i = pos; i + needle.size() <= hay.size(); ++i) {
    bool ok = true;
    for (std::size_t k = 0; k < needle.size(); ++k) {
      if (lower(hay[i + k]) != lower(needle[k])) {
        ok = false;
        break;
      }
    }
    if (ok) return i;
  }
  return std::string_view::npos;
}

// Replaces the value following each occurrence of `marker` up to the first char in `stops`.
void mask_after(std::string& text, std::string_view marker, std::string_view stops) {
  std::size_t pos = 0;
  while ((pos = ifind(text, marker, pos)) != std::string::npos) {
    std::size_t start = pos + marker.size();
    // Skip separators between a name and its value (": ", "=", "\":\"", ">").
    while (start < text.size() && (text[start] == ' ' || text[start] == '"' || text[start] == ':' ||
                                   text[start] == '=' || text[start] == '>')) {
      ++start;
    }
    // A marker glued to more name characters is another word ("storage/passwords/<name>",
    // "InvalidSignatureException"), not a name/value pair: leave it readable.
    if (start == pos + marker.size() && marker.back() != '=') {
      pos = start;
      continue;
    }
    std::size_t end = start;
    while (end < text.size() && stops.find(text[end]) == std::string_view::npos) ++end;
    if (end > start) text.replace(start, end - start, "[REDACTED]");
    pos = start + 1;
  }
}

}  // namespace

std::string redact_text(std::string_view input) {
  std::string text(input);
  static constexpr std::array<std::string_view, 4> kHeaderLines = {
      "authorization", "x-amz-security-token", "x-aws-ec2-metadata-token", "x-amz-content-sha256"};
  for (auto name : kHeaderLines) mask_after(text, name, "\r\n\"");
  static constexpr std::array<std::string_view, 14> kFields = {
      "Signature=",        "Credential=",       "SecretAccessKey", "SessionToken",
      "WebIdentityToken",  "secret_access_key", "session_token",   "aws_secret_access_key",
      "aws_session_token", "\"Token",           "<Token",          "password",
      "security_token",    "X-Amz-Signature"};
  for (auto name : kFields) mask_after(text, name, "&,;\"< \r\n}");
  // user:pass@ in URLs.
  std::size_t pos = 0;
  while ((pos = text.find("://", pos)) != std::string::npos) {
    const std::size_t start = pos + 3;
    // Up to the last '@' before the end of the token: passwords may contain '/'.
    const std::size_t end = text.find_first_of(" \"\r\n", start);
    const std::size_t at = text.rfind('@', end == std::string::npos ? std::string::npos : end);
    if (at != std::string::npos && at > start) {
      text.replace(start, at - start, "[REDACTED]");
    }
    pos = start;
  }
  return text;
}

}  // namespace kubepriv::aws
