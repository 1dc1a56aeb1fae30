#include "kubepriv/aws/imds_provider.hpp"

#include <optional>  // std::optional

#include "kubepriv/aws/credentials_json.hpp"
#include "kubepriv/common/ascii.hpp"
#include "trim.hpp"

namespace kubepriv::aws {

using common::ErrorCode;
using common::fail;
using common::Result;
using detail::trim;

namespace {

bool is_true(const std::optional<std::string>& v) {
  return v && (common::ascii_lower(*v) == "true" || *v == "1");
}

}  // namespace

ImdsProvider::ImdsProvider(const Environment& env, common::HttpTransport& http)
    : env_(env), http_(http) {}

Result<Credentials> ImdsProvider::get(bool) {
  if (is_true(env_.get("AWS_EC2_METADATA_DISABLED"))) {
    return fail(ErrorCode::kNotFound, "imds: disabled by AWS_EC2_METADATA_DISABLED");
  }
  std::string base = "http://169.254.169.254";
  if (auto ep = env_.get("AWS_EC2_METADATA_SERVICE_ENDPOINT")) {
    base = *ep;
  } else if (auto mode = env_.get("AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE");
             mode && common::ascii_lower(*mode) == "ipv6") {
    base = "http://[fd00:ec2::254]";
  }
  while (!base.empty() && base.back() == '/') base.pop_back();
  if (auto u = common::check_url_security(base + "/"); !u) {
    return fail(ErrorCode::kInvalidArgument,
                "imds: AWS_EC2_METADATA_SERVICE_ENDPOINT: " + u.error().message);
  }
  auto exchange = [&](const std::string& method, const std::string& path,
                      const common::HttpHeaders& headers) -> Result<common::HttpResponse> {
    Result<common::HttpResponse> last = fail(ErrorCode::kUnavailable, "no attempt");
    for (int attempt = 0; attempt < 2; ++attempt) {
      common::HttpRequest req;
      req.method = method;
      req.url = base + path;
      req.headers = headers;
      req.timeout = std::chrono::seconds(1);
      req.connect_timeout = std::chrono::seconds(1);
      last = http_.send(req);
      if (last && last->status < 500) return last;
    }
    return last;
  };
  auto token =
      exchange("PUT", "/latest/api/token", {{"X-aws-ec2-metadata-token-ttl-seconds", "21600"}});
  if (!token)
    return fail(ErrorCode::kNotFound,
                "imds: metadata service not reachable: " + token.error().message);
  if (token->status != 200) {
    return fail(ErrorCode::kNotFound, "imds: IMDSv2 token request answered HTTP " +
                                          std::to_string(token->status) + " (IMDSv1 is not used)");
  }
  const std::string tok = trim(token->body);
  const common::HttpHeaders auth = {{"X-aws-ec2-metadata-token", tok}};
  auto role = exchange("GET", "/latest/meta-data/iam/security-credentials/", auth);
  if (!role) return fail(role.error().code, "imds: " + role.error().message);
  if (role->status == 404)
    return fail(ErrorCode::kNotFound, "imds: no IAM role attached to this instance");
  if (role->status != 200)
    return fail(ErrorCode::kUnavailable,
                "imds: role lookup answered HTTP " + std::to_string(role->status));
  std::string role_name = trim(role->body);
  if (auto nl = role_name.find('\n'); nl != std::string::npos)
    role_name = trim(role_name.substr(0, nl));
  if (role_name.empty() || role_name.find_first_of("/?#% ") != std::string::npos) {
    return fail(ErrorCode::kParse, "imds: unusable role name");
  }
  auto creds = exchange("GET", "/latest/meta-data/iam/security-credentials/" + role_name, auth);
  if (!creds) return fail(creds.error().code, "imds: " + creds.error().message);
  if (creds->status != 200)
    return fail(ErrorCode::kUnavailable,
                "imds: credentials answered HTTP " + std::to_string(creds->status));
  return parse_credentials_json(creds->body, "imds");
}

}  // namespace kubepriv::aws
