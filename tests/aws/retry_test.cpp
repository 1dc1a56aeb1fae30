#include "kubepriv/aws/retry.hpp"

#include <gtest/gtest.h>

#include <random>

#include "kubepriv/aws/sigv4.hpp"

using namespace kubepriv;
using aws::ErrorClass;

namespace {
common::HttpResponse resp(int status, std::string body, common::HttpHeaders h = {}) {
  common::HttpResponse r;
  r.status = status;
  r.body = std::move(body);
  r.headers = std::move(h);
  return r;
}
}  // namespace

TEST(ErrorCode, Normalisation) {
  EXPECT_EQ(aws::normalize_error_code("com.amazonaws.logs#ThrottlingException"),
            "ThrottlingException");
  EXPECT_EQ(aws::normalize_error_code("ThrottlingException:http://internal.amazon.com/"),
            "ThrottlingException");
  EXPECT_EQ(aws::normalize_error_code("a.b#C:d"), "C");
  EXPECT_EQ(aws::normalize_error_code("Plain"), "Plain");
}

TEST(Classification, Table) {
  struct Row {
    int status;
    std::string body;
    ErrorClass expected;
  };
  const std::vector<Row> rows = {
      {400, R"({"__type":"ThrottlingException","message":"Rate exceeded"})", ErrorClass::kThrottle},
      {400, R"({"__type":"com.amazonaws.logs#ThrottlingException","Message":"Rate exceeded"})",
       ErrorClass::kThrottle},
      {400, R"({"__type":"LimitExceededException"})", ErrorClass::kThrottle},
      {503, R"({"__type":"ServiceUnavailableException"})", ErrorClass::kRetryable},
      {500, R"({"__type":"InternalFailure"})", ErrorClass::kRetryable},
      {502, "<html><body>Bad Gateway</body></html>", ErrorClass::kRetryable},
      {504, "", ErrorClass::kRetryable},
      {400,
       R"({"__type":"ExpiredTokenException","message":"The security token included in the request is expired"})",
       ErrorClass::kRefreshAndRetry},
      {400, R"({"__type":"UnrecognizedClientException"})", ErrorClass::kRefreshAndRetry},
      {400,
       R"J({"__type":"InvalidSignatureException","message":"Signature expired: 20240101T000000Z is now earlier than 20240101T001000Z (20240101T000500Z - 5 min.)"})J",
       ErrorClass::kClockSkew},
      {403,
       R"({"__type":"InvalidSignatureException","message":"The request signature we calculated does not match"})",
       ErrorClass::kFatal},
      {400, R"({"__type":"AccessDeniedException"})", ErrorClass::kFatal},
      {400,
       R"({"__type":"ResourceNotFoundException","message":"The specified log group does not exist."})",
       ErrorClass::kWaitAndPoll},
      {400,
       R"({"__type":"InvalidParameterException","message":"The specified nextToken is invalid."})",
       ErrorClass::kInvalidToken},
      {400, R"({"__type":"InvalidParameterException","message":"limit must be positive"})",
       ErrorClass::kFatal},
      {403,
       "<ErrorResponse><Error><Code>SignatureDoesNotMatch</Code><Message>x</Message></Error></"
       "ErrorResponse>",
       ErrorClass::kFatal},
      {400, "<ErrorResponse><Error><Code>ExpiredToken</Code></Error></ErrorResponse>",
       ErrorClass::kRefreshAndRetry},
      {429, "", ErrorClass::kThrottle},
      {404, "<html>not found</html>", ErrorClass::kFatal},
  };
  for (const auto& row : rows) {
    EXPECT_EQ(aws::classify_response(resp(row.status, row.body)).error_class, row.expected)
        << row.status << " " << row.body;
  }
}

TEST(Classification, HeaderTypeRequestIdAndDate) {
  auto e = aws::classify_response(resp(400, "garbage",
                                       {{"x-amzn-ErrorType", "ThrottlingException:http://x"},
                                        {"x-amzn-RequestId", "rid-1"},
                                        {"Date", "Mon, 01 Jan 2024 00:10:00 GMT"}}));
  EXPECT_EQ(e.code, "ThrottlingException");
  EXPECT_EQ(e.error_class, ErrorClass::kThrottle);
  EXPECT_EQ(e.request_id, "rid-1");
  ASSERT_TRUE(e.server_date);
  EXPECT_NE(e.describe().find("rid-1"), std::string::npos);
  EXPECT_EQ(e.to_error().code, common::ErrorCode::kThrottled);
}

TEST(Classification, TransportErrors) {
  auto t = aws::classify_transport_error({common::ErrorCode::kTimeout, "timed out"});
  EXPECT_EQ(t.error_class, ErrorClass::kRetryable);
  EXPECT_TRUE(t.timeout);
  EXPECT_EQ(aws::classify_transport_error({common::ErrorCode::kUnavailable, "reset"}).error_class,
            ErrorClass::kRetryable);
  EXPECT_EQ(aws::classify_transport_error({common::ErrorCode::kAuth, "TLS verify"}).error_class,
            ErrorClass::kFatal);
  EXPECT_EQ(aws::classify_transport_error({common::ErrorCode::kInvalidArgument, "http to remote"})
                .error_class,
            ErrorClass::kFatal);
}

TEST(Backoff, FullJitterBoundsWithSeededRng) {
  auto gen = std::make_shared<std::mt19937_64>(42);
  aws::RetryPolicy p({}, [gen] { return std::uniform_real_distribution<double>(0, 1)(*gen); });
  for (int retry = 1; retry <= 10; ++retry) {
    const long long cap = std::min<long long>(1000LL << (retry - 1), 20000);
    long long max_seen = 0;
    for (int i = 0; i < 200; ++i) {
      const auto d = p.backoff(retry).count();
      EXPECT_GE(d, 0);
      EXPECT_LE(d, cap);
      max_seen = std::max<long long>(max_seen, d);
    }
    EXPECT_GT(max_seen, cap / 2) << "jitter should use the whole range";
  }
  aws::RetryPolicy top({}, [] { return 0.999999; });
  EXPECT_EQ(top.backoff(1).count(), 999);
  EXPECT_EQ(top.backoff(3).count(), 3999);
  EXPECT_EQ(top.backoff(30).count(), 19999);
  aws::RetryPolicy nan({}, [] { return std::nan(""); });
  EXPECT_EQ(nan.backoff(2).count(), 0);
}

TEST(RetryQuota, CostsRefundsAndExhaustion) {
  aws::RetryQuota q;
  EXPECT_EQ(q.available(), 500);
  int retries = 0;
  while (q.acquire(false)) ++retries;
  EXPECT_EQ(retries, 100);  // 500 / 5
  EXPECT_FALSE(q.acquire(true));
  q.on_success(5);  // success after a retry refunds that retry
  EXPECT_EQ(q.available(), 5);
  EXPECT_FALSE(q.acquire(true));  // a timeout costs 10
  EXPECT_TRUE(q.acquire(false));
  for (int i = 0; i < 1000; ++i) q.on_success(0);
  EXPECT_EQ(q.available(), 500);  // capped at capacity
}

TEST(Classification, SkewServerTimeFromMessageBeatsDateHeader) {
  auto e = aws::classify_response(resp(
      400,
      R"J({"__type":"InvalidSignatureException","message":"Signature expired: 20240101T000000Z is now earlier than 20240101T000500Z (20240101T001000Z - 5 min.)"})J",
      {{"Date", "Mon, 01 Jan 2024 00:00:01 GMT"}}));
  ASSERT_EQ(e.error_class, ErrorClass::kClockSkew);
  ASSERT_TRUE(e.server_date);
  EXPECT_EQ(aws::format_amz_date(*e.server_date), "20240101T001000Z");
}
