#include "kubepriv/aws/web_identity_provider.hpp"

#include "kubepriv/aws/sts.hpp"
#include "trim.hpp"

namespace kubepriv::aws {

using common::ErrorCode;
using common::fail;
using common::Result;
using detail::trim;

WebIdentityProvider::WebIdentityProvider(const Environment& env, StsClient& sts,
                                         std::string token_file, std::string role_arn,
                                         std::string session_name)
    : env_(env),
      sts_(sts),
      token_file_(std::move(token_file)),
      role_arn_(std::move(role_arn)),
      session_name_(std::move(session_name)) {}

Result<Credentials> WebIdentityProvider::get(bool) {
  std::string file =
      token_file_.empty() ? env_.get("AWS_WEB_IDENTITY_TOKEN_FILE").value_or("") : token_file_;
  std::string role = role_arn_.empty() ? env_.get("AWS_ROLE_ARN").value_or("") : role_arn_;
  if (file.empty() && role.empty())
    return fail(ErrorCode::kNotFound, "web_identity: AWS_WEB_IDENTITY_TOKEN_FILE not set");
  if (file.empty() || role.empty()) {
    return fail(ErrorCode::kInvalidArgument,
                "web_identity: AWS_WEB_IDENTITY_TOKEN_FILE and AWS_ROLE_ARN must be set together");
  }
  std::string session =
      session_name_.empty() ? env_.get("AWS_ROLE_SESSION_NAME").value_or("") : session_name_;
  if (session.empty()) session = "kubepriv-web-identity";
  // Re-read on every refresh: the kubelet rotates the projected token.
  auto token = env_.read_file(file, 64 * 1024);
  if (!token) {
    return fail(ErrorCode::kAuth, "web_identity: cannot read token file: " + token.error().message);
  }
  const std::string t = trim(*token);
  if (t.empty()) return fail(ErrorCode::kAuth, "web_identity: token file " + file + " is empty");
  return sts_.assume_role_with_web_identity(role, session, t, 3600);
}

}  // namespace kubepriv::aws
