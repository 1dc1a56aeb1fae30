#include "kubepriv/modinput/time.hpp"

#include <gtest/gtest.h>

namespace mi = kubepriv::modinput;

TEST(Time, Rfc3339) {
  EXPECT_EQ(*mi::parse_rfc3339_ms("1970-01-01T00:00:00Z"), 0);
  EXPECT_EQ(*mi::parse_rfc3339_ms("2023-11-14T22:13:20Z"), 1700000000000);
  EXPECT_EQ(*mi::parse_rfc3339_ms("2023-11-14T22:13:20.123456Z"), 1700000000123);
  EXPECT_EQ(*mi::parse_rfc3339_ms("2023-11-15T00:13:20+02:00"), 1700000000000);
  EXPECT_EQ(*mi::parse_rfc3339_ms("2023-11-14T21:13:20-01:00"), 1700000000000);
  EXPECT_EQ(*mi::parse_rfc3339_ms("2024-02-29"), 1709164800000);
  EXPECT_FALSE(mi::parse_rfc3339_ms("2023-11-14T22:13:20"));  // no zone
  EXPECT_FALSE(mi::parse_rfc3339_ms("2023-13-01T00:00:00Z"));
  EXPECT_FALSE(mi::parse_rfc3339_ms("yesterday"));
  EXPECT_FALSE(mi::parse_rfc3339_ms("2023-11-14T22:13:20Zjunk"));
}

TEST(Time, Specs) {
  const std::int64_t now = 1700000000000;
  EXPECT_EQ(*mi::parse_time_spec_ms("now", now), now);
  EXPECT_EQ(*mi::parse_time_spec_ms("-24h", now), now - 86400000);
  EXPECT_EQ(*mi::parse_time_spec_ms("-30m", now), now - 1800000);
  EXPECT_EQ(*mi::parse_time_spec_ms("1600000000", now), 1600000000000);
  EXPECT_EQ(*mi::parse_time_spec_ms("2023-11-14T22:13:20Z", now), now);
  EXPECT_FALSE(mi::parse_time_spec_ms("-24 parsecs", now));
  EXPECT_FALSE(mi::parse_time_spec_ms("", now));
  // Epoch seconds: 1 to 11 plain digits, nothing else (the shared strict decimal reader).
  EXPECT_EQ(*mi::parse_time_spec_ms("0", now), 0);
  EXPECT_EQ(*mi::parse_time_spec_ms("99999999999", now), 99999999999000);
  for (const char* bad : {"+1600000000", " 1600000000", "1600000000 ", "999999999999", "16e8"}) {
    auto r = mi::parse_time_spec_ms(bad, now);
    ASSERT_FALSE(r) << bad;
    EXPECT_NE(r.error().message.find("RFC 3339"), std::string::npos) << bad;
  }
}

TEST(Time, FormatRoundTrip) {
  EXPECT_EQ(mi::format_rfc3339_ms(1700000000123), "2023-11-14T22:13:20.123Z");
  for (std::int64_t t : {0LL, 951782400000LL, 1709164800999LL, 4102444800000LL}) {
    EXPECT_EQ(*mi::parse_rfc3339_ms(mi::format_rfc3339_ms(t)), t);
  }
}
