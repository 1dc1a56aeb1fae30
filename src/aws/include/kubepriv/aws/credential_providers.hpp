#pragma once
/// @file
/// The providers of the standard credential chain (cloudwatch.md §9) and caching with refresh
/// before expiry. Every message built here uses redact_secret().

#include <chrono>       // std::chrono
#include <memory>       // std::unique_ptr, std::shared_ptr
#include <mutex>        // std::mutex
#include <optional>     // std::optional
#include <string>       // std::string
#include <string_view>  // std::string_view
#include <vector>       // std::vector

#include "kubepriv/aws/assume_role_provider.hpp"
#include "kubepriv/aws/container_provider.hpp"
#include "kubepriv/aws/credentials.hpp"
#include "kubepriv/aws/credentials_json.hpp"
#include "kubepriv/aws/environment.hpp"
#include "kubepriv/aws/environment_provider.hpp"
#include "kubepriv/aws/imds_provider.hpp"
#include "kubepriv/aws/profile_provider.hpp"
#include "kubepriv/aws/static_provider.hpp"
#include "kubepriv/aws/web_identity_provider.hpp"
#include "kubepriv/common/clock.hpp"
#include "kubepriv/common/http.hpp"
#include "kubepriv/common/result.hpp"

namespace kubepriv::aws {

/// Tries providers in order; the first one configured answers (kNotFound moves on).
class ChainProvider final : public CredentialsProvider {
 public:
  explicit ChainProvider(std::vector<std::shared_ptr<CredentialsProvider>> providers);
  common::Result<Credentials> get(bool force_refresh = false) override;
  std::string name() const override { return "chain"; }

 private:
  std::vector<std::shared_ptr<CredentialsProvider>> providers_;
  std::shared_ptr<CredentialsProvider> winner_;  ///< the provider that answered last time
};

/// Caches credentials and refreshes them: when < `advisory` remains, refresh but keep the old
/// ones if the refresh fails; when < `mandatory` remains (or expired), refresh or fail.
class CachingProvider final : public CredentialsProvider {
 public:
  CachingProvider(std::shared_ptr<CredentialsProvider> inner, const common::Clock& clock,
                  std::chrono::seconds advisory = std::chrono::minutes(15),
                  std::chrono::seconds mandatory = std::chrono::minutes(10));
  common::Result<Credentials> get(bool force_refresh = false) override;
  std::string name() const override { return inner_->name(); }
  /// Number of calls made to the inner provider (for tests).
  int fetches() const { return fetches_; }

 private:
  std::shared_ptr<CredentialsProvider> inner_;
  const common::Clock& clock_;
  std::chrono::seconds advisory_, mandatory_;
  std::optional<Credentials> cached_;
  int fetches_ = 0;
  std::mutex mu_;
};

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
