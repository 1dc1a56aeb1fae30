#pragma once
/// @file
/// STS (awsQuery protocol: form POST, XML answers parsed with expat; DOCTYPE/entity
/// declarations are refused): AssumeRole (signed, service "sts") and
/// AssumeRoleWithWebIdentity (unsigned).

#include <string>       // std::string
#include <string_view>  // std::string_view

#include "kubepriv/aws/credentials.hpp"
#include "kubepriv/aws/endpoints.hpp"
#include "kubepriv/aws/redact.hpp"
#include "kubepriv/common/clock.hpp"
#include "kubepriv/common/http.hpp"
#include "kubepriv/common/result.hpp"

namespace kubepriv::aws {

/// Where and how to reach STS.
struct StsConfig {
  std::string region = "us-east-1";  ///< signing region (regional endpoint)
  std::string endpoint_url;          ///< custom URL; empty = resolve (env, then regional host)
  std::chrono::milliseconds timeout{std::chrono::seconds(10)};
};

/// A minimal STS client.
class StsClient {
 public:
  /// `env` is used for endpoint resolution only; all references must outlive the client.
  StsClient(StsConfig config, const Environment& env, common::HttpTransport& http,
            const common::Clock& clock);
  /// AssumeRole with `source` credentials. Errors carry the STS code (AccessDenied → kAuth).
  common::Result<Credentials> assume_role(const Credentials& source, const std::string& role_arn,
                                          const std::string& session_name,
                                          const std::string& external_id, int duration_seconds);
  /// AssumeRoleWithWebIdentity (unsigned: the token is the credential).
  common::Result<Credentials> assume_role_with_web_identity(const std::string& role_arn,
                                                            const std::string& session_name,
                                                            const std::string& web_identity_token,
                                                            int duration_seconds = 3600);

 private:
  common::Result<Credentials> call(std::string action, std::string body, const Credentials* signer);
  StsConfig config_;
  const Environment& env_;
  common::HttpTransport& http_;
  const common::Clock& clock_;
};

/// Parses an STS success document (<AssumeRoleResponse>/<AssumeRoleWithWebIdentityResponse> …
/// <Credentials>) or error document (<ErrorResponse><Error><Code>/<Message>). kParse for
/// non-XML, truncated XML, DOCTYPE/entities; kAuth/kThrottled/... for STS errors (by code).
common::Result<Credentials> parse_sts_response(std::string_view body, int http_status);

/// application/x-www-form-urlencoded encoding of one value (RFC 3986 unreserved kept).
std::string form_encode(std::string_view value);

}  // namespace kubepriv::aws
