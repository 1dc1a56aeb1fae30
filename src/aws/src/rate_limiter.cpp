#include "kubepriv/aws/rate_limiter.hpp"

#include <algorithm>  // std::min
#include <cmath>      // std::ceil
#include <map>        // std::map

namespace kubepriv::aws {

namespace {
constexpr double kMinRate = 0.5;  // the SDK adaptive mode's floor
}

TokenBucket::TokenBucket(double rate_per_second, double burst, const common::Clock& clock)
    : clock_(clock),
      configured_rate_(rate_per_second > 0 ? rate_per_second : 1.0),
      rate_(configured_rate_),
      burst_(burst >= 1 ? burst : 1.0),
      tokens_(burst_),
      last_(clock.monotonic()) {}

void TokenBucket::refill_locked() {
  const auto now = clock_.monotonic();
  const double secs = std::chrono::duration<double>(now - last_).count();
  if (secs > 0) {
    tokens_ = std::min(burst_, tokens_ + secs * rate_);
    last_ = now;
  }
}

bool TokenBucket::try_acquire() {
  std::lock_guard<std::mutex> lock(mu_);
  refill_locked();
  if (tokens_ >= 1.0) {
    tokens_ -= 1.0;
    return true;
  }
  return false;
}

std::chrono::milliseconds TokenBucket::wait_time() {
  std::lock_guard<std::mutex> lock(mu_);
  refill_locked();
  if (tokens_ >= 1.0) return std::chrono::milliseconds(0);
  return std::chrono::milliseconds(
      static_cast<long long>(std::ceil((1.0 - tokens_) / rate_ * 1000.0)));
}

bool TokenBucket::acquire(common::Sleeper& sleeper) {
  for (;;) {
    if (try_acquire()) return true;
    const auto wait = wait_time();
    if (wait.count() > 0 && !sleeper.sleep_for(wait)) return false;
  }
}

void TokenBucket::on_throttle() {
  std::lock_guard<std::mutex> lock(mu_);
  refill_locked();
  rate_ = std::max(std::min(kMinRate, configured_rate_), rate_ / 2);
}

void TokenBucket::on_success() {
  std::lock_guard<std::mutex> lock(mu_);
  refill_locked();
  // Additive recovery: back to the configured rate after a few dozen successes.
  rate_ = std::min(configured_rate_, rate_ + configured_rate_ / 20);
}

double TokenBucket::rate() const {
  std::lock_guard<std::mutex> lock(mu_);
  return rate_;
}

std::shared_ptr<TokenBucket> shared_token_bucket(const std::string& key, double rate_per_second,
                                                 const common::Clock& clock) {
  static std::mutex mu;
  static std::map<std::string, std::weak_ptr<TokenBucket>> buckets;
  std::lock_guard<std::mutex> lock(mu);
  auto& slot = buckets[key];
  if (auto existing = slot.lock()) return existing;
  // Burst 1: never more than `rate` calls in any second, even after idling.
  auto bucket = std::make_shared<TokenBucket>(rate_per_second, 1.0, clock);
  slot = bucket;
  return bucket;
}

}  // namespace kubepriv::aws
