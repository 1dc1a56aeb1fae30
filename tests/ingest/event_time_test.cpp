// The audit event's own time (src/audit/event_time.cpp), which the input sends as <time>.
#include "kubepriv/audit/event_time.hpp"

#include <gtest/gtest.h>

#include <string>

#include "kubepriv/common/time.hpp"

using kubepriv::audit::request_received_ms;

namespace {

constexpr std::int64_t kT = 1'714'566'896'123;  // 2024-05-01T12:34:56.123Z

TEST(EventTime, TopLevelRequestReceivedTimestamp) {
  EXPECT_EQ(
      request_received_ms(R"({"kind":"Event","apiVersion":"audit.k8s.io/v1","auditID":"a",)"
                          R"("requestObject":{"spec":{"containers":[{"name":"x"}]}},)"
                          R"("requestReceivedTimestamp":"2024-05-01T12:34:56.123456Z",)"
                          R"("stageTimestamp":"2024-05-01T12:34:57.000000Z","annotations":{}})"),
      kT);
  // Whitespace, another zone, no fraction.
  EXPECT_EQ(
      request_received_ms("{ \"requestReceivedTimestamp\" :\n \"2024-05-01T14:34:56+02:00\" }"),
      kT - 123);
}

TEST(EventTime, NestedKeysAndStringsAreNotTheEventTime) {
  // A nested object with the key comes first (Kubernetes writes requestObject before the
  // top-level time): only the top level counts.
  EXPECT_EQ(
      request_received_ms(R"({"requestObject":{"requestReceivedTimestamp":"1999-01-01T00:00:00Z"},)"
                          R"("requestReceivedTimestamp":"2024-05-01T12:34:56.123Z"})"),
      kT);
  EXPECT_EQ(request_received_ms(
                R"({"requestObject":{"requestReceivedTimestamp":"1999-01-01T00:00:00Z"}})"),
            std::nullopt);
  EXPECT_EQ(
      request_received_ms(R"({"note":"\"requestReceivedTimestamp\":\"1999-01-01T00:00:00Z\""})"),
      std::nullopt);
}

TEST(EventTime, AnythingOddFallsBack) {
  for (const std::string bad : {
           "", "not json", "[1,2]", R"({"requestReceivedTimestamp":12345})",
           R"({"requestReceivedTimestamp":null})", R"({"requestReceivedTimestamp":"yesterday"})",
           R"({"requestReceivedTimestamp":"2024-02-30T00:00:00Z"})",
           R"({"requestReceivedTimestamp":"2024-05-01T12:34:56"})",
           R"({"requestReceivedTimestamp":"2024-05-01T12:34:56Z","requestReceivedTimestamp":)"
           R"("2024-05-01T12:34:57Z"})",
           R"({"requestReceivedTimestamp":"2024-05-01T12:34:56Z")",  // cut ([Truncated...])
       }) {
    EXPECT_EQ(request_received_ms(bad), std::nullopt) << bad;
  }
}

TEST(EventTime, TheOneRfc3339ParserHasExplicitBounds) {
  using kubepriv::common::parse_rfc3339_ms;
  EXPECT_TRUE(parse_rfc3339_ms("2024-02-29T00:00:00Z"));
  EXPECT_FALSE(parse_rfc3339_ms("2023-02-29T00:00:00Z"));
  EXPECT_FALSE(parse_rfc3339_ms("2024-04-31T00:00:00Z"));
  EXPECT_FALSE(parse_rfc3339_ms("2024-04-30T24:00:00Z"));
  EXPECT_EQ(*parse_rfc3339_ms("1900-03-01T00:00:00Z"), -2'203'891'200'000);
  EXPECT_EQ(kubepriv::common::format_rfc3339_ms(kT), "2024-05-01T12:34:56.123Z");
}

}  // namespace
