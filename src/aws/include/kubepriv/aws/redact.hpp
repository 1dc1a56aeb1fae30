#pragma once
/// @file
/// Secrets out of log text. The aws layer logs through spdlog's default logger and never passes
/// a secret (keys, session tokens, Authorization headers); eks_audit_logs also runs every log
/// line through redact_text() (kubepriv/logging/stderr_sink.hpp) as a second line of defence.

#include <string>       // std::string
#include <string_view>  // std::string_view

namespace kubepriv::aws {

/// A printable stand-in for a secret: its first 4 characters (only for access key ids, which
/// are identifiers) or nothing, plus its length: "AKIA…(20 chars)" / "…(40 chars)".
std::string redact_secret(std::string_view secret, bool keep_prefix = false);

/// Removes secrets from free text meant for a log: values of Authorization,
/// X-Amz-Security-Token, X-aws-ec2-metadata-token headers; `Signature=`, `Credential=` parts;
/// `SecretAccessKey`, `SessionToken`, `Token`, `WebIdentityToken` XML elements / JSON fields /
/// form parameters; `aws_secret_access_key`/`aws_session_token` INI values; user:pass@ in URLs.
std::string redact_text(std::string_view text);

}  // namespace kubepriv::aws
