#include "kubepriv/common/http.hpp"

#include <algorithm>  // std::equal
#include <cctype>     // std::tolower
#include <cstdint>    // std::uint32_t

#include "kubepriv/common/decimal.hpp"

namespace kubepriv::common {
namespace {

char lower(char c) {
  return static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
}

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(),
                                            [](char x, char y) { return lower(x) == lower(y); });
}

std::string to_lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = lower(c);
  return out;
}

// Parses a dotted IPv4 literal; false when `s` is not one.
bool parse_ipv4(std::string_view s, unsigned (&octets)[4]) {
  int idx = 0;
  std::size_t i = 0;
  while (idx < 4) {
    if (i >= s.size() || !std::isdigit(static_cast<unsigned char>(s[i]))) return false;
    unsigned v = 0;
    std::size_t digits = 0;
    while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) {
      v = v * 10 + static_cast<unsigned>(s[i] - '0');
      if (++digits > 3 || v > 255) return false;
      ++i;
    }
    octets[idx++] = v;
    if (idx < 4) {
      if (i >= s.size() || s[i] != '.') return false;
      ++i;
    }
  }
  return i == s.size();
}

}  // namespace

std::optional<std::string> find_header(const HttpHeaders& headers, std::string_view name) {
  for (const auto& h : headers) {
    if (iequals(h.name, name)) return h.value;
  }
  return std::nullopt;
}

std::string Url::authority() const {
  std::string out = host.find(':') != std::string::npos ? "[" + host + "]" : host;
  if (port != 0) out += ":" + std::to_string(port);
  return out;
}

std::uint16_t Url::effective_port() const {
  if (port != 0) return port;
  return scheme == "https" ? 443 : 80;
}

Result<Url> parse_url(std::string_view url) {
  Url out;
  const auto sep = url.find("://");
  if (sep == std::string_view::npos) return fail(ErrorCode::kInvalidArgument, "URL without scheme");
  out.scheme = to_lower(url.substr(0, sep));
  if (out.scheme != "http" && out.scheme != "https") {
    return fail(ErrorCode::kInvalidArgument, "URL scheme must be http or https");
  }
  std::string_view rest = url.substr(sep + 3);
  if (rest.find('#') != std::string_view::npos) {
    return fail(ErrorCode::kInvalidArgument, "URL must not contain a fragment");
  }
  const auto path_pos = rest.find_first_of("/?");
  std::string_view auth = rest.substr(0, path_pos);
  std::string_view tail =
      path_pos == std::string_view::npos ? std::string_view{} : rest.substr(path_pos);
  if (auth.find('@') != std::string_view::npos) {
    return fail(ErrorCode::kInvalidArgument, "URL must not contain credentials (user:pass@)");
  }
  std::string_view port_text;
  if (!auth.empty() && auth.front() == '[') {
    const auto close = auth.find(']');
    if (close == std::string_view::npos)
      return fail(ErrorCode::kInvalidArgument, "bad IPv6 literal in URL");
    out.host = to_lower(auth.substr(1, close - 1));
    std::string_view after = auth.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':')
        return fail(ErrorCode::kInvalidArgument, "bad text after IPv6 literal");
      port_text = after.substr(1);
    }
  } else {
    const auto colon = auth.rfind(':');
    if (colon != std::string_view::npos) {
      port_text = auth.substr(colon + 1);
      auth = auth.substr(0, colon);
    }
    out.host = to_lower(auth);
  }
  if (out.host.empty()) return fail(ErrorCode::kInvalidArgument, "URL without host");
  for (char c : out.host) {
    const auto u = static_cast<unsigned char>(c);
    if (!(std::isalnum(u) || c == '.' || c == '-' || c == ':' || c == '_' || c == '%')) {
      return fail(ErrorCode::kInvalidArgument, "invalid character in URL host");
    }
  }
  if (!port_text.empty()) {
    const auto v = parse_decimal<std::uint32_t>(port_text);
    if (port_text.size() > 5 || !v) return fail(ErrorCode::kInvalidArgument, "bad port in URL");
    if (*v == 0 || *v > 65535) return fail(ErrorCode::kInvalidArgument, "port out of range in URL");
    out.port = static_cast<std::uint16_t>(*v);
  }
  const auto q = tail.find('?');
  out.path = std::string(tail.substr(0, q));
  if (out.path.empty()) out.path = "/";
  if (q != std::string_view::npos) out.query = std::string(tail.substr(q + 1));
  return out;
}

bool is_loopback_host(std::string_view host) {
  if (iequals(host, "localhost")) return true;
  if (host == "::1" || host == "0:0:0:0:0:0:0:1") return true;
  unsigned o[4];
  return parse_ipv4(host, o) && o[0] == 127;
}

bool is_aws_metadata_host(std::string_view host) {
  return host == "169.254.169.254" || host == "169.254.170.2" || host == "169.254.170.23" ||
         iequals(host, "fd00:ec2::254") || iequals(host, "fd00:ec2::23");
}

Result<Url> check_url_security(std::string_view url) {
  auto parsed = parse_url(url);
  if (!parsed) return parsed;
  if (parsed->scheme == "http" && !is_loopback_host(parsed->host) &&
      !is_aws_metadata_host(parsed->host)) {
    return fail(ErrorCode::kInvalidArgument,
                "plain http:// is allowed only for loopback hosts (127.0.0.0/8, ::1, localhost) "
                "and the AWS metadata addresses; use https:// for host '" +
                    parsed->host + "'");
  }
  return parsed;
}

}  // namespace kubepriv::common
