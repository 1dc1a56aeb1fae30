#include "logging.hpp"

#include <atomic>
#include <cstdio>
#include <mutex>
#include <string>

#include "kubepriv/common/progress.hpp"

namespace kubepriv::eks {

namespace {
std::mutex g_mu;
std::atomic<bool> g_debug{false};
}  // namespace

void set_debug(bool enabled) {
  g_debug = enabled;
}

void log(aws::LogLevel level, std::string_view message) {
  if (level == aws::LogLevel::kDebug && !g_debug) return;
  std::string line(aws::to_string(level));
  line += ' ';
  std::string text = aws::redact_text(message);
  for (char& c : text) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  line += text;
  line += '\n';
  std::lock_guard<std::mutex> lock(g_mu);
  common::erase_progress_line();  // `pull`'s progress line, if drawn
  std::fwrite(line.data(), 1, line.size(), stderr);
  std::fflush(stderr);
}

aws::Logger stderr_logger() {
  return [](aws::LogLevel level, std::string_view message) { log(level, message); };
}

}  // namespace kubepriv::eks
