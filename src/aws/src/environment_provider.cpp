#include "kubepriv/aws/environment_provider.hpp"

#include "kubepriv/aws/sigv4.hpp"

namespace kubepriv::aws {

using common::ErrorCode;
using common::fail;
using common::Result;

Result<Credentials> EnvironmentProvider::get(bool) {
  const auto id = env_.get("AWS_ACCESS_KEY_ID");
  const auto secret = env_.get("AWS_SECRET_ACCESS_KEY");
  if (!id && !secret) return fail(ErrorCode::kNotFound, "environment: AWS_ACCESS_KEY_ID not set");
  if (!id || !secret) {
    return fail(ErrorCode::kInvalidArgument,
                "environment: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY must be set together");
  }
  Credentials c;
  c.access_key_id = *id;
  c.secret_access_key = *secret;
  if (auto t = env_.get("AWS_SESSION_TOKEN"))
    c.session_token = *t;
  else if (auto t2 = env_.get("AWS_SECURITY_TOKEN"))
    c.session_token = *t2;
  if (auto e = env_.get("AWS_CREDENTIAL_EXPIRATION")) {
    auto t = parse_timestamp(*e);
    if (!t)
      return fail(ErrorCode::kInvalidArgument,
                  "environment: AWS_CREDENTIAL_EXPIRATION: " + t.error().message);
    c.expiration = *t;
  }
  c.provider = "environment";
  return c;
}

}  // namespace kubepriv::aws
