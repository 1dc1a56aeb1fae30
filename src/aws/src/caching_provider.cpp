#include "kubepriv/aws/caching_provider.hpp"

#include <spdlog/spdlog.h>

#include "kubepriv/aws/redact.hpp"

namespace kubepriv::aws {

using common::Result;

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

}  // namespace kubepriv::aws
