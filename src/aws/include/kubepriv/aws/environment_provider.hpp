#pragma once
/// @file
/// The provider that reads keys from environment variables.

#include <string>  // std::string

#include "kubepriv/aws/credentials.hpp"
#include "kubepriv/aws/environment.hpp"
#include "kubepriv/common/result.hpp"

namespace kubepriv::aws {

/// AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN (legacy AWS_SECURITY_TOKEN),
/// AWS_CREDENTIAL_EXPIRATION. Only one of the two keys set is a configuration error.
class EnvironmentProvider final : public CredentialsProvider {
 public:
  explicit EnvironmentProvider(const Environment& env) : env_(env) {}
  common::Result<Credentials> get(bool force_refresh = false) override;
  std::string name() const override { return "environment"; }

 private:
  const Environment& env_;
};

}  // namespace kubepriv::aws
