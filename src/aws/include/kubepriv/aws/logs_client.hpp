#pragma once
/// @file
/// CloudWatch Logs client (awsJson1.1: POST /, X-Amz-Target Logs_20140328.<Op>): FilterLogEvents
/// with signing, rate limiting, standard-mode retries, credential refresh on ExpiredToken and
/// clock-skew correction from the Date header.

#include <chrono>       // std::chrono
#include <cstdint>      // std::int64_t
#include <functional>   // std::function
#include <memory>       // std::shared_ptr
#include <optional>     // std::optional
#include <string>       // std::string
#include <string_view>  // std::string_view
#include <vector>       // std::vector

#include "kubepriv/aws/credentials.hpp"
#include "kubepriv/aws/endpoints.hpp"
#include "kubepriv/aws/rate_limiter.hpp"
#include "kubepriv/aws/redact.hpp"
#include "kubepriv/aws/retry.hpp"
#include "kubepriv/aws/sigv4.hpp"
#include "kubepriv/common/clock.hpp"
#include "kubepriv/common/http.hpp"
#include "kubepriv/common/result.hpp"

namespace kubepriv::aws {

/// The EKS audit stream prefix (not "kube-apiserver-", which also matches the api streams).
inline constexpr std::string_view kDefaultAuditStreamPrefix = "kube-apiserver-audit-";

/// One CloudWatch Logs event as FilterLogEvents returns it.
struct LogEvent {
  std::string event_id;                ///< opaque string (56 decimal digits in practice)
  std::int64_t timestamp_ms = 0;       ///< event time, ms since epoch
  std::int64_t ingestion_time_ms = 0;  ///< ingestion time, ms since epoch (0 when absent)
  std::string log_stream_name;
  std::string message;  ///< unchanged (up to 1 MB; may end "[Truncated...]")
};

/// FilterLogEvents request fields we use.
struct FilterLogEventsRequest {
  std::string log_group_name;        ///< exactly one of name / identifier
  std::string log_group_identifier;  ///< name or ARN (cross-account)
  std::string log_stream_name_prefix{kDefaultAuditStreamPrefix};  ///< empty = not sent
  std::optional<std::int64_t> start_time_ms;                      ///< inclusive
  std::optional<std::int64_t> end_time_ms;                        ///< inclusive
  std::string next_token;                                         ///< empty = first page
  int limit = 0;  ///< 1..10000; 0 = not sent (server default)
};

/// One page.
struct FilterLogEventsPage {
  std::vector<LogEvent> events;
  std::optional<std::string> next_token;  ///< nullopt when absent or null: pagination finished
};

/// The JSON body of a request (exposed for tests).
std::string filter_log_events_body(const FilterLogEventsRequest& request);

/// Parses a 2xx FilterLogEvents body. Unknown fields ignored; events missing eventId, timestamp
/// or message are an error (kParse) rather than silently dropped; empty/truncated/HTML → kParse.
common::Result<FilterLogEventsPage> parse_filter_log_events_response(std::string_view body);

/// The operation the collector needs; an interface so the collector can be tested alone.
class LogsApi {
 public:
  virtual ~LogsApi() = default;
  /// One page. Errors after retries: see ApiError::to_error(); details in last_error().
  virtual common::Result<FilterLogEventsPage> filter_log_events(
      const FilterLogEventsRequest& request) = 0;
  /// Details of the last failure (nullopt after a success).
  virtual std::optional<ApiError> last_error() const = 0;
  /// Server time minus local time as learnt from clock-skew errors (0 when unknown); the
  /// collector uses it so that windows follow AWS's clock, not a drifting local one.
  virtual std::chrono::milliseconds clock_offset() const { return std::chrono::milliseconds(0); }
};

/// Client configuration.
struct LogsClientConfig {
  Endpoint endpoint;                                            ///< from resolve_logs_endpoint()
  RetryConfig retry;                                            ///< standard mode defaults
  std::chrono::milliseconds timeout{std::chrono::seconds(60)};  ///< per attempt
  std::chrono::milliseconds connect_timeout{std::chrono::seconds(10)};
  bool correct_clock_skew = true;  ///< apply the Date header offset after skew errors
};

/// Counters for logs/metrics.
struct LogsClientStats {
  std::uint64_t calls = 0, attempts = 0, retries = 0, throttles = 0, refreshes = 0,
                skew_corrections = 0, failures = 0;
};

/// The real client. Not thread-safe (one per input thread); the rate limiter may be shared.
class CloudWatchLogsClient final : public LogsApi {
 public:
  /// All references must outlive the client. `limiter` may be null (no client-side limit).
  CloudWatchLogsClient(LogsClientConfig config, common::HttpTransport& http,
                       CredentialsProvider& credentials, const common::Clock& clock,
                       common::Sleeper& sleeper, std::shared_ptr<TokenBucket> limiter,
                       std::function<double()> rng = default_rng());
  common::Result<FilterLogEventsPage> filter_log_events(
      const FilterLogEventsRequest& request) override;
  std::optional<ApiError> last_error() const override { return last_error_; }
  /// Sends any awsJson1.1 operation ("FilterLogEvents", "DescribeLogStreams", ...) with the
  /// full retry machinery; returns the 2xx body.
  common::Result<std::string> call(std::string_view operation, const std::string& json_body);
  const LogsClientStats& stats() const { return stats_; }
  /// Current correction added to the local clock when signing.
  std::chrono::milliseconds clock_offset() const override { return clock_offset_; }

 private:
  LogsClientConfig config_;
  common::HttpTransport& http_;
  CredentialsProvider& credentials_;
  const common::Clock& clock_;
  common::Sleeper& sleeper_;
  std::shared_ptr<TokenBucket> limiter_;
  RetryPolicy policy_;
  RetryQuota quota_;
  SigningKeyCache key_cache_;
  std::optional<ApiError> last_error_;
  LogsClientStats stats_;
  std::chrono::milliseconds clock_offset_{0};
};

}  // namespace kubepriv::aws
