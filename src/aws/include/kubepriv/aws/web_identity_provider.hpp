#pragma once
/// @file
/// The web identity provider (IRSA): a projected service-account token exchanged at STS.

#include <string>  // std::string

#include "kubepriv/aws/credentials.hpp"
#include "kubepriv/aws/environment.hpp"
#include "kubepriv/common/result.hpp"

namespace kubepriv::aws {

class StsClient;

/// IRSA: AWS_WEB_IDENTITY_TOKEN_FILE + AWS_ROLE_ARN (+ AWS_ROLE_SESSION_NAME) →
/// STS AssumeRoleWithWebIdentity. The token file is re-read on every call.
class WebIdentityProvider final : public CredentialsProvider {
 public:
  /// Values explicitly given (from a profile); empty strings fall back to the environment.
  WebIdentityProvider(const Environment& env, StsClient& sts, std::string token_file = {},
                      std::string role_arn = {}, std::string session_name = {});
  common::Result<Credentials> get(bool force_refresh = false) override;
  std::string name() const override { return "web_identity"; }

 private:
  const Environment& env_;
  StsClient& sts_;
  std::string token_file_, role_arn_, session_name_;
};

}  // namespace kubepriv::aws
