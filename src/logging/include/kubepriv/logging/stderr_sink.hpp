#pragma once
/// @file
/// The processes' logging: spdlog's default logger writes one line per message to stderr,
/// "<LEVEL> <message>\n" with LEVEL one of DEBUG, INFO, WARN, ERROR, FATAL (splunkd files such
/// lines into splunkd.log with that level; stdout carries the protocol). Line breaks inside a
/// message become spaces, and a redactor (the AWS one in eks_audit_logs) scrubs every message,
/// so no caller can log a secret by mistake.

#include <spdlog/common.h>

#include <memory>       // std::shared_ptr
#include <string>       // std::string
#include <string_view>  // std::string_view

namespace spdlog::sinks {
class sink;
}

namespace kubepriv::logging {

/// Removes secrets from a message; may be null (no redaction).
using Redactor = std::string (*)(std::string_view);

/// "DEBUG", "INFO", "WARN", "ERROR", "FATAL" (trace counts as DEBUG, critical as FATAL).
std::string_view level_word(spdlog::level::level_enum level) noexcept;

/// The line written for one message: level word, space, redacted one-line text, newline.
std::string format_line(spdlog::level::level_enum level, std::string_view message,
                        Redactor redactor);

/// A sink that writes format_line() to `fd` (2 = stderr) with one write per line.
std::shared_ptr<spdlog::sinks::sink> make_level_first_sink(int fd, Redactor redactor);

/// Makes spdlog's default logger the stderr logger (INFO and above). Call first in main().
void init_stderr(Redactor redactor = nullptr);

/// Shows or hides DEBUG lines.
void set_debug(bool enabled);

}  // namespace kubepriv::logging
