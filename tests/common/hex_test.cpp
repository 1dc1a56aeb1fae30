#include "kubepriv/common/hex.hpp"

#include <gtest/gtest.h>

namespace common = kubepriv::common;

TEST(Hex, EncodesLowerByDefaultAndUpperOnRequest) {
  EXPECT_EQ(common::hex_encode(""), "");
  EXPECT_EQ(common::hex_encode(std::string("\x00\x01\xab\xff", 4)), "0001abff");
  EXPECT_EQ(common::hex_encode("\xab\xcd", common::HexCase::kUpper), "ABCD");
  std::string out = "x";
  common::append_hex_byte(out, 0x0f, common::HexCase::kLower);
  EXPECT_EQ(out, "x0f");
}

TEST(Hex, DecodesEitherCase) {
  EXPECT_EQ(*common::hex_decode(""), "");
  EXPECT_EQ(*common::hex_decode("0001abff"), std::string("\x00\x01\xab\xff", 4));
  EXPECT_EQ(*common::hex_decode("ABff"), "\xab\xff");
}

TEST(Hex, RefusesOddLengthAndNonHexWithTheOffset) {
  auto odd = common::hex_decode("abc");
  ASSERT_FALSE(odd);
  EXPECT_EQ(odd.error().code, common::ErrorCode::kParse);
  EXPECT_NE(odd.error().message.find("odd length"), std::string::npos);
  auto bad = common::hex_decode("00g1");
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message.find("offset 2"), std::string::npos);
  // The message never quotes the text (digests and keys may derive from secrets).
  EXPECT_EQ(bad.error().message.find("00g1"), std::string::npos);
  EXPECT_FALSE(common::hex_decode("0x"));
  EXPECT_FALSE(common::hex_decode(" 0"));
  EXPECT_FALSE(common::hex_decode(std::string("0\0", 2)));
}

TEST(Hex, DigitValueAndFixedWidthValue) {
  EXPECT_EQ(common::hex_digit_value('0'), 0);
  EXPECT_EQ(common::hex_digit_value('f'), 15);
  EXPECT_EQ(common::hex_digit_value('F'), 15);
  EXPECT_EQ(common::hex_digit_value('g'), -1);
  EXPECT_EQ(common::hex_digit_value('/'), -1);
  EXPECT_EQ(common::hex_digit_value(':'), -1);
  EXPECT_EQ(common::hex_digit_value('@'), -1);
  EXPECT_EQ(common::hex_digit_value('`'), -1);
  EXPECT_EQ(common::hex_digit_value('\xff'), -1);
  std::uint32_t v = 7;
  EXPECT_TRUE(common::hex_to_uint("00e9", v));
  EXPECT_EQ(v, 0xe9u);
  EXPECT_TRUE(common::hex_to_uint("FFFFFFFF", v));
  EXPECT_EQ(v, 0xFFFFFFFFu);
  v = 7;
  EXPECT_FALSE(common::hex_to_uint("", v));
  EXPECT_FALSE(common::hex_to_uint("123456789", v));  // would overflow 32 bits
  EXPECT_FALSE(common::hex_to_uint("12x4", v));
  EXPECT_EQ(v, 7u);  // untouched on failure
}
