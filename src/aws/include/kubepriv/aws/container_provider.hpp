#pragma once
/// @file
/// The container credentials provider (ECS task roles, EKS Pod Identity).

#include <string>  // std::string

#include "kubepriv/aws/credentials.hpp"
#include "kubepriv/aws/environment.hpp"
#include "kubepriv/common/http.hpp"
#include "kubepriv/common/result.hpp"

namespace kubepriv::aws {

/// Container credentials: AWS_CONTAINER_CREDENTIALS_RELATIVE_URI (http://169.254.170.2<uri>) or
/// AWS_CONTAINER_CREDENTIALS_FULL_URI (https any host; http only loopback, 169.254.170.2,
/// 169.254.170.23, fd00:ec2::23) with Authorization from AWS_CONTAINER_AUTHORIZATION_TOKEN or
/// the file AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE (re-read each time; EKS Pod Identity).
class ContainerProvider final : public CredentialsProvider {
 public:
  ContainerProvider(const Environment& env, common::HttpTransport& http);
  common::Result<Credentials> get(bool force_refresh = false) override;
  std::string name() const override { return "container"; }
  /// Whether the environment configures this provider at all.
  bool configured() const;

 private:
  const Environment& env_;
  common::HttpTransport& http_;
};

}  // namespace kubepriv::aws
