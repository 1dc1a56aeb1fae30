#include "kubepriv/common/progress.hpp"

#include <sys/ioctl.h>  // ioctl, TIOCGWINSZ
#include <unistd.h>     // isatty, write

#include <atomic>   // std::atomic
#include <cerrno>   // errno, EINTR
#include <cmath>    // std::llround
#include <cstdio>   // std::snprintf
#include <cstdlib>  // std::getenv
#include <cstring>  // std::strcmp

namespace kubepriv::common {

namespace {

std::atomic<ProgressLine*> g_active{nullptr};

void write_all(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t n = ::write(fd, bytes.data(), bytes.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return;  // a progress line is not worth an error
    }
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
}

std::size_t terminal_width(int fd) {
  struct winsize ws {};
  if (::ioctl(fd, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 1) return ws.ws_col;
  return 0;  // unknown: do not cut
}

}  // namespace

bool progress_wanted(int fd, bool forced, bool suppressed) {
  if (suppressed) return false;
  if (forced) return true;
  if (::isatty(fd) != 1) return false;
  const char* term = std::getenv("TERM");
  return term == nullptr || std::strcmp(term, "dumb") != 0;
}

void erase_progress_line() {
  if (ProgressLine* line = g_active.load(); line != nullptr) line->clear();
}

ProgressLine::ProgressLine(int fd, bool enabled, std::chrono::milliseconds min_interval)
    : fd_(fd), enabled_(enabled), min_interval_(min_interval) {
  if (enabled_) g_active.store(this);
}

ProgressLine::~ProgressLine() {
  clear();
  ProgressLine* self = this;
  g_active.compare_exchange_strong(self, nullptr);
}

bool ProgressLine::due(Clock::time_point now) const noexcept {
  return enabled_ && (!ever_ || now - last_ >= min_interval_);
}

void ProgressLine::show(std::string_view text, Clock::time_point now) {
  if (!enabled_) return;
  // One column is left free: a line that fills the last column makes some terminals wrap.
  if (const std::size_t width = terminal_width(fd_); width != 0 && text.size() >= width) {
    text = text.substr(0, width - 1);
  }
  std::string line = "\r";
  line.append(text);
  line.append("\x1b[K");  // erase what a longer previous line left
  write_all(fd_, line);
  drawn_ = true;
  ever_ = true;
  last_ = now;
}

void ProgressLine::clear() {
  if (!drawn_) return;
  write_all(fd_, "\r\x1b[K");
  drawn_ = false;
}

std::string format_bytes(std::uint64_t bytes) {
  static constexpr const char* kUnits[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  if (bytes < 1024) return std::to_string(bytes) + " B";
  auto value = static_cast<double>(bytes);
  std::size_t unit = 0;
  while (value >= 1024.0 && unit + 1 < std::size(kUnits)) {
    value /= 1024.0;
    ++unit;
  }
  char buf[32];
  std::snprintf(buf, sizeof buf,
                value < 10.0    ? "%.2f %s"
                : value < 100.0 ? "%.1f %s"
                                : "%.0f %s",
                value, kUnits[unit]);
  return buf;
}

std::string format_count(double value) {
  if (!(value >= 0.0)) value = 0.0;  // also NaN
  char buf[32];
  if (value < 1000.0) {
    std::snprintf(buf, sizeof buf, "%lld", static_cast<long long>(std::llround(value)));
  } else if (value < 1e6) {
    std::snprintf(buf, sizeof buf, "%.*fk", value < 1e4 ? 2 : value < 1e5 ? 1 : 0, value / 1e3);
  } else if (value < 1e9) {
    std::snprintf(buf, sizeof buf, "%.*fM", value < 1e7 ? 2 : value < 1e8 ? 1 : 0, value / 1e6);
  } else {
    std::snprintf(buf, sizeof buf, "%.2fG", value / 1e9);
  }
  return buf;
}

std::string format_duration(std::chrono::seconds duration) {
  long long s = duration.count();
  if (s < 0) s = 0;
  char buf[32];
  if (s >= 3600) {
    std::snprintf(buf, sizeof buf, "%lld:%02lld:%02lld", s / 3600, s / 60 % 60, s % 60);
  } else {
    std::snprintf(buf, sizeof buf, "%lld:%02lld", s / 60, s % 60);
  }
  return buf;
}

}  // namespace kubepriv::common
