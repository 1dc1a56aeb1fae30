#include "kubepriv/logging/stderr_sink.hpp"

#include <spdlog/sinks/base_sink.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cerrno>  // errno
#include <mutex>   // std::mutex

#include "kubepriv/common/progress.hpp"

namespace kubepriv::logging {

std::string_view level_word(spdlog::level::level_enum level) noexcept {
  switch (level) {
    case spdlog::level::trace:
    case spdlog::level::debug: return "DEBUG";
    case spdlog::level::info: return "INFO";
    case spdlog::level::warn: return "WARN";
    case spdlog::level::err: return "ERROR";
    case spdlog::level::critical: return "FATAL";
    case spdlog::level::off:
    case spdlog::level::n_levels: break;
  }
  return "INFO";
}

std::string format_line(spdlog::level::level_enum level, std::string_view message,
                        Redactor redactor) {
  std::string text = redactor != nullptr ? redactor(message) : std::string(message);
  for (char& c : text) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  std::string line(level_word(level));
  line.reserve(line.size() + text.size() + 2);
  line += ' ';
  line += text;
  line += '\n';
  return line;
}

namespace {

class LevelFirstSink final : public spdlog::sinks::base_sink<std::mutex> {
 public:
  LevelFirstSink(int fd, Redactor redactor) : fd_(fd), redactor_(redactor) {}

 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    const std::string line =
        format_line(msg.level, std::string_view(msg.payload.data(), msg.payload.size()), redactor_);
    common::erase_progress_line();  // a progress line (`pull`, `scan`), if one is drawn
    // One write per line (no stdio buffer): lines from a dying process are not lost.
    std::string_view rest = line;
    while (!rest.empty()) {
      const ssize_t n = ::write(fd_, rest.data(), rest.size());
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return;  // stderr closed: nothing useful to do
      rest.remove_prefix(static_cast<std::size_t>(n));
    }
  }
  void flush_() override {}

 private:
  int fd_;
  Redactor redactor_;
};

}  // namespace

std::shared_ptr<spdlog::sinks::sink> make_level_first_sink(int fd, Redactor redactor) {
  return std::make_shared<LevelFirstSink>(fd, redactor);
}

void init_stderr(Redactor redactor) {
  auto logger = std::make_shared<spdlog::logger>("kubepriv", make_level_first_sink(2, redactor));
  logger->set_level(spdlog::level::info);
  spdlog::set_default_logger(std::move(logger));
}

void set_debug(bool enabled) {
  spdlog::set_level(enabled ? spdlog::level::debug : spdlog::level::info);
}

}  // namespace kubepriv::logging
