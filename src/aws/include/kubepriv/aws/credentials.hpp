#pragma once
/// @file
/// AWS credentials, the value every provider returns, and the provider interface. The providers
/// of the standard chain (cloudwatch.md §9) live in their own headers (`*_provider.hpp`,
/// `default_credentials_chain.hpp`). Credentials are never printable: there is no operator<<,
/// and every message built from them uses redact_secret().

#include <optional>  // std::optional
#include <string>    // std::string

#include "kubepriv/common/clock.hpp"
#include "kubepriv/common/result.hpp"

namespace kubepriv::aws {

/// A set of AWS credentials. Do not log any field but the access key id through redact_secret.
struct Credentials {
  std::string access_key_id;
  std::string secret_access_key;                 ///< secret
  std::string session_token;                     ///< secret; empty for long-term keys
  std::optional<common::SystemTime> expiration;  ///< nullopt: does not expire
  std::string provider;  ///< which provider produced them ("environment", "imds", ...)

  /// True when key id or secret is missing.
  bool empty() const { return access_key_id.empty() || secret_access_key.empty(); }
  /// "AKIA…(20 chars) from <provider>" — safe for logs.
  std::string describe() const;
};

/// A source of credentials.
class CredentialsProvider {
 public:
  virtual ~CredentialsProvider() = default;
  /// Current credentials; `force_refresh` after the service rejected them (ExpiredToken...).
  /// kNotFound: this provider is not configured (the chain moves on); other codes: configured
  /// but failed (the chain stops and reports it, as the SDKs do).
  virtual common::Result<Credentials> get(bool force_refresh = false) = 0;
  /// Short name for messages ("environment", "profile:dev", "imds", ...).
  virtual std::string name() const = 0;
};

}  // namespace kubepriv::aws
