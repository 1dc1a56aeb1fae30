#pragma once
/// @file
/// AWS Signature Version 4, header authorization (cloudwatch.md §8). Pure: no clock, no I/O;
/// the time is an argument. Hashes by OpenSSL (SHA-256, HMAC-SHA256).

#include <cstdint>      // std::uint8_t
#include <string>       // std::string
#include <string_view>  // std::string_view
#include <vector>       // std::vector

#include "kubepriv/common/clock.hpp"
#include "kubepriv/common/http.hpp"
#include "kubepriv/common/result.hpp"

namespace kubepriv::aws {

struct Credentials;

/// Options of one signing operation.
struct SigningParams {
  std::string region;       ///< signing region, from configuration (never parsed from the host)
  std::string service;      ///< "logs", "sts", ...
  common::SystemTime time;  ///< request time (already skew-corrected by the caller)
  /// Normalise the path (remove "." / ".." segments and duplicate slashes). True for every
  /// service but S3; the path is then URI-encoded again (double encoding of '%').
  bool normalize_path = true;
  /// Add and sign `x-amz-content-sha256` (S3-style; aws-c-auth `sign_body`). Off for logs/STS.
  bool add_content_sha256 = false;
  /// Send the session token but leave it out of the signature (STS "after" variant).
  bool omit_session_token_from_signature = false;
};

/// The intermediate products of a signature (exposed for tests and diagnostics; none secret).
struct SigningResult {
  std::string canonical_request;
  std::string string_to_sign;
  std::string signature;       ///< lower-case hex
  std::string signed_headers;  ///< "host;x-amz-date;..."
  std::string authorization;   ///< value of the Authorization header
  std::string amz_date;        ///< YYYYMMDD'T'HHMMSS'Z'
};

/// Lower-case hex of SHA-256(data).
std::string sha256_hex(std::string_view data);

/// Raw HMAC-SHA256(key, data) (32 bytes).
std::string hmac_sha256(std::string_view key, std::string_view data);

/// "YYYYMMDDTHHMMSSZ" of a time (UTC; common::format_amz_date_ms).
std::string format_amz_date(common::SystemTime t);

/// Parses "YYYYMMDDTHHMMSSZ" or RFC 3339 "YYYY-MM-DDTHH:MM:SS[.fff](Z|±hh:mm)" (a date alone
/// is refused) to a time in years 1970-2200 (common/time.hpp has the rules). kParse otherwise.
common::Result<common::SystemTime> parse_timestamp(std::string_view text);

/// Parses an RFC 7231 HTTP date ("Sun, 06 Nov 1994 08:49:37 GMT"), years 1970-2200.
common::Result<common::SystemTime> parse_http_date(std::string_view text);

/// Canonical URI of a raw request path (as sent on the wire, without the query).
std::string canonical_uri(std::string_view raw_path, bool normalize);

/// Canonical query string of a raw query (without '?'): decoded, re-encoded, sorted by
/// name then value.
std::string canonical_query(std::string_view raw_query);

/// Canonical header block and signed-header list of a header set: names lower-cased, values
/// trimmed with inner whitespace runs collapsed (line folds included), sorted by name,
/// duplicates joined with ','. Returns {canonical_headers (each "name:value\n"), signed_headers}.
std::pair<std::string, std::string> canonical_headers(const common::HttpHeaders& headers);

/// The signing key HMAC chain for (secret, date YYYYMMDD, region, service). Secret: never log.
std::string derive_signing_key(std::string_view secret, std::string_view date,
                               std::string_view region, std::string_view service);

/// Signs `request` in place: adds X-Amz-Date, X-Amz-Security-Token (when the credentials have
/// a session token), optionally x-amz-content-sha256, and Authorization; adds a Host header
/// from the URL when absent. Every header present in the request is signed, so callers pass
/// only headers that reach the server unchanged (no User-Agent, Expect, Connection).
/// Errors: kInvalidArgument for an unparsable URL or missing key/region/service.
common::Result<SigningResult> sign_request(common::HttpRequest& request,
                                           const Credentials& credentials,
                                           const SigningParams& params);

/// Caches derived signing keys per (secret, date, region, service); the most recent few only.
class SigningKeyCache {
 public:
  /// The derived key, computed once per distinct tuple.
  std::string get(std::string_view secret, std::string_view date, std::string_view region,
                  std::string_view service);
  /// Number of derivations actually computed (for tests).
  std::size_t derivations() const { return derivations_; }

 private:
  struct Entry {
    std::string secret_hash, date, region, service, key;
  };
  std::vector<Entry> entries_;
  std::size_t derivations_ = 0;
};

/// sign_request() with a key cache (the form the clients use).
common::Result<SigningResult> sign_request(common::HttpRequest& request,
                                           const Credentials& credentials,
                                           const SigningParams& params, SigningKeyCache& cache);

}  // namespace kubepriv::aws
