#pragma once
/// @file
/// The EC2 instance metadata provider (IMDSv2 only).

#include <string>  // std::string

#include "kubepriv/aws/credentials.hpp"
#include "kubepriv/aws/environment.hpp"
#include "kubepriv/common/http.hpp"
#include "kubepriv/common/result.hpp"

namespace kubepriv::aws {

/// EC2 instance metadata v2: PUT /latest/api/token (TTL 21600) then GET the role name and the
/// role's credentials. AWS_EC2_METADATA_SERVICE_ENDPOINT overrides the base URL,
/// AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE=IPv6 selects [fd00:ec2::254],
/// AWS_EC2_METADATA_DISABLED=true disables. Short timeouts (1 s), 2 attempts. No IMDSv1.
class ImdsProvider final : public CredentialsProvider {
 public:
  ImdsProvider(const Environment& env, common::HttpTransport& http);
  common::Result<Credentials> get(bool force_refresh = false) override;
  std::string name() const override { return "imds"; }

 private:
  const Environment& env_;
  common::HttpTransport& http_;
};

}  // namespace kubepriv::aws
