#pragma once
/// @file
/// The libcurl implementation of common::HttpTransport (the only place libcurl is used).
/// HTTP/1.1, keep-alive with one reused easy handle, TLS peer and host verification always on,
/// CURLOPT_NOSIGNAL, connect/total/low-speed timeouts, a response size cap, optional proxy and
/// CA bundle. Plain http:// only to loopback and the AWS link-local metadata addresses.

#include <array>        // std::array
#include <cstddef>      // std::size_t
#include <functional>   // std::function
#include <memory>       // std::unique_ptr
#include <span>         // std::span
#include <string>       // std::string
#include <string_view>  // std::string_view

#include "kubepriv/common/http.hpp"
#include "kubepriv/common/result.hpp"

namespace kubepriv::net {

/// Transport options.
struct CurlOptions {
  /// "http://[user:pass@]host:port"; empty = none. The caller reads HTTPS_PROXY itself (the
  /// transport never looks at the environment). Loopback and the AWS link-local metadata
  /// addresses are always reached directly, never through the proxy.
  std::string proxy;
  std::string no_proxy;  ///< NO_PROXY list (comma separated); empty = none
  /// PEM file of trusted CAs (AWS_CA_BUNDLE, the input's ca_bundle, splunkd's cacert.pem); it
  /// must exist. Empty = the system trust store, found by find_ca_bundle().
  std::string ca_bundle;
  std::size_t max_response_bytes = 64u << 20;  ///< bigger bodies fail with kIo
  long low_speed_bytes_per_second = 1;         ///< abort when slower than this ...
  long low_speed_seconds = 30;                 ///< ... for this long
  std::string user_agent = "kubepriv";         ///< not signed, so safe to send
  /// For loopback hosts only: verify the certificate chain (against `ca_bundle`) but not the
  /// host name. splunkd's default certificate is issued to "SplunkServerDefaultCert", never to
  /// 127.0.0.1, so a modular input talking to its own splunkd needs this. Has no effect on any
  /// other host: there both the chain and the name are always verified.
  bool loopback_skip_hostname_check = false;
};

/// The system trust stores tried, in order, when no CA bundle is given. A static OpenSSL only
/// knows the build machine's path, so the input looks for each distribution's file itself.
inline constexpr std::array<std::string_view, 5> kSystemCaBundles = {
    "/etc/ssl/certs/ca-certificates.crt",                 // Debian, Ubuntu
    "/etc/pki/tls/certs/ca-bundle.crt",                   // RHEL, Rocky, Alma, Oracle, AL2023
    "/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem",  // RHEL family (the real file)
    "/etc/ssl/ca-bundle.pem",                             // SUSE, SLES
    "/etc/ssl/cert.pem",                                  // Alpine and similar
};

/// The CA bundle to verify TLS peers with: `explicit_path` when not empty (an error when
/// `readable` says it is not), else the first of `candidates` that is readable. When none is,
/// the error names every path tried and how to point at one. Verification is never turned off.
common::Result<std::string> find_ca_bundle(
    const std::string& explicit_path, const std::function<bool(const std::string&)>& readable,
    std::span<const std::string_view> candidates = kSystemCaBundles);

/// Whether `path` names a regular file this process can open for reading.
bool readable_file(const std::string& path);

/// Process-wide libcurl initialisation (curl_global_init); call once from main before threads.
common::Result<void> curl_global_setup();

/// "scheme://host:port" of a proxy URL with any credentials removed (for logs).
std::string redact_proxy(const std::string& proxy_url);

/// A reusable libcurl easy handle. Not thread-safe; one per thread.
class CurlTransport final : public common::HttpTransport {
 public:
  explicit CurlTransport(CurlOptions options = {});
  ~CurlTransport() override;
  CurlTransport(const CurlTransport&) = delete;
  CurlTransport& operator=(const CurlTransport&) = delete;
  common::Result<common::HttpResponse> send(const common::HttpRequest& request) override;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace kubepriv::net
