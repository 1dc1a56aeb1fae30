#pragma once
// stderr logging for the modular input: "<LEVEL> <message>\n", one line per message, secrets
// redacted (splunk-protocols.md §3.6). Thread-safe.

#include <string_view>

#include "kubepriv/aws/logger.hpp"

namespace kubepriv::eks {

/// Writes one line to stderr (newlines inside `message` become spaces; secrets are redacted).
void log(aws::LogLevel level, std::string_view message);
/// The same as an aws::Logger.
aws::Logger stderr_logger();
/// Hides DEBUG lines unless enabled.
void set_debug(bool enabled);

}  // namespace kubepriv::eks
