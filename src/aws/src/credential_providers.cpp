#include "kubepriv/aws/credential_providers.hpp"

#include <spdlog/spdlog.h>

#include <functional>  // std::function
#include <nlohmann/json.hpp>
#include <set>  // std::set

#include "kubepriv/aws/ini.hpp"
#include "kubepriv/aws/sigv4.hpp"
#include "kubepriv/aws/sts.hpp"
#include "trim.hpp"

namespace kubepriv::aws {

using common::ErrorCode;
using common::fail;
using common::Result;
using detail::trim;

// ---- static / environment ----

// ---- web identity ----

// ---- container ----

// ---- IMDSv2 ----

// ---- assume role ----

// ---- profiles ----

// ---- chain and caching ----

ChainProvider::ChainProvider(std::vector<std::shared_ptr<CredentialsProvider>> providers)
    : providers_(std::move(providers)) {}

Result<Credentials> ChainProvider::get(bool force_refresh) {
  if (winner_) {
    auto again = winner_->get(force_refresh);
    if (again || again.error().code != ErrorCode::kNotFound) return again;
    winner_.reset();  // the environment changed; walk the chain again
  }
  std::string tried;
  for (const auto& p : providers_) {
    auto c = p->get(force_refresh);
    if (c) {
      winner_ = p;
      return c;
    }
    if (c.error().code != ErrorCode::kNotFound) return c;
    if (!tried.empty()) tried += "; ";
    tried += c.error().message;
  }
  return fail(ErrorCode::kAuth, "no AWS credentials found (" + tried + ")");
}

CachingProvider::CachingProvider(std::shared_ptr<CredentialsProvider> inner,
                                 const common::Clock& clock, std::chrono::seconds advisory,
                                 std::chrono::seconds mandatory)
    : inner_(std::move(inner)), clock_(clock), advisory_(advisory), mandatory_(mandatory) {}

Result<Credentials> CachingProvider::get(bool force_refresh) {
  std::lock_guard<std::mutex> lock(mu_);
  const auto now = clock_.now();
  if (cached_ && !force_refresh) {
    if (!cached_->expiration || *cached_->expiration - now > advisory_) return *cached_;
    if (*cached_->expiration - now > mandatory_) {
      ++fetches_;
      auto fresh = inner_->get(false);
      if (fresh) {
        cached_ = *fresh;
        return *cached_;
      }
      spdlog::warn(
          "credential refresh failed, keeping current credentials until the mandatory window: " +
          redact_text(fresh.error().message));
      return *cached_;
    }
  }
  ++fetches_;
  auto fresh = inner_->get(force_refresh);
  if (!fresh) return fresh;
  if (fresh->expiration && *fresh->expiration - now <= mandatory_) {
    spdlog::warn("credentials from " + fresh->provider + " expire within the refresh window");
  }
  cached_ = *fresh;
  return *cached_;
}

DefaultCredentialsChain::DefaultCredentialsChain(ChainOptions options, const Environment& env,
                                                 common::HttpTransport& http,
                                                 const common::Clock& clock) {
  StsConfig sc;
  sc.region = options.region.empty() ? region_from_env(env) : options.region;
  if (sc.region.empty()) sc.region = "us-east-1";
  sc.endpoint_url = options.sts_endpoint;
  sts_ = std::make_unique<StsClient>(sc, env, http, clock);
  std::vector<std::shared_ptr<CredentialsProvider>> chain;
  if (options.explicit_credentials)
    chain.push_back(std::make_shared<StaticProvider>(*options.explicit_credentials));
  chain.push_back(std::make_shared<EnvironmentProvider>(env));
  chain.push_back(std::make_shared<WebIdentityProvider>(env, *sts_));
  chain.push_back(std::make_shared<ProfileProvider>(env, http, *sts_, options.profile));
  chain.push_back(std::make_shared<ContainerProvider>(env, http));
  chain.push_back(std::make_shared<ImdsProvider>(env, http));
  auto base =
      std::make_shared<CachingProvider>(std::make_shared<ChainProvider>(std::move(chain)), clock);
  if (options.assume_role.role_arn.empty()) {
    top_ = base;
  } else {
    auto assume = std::make_shared<AssumeRoleProvider>(base, *sts_, options.assume_role);
    top_ = std::make_shared<CachingProvider>(assume, clock);
  }
}

DefaultCredentialsChain::~DefaultCredentialsChain() = default;

Result<Credentials> DefaultCredentialsChain::get(bool force_refresh) {
  return top_->get(force_refresh);
}

}  // namespace kubepriv::aws
