#pragma once
/// @file
/// The provider that asks a list of providers in order.

#include <memory>  // std::shared_ptr
#include <string>  // std::string
#include <vector>  // std::vector

#include "kubepriv/aws/credentials.hpp"
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

}  // namespace kubepriv::aws
