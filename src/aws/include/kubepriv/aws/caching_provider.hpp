#pragma once
/// @file
/// The provider that caches another's credentials and refreshes them before they expire.

#include <chrono>    // std::chrono
#include <memory>    // std::shared_ptr
#include <mutex>     // std::mutex
#include <optional>  // std::optional
#include <string>    // std::string

#include "kubepriv/aws/credentials.hpp"
#include "kubepriv/common/clock.hpp"
#include "kubepriv/common/result.hpp"

namespace kubepriv::aws {

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

}  // namespace kubepriv::aws
