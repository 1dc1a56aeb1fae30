#pragma once
/// @file
/// The STS AssumeRole provider: a role assumed with credentials from another provider.

#include <memory>  // std::shared_ptr
#include <string>  // std::string

#include "kubepriv/aws/credentials.hpp"
#include "kubepriv/common/result.hpp"

namespace kubepriv::aws {

class StsClient;

/// STS AssumeRole (+ExternalId) using credentials from a source provider.
class AssumeRoleProvider final : public CredentialsProvider {
 public:
  /// Parameters of AssumeRole.
  struct Params {
    std::string role_arn;
    std::string session_name = "kubepriv";
    std::string external_id;  ///< empty: not sent
    int duration_seconds = 3600;
  };
  AssumeRoleProvider(std::shared_ptr<CredentialsProvider> source, StsClient& sts, Params params);
  common::Result<Credentials> get(bool force_refresh = false) override;
  std::string name() const override { return "assume_role:" + params_.role_arn; }

 private:
  std::shared_ptr<CredentialsProvider> source_;
  StsClient& sts_;
  Params params_;
};

}  // namespace kubepriv::aws
