// Canonicalisation edge cases and helpers of the signer beyond the official vectors.

#include "kubepriv/aws/sigv4.hpp"

#include <gtest/gtest.h>

#include "kubepriv/aws/credentials.hpp"
#include "kubepriv/common/hex.hpp"

using namespace kubepriv;

TEST(SigV4, Sha256AndHmacKnownAnswers) {
  EXPECT_EQ(aws::sha256_hex(""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  // RFC 4231 test case 2.
  EXPECT_EQ(common::hex_encode(aws::hmac_sha256("Jefe", "what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST(SigV4, CanonicalUriDoubleEncodesForNonS3) {
  EXPECT_EQ(aws::canonical_uri("/a%20b", true), "/a%2520b");
  EXPECT_EQ(aws::canonical_uri("/a/b/../c/./d//", true), "/a/c/d/");
  EXPECT_EQ(aws::canonical_uri("", true), "/");
  EXPECT_EQ(aws::canonical_uri("/../..", true), "/");
  EXPECT_EQ(aws::canonical_uri("/a+b=c", false), "/a%2Bb%3Dc");
}

TEST(SigV4, CanonicalQuerySortsAndEncodes) {
  EXPECT_EQ(aws::canonical_query("b=2&a=1&a=0"), "a=0&a=1&b=2");
  EXPECT_EQ(aws::canonical_query("k=a b&x"), "k=a%20b&x=");
  EXPECT_EQ(aws::canonical_query("k=%2f%2F"), "k=%2F%2F");
  EXPECT_EQ(aws::canonical_query("&&a=1&"), "a=1");
  EXPECT_EQ(aws::canonical_query("a=%zz"), "a=%25zz");  // invalid escape kept literally
}

TEST(SigV4, CanonicalHeadersTrimCollapseSortMerge) {
  common::HttpHeaders h = {
      {"X-B", "  two   words  "}, {"x-a", "1"}, {"X-A", "\t2\n  3"}, {"Host", "h"}};
  auto [canon, signed_list] = aws::canonical_headers(h);
  EXPECT_EQ(canon, "host:h\nx-a:1,2 3\nx-b:two words\n");
  EXPECT_EQ(signed_list, "host;x-a;x-b");
  // Sorting by name, not by "name:value" (curl#14370): x-amz-meta-a before x-amz-meta-a-b.
  common::HttpHeaders h2 = {{"x-amz-meta-a-b", "1"}, {"x-amz-meta-a", "2"}};
  EXPECT_EQ(aws::canonical_headers(h2).second, "x-amz-meta-a;x-amz-meta-a-b");
}

TEST(SigV4, AmzDateAndTimestamps) {
  auto t = aws::parse_timestamp("2015-08-30T12:36:00Z");
  ASSERT_TRUE(t);
  EXPECT_EQ(aws::format_amz_date(*t), "20150830T123600Z");
  EXPECT_EQ(aws::format_amz_date(*aws::parse_timestamp("20240229T235959Z")), "20240229T235959Z");
  EXPECT_EQ(common::to_epoch_ms(*aws::parse_timestamp("1970-01-01T00:00:01.5Z")), 1500);
  EXPECT_EQ(common::to_epoch_ms(*aws::parse_timestamp("1970-01-01T02:00:00+02:00")), 0);
  EXPECT_FALSE(aws::parse_timestamp("2015-08-30 12:36"));
  EXPECT_FALSE(aws::parse_timestamp("2015-13-30T12:36:00Z"));
  EXPECT_FALSE(aws::parse_timestamp("2015-08-30T12:36:00"));
  auto d = aws::parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT");
  ASSERT_TRUE(d);
  EXPECT_EQ(aws::format_amz_date(*d), "19941106T084937Z");
  EXPECT_FALSE(aws::parse_http_date("yesterday"));
}

TEST(SigV4, LogsRequestShapeAndResigning) {
  common::HttpRequest req;
  req.method = "POST";
  req.url = "https://logs.us-east-1.amazonaws.com/";
  req.headers = {{"Content-Type", "application/x-amz-json-1.1"},
                 {"X-Amz-Target", "Logs_20140328.FilterLogEvents"}};
  req.body = "{}";
  aws::Credentials c{"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "TOKEN", {}, "t"};
  aws::SigningParams p;
  p.region = "us-east-1";
  p.service = "logs";
  p.time = *aws::parse_timestamp("2024-01-02T03:04:05Z");
  auto r = aws::sign_request(req, c, p);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->signed_headers, "content-type;host;x-amz-date;x-amz-security-token;x-amz-target");
  EXPECT_NE(r->authorization.find("Credential=AKIDEXAMPLE/20240102/us-east-1/logs/aws4_request"),
            std::string::npos);
  EXPECT_EQ(*common::find_header(req.headers, "Host"), "logs.us-east-1.amazonaws.com");
  const std::size_t count = req.headers.size();
  // A retry re-signs the same request: no duplicated X-Amz-Date/Authorization/token headers.
  p.time += std::chrono::seconds(10);
  auto r2 = aws::sign_request(req, c, p);
  ASSERT_TRUE(r2);
  EXPECT_EQ(req.headers.size(), count);
  EXPECT_NE(r->signature, r2->signature);
  EXPECT_EQ(*common::find_header(req.headers, "X-Amz-Date"), "20240102T030415Z");
}

TEST(SigV4, HostWithPortIsSignedAsSent) {
  common::HttpRequest req;
  req.method = "POST";
  req.url = "http://127.0.0.1:8443/";
  aws::Credentials c{"AK", "SK", "", {}, "t"};
  aws::SigningParams p;
  p.region = "us-west-2";
  p.service = "logs";
  p.time = *aws::parse_timestamp("2024-01-02T03:04:05Z");
  auto r = aws::sign_request(req, c, p);
  ASSERT_TRUE(r);
  EXPECT_NE(r->canonical_request.find("host:127.0.0.1:8443\n"), std::string::npos);
}

TEST(SigV4, RefusesIncompleteInput) {
  common::HttpRequest req;
  req.url = "https://x/";
  aws::SigningParams p;
  p.region = "us-east-1";
  p.service = "logs";
  EXPECT_FALSE(aws::sign_request(req, aws::Credentials{"", "s", "", {}, ""}, p));
  p.region.clear();
  EXPECT_FALSE(aws::sign_request(req, aws::Credentials{"a", "s", "", {}, ""}, p));
  req.url = "not a url";
  p.region = "us-east-1";
  EXPECT_FALSE(aws::sign_request(req, aws::Credentials{"a", "s", "", {}, ""}, p));
}

TEST(SigV4, SigningKeyCacheDerivesOncePerScope) {
  aws::SigningKeyCache cache;
  const auto k1 = cache.get("secret", "20240101", "us-east-1", "logs");
  const auto k2 = cache.get("secret", "20240101", "us-east-1", "logs");
  EXPECT_EQ(k1, k2);
  EXPECT_EQ(cache.derivations(), 1u);
  EXPECT_EQ(k1, aws::derive_signing_key("secret", "20240101", "us-east-1", "logs"));
  (void)cache.get("secret", "20240102", "us-east-1", "logs");
  (void)cache.get("other", "20240101", "us-east-1", "logs");
  EXPECT_EQ(cache.derivations(), 3u);
}

// Server-supplied dates far in the future must be refused, not overflow the clock (UBSan found
// "Sun, 30 Aug 4030" overflowing the nanosecond system_clock).
TEST(SigV4, FarFutureDatesRefusedWithoutOverflow) {
  EXPECT_FALSE(aws::parse_http_date("Sun, 30 Aug 4030 12:36:00 GMT"));
  EXPECT_FALSE(aws::parse_timestamp("9999-12-31T23:59:59Z"));
  EXPECT_FALSE(aws::parse_timestamp("99991231T235959Z"));
  EXPECT_TRUE(aws::parse_timestamp("2199-12-31T23:59:59Z"));
  EXPECT_EQ(aws::format_amz_date(common::from_epoch_ms(INT64_MAX)).size(), 16u);  // clamped
}

// The rules SigV4 times share with every other parser (common/time.hpp): real month lengths
// (the old copy took any day up to 31 and rolled it over), offsets within -12:00..+14:00, a
// leap second only at 23:59:60 UTC; a bare date is not a server time.
TEST(SigV4, TimestampsFollowTheSharedCalendarRules) {
  EXPECT_FALSE(aws::parse_timestamp("2024-04-31T00:00:00Z"));
  EXPECT_FALSE(aws::parse_timestamp("20240431T000000Z"));
  EXPECT_FALSE(aws::parse_timestamp("20230229T000000Z"));
  EXPECT_FALSE(aws::parse_timestamp("Sun, 31 Apr 1994 08:49:37 GMT"));
  EXPECT_FALSE(aws::parse_http_date("Sun, 31 Apr 1994 08:49:37 GMT"));
  EXPECT_FALSE(aws::parse_timestamp("2024-01-01T00:00:00+15:00"));
  EXPECT_TRUE(aws::parse_timestamp("2024-01-01T00:00:00+14:00"));
  EXPECT_FALSE(aws::parse_timestamp("2024-01-01"));
  EXPECT_EQ(aws::format_amz_date(*aws::parse_timestamp("2016-12-31T23:59:60Z")),
            "20170101T000000Z");
  EXPECT_FALSE(aws::parse_timestamp("2016-12-31T12:00:60Z"));
  // The error keeps its class for the callers (a server's bad time is a parse error).
  EXPECT_EQ(aws::parse_timestamp("2024-04-31T00:00:00Z").error().code, common::ErrorCode::kParse);
  EXPECT_EQ(aws::parse_timestamp("1969-12-31T23:59:59Z").error().code, common::ErrorCode::kParse);
}

// The canonical query keeps a '%' that starts no valid escape (then encodes it), and '+' is a
// plus, not a space (the form rule of Kubernetes' dryRun check is the other one).
TEST(SigV4, CanonicalQueryKeepsInvalidEscapesAndPlus) {
  EXPECT_EQ(aws::canonical_query("a=%zz&b=100%&c=%41"), "a=%25zz&b=100%25&c=A");
  EXPECT_EQ(aws::canonical_query("q=a+b&p=%2b"), "p=%2B&q=a%2Bb");
}
