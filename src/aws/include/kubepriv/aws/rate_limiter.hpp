#pragma once
/// @file
/// Client-side token bucket (default 2 calls/s for FilterLogEvents, per account + region), shared
/// by every client that uses the same key in this process.

#include <chrono>  // std::chrono
#include <memory>  // std::shared_ptr
#include <mutex>   // std::mutex
#include <string>  // std::string

#include "kubepriv/common/clock.hpp"

namespace kubepriv::aws {

/// A token bucket: `rate` tokens per second, at most `burst` stored; starts full.
class TokenBucket {
 public:
  TokenBucket(double rate_per_second, double burst, const common::Clock& clock);
  /// Takes one token, sleeping (through `sleeper`) until one is available. False when the
  /// sleeper was stopped.
  bool acquire(common::Sleeper& sleeper);
  /// Takes one token if available now.
  bool try_acquire();
  /// Time until a token is available (0 when one is).
  std::chrono::milliseconds wait_time();
  /// Halves the rate down to `min_rate` (after a throttle) and restores it slowly on success.
  void on_throttle();
  void on_success();
  double rate() const;

 private:
  void refill_locked();
  const common::Clock& clock_;
  double configured_rate_, rate_, burst_, tokens_;
  common::SteadyTime last_;
  mutable std::mutex mu_;
};

/// The process-wide bucket for `key` (e.g. "<account or access key>/<region>"), created with the
/// given rate on first use.
std::shared_ptr<TokenBucket> shared_token_bucket(const std::string& key, double rate_per_second,
                                                 const common::Clock& clock);

}  // namespace kubepriv::aws
