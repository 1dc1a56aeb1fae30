#pragma once
/// @file
/// Time and sleeping behind interfaces, so signing, retry backoff, rate limiting and windowing are
/// testable without waiting (style.md §5.2). Header-only. The fakes live in the test-support
/// library (tests/support: kubepriv/testing/fake_clock.hpp).

#include <algorithm>  // std::min
#include <atomic>     // std::atomic
#include <chrono>     // std::chrono
#include <cstdint>    // std::int64_t, INT64_MAX
#include <thread>     // std::this_thread

#include "kubepriv/common/stop.hpp"

namespace kubepriv::common {

using SystemTime = std::chrono::system_clock::time_point;
using SteadyTime = std::chrono::steady_clock::time_point;

/// A source of wall-clock and monotonic time.
class Clock {
 public:
  virtual ~Clock() = default;
  /// Wall-clock time (used for SigV4 dates, windows, credential expiry).
  virtual SystemTime now() const = 0;
  /// Monotonic time (used for rate limiting and budgets; never jumps).
  virtual SteadyTime monotonic() const = 0;
};

/// Milliseconds since the Unix epoch of a wall-clock time.
inline std::int64_t to_epoch_ms(SystemTime t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

/// Wall-clock time of an epoch-milliseconds value, clamped to what the clock can represent
/// (system_clock counts nanoseconds in int64: about ±292 years around 1970).
inline SystemTime from_epoch_ms(std::int64_t ms) {
  constexpr std::int64_t kLimit = INT64_MAX / 1'000'000 - 1;
  if (ms > kLimit) ms = kLimit;
  if (ms < -kLimit) ms = -kLimit;
  return SystemTime(
      std::chrono::duration_cast<SystemTime::duration>(std::chrono::milliseconds(ms)));
}

/// The real clocks.
class SystemClock final : public Clock {
 public:
  SystemTime now() const override { return std::chrono::system_clock::now(); }
  SteadyTime monotonic() const override { return std::chrono::steady_clock::now(); }
};

/// Waits for a while. Implementations may end early when asked to stop (SIGTERM).
class Sleeper {
 public:
  virtual ~Sleeper() = default;
  /// Sleeps for `d`; returns false when the sleep was cut short by a stop request.
  virtual bool sleep_for(std::chrono::milliseconds d) = 0;
};

/// Real sleeping in short slices, ending early once `*stop` is requested (may be null).
class RealSleeper final : public Sleeper {
 public:
  explicit RealSleeper(const StopToken* stop = nullptr) : stop_(stop) {}
  bool sleep_for(std::chrono::milliseconds d) override {
    const auto deadline = std::chrono::steady_clock::now() + d;
    for (;;) {
      if (stop_ != nullptr && stop_->stop_requested()) return false;
      const auto now = std::chrono::steady_clock::now();
      if (now >= deadline) return true;
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now);
      std::this_thread::sleep_for(std::min(left, std::chrono::milliseconds(50)));
    }
  }

 private:
  const StopToken* stop_;
};

}  // namespace kubepriv::common
