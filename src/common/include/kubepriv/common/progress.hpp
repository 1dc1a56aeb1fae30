#pragma once
/// @file
/// A one-line progress display on a terminal (stderr), shared by `kubepriv scan` and
/// `eks_audit_logs pull`: redrawn in place at most every `min_interval`, cut to the terminal's
/// width so it never wraps, and erased before any other output (logs, the final summary).
/// Disabled, it writes nothing at all, so pipes and CI logs never see it.

#include <chrono>       // std::chrono
#include <cstdint>      // std::uint64_t
#include <string>       // std::string
#include <string_view>  // std::string_view

namespace kubepriv::common {

/// When a progress line is wanted: `forced` (a --progress option) or `fd` is a terminal whose
/// TERM is not "dumb"; never when `suppressed` (a --quiet option).
bool progress_wanted(int fd, bool forced, bool suppressed);

/// Erases the progress line currently drawn (the most recent enabled ProgressLine), if any.
/// Every writer of stderr lines calls it first, so a log line never lands after progress text.
void erase_progress_line();

/// The progress line itself. Enabled, it becomes the line erase_progress_line() erases.
/// Single-threaded use (draw and log from one thread).
class ProgressLine {
 public:
  using Clock = std::chrono::steady_clock;

  ProgressLine(int fd, bool enabled,
               std::chrono::milliseconds min_interval = std::chrono::milliseconds(250));
  ~ProgressLine();  ///< erases the line
  ProgressLine(const ProgressLine&) = delete;
  ProgressLine& operator=(const ProgressLine&) = delete;

  [[nodiscard]] bool enabled() const noexcept { return enabled_; }
  /// True when enabled and at least min_interval has passed since the last draw (or none yet).
  [[nodiscard]] bool due(Clock::time_point now = Clock::now()) const noexcept;
  /// Draws `text` in place of the current line (cut to the terminal width).
  void show(std::string_view text, Clock::time_point now = Clock::now());
  /// Erases the line if one is drawn; call before writing anything else to the same stream.
  void clear();

 private:
  int fd_;
  bool enabled_;
  std::chrono::milliseconds min_interval_;
  bool drawn_ = false;
  bool ever_ = false;
  Clock::time_point last_{};
};

/// Human sizes for progress lines: "512 B", "3.4 KiB", "1.2 GiB".
std::string format_bytes(std::uint64_t bytes);
/// Counts and rates: "950", "12.3k", "4.56M".
std::string format_count(double value);
/// Durations: "0:05", "12:34", "1:02:03".
std::string format_duration(std::chrono::seconds duration);

}  // namespace kubepriv::common
