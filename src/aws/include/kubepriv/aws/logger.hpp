#pragma once
/// @file
/// Logging seam of the aws layer: no output of its own, only an injected callback. Messages
/// passed to it never contain secrets (keys, session tokens, Authorization headers).

#include <functional>   // std::function
#include <string>       // std::string
#include <string_view>  // std::string_view

namespace kubepriv::aws {

/// Severity of a message given to the Logger.
enum class LogLevel { kDebug, kInfo, kWarn, kError };

/// "DEBUG", "INFO", "WARN", "ERROR".
std::string_view to_string(LogLevel level) noexcept;

/// Receives log messages; may be empty (then nothing is logged).
using Logger = std::function<void(LogLevel, std::string_view)>;

/// Calls `logger` when set.
inline void log(const Logger& logger, LogLevel level, std::string_view message) {
  if (logger) logger(level, message);
}

/// A printable stand-in for a secret: its first 4 characters (only for access key ids, which
/// are identifiers) or nothing, plus its length: "AKIA…(20 chars)" / "…(40 chars)".
std::string redact_secret(std::string_view secret, bool keep_prefix = false);

/// Removes secrets from free text meant for a log: values of Authorization,
/// X-Amz-Security-Token, X-aws-ec2-metadata-token headers; `Signature=`, `Credential=` parts;
/// `SecretAccessKey`, `SessionToken`, `Token`, `WebIdentityToken` XML elements / JSON fields /
/// form parameters; `aws_secret_access_key`/`aws_session_token` INI values; user:pass@ in URLs.
std::string redact_text(std::string_view text);

}  // namespace kubepriv::aws
