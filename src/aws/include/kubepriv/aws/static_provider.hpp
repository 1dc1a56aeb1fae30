#pragma once
/// @file
/// The provider of fixed keys.

#include <string>  // std::string

#include "kubepriv/aws/credentials.hpp"
#include "kubepriv/common/result.hpp"

namespace kubepriv::aws {

/// Fixed keys (explicit configuration, e.g. from Splunk's credential store).
class StaticProvider final : public CredentialsProvider {
 public:
  explicit StaticProvider(Credentials credentials);
  common::Result<Credentials> get(bool force_refresh = false) override;
  std::string name() const override { return "explicit"; }

 private:
  Credentials credentials_;
};

}  // namespace kubepriv::aws
