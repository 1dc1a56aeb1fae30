#include "kubepriv/net/curl_transport.hpp"

#include <curl/curl.h>
#include <sys/stat.h>  // stat

#include <fstream>   // std::ifstream
#include <mutex>     // std::once_flag
#include <optional>  // std::optional

namespace kubepriv::net {

using common::ErrorCode;
using common::fail;
using common::Result;

Result<void> curl_global_setup() {
  static std::once_flag once;
  static CURLcode rc = CURLE_OK;
  std::call_once(once, [] { rc = curl_global_init(CURL_GLOBAL_DEFAULT); });
  if (rc != CURLE_OK)
    return fail(ErrorCode::kInternal, std::string("curl_global_init: ") + curl_easy_strerror(rc));
  return {};
}

bool readable_file(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return false;
  return std::ifstream(path, std::ios::binary).good();
}

Result<std::string> find_ca_bundle(const std::string& explicit_path,
                                   const std::function<bool(const std::string&)>& readable,
                                   std::span<const std::string_view> candidates) {
  if (!explicit_path.empty()) {
    if (readable(explicit_path)) return explicit_path;
    return fail(ErrorCode::kInvalidArgument,
                "CA bundle " + explicit_path + " does not exist or cannot be read");
  }
  std::string tried;
  for (const auto candidate : candidates) {
    std::string path(candidate);
    if (readable(path)) return path;
    tried += (tried.empty() ? "" : ", ") + path;
  }
  return fail(ErrorCode::kNotFound,
              "no CA certificate bundle found to verify TLS peers (tried " + tried +
                  "); install the system CA certificates, or name a PEM file with the input's "
                  "ca_bundle parameter or AWS_CA_BUNDLE");
}

std::string redact_proxy(const std::string& proxy_url) {
  const auto scheme = proxy_url.find("://");
  const std::size_t start = scheme == std::string::npos ? 0 : scheme + 3;
  const auto at = proxy_url.find('@', start);
  if (at == std::string::npos) return proxy_url;
  return proxy_url.substr(0, start) + "[REDACTED]@" + proxy_url.substr(at + 1);
}

namespace {

// Per-transfer state used by the callbacks.
struct TransferState {
  std::size_t max_bytes = 0;
  common::HttpResponse* response = nullptr;
  bool too_large = false;
};

std::size_t on_body(char* data, std::size_t size, std::size_t nmemb, void* user) {
  auto* impl = static_cast<TransferState*>(user);
  const std::size_t n = size * nmemb;
  if (impl->response->body.size() + n > impl->max_bytes) {
    impl->too_large = true;
    return 0;  // aborts the transfer with CURLE_WRITE_ERROR
  }
  impl->response->body.append(data, n);
  return n;
}

std::size_t on_header(char* data, std::size_t size, std::size_t nmemb, void* user) {
  auto* impl = static_cast<TransferState*>(user);
  const std::size_t n = size * nmemb;
  std::string_view line(data, n);
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.remove_suffix(1);
  if (line.substr(0, 5) == "HTTP/") {
    // A new status line (after 100-continue or a redirect): keep only the last header block.
    impl->response->headers.clear();
    return n;
  }
  const auto colon = line.find(':');
  if (colon == std::string_view::npos) return n;
  std::string_view value = line.substr(colon + 1);
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
  if (impl->response->headers.size() < 200) {
    impl->response->headers.push_back({std::string(line.substr(0, colon)), std::string(value)});
  }
  return n;
}

ErrorCode map_error(CURLcode rc) {
  switch (rc) {
    case CURLE_OPERATION_TIMEDOUT: return ErrorCode::kTimeout;
    case CURLE_COULDNT_CONNECT:
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_RECV_ERROR:
    case CURLE_SEND_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM: return ErrorCode::kUnavailable;
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_CERTPROBLEM: return ErrorCode::kAuth;
    case CURLE_URL_MALFORMAT:
    case CURLE_UNSUPPORTED_PROTOCOL: return ErrorCode::kInvalidArgument;
    default: return ErrorCode::kIo;
  }
}

}  // namespace

struct CurlTransport::Impl {
  CurlOptions options;
  std::optional<Result<std::string>> ca;  // find_ca_bundle's answer, on the first request
  CURL* easy = nullptr;
  TransferState state;
};

CurlTransport::CurlTransport(CurlOptions options) : impl_(std::make_unique<Impl>()) {
  impl_->options = std::move(options);
  // Early, while the process has one thread; send() asks again and reports a failure.
  common::ignore(curl_global_setup(), "send() returns the error");
}

CurlTransport::~CurlTransport() {
  if (impl_->easy != nullptr) curl_easy_cleanup(impl_->easy);
}

Result<common::HttpResponse> CurlTransport::send(const common::HttpRequest& request) {
  auto url = common::check_url_security(request.url);
  if (!url) return tl::unexpected(url.error());
  const bool tls = url->scheme == "https";
  if (tls && !impl_->ca) impl_->ca = find_ca_bundle(impl_->options.ca_bundle, readable_file);
  if (tls && !*impl_->ca) return tl::unexpected(impl_->ca->error());
  if (impl_->easy == nullptr) {
    if (auto init = curl_global_setup(); !init) return tl::unexpected(init.error());
    impl_->easy = curl_easy_init();
    if (impl_->easy == nullptr) return fail(ErrorCode::kInternal, "curl_easy_init failed");
  } else {
    // Keeps the connection cache (keep-alive) while clearing per-request options.
    curl_easy_reset(impl_->easy);
  }
  CURL* e = impl_->easy;
  common::HttpResponse response;
  impl_->state = TransferState{impl_->options.max_response_bytes, &response, false};

  curl_easy_setopt(e, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(e, CURLOPT_HTTP_VERSION, static_cast<long>(CURL_HTTP_VERSION_1_1));
  curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION,
                   0L);  // AWS never redirects us; signed requests must not move
  curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 1L);
  const bool loopback = common::is_loopback_host(url->host);
  const bool name_check_waived = impl_->options.loopback_skip_hostname_check && loopback;
  curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, name_check_waived ? 0L : 2L);
  curl_easy_setopt(e, CURLOPT_TCP_KEEPALIVE, 1L);
  curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "identity");
  if (tls) {
    curl_easy_setopt(e, CURLOPT_CAINFO, (*impl_->ca)->c_str());
    curl_easy_setopt(e, CURLOPT_CAPATH, nullptr);  // the bundle only, whatever the build default
    curl_easy_setopt(e, CURLOPT_PROXY_CAINFO, (*impl_->ca)->c_str());  // for an https:// proxy
  }
  const bool local = loopback || common::is_aws_metadata_host(url->host);
  if (!impl_->options.proxy.empty() && !local) {
    curl_easy_setopt(e, CURLOPT_PROXY, impl_->options.proxy.c_str());
    if (!impl_->options.no_proxy.empty())
      curl_easy_setopt(e, CURLOPT_NOPROXY, impl_->options.no_proxy.c_str());
  } else {
    // No implicit proxy from the environment unless configured by the caller (which reads
    // HTTPS_PROXY itself): the library must not depend on the process environment.
    curl_easy_setopt(e, CURLOPT_PROXY, "");
  }
  curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, static_cast<long>(request.timeout.count()));
  if (request.connect_timeout.count() > 0) {
    curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS,
                     static_cast<long>(request.connect_timeout.count()));
  }
  curl_easy_setopt(e, CURLOPT_LOW_SPEED_LIMIT, impl_->options.low_speed_bytes_per_second);
  curl_easy_setopt(e, CURLOPT_LOW_SPEED_TIME, impl_->options.low_speed_seconds);
  if (!impl_->options.user_agent.empty())
    curl_easy_setopt(e, CURLOPT_USERAGENT, impl_->options.user_agent.c_str());
  curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(e, CURLOPT_WRITEDATA, &impl_->state);
  curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(e, CURLOPT_HEADERDATA, &impl_->state);
  if (request.method == "GET") {
    curl_easy_setopt(e, CURLOPT_HTTPGET, 1L);
  } else if (request.method == "POST") {
    curl_easy_setopt(e, CURLOPT_POST, 1L);
  } else {
    curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, request.method.c_str());
  }
  if (request.method != "GET") {
    curl_easy_setopt(e, CURLOPT_POSTFIELDS, request.body.data());
    curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
  }
  curl_slist* headers = nullptr;
  // No "Expect: 100-continue" round trip, and no header curl would add that we did not sign.
  headers = curl_slist_append(headers, "Expect:");
  bool has_content_type = false;
  for (const auto& h : request.headers) {
    if (h.name.find_first_of("\r\n:") != std::string::npos ||
        h.value.find_first_of("\r\n") != std::string::npos) {
      curl_slist_free_all(headers);
      return fail(ErrorCode::kInvalidArgument,
                  "header '" + h.name + "' contains a line break or colon");
    }
    std::string line = h.name + (h.value.empty() ? ";" : ": " + h.value);
    headers = curl_slist_append(headers, line.c_str());
    if (h.name.size() == 12 && (h.name == "Content-Type" || h.name == "content-type"))
      has_content_type = true;
  }
  if (!has_content_type && request.method != "GET") {
    // curl would otherwise send application/x-www-form-urlencoded; an empty one suppresses it.
    headers = curl_slist_append(headers, "Content-Type:");
  }
  curl_easy_setopt(e, CURLOPT_HTTPHEADER, headers);
  char errbuf[CURL_ERROR_SIZE] = {};
  curl_easy_setopt(e, CURLOPT_ERRORBUFFER, errbuf);

  const CURLcode rc = curl_easy_perform(e);
  curl_slist_free_all(headers);
  curl_easy_setopt(e, CURLOPT_HTTPHEADER, nullptr);
  impl_->state.response = nullptr;
  if (impl_->state.too_large) {
    return fail(ErrorCode::kIo, "response from " + url->authority() + " exceeds " +
                                    std::to_string(impl_->options.max_response_bytes) + " bytes");
  }
  if (rc != CURLE_OK) {
    std::string msg = curl_easy_strerror(rc);
    // errbuf can name the proxy URL; strip any credentials from it.
    if (errbuf[0] != '\0') msg += std::string(" (") + redact_proxy(errbuf) + ")";
    return fail(map_error(rc), request.method + " " + url->scheme + "://" + url->authority() +
                                   url->path + ": " + msg);
  }
  long status = 0;
  curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &status);
  response.status = static_cast<int>(status);
  return response;
}

}  // namespace kubepriv::net
