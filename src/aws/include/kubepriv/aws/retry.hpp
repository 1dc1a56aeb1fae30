#pragma once
/// @file
/// Error classification (cloudwatch.md §5) and the AWS SDK "standard" retry policy (§6): max 3
/// attempts, full-jitter exponential backoff capped at 20 s, a retry quota of 500 tokens (retry
/// costs 5, timeout 10, success refunds). Pure: randomness injected.

#include <chrono>       // std::chrono::milliseconds
#include <functional>   // std::function
#include <optional>     // std::optional
#include <string>       // std::string
#include <string_view>  // std::string_view

#include "kubepriv/common/clock.hpp"
#include "kubepriv/common/http.hpp"
#include "kubepriv/common/result.hpp"

namespace kubepriv::aws {

/// What to do about a failed call.
enum class ErrorClass {
  kRetryable,        ///< transient: 5xx, reset, timeout, RequestTimeout...
  kThrottle,         ///< throttling codes: retry with backoff, and slow down
  kRefreshAndRetry,  ///< ExpiredToken, RequestExpired, UnrecognizedClient: refresh creds, retry
                     ///< once
  kClockSkew,        ///< InvalidSignatureException "Signature expired": correct skew, retry once
  kInvalidToken,     ///< InvalidParameterException about nextToken: restart pagination
  kWaitAndPoll,      ///< ResourceNotFoundException: keep polling at a low rate
  kFatal,            ///< AccessDenied, validation, signature mismatch: stop and alert
};

/// "retryable", "throttle", ...
std::string_view to_string(ErrorClass c) noexcept;

/// An AWS API failure with the details the SDKs keep.
struct ApiError {
  int http_status = 0;     ///< 0 for transport failures
  std::string code;        ///< normalised __type / x-amzn-ErrorType / XML <Code> ("" if none)
  std::string message;     ///< server message or transport message (no secrets)
  std::string request_id;  ///< x-amzn-RequestId / x-amz-request-id / XML RequestId
  ErrorClass error_class = ErrorClass::kFatal;
  bool timeout = false;                           ///< a timeout (costs more retry quota)
  std::optional<common::SystemTime> server_date;  ///< response Date header, for skew
  /// One line for logs: "ThrottlingException (HTTP 400): Rate exceeded [request id ...]".
  std::string describe() const;
  /// The common::Error this maps to (kThrottled, kUnavailable, kTimeout, kAuth, kNotFound,
  /// kInvalidArgument, kProtocol).
  common::Error to_error() const;
};

/// "com.amazonaws.logs#ThrottlingException:http://..." → "ThrottlingException".
std::string normalize_error_code(std::string_view type);

/// Classifies a non-2xx response: JSON body (__type/code, message/Message), x-amzn-ErrorType
/// header, XML <Error><Code>, or any other body (HTML, empty) by status alone.
ApiError classify_response(const common::HttpResponse& response);

/// Classifies a transport failure (timeout, reset, refused...).
ApiError classify_transport_error(const common::Error& error);

/// Knobs of the standard mode (all configurable, defaults from botocore).
struct RetryConfig {
  int max_attempts = 3;  ///< initial try included
  std::chrono::milliseconds base_delay{1000};
  std::chrono::milliseconds max_backoff{20000};
  int quota_capacity = 500;
  int retry_cost = 5;
  int timeout_retry_cost = 10;
  int no_retry_increment = 1;
};

/// The retry quota token bucket (per client).
class RetryQuota {
 public:
  explicit RetryQuota(const RetryConfig& config = {});
  /// Takes the cost of a retry; false (nothing taken) when the quota cannot pay: don't retry.
  bool acquire(bool timeout);
  /// After a 2xx: refunds `last_cost` when the call needed retries, else no_retry_increment.
  void on_success(int last_cost);
  int available() const { return available_; }

 private:
  RetryConfig config_;
  int available_;
};

/// Backoff computation: delay before retry number `retry` (1-based) =
/// rng() * min(base * 2^(retry-1), max_backoff), rng() uniform in [0,1).
class RetryPolicy {
 public:
  RetryPolicy(RetryConfig config, std::function<double()> rng);
  std::chrono::milliseconds backoff(int retry) const;
  /// Whether an error of this class may be retried as a plain retry.
  static bool is_retryable(ErrorClass c) {
    return c == ErrorClass::kRetryable || c == ErrorClass::kThrottle;
  }
  const RetryConfig& config() const { return config_; }

 private:
  RetryConfig config_;
  std::function<double()> rng_;
};

/// A uniform [0,1) generator seeded from std::random_device (production default).
std::function<double()> default_rng();

}  // namespace kubepriv::aws
