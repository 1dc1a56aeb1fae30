#pragma once
/// @file
/// Reads one credential from splunkd's credential store (`storage/passwords`) with the session
/// key splunkd handed to the modular input. The password never appears in an error or log.

#include <string>
#include <string_view>

#include "kubepriv/common/http.hpp"
#include "kubepriv/common/result.hpp"

namespace kubepriv::splunkd {

/// Where splunkd is and how to talk to it.
struct Session {
  std::string server_uri;   ///< e.g. "https://127.0.0.1:8089" (from the input definition)
  std::string session_key;  ///< secret: sent as "Authorization: Splunk <key>", never logged
  std::string app;          ///< namespace app; empty = "-" (any app)
};

/// A stored credential.
struct StoredCredential {
  std::string realm;
  std::string username;
  std::string password;  ///< secret
};

/// "realm:user" -> {realm, user}; "user" -> {"", user}. A backslash escapes a colon.
struct CredentialName {
  std::string realm;
  std::string username;
};
common::Result<CredentialName> parse_credential_name(std::string_view text);

/// The entity name splunkd uses: "realm:username:" with ':' and '\' escaped by '\'.
std::string password_entity_name(const CredentialName& name);

/// The request sent (exposed for tests): GET <server_uri>/servicesNS/nobody/<app>/storage/
/// passwords/<urlencoded entity>?output_mode=json.
common::HttpRequest password_request(const Session& session, const CredentialName& name);

/// Fetches and parses the credential. Errors: kNotFound (no such credential), kAuth (401/403:
/// bad session key or missing capability list_storage_passwords), kUnavailable (5xx,
/// unreachable), kParse (unexpected body), kInvalidArgument (bad server_uri).
common::Result<StoredCredential> read_password(common::HttpTransport& http, const Session& session,
                                               const CredentialName& name);

}  // namespace kubepriv::splunkd
