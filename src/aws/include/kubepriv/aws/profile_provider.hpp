#pragma once
/// @file
/// The shared config/credentials file provider (profiles, role chains).

#include <string>  // std::string

#include "kubepriv/aws/credentials.hpp"
#include "kubepriv/aws/environment.hpp"
#include "kubepriv/common/http.hpp"
#include "kubepriv/common/result.hpp"

namespace kubepriv::aws {

class StsClient;

/// Shared config/credentials files with profiles: AWS_PROFILE (default "default"),
/// AWS_SHARED_CREDENTIALS_FILE (~/.aws/credentials), AWS_CONFIG_FILE (~/.aws/config, sections
/// "[profile x]", "[default]"). Supports static keys, `role_arn` + `source_profile` chains
/// (cycle-checked, at most 10 steps below the profile asked for, both refused before any STS
/// call), `credential_source` = Environment | Ec2InstanceMetadata | EcsContainer,
/// `web_identity_token_file`, `external_id`, `role_session_name`, `duration_seconds`.
/// `credential_process` and SSO profiles are refused with an error (never skipped).
/// kNotFound when the profile exists in neither file (unless AWS_PROFILE names it: then an error).
class ProfileProvider final : public CredentialsProvider {
 public:
  ProfileProvider(const Environment& env, common::HttpTransport& http, StsClient& sts,
                  std::string profile = {});
  common::Result<Credentials> get(bool force_refresh = false) override;
  std::string name() const override;

 private:
  const Environment& env_;
  common::HttpTransport& http_;
  StsClient& sts_;
  std::string profile_;
};

}  // namespace kubepriv::aws
