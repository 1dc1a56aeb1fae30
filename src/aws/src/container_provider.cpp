#include "kubepriv/aws/container_provider.hpp"

#include "kubepriv/aws/credentials_json.hpp"
#include "trim.hpp"

namespace kubepriv::aws {

using common::ErrorCode;
using common::fail;
using common::Result;
using detail::trim;

ContainerProvider::ContainerProvider(const Environment& env, common::HttpTransport& http)
    : env_(env), http_(http) {}

bool ContainerProvider::configured() const {
  return env_.get("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI").has_value() ||
         env_.get("AWS_CONTAINER_CREDENTIALS_FULL_URI").has_value();
}

Result<Credentials> ContainerProvider::get(bool) {
  std::string url;
  if (auto rel = env_.get("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI")) {
    if (rel->empty() || rel->front() != '/') {
      return fail(ErrorCode::kInvalidArgument,
                  "container: AWS_CONTAINER_CREDENTIALS_RELATIVE_URI must start with '/'");
    }
    url = "http://169.254.170.2" + *rel;
  } else if (auto full = env_.get("AWS_CONTAINER_CREDENTIALS_FULL_URI")) {
    auto parsed = common::parse_url(*full);
    if (!parsed)
      return fail(ErrorCode::kInvalidArgument,
                  "container: AWS_CONTAINER_CREDENTIALS_FULL_URI: " + parsed.error().message);
    const std::string& h = parsed->host;
    const bool allowed_http = common::is_loopback_host(h) || h == "169.254.170.2" ||
                              h == "169.254.170.23" || h == "fd00:ec2::23";
    if (parsed->scheme == "http" && !allowed_http) {
      return fail(ErrorCode::kInvalidArgument,
                  "container: AWS_CONTAINER_CREDENTIALS_FULL_URI over http must target loopback, "
                  "169.254.170.2, 169.254.170.23 or fd00:ec2::23 (got '" +
                      h + "')");
    }
    url = *full;
  } else {
    return fail(ErrorCode::kNotFound, "container: AWS_CONTAINER_CREDENTIALS_*_URI not set");
  }
  std::string auth;
  if (auto file = env_.get("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE")) {
    auto t = env_.read_file(*file, 64 * 1024);
    if (!t)
      return fail(
          ErrorCode::kAuth,
          "container: cannot read AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE: " + t.error().message);
    auth = trim(*t);
  } else if (auto tok = env_.get("AWS_CONTAINER_AUTHORIZATION_TOKEN")) {
    auth = trim(*tok);
  }
  if (auth.find_first_of("\r\n") != std::string::npos) {
    return fail(ErrorCode::kInvalidArgument,
                "container: authorization token contains a line break");
  }
  Result<Credentials> last = fail(ErrorCode::kUnavailable, "container: no attempt");
  for (int attempt = 0; attempt < 3; ++attempt) {
    common::HttpRequest req;
    req.method = "GET";
    req.url = url;
    req.timeout = std::chrono::seconds(2);
    req.connect_timeout = std::chrono::seconds(2);
    req.headers.push_back({"Accept", "application/json"});
    if (!auth.empty()) req.headers.push_back({"Authorization", auth});
    auto resp = http_.send(req);
    if (!resp) {
      last = fail(resp.error().code, "container: " + resp.error().message);
      continue;
    }
    if (resp->status == 200) return parse_credentials_json(resp->body, "container");
    last = fail(resp->status >= 500 ? ErrorCode::kUnavailable : ErrorCode::kAuth,
                "container: endpoint answered HTTP " + std::to_string(resp->status));
    if (resp->status < 500) break;
  }
  return last;
}

}  // namespace kubepriv::aws
