#pragma once
/// @file
/// The HTTP transport seam: one interface, implemented with libcurl in `net` (CurlTransport) and
/// with in-process fakes in unit tests. Also URL parsing and the "plain http only to loopback"
/// rule, shared by `aws` (endpoint checks) and `net` (enforcement at send time).

#include <chrono>       // std::chrono::milliseconds
#include <cstdint>      // std::uint16_t
#include <optional>     // std::optional
#include <string>       // std::string
#include <string_view>  // std::string_view
#include <vector>       // std::vector

#include "kubepriv/common/result.hpp"

namespace kubepriv::common {

/// One header line. Names keep their case as given; lookups ignore case.
struct HttpHeader {
  std::string name;
  std::string value;
};
using HttpHeaders = std::vector<HttpHeader>;

/// Value of the first header named `name` (case-insensitive), if any.
std::optional<std::string> find_header(const HttpHeaders& headers, std::string_view name);

/// An HTTP request. The transport adds nothing that would need signing (no Expect, no extra
/// X-Amz-*); it may add Content-Length, Accept-Encoding identity, User-Agent and Connection.
struct HttpRequest {
  std::string method = "GET";  ///< GET, POST, PUT
  std::string url;             ///< absolute http:// or https:// URL
  HttpHeaders headers;         ///< sent exactly as given (a Host header here replaces curl's)
  std::string body;            ///< request body (empty for GET)
  /// Total time allowed for the exchange (connect + send + receive).
  std::chrono::milliseconds timeout{std::chrono::seconds(30)};
  /// Time allowed for the TCP/TLS connect (0 = transport default).
  std::chrono::milliseconds connect_timeout{std::chrono::seconds(10)};
};

/// A complete HTTP response (any status; only transport failures are errors).
struct HttpResponse {
  int status = 0;
  HttpHeaders headers;  ///< headers of the final response (after any 100-continue)
  std::string body;
  /// Value of the first header named `name` (case-insensitive).
  std::optional<std::string> header(std::string_view name) const {
    return find_header(headers, name);
  }
};

/// Sends HTTP requests. Errors (ErrorCode): kTimeout (connect or total timeout, stalled
/// transfer), kUnavailable (refused, reset, DNS failure, TLS handshake EOF: worth a retry),
/// kIo (other transfer errors, response larger than the cap), kInvalidArgument (bad URL, a
/// plain-http URL to a host that is not loopback/link-local metadata), kAuth (TLS peer
/// verification failed). Messages never contain header values.
class HttpTransport {
 public:
  virtual ~HttpTransport() = default;
  /// Performs one exchange. Not thread-safe: use one transport per thread.
  virtual Result<HttpResponse> send(const HttpRequest& request) = 0;
};

/// The parts of an absolute URL that matter to us.
struct Url {
  std::string scheme;      ///< "http" or "https" (lower-case)
  std::string host;        ///< host name or IP literal, IPv6 without brackets, lower-case
  std::uint16_t port = 0;  ///< explicit port, or 0 when absent
  std::string path;        ///< raw path as written ("/" when empty), without the query
  std::string query;       ///< raw query without '?', may be empty
  /// "host" or "host:port" (IPv6 in brackets), as the Host header must carry it.
  std::string authority() const;
  /// The port in effect (explicit, else 80/443).
  std::uint16_t effective_port() const;
};

/// Parses an absolute http(s) URL; refuses userinfo ("user:pass@"), fragments and other schemes.
Result<Url> parse_url(std::string_view url);

/// True for 127.0.0.0/8, ::1 and "localhost" (the only hosts plain http may reach in general).
bool is_loopback_host(std::string_view host);

/// True for the link-local AWS metadata hosts that botocore reaches over plain http:
/// 169.254.169.254 and fd00:ec2::254 (IMDS), 169.254.170.2 and 169.254.170.23, fd00:ec2::23
/// (container credentials).
bool is_aws_metadata_host(std::string_view host);

/// Ok for https URLs and for http URLs to loopback or AWS metadata hosts; an explaining
/// kInvalidArgument error otherwise.
Result<Url> check_url_security(std::string_view url);

}  // namespace kubepriv::common
