// `eks_audit_logs pull`'s arguments (the range, the group, the region) and the pull itself over
// a fake CloudWatch Logs: one JSON object per line, the stream prefix, a stop.

#include "kubepriv/ingest/pull.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "kubepriv/testing/capture_logs.hpp"
#include "kubepriv/testing/fake_clock.hpp"
#include "kubepriv/testing/fake_http.hpp"
#include "kubepriv/testing/map_environment.hpp"

using namespace kubepriv;

namespace {

constexpr std::int64_t kNowMs = 1'700'000'000'000;

common::Result<ingest::PullOptions> parse(const std::vector<std::string>& args,
                                          const aws::MapEnvironment& env = {}) {
  return ingest::parse_pull_args(args, env, kNowMs);
}

TEST(PullArgs, DefaultsTheLastHourOfTheAuditStreams) {
  aws::MapEnvironment env;
  env.vars["AWS_DEFAULT_REGION"] = "eu-west-1";
  auto o = parse({"--cluster", "prod"}, env);
  ASSERT_TRUE(o) << o.error().message;
  EXPECT_EQ(o->group, "/aws/eks/prod/cluster");
  EXPECT_EQ(o->prefix, "kube-apiserver-audit-");
  EXPECT_EQ(o->stack.region, "eu-west-1") << "AWS_DEFAULT_REGION when AWS_REGION is unset";
  EXPECT_EQ(o->since_ms, kNowMs - 3'600'000);
  EXPECT_EQ(o->until_ms, kNowMs);
  EXPECT_DOUBLE_EQ(o->stack.rate_limit, 2.0);
  EXPECT_FALSE(o->progress);
  EXPECT_FALSE(o->help);
}

TEST(PullArgs, EveryOptionLandsInItsField) {
  auto o = parse({"--log-group",    "arn:aws:logs:us-east-1:1:log-group:g",
                  "--region",       "us-east-1",
                  "--since",        "-2h",
                  "--until",        "-30m",
                  "--prefix",       "p-",
                  "--profile",      "team",
                  "--endpoint",     "http://127.0.0.1:1",
                  "--sts-endpoint", "http://127.0.0.1:2",
                  "--role-arn",     "arn:aws:iam::1:role/r",
                  "--external-id",  "xid",
                  "--proxy",        "http://proxy:3128",
                  "--ca-bundle",    "/ca.pem",
                  "--rate-limit",   "5",
                  "--progress",     "--debug"});
  ASSERT_TRUE(o) << o.error().message;
  EXPECT_EQ(o->group, "arn:aws:logs:us-east-1:1:log-group:g");
  EXPECT_EQ(o->since_ms, kNowMs - 7'200'000);
  EXPECT_EQ(o->until_ms, kNowMs - 1'800'000);
  EXPECT_EQ(o->prefix, "p-");
  EXPECT_EQ(o->stack.profile, "team");
  EXPECT_EQ(o->stack.endpoint_url, "http://127.0.0.1:1");
  EXPECT_EQ(o->stack.sts_endpoint_url, "http://127.0.0.1:2");
  EXPECT_EQ(o->stack.role_arn, "arn:aws:iam::1:role/r");
  EXPECT_EQ(o->stack.external_id, "xid");
  EXPECT_EQ(o->stack.proxy_url, "http://proxy:3128");
  EXPECT_EQ(o->stack.ca_bundle, "/ca.pem");
  EXPECT_DOUBLE_EQ(o->stack.rate_limit, 5.0);
  EXPECT_TRUE(o->progress);
  EXPECT_TRUE(o->debug);
}

TEST(PullArgs, UsageErrorsSayWhatIsWrong) {
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
      {{"--cluster", "c"}, "no region"},
      {{"--cluster", "c", "--region", "eu west 1"}, "is not a region"},
      {{"--region", "eu-west-1"}, "exactly one of --log-group, --cluster"},
      {{"--region", "eu-west-1", "--cluster", "c", "--log-group", "g"}, "exactly one"},
      {{"--region", "eu-west-1", "--cluster", "c", "--since", "yesterday"}, "--since:"},
      {{"--region", "eu-west-1", "--cluster", "c", "--since", "-1h", "--until", "-2h"},
       "--until is before --since"},
      {{"--region", "eu-west-1", "--cluster", "c", "--rate-limit", "0"}, "--rate-limit:"},
      {{"--region", "eu-west-1", "--cluster", "c", "--colour", "x"}, "unknown option --colour"},
      {{"--region"}, "option --region needs a value"},
  };
  for (const auto& [args, want] : cases) {
    auto o = parse(args);
    ASSERT_FALSE(o) << want;
    EXPECT_EQ(o.error().code, common::ErrorCode::kInvalidArgument);
    EXPECT_NE(o.error().message.find(want), std::string::npos) << o.error().message;
  }
}

TEST(PullArgs, HelpWinsOverEverythingAfterIt) {
  auto o = parse({"--help", "--bogus"});
  ASSERT_TRUE(o);
  EXPECT_TRUE(o->help);
}

// The pull over a fake CloudWatch Logs: two pages, a foreign stream, a message with line breaks.
TEST(Pull, WritesOneLinePerAuditEventAndStopsOnRequest) {
  for (bool stop_after_first_page : {false, true}) {
    SCOPED_TRACE(stop_after_first_page);
    aws::MapEnvironment env;
    env.vars = {{"AWS_ACCESS_KEY_ID", "AKID"},
                {"AWS_SECRET_ACCESS_KEY", "S"},
                {"AWS_EC2_METADATA_DISABLED", "true"}};
    common::FakeClock clock{common::from_epoch_ms(kNowMs)};
    common::StopToken stop;
    common::FakeSleeper sleeper(&clock, &stop);
    modinput::StringSink out;
    aws::testing::FakeHttp http;
    int calls = 0;
    http.handler = [&](const common::HttpRequest&) -> common::Result<common::HttpResponse> {
      ++calls;
      common::HttpResponse r;
      r.status = 200;
      if (calls == 1) {
        r.body = R"({"events":[)"
                 R"({"eventId":"1","logStreamName":"kube-apiserver-audit-1","timestamp":1,)"
                 R"("message":"{\"a\":\n1}\r\n"},)"
                 R"({"eventId":"2","logStreamName":"authenticator-1","timestamp":2,)"
                 R"("message":"{\"b\":2}"}],"nextToken":"t"})";
        if (stop_after_first_page) stop.request_stop();  // SIGTERM during the first call
      } else {
        r.body = R"({"events":[{"eventId":"3","logStreamName":"kube-apiserver-audit-1",)"
                 R"("timestamp":3,"message":"{\"c\":3}"}]})";
      }
      return r;
    };
    const ingest::Runtime rt{.env = env,
                             .clock = clock,
                             .sleeper = sleeper,
                             .stop = stop,
                             .out = out,
                             .make_transport =
                                 [&](const net::CurlOptions&) {
                                   return std::unique_ptr<common::HttpTransport>(
                                       std::make_unique<aws::testing::ForwardingHttp>(http));
                                 },
                             .event_time = {}};
    logging::CaptureLogs capture;
    const int code = ingest::run_pull(
        {"--cluster", "c", "--region", "eu-west-1", "--endpoint", "http://127.0.0.1:9"}, rt);
    if (stop_after_first_page) {
      EXPECT_EQ(code, 130);
      EXPECT_EQ(out.data, "{\"a\": 1}\n") << "the page in hand is written";
      EXPECT_EQ(calls, 1);
    } else {
      EXPECT_EQ(code, 0);
      EXPECT_EQ(out.data, "{\"a\": 1}\n{\"c\":3}\n");
      EXPECT_EQ(calls, 2);
    }
  }
}

}  // namespace
