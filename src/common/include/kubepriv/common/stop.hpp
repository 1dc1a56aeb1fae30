#pragma once
/// @file
/// A stop request shared by everything long-running (SIGTERM/SIGINT set it): sleeps end early,
/// loops finish the page in hand and return. Header-only.

#include <atomic>  // std::atomic

namespace kubepriv::common {

/// A one-way flag: once stop is requested it stays requested. request_stop() is
/// async-signal-safe (a lock-free atomic store), so a signal handler may call it.
class StopToken {
 public:
  static_assert(std::atomic<bool>::is_always_lock_free);
  void request_stop() noexcept { flag_.store(true, std::memory_order_relaxed); }
  [[nodiscard]] bool stop_requested() const noexcept {
    return flag_.load(std::memory_order_relaxed);
  }

 private:
  std::atomic<bool> flag_{false};
};

}  // namespace kubepriv::common
