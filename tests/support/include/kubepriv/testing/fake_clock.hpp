#pragma once
/// @file
/// Test doubles for common::Clock and common::Sleeper: time moves only when told to.

#include <chrono>      // std::chrono
#include <functional>  // std::function
#include <mutex>       // std::mutex
#include <vector>      // std::vector

#include "kubepriv/common/clock.hpp"
#include "kubepriv/common/stop.hpp"

namespace kubepriv::common {

/// A settable clock for tests: both clocks move only when told to.
class FakeClock final : public Clock {
 public:
  explicit FakeClock(SystemTime start = SystemTime(std::chrono::seconds(1'700'000'000)))
      : wall_(start) {}
  SystemTime now() const override {
    std::lock_guard<std::mutex> lock(mu_);
    return wall_;
  }
  SteadyTime monotonic() const override {
    std::lock_guard<std::mutex> lock(mu_);
    return steady_;
  }
  /// Moves both clocks forward.
  void advance(std::chrono::nanoseconds d) {
    std::lock_guard<std::mutex> lock(mu_);
    wall_ += std::chrono::duration_cast<SystemTime::duration>(d);
    steady_ += std::chrono::duration_cast<SteadyTime::duration>(d);
  }
  /// Sets the wall clock only (simulates an NTP step; the monotonic clock is unaffected).
  void set_wall(SystemTime t) {
    std::lock_guard<std::mutex> lock(mu_);
    wall_ = t;
  }

 private:
  mutable std::mutex mu_;
  SystemTime wall_;
  SteadyTime steady_{};
};

/// A test sleeper: records each requested sleep and advances a FakeClock (if given) instead.
class FakeSleeper final : public Sleeper {
 public:
  explicit FakeSleeper(FakeClock* clock = nullptr, const StopToken* token = nullptr)
      : clock_(clock), token_(token) {}
  bool sleep_for(std::chrono::milliseconds d) override {
    sleeps.push_back(d);
    if (on_sleep) on_sleep(d);
    if (stopped()) return false;
    if (clock_ != nullptr) clock_->advance(d);
    return true;
  }
  std::vector<std::chrono::milliseconds> sleeps;  ///< every requested duration, in order
  bool stop = false;                              ///< when true, sleeps report "stopped"
  /// Called at the start of every sleep (a test may request a stop there, as SIGTERM would).
  std::function<void(std::chrono::milliseconds)> on_sleep;

 private:
  bool stopped() const { return stop || (token_ != nullptr && token_->stop_requested()); }
  FakeClock* clock_;
  const StopToken* token_;
};

}  // namespace kubepriv::common
