#pragma once
/// @file
/// The libcurl implementation of common::HttpTransport (the only place libcurl is used).
/// HTTP/1.1, keep-alive with one reused easy handle, TLS peer and host verification always on,
/// CURLOPT_NOSIGNAL, connect/total/low-speed timeouts, a response size cap, optional proxy and
/// CA bundle. Plain http:// only to loopback and the AWS link-local metadata addresses.

#include <cstddef>  // std::size_t
#include <memory>   // std::unique_ptr
#include <string>   // std::string

#include "kubepriv/common/http.hpp"
#include "kubepriv/common/result.hpp"

namespace kubepriv::net {

/// Transport options.
struct CurlOptions {
  /// "http://[user:pass@]host:port"; empty = none. The caller reads HTTPS_PROXY itself (the
  /// transport never looks at the environment). Loopback and the AWS link-local metadata
  /// addresses are always reached directly, never through the proxy.
  std::string proxy;
  std::string no_proxy;                        ///< NO_PROXY list (comma separated); empty = none
  std::string ca_bundle;                       ///< PEM file (AWS_CA_BUNDLE); empty = system store
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
