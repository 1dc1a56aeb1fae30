#include "kubepriv/common/time.hpp"

#include <gtest/gtest.h>

namespace common = kubepriv::common;
using common::DateOnly;

namespace {
constexpr std::int64_t kT = 1'700'000'000'000;  // 2023-11-14T22:13:20Z

bool rfc(const char* s) {
  return common::parse_rfc3339_ms(s).has_value();
}
}  // namespace

TEST(Rfc3339, Forms) {
  EXPECT_EQ(*common::parse_rfc3339_ms("1970-01-01T00:00:00Z"), 0);
  EXPECT_EQ(*common::parse_rfc3339_ms("2023-11-14T22:13:20Z"), kT);
  EXPECT_EQ(*common::parse_rfc3339_ms("2023-11-14t22:13:20z"), kT);
  EXPECT_EQ(*common::parse_rfc3339_ms("2023-11-14 22:13:20Z"), kT);
  EXPECT_EQ(*common::parse_rfc3339_ms("2023-11-15T00:13:20+02:00"), kT);
  EXPECT_EQ(*common::parse_rfc3339_ms("2023-11-14T21:13:20-01:00"), kT);
  EXPECT_EQ(*common::parse_rfc3339_ms("2023-11-14T22:13:20-00:00"), kT);
  EXPECT_EQ(*common::parse_rfc3339_ms("1969-12-31T23:59:59.999Z"), -1);
  EXPECT_EQ(*common::parse_rfc3339_ms("2024-02-29"), 1'709'164'800'000);
}

TEST(Rfc3339, DateOnlyOnlyWhereAccepted) {
  EXPECT_TRUE(common::parse_rfc3339_ms("2024-02-29", DateOnly::kAccept));
  auto r = common::parse_rfc3339_ms("2024-02-29", DateOnly::kReject);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("missing time"), std::string::npos);
}

// Fractions of any length: the millisecond is kept, the rest truncated (not rounded).
TEST(Rfc3339, FractionsOfAnyLengthTruncateToTheMillisecond) {
  EXPECT_EQ(*common::parse_rfc3339_ms("2023-11-14T22:13:20.1Z"), kT + 100);
  EXPECT_EQ(*common::parse_rfc3339_ms("2023-11-14T22:13:20.12Z"), kT + 120);
  EXPECT_EQ(*common::parse_rfc3339_ms("2023-11-14T22:13:20.123456Z"), kT + 123);
  EXPECT_EQ(*common::parse_rfc3339_ms("2023-11-14T22:13:20.999999999Z"), kT + 999);
  EXPECT_EQ(*common::parse_rfc3339_ms("2023-11-14T22:13:20." + std::string(200, '9') + "Z"),
            kT + 999);
  EXPECT_FALSE(rfc("2023-11-14T22:13:20.Z"));
  EXPECT_FALSE(rfc("2023-11-14T22:13:20,5Z"));
}

TEST(Rfc3339, CalendarBounds) {
  EXPECT_FALSE(rfc("2023-13-01T00:00:00Z"));  // month 13
  EXPECT_FALSE(rfc("2023-00-01T00:00:00Z"));
  EXPECT_FALSE(rfc("2023-01-00T00:00:00Z"));
  EXPECT_FALSE(rfc("2024-04-31T00:00:00Z"));  // day 31 in April
  EXPECT_TRUE(rfc("2024-04-30T00:00:00Z"));
  EXPECT_FALSE(rfc("2023-02-29T00:00:00Z"));  // Feb 29 in a non-leap year
  EXPECT_TRUE(rfc("2024-02-29T00:00:00Z"));
  EXPECT_FALSE(rfc("1900-02-29T00:00:00Z"));  // century: not leap
  EXPECT_TRUE(rfc("2000-02-29T00:00:00Z"));   // 400th year: leap
  EXPECT_FALSE(rfc("2024-04-30T24:00:00Z"));  // hour 24
  EXPECT_FALSE(rfc("2024-04-30T23:60:00Z"));
  EXPECT_EQ(*common::parse_rfc3339_ms("1900-03-01T00:00:00Z"), -2'203'891'200'000);
  auto r = common::parse_rfc3339_ms("2024-04-31T00:00:00Z");
  EXPECT_EQ(r.error().code, common::ErrorCode::kInvalidArgument);
  EXPECT_NE(r.error().message.find("day out of range"), std::string::npos);
}

// A leap second exists only at 23:59:60 UTC (in local time with an offset); it reads as the
// first millisecond-aligned instant after it (the next day's 00:00:00).
TEST(Rfc3339, LeapSecondOnlyAt235960Utc) {
  EXPECT_EQ(*common::parse_rfc3339_ms("2016-12-31T23:59:60Z"),
            *common::parse_rfc3339_ms("2017-01-01T00:00:00Z"));
  EXPECT_TRUE(rfc("2017-01-01T01:59:60+02:00"));
  EXPECT_TRUE(rfc("2016-12-31T18:29:60-05:30"));
  EXPECT_FALSE(rfc("2016-12-31T12:00:60Z"));
  EXPECT_FALSE(rfc("2016-12-31T23:59:60+01:00"));
  EXPECT_FALSE(rfc("2016-12-31T23:59:61Z"));
}

TEST(Rfc3339, OffsetBounds) {
  EXPECT_TRUE(rfc("2024-01-01T00:00:00+14:00"));
  EXPECT_TRUE(rfc("2024-01-01T00:00:00-12:00"));
  EXPECT_FALSE(rfc("2024-01-01T00:00:00+14:01"));
  EXPECT_FALSE(rfc("2024-01-01T00:00:00-12:01"));
  EXPECT_FALSE(rfc("2024-01-01T00:00:00+23:59"));
  EXPECT_FALSE(rfc("2024-01-01T00:00:00+05:60"));
  EXPECT_FALSE(rfc("2024-01-01T00:00:00+0500"));
  EXPECT_FALSE(rfc("2024-01-01T00:00:00+05"));
  EXPECT_FALSE(rfc("2024-01-01T00:00:00+05:3"));
  auto r = common::parse_rfc3339_ms("2024-01-01T00:00:00+15:00");
  EXPECT_NE(r.error().message.find("-12:00 to +14:00"), std::string::npos);
}

TEST(Rfc3339, YearBoundsHoldForTheUtcInstant) {
  EXPECT_TRUE(rfc("0000-01-01T00:00:00Z"));
  EXPECT_TRUE(rfc("9999-12-31T23:59:59.999Z"));
  EXPECT_FALSE(rfc("0000-01-01T00:00:00+01:00"));  // 31 Dec of year -1 in UTC
  EXPECT_FALSE(rfc("9999-12-31T23:59:59-01:00"));  // year 10000 in UTC
  EXPECT_FALSE(rfc("10000-01-01T00:00:00Z"));
  EXPECT_FALSE(rfc("-001-01-01T00:00:00Z"));
}

TEST(Rfc3339, SyntaxErrorsSayWhat) {
  for (const char* s : {"", "yesterday", "2023", "2023-1-01", "2023-11-14T22:13", "2023-11-14T",
                        "2023-11-14T22:13:20", "2023-11-14T22:13:20Zjunk", "2023-11-14X22:13:20Z",
                        "2023-11-14T22:13:20 Z", "2O23-11-14T22:13:20Z", "2023-11-14T22:1a:20Z",
                        "2023/11/14", "2023-11-14junk"}) {
    auto r = common::parse_rfc3339_ms(s);
    ASSERT_FALSE(r) << s;
    EXPECT_EQ(r.error().code, common::ErrorCode::kInvalidArgument) << s;
    EXPECT_NE(r.error().message.find("RFC 3339"), std::string::npos) << s;
  }
  // Long input is quoted only in part.
  auto r = common::parse_rfc3339_ms(std::string(10'000, 'x'));
  ASSERT_FALSE(r);
  EXPECT_LT(r.error().message.size(), 200u);
}

TEST(Rfc3339, FormatAndRoundTrip) {
  EXPECT_EQ(common::format_rfc3339_ms(kT + 123), "2023-11-14T22:13:20.123Z");
  EXPECT_EQ(common::format_rfc3339_ms(-1), "1969-12-31T23:59:59.999Z");
  EXPECT_EQ(common::format_rfc3339_ms(0), "1970-01-01T00:00:00.000Z");
  for (std::int64_t t : {std::int64_t{0}, std::int64_t{-1}, kT, kT + 1, std::int64_t{951782400000},
                         std::int64_t{-62'167'219'200'000}, std::int64_t{253'402'300'799'999}}) {
    EXPECT_EQ(*common::parse_rfc3339_ms(common::format_rfc3339_ms(t)), t) << t;
  }
}

TEST(AmzDate, BasicFormParsesAndFormats) {
  EXPECT_EQ(*common::parse_amz_date_ms("20231114T221320Z"), kT);
  EXPECT_EQ(common::format_amz_date_ms(kT + 999), "20231114T221320Z");
  EXPECT_EQ(common::format_amz_date_ms(-1), "19691231T235959Z");  // toward the past
  EXPECT_EQ(*common::parse_amz_date_ms("20240229T235959Z"), 1'709'251'199'000);
  EXPECT_EQ(*common::parse_amz_date_ms("20161231T235960Z"),
            *common::parse_amz_date_ms("20170101T000000Z"));
  for (const char* s :
       {"", "20231114T221320", "20231114T221320z", "20231114t221320Z", "2023-11-14T22:13:20Z",
        "20231314T221320Z", "20230229T000000Z", "20240431T000000Z", "20240101T240000Z",
        "20240101T120060Z", "20240101T12000Z ", "2024010lT120000Z", "20231114T221320ZZ"}) {
    EXPECT_FALSE(common::parse_amz_date_ms(s)) << s;
  }
}

TEST(HttpDate, ImfFixdate) {
  EXPECT_EQ(*common::parse_http_date_ms("Sun, 06 Nov 1994 08:49:37 GMT"), 784'111'777'000);
  // The weekday is not checked (a wrong one is still the server's clock).
  EXPECT_EQ(*common::parse_http_date_ms("Mon, 06 Nov 1994 08:49:37 GMT"), 784'111'777'000);
  for (const char* s :
       {"", "yesterday", "Sun, 06 Nov 1994 08:49:37", "Sun, 06 Nov 1994 08:49:37 UTC",
        "Sun, 06 Foo 1994 08:49:37 GMT", "Sun, 31 Apr 1994 08:49:37 GMT",
        "Sun, 06 Nov 1994 24:49:37 GMT", "Sun, 06 Nov 1994 08:49:37 GMTx",
        "Sun, 6 Nov 1994 08:49:37 GMT", "Sun, 06-Nov-1994 08:49:37 GMT",
        "Sunday, 06-Nov-94 08:49:37 GMT", "Sun Nov  6 08:49:37 1994", "Sun, "}) {
    EXPECT_FALSE(common::parse_http_date_ms(s)) << s;
  }
}

TEST(Rfc3339, MessageSaysWhatIsWrongAndShowsAnExample) {
  EXPECT_EQ(common::parse_rfc3339_ms("2024-04-31T00:00:00Z").error().message,
            "\"2024-04-31T00:00:00Z\" is not an RFC 3339 time (day out of range for the month; "
            "example: 2026-11-28T15:04:05Z)");
}
