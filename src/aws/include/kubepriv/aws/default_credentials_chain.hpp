#pragma once
/// @file
/// The standard credential chain (cloudwatch.md §9): explicit keys, environment, web identity,
/// shared profile, container, IMDS; cached, with an optional AssumeRole on top.

#include <memory>    // std::unique_ptr, std::shared_ptr
#include <optional>  // std::optional
#include <string>    // std::string

#include "kubepriv/aws/assume_role_provider.hpp"
#include "kubepriv/aws/credentials.hpp"
#include "kubepriv/aws/environment.hpp"
#include "kubepriv/common/clock.hpp"
#include "kubepriv/common/http.hpp"
#include "kubepriv/common/result.hpp"

namespace kubepriv::aws {

class CachingProvider;
class StsClient;

/// Options of the default chain.
struct ChainOptions {
  std::optional<Credentials> explicit_credentials;  ///< step 1 when set
  std::string profile;                              ///< overrides AWS_PROFILE when not empty
  std::string region;                               ///< region for STS (regional endpoint)
  std::string sts_endpoint;  ///< custom STS URL (VPC endpoint / tests); empty = regional
  /// Optional AssumeRole on top of the chain result (role_arn empty = none).
  AssumeRoleProvider::Params assume_role;
};

/// Owns everything the default chain needs (STS client included) and answers with caching.
class DefaultCredentialsChain final : public CredentialsProvider {
 public:
  /// `env`, `http`, `clock` must outlive the chain.
  DefaultCredentialsChain(ChainOptions options, const Environment& env, common::HttpTransport& http,
                          const common::Clock& clock);
  ~DefaultCredentialsChain() override;
  common::Result<Credentials> get(bool force_refresh = false) override;
  std::string name() const override { return "default_chain"; }

 private:
  std::unique_ptr<StsClient> sts_;
  std::shared_ptr<CachingProvider> top_;
};

}  // namespace kubepriv::aws
