#include "kubepriv/common/percent.hpp"

#include <gtest/gtest.h>

namespace common = kubepriv::common;

TEST(Percent, EncodesAllButUnreservedWithUpperCaseHex) {
  EXPECT_EQ(common::percent_encode(""), "");
  EXPECT_EQ(common::percent_encode("AZaz09-_.~"), "AZaz09-_.~");
  EXPECT_EQ(common::percent_encode("a b/c+d=e&f%"), "a%20b%2Fc%2Bd%3De%26f%25");
  EXPECT_EQ(common::percent_encode("\xc3\xa9\x7f"), "%C3%A9%7F");
  EXPECT_EQ(common::percent_encode(std::string("\0", 1)), "%00");
  // `keep` adds to the unreserved set (a path keeps its slashes).
  EXPECT_EQ(common::percent_encode("/a b/", "/"), "/a%20b/");
}

TEST(Percent, DecodesEitherHexCase) {
  EXPECT_EQ(*common::percent_decode("a%20b%2fc%2F"), "a b/c/");
  EXPECT_EQ(*common::percent_decode("%00"), std::string("\0", 1));
  EXPECT_EQ(*common::percent_decode(""), "");
}

// '+' is a space only for form-style decoding (Go's url.QueryUnescape), a '+' for RFC 3986
// and SigV4.
TEST(Percent, PlusIsASpaceOnlyWhenAsked) {
  EXPECT_EQ(*common::percent_decode("a+b"), "a+b");
  EXPECT_EQ(*common::percent_decode("a+b", {.plus_is_space = true}), "a b");
  EXPECT_EQ(*common::percent_decode("a%2Bb", {.plus_is_space = true}), "a+b");
}

// Truncated or non-hex sequences: an error by default, kept verbatim with keep_invalid (what
// SigV4 signs).
TEST(Percent, TruncatedAndInvalidSequences) {
  for (const char* s : {"%", "%4", "a%", "a%4", "%4g", "%g4", "%%41"}) {
    auto r = common::percent_decode(s);
    ASSERT_FALSE(r) << s;
    EXPECT_EQ(r.error().code, common::ErrorCode::kParse);
    EXPECT_NE(r.error().message.find("two hex digits"), std::string::npos);
  }
  const common::PercentDecodeRules keep{.keep_invalid = true};
  EXPECT_EQ(*common::percent_decode("%", keep), "%");
  EXPECT_EQ(*common::percent_decode("a%4", keep), "a%4");
  EXPECT_EQ(*common::percent_decode("%4g%41", keep), "%4gA");
  EXPECT_EQ(*common::percent_decode("%%41", keep), "%A");
  EXPECT_EQ(*common::percent_decode("100%", keep), "100%");
}

TEST(Percent, RoundTripsEveryByte) {
  std::string all;
  for (int c = 0; c < 256; ++c) all.push_back(static_cast<char>(c));
  EXPECT_EQ(*common::percent_decode(common::percent_encode(all)), all);
  EXPECT_EQ(*common::percent_decode(common::percent_encode(all), {.plus_is_space = true}), all);
}
