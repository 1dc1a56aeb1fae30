#include "kubepriv/aws/retry.hpp"

#include <algorithm>  // std::min
#include <array>      // std::array
#include <nlohmann/json.hpp>
#include <random>  // std::mt19937_64

#include "kubepriv/aws/redact.hpp"
#include "kubepriv/aws/sigv4.hpp"

namespace kubepriv::aws {

using common::ErrorCode;

std::string_view to_string(ErrorClass c) noexcept {
  switch (c) {
    case ErrorClass::kRetryable: return "retryable";
    case ErrorClass::kThrottle: return "throttle";
    case ErrorClass::kRefreshAndRetry: return "refresh_and_retry";
    case ErrorClass::kClockSkew: return "clock_skew";
    case ErrorClass::kInvalidToken: return "invalid_token";
    case ErrorClass::kWaitAndPoll: return "wait_and_poll";
    case ErrorClass::kFatal: return "fatal";
  }
  return "fatal";
}

std::string normalize_error_code(std::string_view type) {
  const auto hash = type.rfind('#');
  if (hash != std::string_view::npos) type = type.substr(hash + 1);
  const auto colon = type.find(':');
  if (colon != std::string_view::npos) type = type.substr(0, colon);
  while (!type.empty() && (type.front() == ' ')) type.remove_prefix(1);
  while (!type.empty() && (type.back() == ' ')) type.remove_suffix(1);
  return std::string(type);
}

namespace {

constexpr std::array<std::string_view, 13> kThrottleCodes = {
    "Throttling",
    "ThrottlingException",
    "ThrottledException",
    "RequestThrottledException",
    "TooManyRequestsException",
    "ProvisionedThroughputExceededException",
    "TransactionInProgressException",
    "RequestLimitExceeded",
    "BandwidthLimitExceeded",
    "LimitExceededException",
    "RequestThrottled",
    "SlowDown",
    "PriorRequestNotComplete"};
constexpr std::array<std::string_view, 7> kTransientCodes = {
    "RequestTimeout",     "RequestTimeoutException", "ServiceUnavailableException",
    "ServiceUnavailable", "InternalServerException", "InternalFailure",
    "InternalServerError"};
constexpr std::array<std::string_view, 6> kRefreshCodes = {
    "ExpiredTokenException",       "ExpiredToken",         "RequestExpired",
    "UnrecognizedClientException", "InvalidClientTokenId", "InvalidToken"};

template <std::size_t N>
bool in(const std::array<std::string_view, N>& list, std::string_view code) {
  return std::find(list.begin(), list.end(), code) != list.end();
}

bool contains_ci(std::string_view hay, std::string_view needle) {
  auto lower = [](char c) {
    return static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  };
  if (needle.size() > hay.size()) return false;
  for (std::size_t i = 0; i + needle.size() <= hay.size(); ++i) {
    bool ok = true;
    for (std::size_t k = 0; k < needle.size() && ok; ++k)
      ok = lower(hay[i + k]) == lower(needle[k]);
    if (ok) return true;
  }
  return false;
}

// Text between <tag> and </tag> (first occurrence), for XML error bodies (STS, moto, proxies).
std::string xml_element(std::string_view body, std::string_view tag) {
  const std::string open = "<" + std::string(tag) + ">";
  const std::string close = "</" + std::string(tag) + ">";
  const auto a = body.find(open);
  if (a == std::string_view::npos) return {};
  const auto b = body.find(close, a + open.size());
  if (b == std::string_view::npos) return {};
  return std::string(body.substr(a + open.size(), b - a - open.size()));
}

ErrorClass classify(int status, const std::string& code, const std::string& message) {
  if (in(kThrottleCodes, code)) return ErrorClass::kThrottle;
  if (in(kRefreshCodes, code)) return ErrorClass::kRefreshAndRetry;
  if (code == "InvalidSignatureException" || code == "SignatureDoesNotMatch") {
    // Only the "Signature expired" / "not yet current" flavour is a clock problem.
    if (contains_ci(message, "signature expired") || contains_ci(message, "not yet current") ||
        contains_ci(message, "signature not yet current")) {
      return ErrorClass::kClockSkew;
    }
    return ErrorClass::kFatal;
  }
  if (code == "ResourceNotFoundException") return ErrorClass::kWaitAndPoll;
  if ((code == "InvalidParameterException" || code == "ValidationException") &&
      contains_ci(message, "token")) {
    return ErrorClass::kInvalidToken;
  }
  if (in(kTransientCodes, code)) return ErrorClass::kRetryable;
  if (status == 500 || status == 502 || status == 503 || status == 504)
    return ErrorClass::kRetryable;
  if (status == 429) return ErrorClass::kThrottle;
  if (!code.empty()) return ErrorClass::kFatal;
  if (status >= 500) return ErrorClass::kRetryable;
  return ErrorClass::kFatal;
}

}  // namespace

ApiError classify_response(const common::HttpResponse& response) {
  ApiError e;
  e.http_status = response.status;
  if (auto id = response.header("x-amzn-RequestId"))
    e.request_id = *id;
  else if (auto id2 = response.header("x-amz-request-id"))
    e.request_id = *id2;
  if (auto date = response.header("Date")) {
    if (auto t = parse_http_date(*date)) e.server_date = *t;
  }
  auto j = nlohmann::json::parse(response.body, nullptr, false);
  if (!j.is_discarded() && j.is_object()) {
    for (const char* key : {"__type", "code", "Code"}) {
      auto it = j.find(key);
      if (it != j.end() && it->is_string()) {
        e.code = normalize_error_code(it->get<std::string>());
        break;
      }
    }
    for (const char* key : {"message", "Message", "errorMessage"}) {
      auto it = j.find(key);
      if (it != j.end() && it->is_string()) {
        e.message = it->get<std::string>();
        break;
      }
    }
  } else if (response.body.find("<Error") != std::string::npos ||
             response.body.find("<ErrorResponse") != std::string::npos) {
    e.code = normalize_error_code(xml_element(response.body, "Code"));
    e.message = xml_element(response.body, "Message");
    if (e.request_id.empty()) e.request_id = xml_element(response.body, "RequestId");
  }
  if (auto header_type = response.header("x-amzn-ErrorType")) {
    if (e.code.empty()) e.code = normalize_error_code(*header_type);
  }
  if (e.message.empty()) {
    // Non-JSON bodies (HTML from a proxy/load balancer): keep a short, sanitised excerpt.
    std::string excerpt = response.body.substr(0, 200);
    for (char& c : excerpt) {
      if (static_cast<unsigned char>(c) < 0x20) c = ' ';
    }
    e.message = excerpt.empty() ? "empty response body" : "non-JSON response: " + excerpt;
  }
  // Classify on the server's words, then scrub them for logs.
  e.error_class = classify(response.status, e.code, e.message);
  if (e.error_class == ErrorClass::kClockSkew) {
    // "Signature expired: <ours> is now earlier than <limit> (<server time> - 5 min.)": the time
    // in parentheses is the server's own clock, more direct than a Date header (which proxies
    // may rewrite or duplicate).
    const auto open = e.message.rfind('(');
    if (open != std::string::npos && e.message.size() >= open + 17) {
      if (auto t = parse_timestamp(std::string_view(e.message).substr(open + 1, 16)))
        e.server_date = *t;
    }
  }
  e.message = redact_text(e.message);
  return e;
}

ApiError classify_transport_error(const common::Error& error) {
  ApiError e;
  e.message = redact_text(error.message);
  e.timeout = error.code == ErrorCode::kTimeout;
  switch (error.code) {
    case ErrorCode::kTimeout:
    case ErrorCode::kUnavailable:
    case ErrorCode::kIo: e.error_class = ErrorClass::kRetryable; break;
    default: e.error_class = ErrorClass::kFatal; break;
  }
  e.code = e.timeout ? "RequestTimeout" : "";
  return e;
}

std::string ApiError::describe() const {
  std::string out = code.empty() ? std::string("error") : code;
  if (http_status != 0) out += " (HTTP " + std::to_string(http_status) + ")";
  if (!message.empty()) out += ": " + message;
  if (!request_id.empty()) out += " [request id " + request_id + "]";
  out += " [" + std::string(to_string(error_class)) + "]";
  return out;
}

common::Error ApiError::to_error() const {
  ErrorCode c = ErrorCode::kProtocol;
  switch (error_class) {
    case ErrorClass::kThrottle: c = ErrorCode::kThrottled; break;
    case ErrorClass::kRetryable: c = timeout ? ErrorCode::kTimeout : ErrorCode::kUnavailable; break;
    case ErrorClass::kRefreshAndRetry:
    case ErrorClass::kClockSkew: c = ErrorCode::kAuth; break;
    case ErrorClass::kInvalidToken: c = ErrorCode::kInvalidArgument; break;
    case ErrorClass::kWaitAndPoll: c = ErrorCode::kNotFound; break;
    case ErrorClass::kFatal:
      if (code.find("AccessDenied") != std::string::npos ||
          code.find("Signature") != std::string::npos || code == "UnrecognizedClientException" ||
          code == "MissingAuthenticationToken") {
        c = ErrorCode::kAuth;
      } else if (code.find("Validation") != std::string::npos ||
                 code.find("InvalidParameter") != std::string::npos) {
        c = ErrorCode::kInvalidArgument;
      } else if (http_status == 0) {
        c = ErrorCode::kIo;
      }
      break;
  }
  return common::Error{c, describe()};
}

RetryQuota::RetryQuota(const RetryConfig& config)
    : config_(config), available_(config.quota_capacity) {}

bool RetryQuota::acquire(bool timeout) {
  const int cost = timeout ? config_.timeout_retry_cost : config_.retry_cost;
  if (cost > available_) return false;
  available_ -= cost;
  return true;
}

void RetryQuota::on_success(int last_cost) {
  const int refund = last_cost > 0 ? last_cost : config_.no_retry_increment;
  available_ = std::min(config_.quota_capacity, available_ + refund);
}

RetryPolicy::RetryPolicy(RetryConfig config, std::function<double()> rng)
    : config_(config), rng_(std::move(rng)) {}

std::chrono::milliseconds RetryPolicy::backoff(int retry) const {
  if (retry < 1) retry = 1;
  double cap = static_cast<double>(config_.base_delay.count());
  for (int i = 1; i < retry && cap < static_cast<double>(config_.max_backoff.count()); ++i)
    cap *= 2;
  cap = std::min(cap, static_cast<double>(config_.max_backoff.count()));
  double r = rng_ ? rng_() : 1.0;
  if (!(r >= 0.0)) r = 0.0;  // also catches NaN
  if (r > 1.0) r = 1.0;
  return std::chrono::milliseconds(static_cast<long long>(r * cap));
}

std::function<double()> default_rng() {
  auto gen = std::make_shared<std::mt19937_64>(std::random_device{}());
  return [gen]() { return std::uniform_real_distribution<double>(0.0, 1.0)(*gen); };
}

}  // namespace kubepriv::aws
