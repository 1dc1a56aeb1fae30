#include "kubepriv/aws/default_credentials_chain.hpp"

#include <vector>  // std::vector

#include "kubepriv/aws/caching_provider.hpp"
#include "kubepriv/aws/chain_provider.hpp"
#include "kubepriv/aws/container_provider.hpp"
#include "kubepriv/aws/environment_provider.hpp"
#include "kubepriv/aws/imds_provider.hpp"
#include "kubepriv/aws/profile_provider.hpp"
#include "kubepriv/aws/static_provider.hpp"
#include "kubepriv/aws/sts.hpp"
#include "kubepriv/aws/web_identity_provider.hpp"

namespace kubepriv::aws {

using common::Result;

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
