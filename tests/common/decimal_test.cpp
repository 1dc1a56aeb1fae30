#include "kubepriv/common/decimal.hpp"

#include <gtest/gtest.h>

#include <cstdint>  // std::int64_t, std::uint64_t

#include "kubepriv/common/http.hpp"

namespace common = kubepriv::common;

TEST(Decimal, WholeText) {
  EXPECT_EQ(*common::parse_decimal<int>("0"), 0);
  EXPECT_EQ(*common::parse_decimal<int>("42"), 42);
  EXPECT_EQ(*common::parse_decimal<int>("-7"), -7);
  EXPECT_EQ(*common::parse_decimal<int>("007"), 7);
  EXPECT_EQ(*common::parse_decimal<std::uint64_t>("18446744073709551615"), UINT64_MAX);
  EXPECT_EQ(*common::parse_decimal<std::int64_t>("-9223372036854775808"), INT64_MIN);
}

TEST(Decimal, RefusesSignsSpacesAndOtherForms) {
  for (const char* s : {"", "+1", " 1", "1 ", "0x1", "1e3", "1.0", "-", "--1", "1-", "٣"}) {
    auto r = common::parse_decimal<int>(s);
    ASSERT_FALSE(r) << s;
    EXPECT_EQ(r.error().code, common::ErrorCode::kParse) << s;
  }
  // No sign at all for unsigned types: "-0" and "-1" are not a count.
  EXPECT_FALSE(common::parse_decimal<unsigned>("-1"));
  EXPECT_FALSE(common::parse_decimal<unsigned>("-0"));
  EXPECT_TRUE(common::parse_decimal<int>("-0"));
}

TEST(Decimal, OverflowIsAnErrorNotAWrap) {
  auto r = common::parse_decimal<std::int32_t>("2147483648");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, common::ErrorCode::kInvalidArgument);
  EXPECT_NE(r.error().message.find("2147483647"), std::string::npos);
  EXPECT_FALSE(common::parse_decimal<std::int32_t>("-2147483649"));
  EXPECT_EQ(*common::parse_decimal<std::int32_t>("-2147483648"), INT32_MIN);
  EXPECT_FALSE(common::parse_decimal<std::uint64_t>("18446744073709551616"));
  EXPECT_FALSE(common::parse_decimal<std::uint8_t>("256"));
  EXPECT_FALSE(common::parse_decimal<std::int64_t>(std::string(400, '9')));
}

TEST(Decimal, PrefixLeavesTheRest) {
  auto r = common::parse_decimal_prefix<std::int64_t>("90m");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->first, 90);
  EXPECT_EQ(r->second, "m");
  EXPECT_EQ(common::parse_decimal_prefix<std::int64_t>("12")->second, "");
  EXPECT_FALSE(common::parse_decimal_prefix<std::int64_t>("m90"));
  EXPECT_FALSE(common::parse_decimal_prefix<std::int64_t>(""));
}

// URL ports are strict decimals too: 1-65535, digits only.
TEST(Decimal, UrlPorts) {
  EXPECT_EQ(common::parse_url("http://h:8080/")->port, 8080);
  EXPECT_EQ(common::parse_url("http://h:65535/")->port, 65535);
  for (const char* bad : {"http://h:0/", "http://h:65536/", "http://h:99999/", "http://h:+80/",
                          "http://h:-80/", "http://h:8 0/", "http://h:000080/", "http://h:0x50/"}) {
    EXPECT_FALSE(common::parse_url(bad)) << bad;
  }
}
