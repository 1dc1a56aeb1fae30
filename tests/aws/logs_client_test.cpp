#include "kubepriv/aws/logs_client.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "kubepriv/testing/capture_logs.hpp"
#include "kubepriv/testing/fake_clock.hpp"
#include "kubepriv/testing/fake_http.hpp"
#include "kubepriv/testing/map_environment.hpp"

using namespace kubepriv;
using common::ErrorCode;
using kubepriv::aws::testing::FakeHttp;

namespace {

const char* kSecret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
const char* kToken = "SESSIONTOKENEXAMPLEVALUE";

struct Fixture {
  FakeHttp http;
  common::FakeClock clock;
  common::FakeSleeper sleeper{&clock};
  logging::CaptureLogs capture;
  std::vector<std::string>& logs = capture.messages;
  struct Provider : aws::CredentialsProvider {
    int calls = 0, forced = 0;
    common::Result<aws::Credentials> get(bool force) override {
      ++calls;
      if (force) ++forced;
      return aws::Credentials{"AKIDEXAMPLE" + std::to_string(forced), kSecret, kToken, {}, "test"};
    }
    std::string name() const override { return "test"; }
  } creds;
  std::shared_ptr<aws::TokenBucket> limiter;
  std::unique_ptr<aws::CloudWatchLogsClient> client;
  explicit Fixture(bool with_limiter = false) {
    aws::MapEnvironment env;
    aws::LogsClientConfig cfg;
    aws::EndpointOptions eo;
    eo.region = "us-east-1";
    eo.explicit_url = "http://127.0.0.1:4566";
    cfg.endpoint = *aws::resolve_logs_endpoint(eo, env);
    if (with_limiter) limiter = std::make_shared<aws::TokenBucket>(2.0, 1.0, clock);
    client = std::make_unique<aws::CloudWatchLogsClient>(cfg, http, creds, clock, sleeper, limiter,
                                                         [] { return 0.5; });
  }
  aws::FilterLogEventsRequest request() {
    aws::FilterLogEventsRequest r;
    r.log_group_name = "/aws/eks/demo/cluster";
    r.start_time_ms = 1000;
    r.end_time_ms = 2000;
    r.limit = 100;
    return r;
  }
  void expect_no_secret_logged() {
    for (const auto& l : logs) {
      EXPECT_EQ(l.find(kSecret), std::string::npos) << l;
      EXPECT_EQ(l.find(kToken), std::string::npos) << l;
      EXPECT_EQ(l.find("Signature="), std::string::npos) << l;
    }
  }
};

const char* kPage =
    R"({"events":[{"logStreamName":"kube-apiserver-audit-abc","timestamp":1500,"message":"{\"kind\":\"Event\"}",)"
    R"("ingestionTime":1600,"eventId":"37000000000000000000000000000000000000000000000000000001","extra":1}],)"
    R"("searchedLogStreams":[],"nextToken":"tok-2"})";

}  // namespace

TEST(FilterLogEventsBody, FieldsAndEscaping) {
  aws::FilterLogEventsRequest r;
  r.log_group_name = "/aws/eks/x\"y/cluster";
  r.start_time_ms = 1;
  r.end_time_ms = 2;
  r.next_token = "t";
  r.limit = 10;
  auto j = nlohmann::json::parse(aws::filter_log_events_body(r));
  EXPECT_EQ(j["logGroupName"], "/aws/eks/x\"y/cluster");
  EXPECT_EQ(j["logStreamNamePrefix"], "kube-apiserver-audit-");
  EXPECT_EQ(j["startTime"], 1);
  EXPECT_EQ(j["endTime"], 2);
  EXPECT_EQ(j["nextToken"], "t");
  EXPECT_EQ(j["limit"], 10);
  EXPECT_FALSE(j.contains("logGroupIdentifier"));
  r.log_group_identifier = "arn:aws:logs:us-east-1:1:log-group:/x";
  r.next_token.clear();
  r.limit = 0;
  j = nlohmann::json::parse(aws::filter_log_events_body(r));
  EXPECT_FALSE(j.contains("logGroupName"));
  EXPECT_FALSE(j.contains("nextToken"));
  EXPECT_FALSE(j.contains("limit"));
}

TEST(FilterLogEventsParse, GoodNullAndOddInputs) {
  auto p = aws::parse_filter_log_events_response(kPage);
  ASSERT_TRUE(p) << p.error().message;
  ASSERT_EQ(p->events.size(), 1u);
  EXPECT_EQ(p->events[0].message, "{\"kind\":\"Event\"}");
  EXPECT_EQ(p->events[0].timestamp_ms, 1500);
  EXPECT_EQ(p->events[0].ingestion_time_ms, 1600);
  EXPECT_EQ(*p->next_token, "tok-2");
  auto null_token = aws::parse_filter_log_events_response(R"({"events":[],"nextToken":null})");
  ASSERT_TRUE(null_token);
  EXPECT_FALSE(null_token->next_token);
  EXPECT_FALSE(aws::parse_filter_log_events_response(R"({"events":[]})")->next_token);
  EXPECT_FALSE(aws::parse_filter_log_events_response(R"({"nextToken":""})")->next_token);
  EXPECT_TRUE(aws::parse_filter_log_events_response(R"({"events":null})"));
  for (
      const char* bad :
      {"", "<html><body>502</body></html>", R"({"events":[{"logStreamName":"s")", "[]",
       R"({"events":{}})", R"({"events":[1]})", R"({"nextToken":5})",
       R"({"events":[{"logStreamName":"s","timestamp":1,"message":"m"}]})",
       R"({"events":[{"logStreamName":"s","timestamp":"1","message":"m","eventId":"e"}]})",
       R"({"events":[{"logStreamName":"s","timestamp":1,"message":"m","eventId":"e","ingestionTime":"x"}]})"}) {
    auto r = aws::parse_filter_log_events_response(bad);
    EXPECT_FALSE(r) << bad;
    if (!r) {
      EXPECT_EQ(r.error().code, ErrorCode::kParse);
    }
  }
  const std::string truncated(kPage, 60);
  EXPECT_FALSE(aws::parse_filter_log_events_response(truncated));
}

TEST(FilterLogEventsParse, OneMegabyteMessage) {
  std::string big(1024 * 1024, 'x');
  big[10] = '"';  // needs escaping
  nlohmann::json j;
  j["events"] = nlohmann::json::array({{{"logStreamName", "kube-apiserver-audit-1"},
                                        {"timestamp", 5},
                                        {"message", big},
                                        {"eventId", "1"},
                                        {"ingestionTime", 6}}});
  auto p = aws::parse_filter_log_events_response(j.dump());
  ASSERT_TRUE(p);
  EXPECT_EQ(p->events.at(0).message, big);
}

TEST(LogsClient, SignedAwsJsonRequest) {
  Fixture f;
  f.http.push(200, kPage);
  auto page = f.client->filter_log_events(f.request());
  ASSERT_TRUE(page) << page.error().message;
  ASSERT_EQ(f.http.requests.size(), 1u);
  const auto& r = f.http.requests[0];
  EXPECT_EQ(r.method, "POST");
  EXPECT_EQ(r.url, "http://127.0.0.1:4566/");
  EXPECT_EQ(*common::find_header(r.headers, "X-Amz-Target"), "Logs_20140328.FilterLogEvents");
  EXPECT_EQ(*common::find_header(r.headers, "Content-Type"), "application/x-amz-json-1.1");
  EXPECT_EQ(*common::find_header(r.headers, "X-Amz-Security-Token"), kToken);
  const auto auth = *common::find_header(r.headers, "Authorization");
  EXPECT_NE(auth.find("/us-east-1/logs/aws4_request"), std::string::npos);
  EXPECT_NE(
      auth.find("SignedHeaders=content-type;host;x-amz-date;x-amz-security-token;x-amz-target"),
      std::string::npos);
  EXPECT_EQ(nlohmann::json::parse(r.body)["logGroupName"], "/aws/eks/demo/cluster");
}

TEST(LogsClient, RetriesTransientErrorsWithBackoff) {
  Fixture f;
  f.http.push(503, R"({"__type":"ServiceUnavailableException"})");
  f.http.push_error(ErrorCode::kUnavailable, "connection reset by peer");
  f.http.push(200, kPage);
  auto page = f.client->filter_log_events(f.request());
  ASSERT_TRUE(page) << page.error().message;
  EXPECT_EQ(f.http.requests.size(), 3u);
  ASSERT_EQ(f.sleeper.sleeps.size(), 2u);
  EXPECT_EQ(f.sleeper.sleeps[0].count(), 500);   // rng 0.5 * 1 s
  EXPECT_EQ(f.sleeper.sleeps[1].count(), 1000);  // rng 0.5 * 2 s
  EXPECT_EQ(f.client->stats().retries, 2u);
  f.expect_no_secret_logged();
}

TEST(LogsClient, GivesUpAfterMaxAttempts) {
  Fixture f;
  for (int i = 0; i < 5; ++i) f.http.push(500, "<html>oops</html>");
  auto page = f.client->filter_log_events(f.request());
  ASSERT_FALSE(page);
  EXPECT_EQ(page.error().code, ErrorCode::kUnavailable);
  EXPECT_EQ(f.http.requests.size(), 3u);
  ASSERT_TRUE(f.client->last_error());
  EXPECT_EQ(f.client->last_error()->http_status, 500);
}

TEST(LogsClient, ThrottlingSlowsTheLimiter) {
  Fixture f(true);
  f.http.push(400, R"({"__type":"ThrottlingException","message":"Rate exceeded"})");
  f.http.push(200, kPage);
  ASSERT_TRUE(f.client->filter_log_events(f.request()));
  EXPECT_LT(f.limiter->rate(), 2.0);
  EXPECT_EQ(f.client->stats().throttles, 1u);
}

TEST(LogsClient, ExpiredTokenRefreshesOnceThenFails) {
  Fixture f;
  f.http.push(
      400,
      R"({"__type":"ExpiredTokenException","message":"The security token included in the request is expired"})");
  f.http.push(200, kPage);
  ASSERT_TRUE(f.client->filter_log_events(f.request()));
  EXPECT_EQ(f.creds.forced, 1);
  EXPECT_NE(common::find_header(f.http.requests[1].headers, "Authorization")->find("AKIDEXAMPLE1/"),
            std::string::npos);
  EXPECT_TRUE(f.sleeper.sleeps.empty());  // not a backoff retry
  f.http.push(400, R"({"__type":"ExpiredTokenException"})");
  f.http.push(400, R"({"__type":"ExpiredTokenException"})");
  auto again = f.client->filter_log_events(f.request());
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, ErrorCode::kAuth);
  f.expect_no_secret_logged();
}

TEST(LogsClient, ClockSkewCorrectedFromDateHeader) {
  Fixture f;
  f.clock.set_wall(*aws::parse_timestamp("2024-01-01T00:00:00Z"));
  f.http.push(
      400,
      R"J({"__type":"InvalidSignatureException","message":"Signature expired: 20240101T000000Z is now earlier than 20240101T000500Z (20240101T001000Z - 5 min.)"})J",
      {{"Date", "Mon, 01 Jan 2024 00:10:00 GMT"}});
  f.http.push(200, kPage);
  ASSERT_TRUE(f.client->filter_log_events(f.request()));
  EXPECT_EQ(*common::find_header(f.http.requests[0].headers, "X-Amz-Date"), "20240101T000000Z");
  EXPECT_EQ(*common::find_header(f.http.requests[1].headers, "X-Amz-Date"), "20240101T001000Z");
  EXPECT_EQ(f.client->clock_offset().count(), 600000);
  // A skew error without a Date header cannot be corrected: clear failure.
  f.http.push(400, R"({"__type":"InvalidSignatureException","message":"Signature expired: x"})");
  f.http.push(400, R"({"__type":"InvalidSignatureException","message":"Signature expired: x"})");
  EXPECT_FALSE(f.client->filter_log_events(f.request()));
}

TEST(LogsClient, FatalErrorsAreNotRetried) {
  Fixture f;
  f.http.push(400, R"({"__type":"AccessDeniedException","message":"no"})",
              {{"x-amzn-RequestId", "r-1"}});
  auto r = f.client->filter_log_events(f.request());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kAuth);
  EXPECT_NE(r.error().message.find("r-1"), std::string::npos);
  EXPECT_EQ(f.http.requests.size(), 1u);
  f.http.push(400, R"({"__type":"ResourceNotFoundException"})");
  auto nf = f.client->filter_log_events(f.request());
  EXPECT_EQ(nf.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(f.client->last_error()->error_class, aws::ErrorClass::kWaitAndPoll);
  f.http.push(400,
              R"({"__type":"InvalidParameterException","message":"The nextToken is invalid"})");
  auto bad_token = f.client->filter_log_events(f.request());
  EXPECT_EQ(f.client->last_error()->error_class, aws::ErrorClass::kInvalidToken);
  EXPECT_EQ(bad_token.error().code, ErrorCode::kInvalidArgument);
}

TEST(LogsClient, MalformedSuccessBodyIsRetried) {
  Fixture f;
  f.http.push(200, R"({"events":[{"logStreamName":"kube-apiserver-audit-)");
  f.http.push(200, kPage);
  auto p = f.client->filter_log_events(f.request());
  ASSERT_TRUE(p) << p.error().message;
  EXPECT_EQ(f.http.requests.size(), 2u);
  for (int i = 0; i < 3; ++i) f.http.push(200, "<html>proxy</html>");
  auto bad = f.client->filter_log_events(f.request());
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, ErrorCode::kParse);
}

TEST(LogsClient, RetryQuotaExhaustionFailsFast) {
  Fixture f;
  f.http.handler = [](const common::HttpRequest&) -> common::Result<common::HttpResponse> {
    return common::fail(ErrorCode::kTimeout, "timed out");
  };
  // Each failing call spends 2 timeout retries (20 tokens): 25 calls drain the 500 tokens.
  for (int i = 0; i < 25; ++i) ASSERT_FALSE(f.client->filter_log_events(f.request()));
  const auto before = f.http.requests.size();
  ASSERT_FALSE(f.client->filter_log_events(f.request()));
  EXPECT_EQ(f.http.requests.size() - before, 1u);  // no retry left
  EXPECT_NE(f.client->last_error()->message.find("quota"), std::string::npos);
}
