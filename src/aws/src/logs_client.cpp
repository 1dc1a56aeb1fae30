#include "kubepriv/aws/logs_client.hpp"

#include <simdjson.h>
#include <spdlog/spdlog.h>

#include <nlohmann/json.hpp>

namespace kubepriv::aws {

using common::ErrorCode;
using common::fail;
using common::Result;

std::string filter_log_events_body(const FilterLogEventsRequest& r) {
  nlohmann::json j = nlohmann::json::object();
  if (!r.log_group_identifier.empty())
    j["logGroupIdentifier"] = r.log_group_identifier;
  else
    j["logGroupName"] = r.log_group_name;
  if (!r.log_stream_name_prefix.empty()) j["logStreamNamePrefix"] = r.log_stream_name_prefix;
  if (r.start_time_ms) j["startTime"] = *r.start_time_ms;
  if (r.end_time_ms) j["endTime"] = *r.end_time_ms;
  if (!r.next_token.empty()) j["nextToken"] = r.next_token;
  if (r.limit > 0) j["limit"] = r.limit;
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

Result<FilterLogEventsPage> parse_filter_log_events_response(std::string_view body) {
  if (body.empty()) return fail(ErrorCode::kParse, "FilterLogEvents: empty response body");
  simdjson::dom::parser parser;
  simdjson::padded_string padded(body);
  simdjson::dom::element doc;
  if (auto err = parser.parse(padded).get(doc); err) {
    return fail(ErrorCode::kParse, std::string("FilterLogEvents: response is not JSON (") +
                                       simdjson::error_message(err) + ")");
  }
  simdjson::dom::object root;
  if (doc.get_object().get(root))
    return fail(ErrorCode::kParse, "FilterLogEvents: response is not a JSON object");
  FilterLogEventsPage page;
  simdjson::dom::element token;
  if (!root["nextToken"].get(token)) {
    std::string_view t;
    if (token.is_null()) {
      // null == absent
    } else if (token.get_string().get(t)) {
      return fail(ErrorCode::kParse, "FilterLogEvents: nextToken is neither a string nor null");
    } else if (!t.empty()) {
      page.next_token = std::string(t);
    }
  }
  simdjson::dom::element events;
  if (root["events"].get(events)) return page;  // absent: no events
  if (events.is_null()) return page;
  simdjson::dom::array arr;
  if (events.get_array().get(arr))
    return fail(ErrorCode::kParse, "FilterLogEvents: events is not an array");
  page.events.reserve(arr.size());
  std::size_t index = 0;
  for (simdjson::dom::element ev : arr) {
    const std::string where = "FilterLogEvents: event #" + std::to_string(index++);
    simdjson::dom::object o;
    if (ev.get_object().get(o)) return fail(ErrorCode::kParse, where + " is not an object");
    LogEvent out;
    std::string_view sv;
    if (o["eventId"].get_string().get(sv))
      return fail(ErrorCode::kParse, where + " lacks a string eventId");
    out.event_id = std::string(sv);
    if (o["logStreamName"].get_string().get(sv))
      return fail(ErrorCode::kParse, where + " lacks a string logStreamName");
    out.log_stream_name = std::string(sv);
    if (o["message"].get_string().get(sv))
      return fail(ErrorCode::kParse, where + " lacks a string message");
    out.message = std::string(sv);
    auto read_int = [&](const char* key, std::int64_t& dst, bool required) -> bool {
      simdjson::dom::element e;
      if (o[key].get(e)) return !required;
      std::int64_t i = 0;
      if (!e.get_int64().get(i)) {
        dst = i;
        return true;
      }
      std::uint64_t u = 0;
      if (!e.get_uint64().get(u)) return false;  // beyond int64: nonsense timestamp
      double d = 0;
      if (!e.get_double().get(d) && d >= -9.2e18 && d <= 9.2e18) {
        dst = static_cast<std::int64_t>(d);
        return true;
      }
      return e.is_null() && !required;
    };
    if (!read_int("timestamp", out.timestamp_ms, true))
      return fail(ErrorCode::kParse, where + " lacks an integer timestamp");
    if (!read_int("ingestionTime", out.ingestion_time_ms, false)) {
      return fail(ErrorCode::kParse, where + " has a non-integer ingestionTime");
    }
    page.events.push_back(std::move(out));
  }
  return page;
}

CloudWatchLogsClient::CloudWatchLogsClient(LogsClientConfig config, common::HttpTransport& http,
                                           CredentialsProvider& credentials,
                                           const common::Clock& clock, common::Sleeper& sleeper,
                                           std::shared_ptr<TokenBucket> limiter,
                                           std::function<double()> rng)
    : config_(std::move(config)),
      http_(http),
      credentials_(credentials),
      clock_(clock),
      sleeper_(sleeper),
      limiter_(std::move(limiter)),
      policy_(config_.retry, std::move(rng)),
      quota_(config_.retry) {}

Result<std::string> CloudWatchLogsClient::call(std::string_view operation,
                                               const std::string& json_body) {
  ++stats_.calls;
  last_error_.reset();
  bool refreshed = false;
  bool skew_fixed = false;
  bool force_refresh = false;
  int plain_attempts = 0;
  int last_cost = 0;
  auto give_up = [&](ApiError e) -> Result<std::string> {
    ++stats_.failures;
    common::Error err = e.to_error();
    err.message = std::string(operation) + ": " + err.message;
    last_error_ = std::move(e);
    return tl::unexpected(std::move(err));
  };
  for (;;) {
    ++plain_attempts;
    ++stats_.attempts;
    // A stop request (SIGTERM) during a wait is not a failure: the caller ends quietly.
    if (limiter_ && !limiter_->acquire(sleeper_)) {
      return fail(ErrorCode::kCancelled,
                  std::string(operation) + ": stopped while waiting for the rate limiter");
    }
    auto creds = credentials_.get(force_refresh);
    force_refresh = false;
    if (!creds) {
      ApiError e;
      e.code = "CredentialsError";
      e.message = redact_text(creds.error().message);
      e.error_class =
          creds.error().code == ErrorCode::kUnavailable || creds.error().code == ErrorCode::kTimeout
              ? ErrorClass::kRetryable
              : ErrorClass::kFatal;
      ++stats_.failures;
      last_error_ = e;
      return tl::unexpected(common::Error{
          creds.error().code == ErrorCode::kNotFound ? ErrorCode::kAuth : creds.error().code,
          "credentials: " + e.message});
    }
    common::HttpRequest req;
    req.method = "POST";
    req.url = config_.endpoint.url + "/";
    req.timeout = config_.timeout;
    req.connect_timeout = config_.connect_timeout;
    req.headers.push_back({"Content-Type", "application/x-amz-json-1.1"});
    req.headers.push_back({"X-Amz-Target", "Logs_20140328." + std::string(operation)});
    req.body = json_body;
    SigningParams params;
    params.region = config_.endpoint.signing_region;
    params.service = config_.endpoint.service.empty() ? "logs" : config_.endpoint.service;
    params.time = clock_.now() + clock_offset_;
    if (auto s = sign_request(req, *creds, params, key_cache_); !s) {
      ApiError e;
      e.message = s.error().message;
      return give_up(e);
    }
    auto resp = http_.send(req);
    ApiError err;
    if (!resp) {
      err = classify_transport_error(resp.error());
    } else if (resp->status >= 200 && resp->status < 300) {
      quota_.on_success(last_cost);
      if (limiter_) limiter_->on_success();
      return std::move(resp->body);
    } else {
      err = classify_response(*resp);
    }
    spdlog::warn(std::string(operation) + " attempt " + std::to_string(plain_attempts) +
                 " failed: " + err.describe());
    switch (err.error_class) {
      case ErrorClass::kRefreshAndRetry:
        if (refreshed) return give_up(err);
        refreshed = true;
        force_refresh = true;
        ++stats_.refreshes;
        --plain_attempts;  // a refresh retry does not count as a plain retry
        continue;
      case ErrorClass::kClockSkew: {
        if (skew_fixed || !config_.correct_clock_skew || !err.server_date) return give_up(err);
        skew_fixed = true;
        clock_offset_ =
            std::chrono::duration_cast<std::chrono::milliseconds>(*err.server_date - clock_.now());
        ++stats_.skew_corrections;
        spdlog::warn("clock skew detected; signing with an offset of " +
                     std::to_string(clock_offset_.count()) + " ms");
        --plain_attempts;
        continue;
      }
      case ErrorClass::kThrottle:
      case ErrorClass::kRetryable: {
        if (err.error_class == ErrorClass::kThrottle) {
          ++stats_.throttles;
          if (limiter_) limiter_->on_throttle();
        }
        if (plain_attempts >= config_.retry.max_attempts) return give_up(err);
        if (!quota_.acquire(err.timeout)) {
          err.message += " (retry quota exhausted)";
          return give_up(err);
        }
        last_cost = err.timeout ? config_.retry.timeout_retry_cost : config_.retry.retry_cost;
        ++stats_.retries;
        if (!sleeper_.sleep_for(policy_.backoff(plain_attempts))) {
          last_error_ = std::move(err);
          return fail(ErrorCode::kCancelled,
                      std::string(operation) + ": stopped during a retry backoff");
        }
        continue;
      }
      default: return give_up(err);
    }
  }
}

Result<FilterLogEventsPage> CloudWatchLogsClient::filter_log_events(
    const FilterLogEventsRequest& request) {
  const std::string body = filter_log_events_body(request);
  Result<FilterLogEventsPage> page = fail(ErrorCode::kInternal, "not called");
  // A 2xx with a broken body (truncated by a proxy or a reset) is retried like a transient error.
  for (int attempt = 1; attempt <= std::max(1, config_.retry.max_attempts); ++attempt) {
    auto text = call("FilterLogEvents", body);
    if (!text) return tl::unexpected(text.error());
    page = parse_filter_log_events_response(*text);
    if (page) return page;
    spdlog::warn(page.error().message);
    ApiError e;
    e.http_status = 200;
    e.code = "MalformedResponse";
    e.message = page.error().message;
    e.error_class = ErrorClass::kRetryable;
    last_error_ = e;
    if (attempt < config_.retry.max_attempts && !sleeper_.sleep_for(policy_.backoff(attempt))) {
      return fail(ErrorCode::kCancelled, "FilterLogEvents: stopped during a retry backoff");
    }
  }
  return page;
}

}  // namespace kubepriv::aws
