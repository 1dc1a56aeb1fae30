#include "kubepriv/common/json_escape.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace common = kubepriv::common;

namespace {
std::string as_json(std::string_view s) {
  std::string out;
  common::append_json_string(out, s);
  return out;
}
}  // namespace

TEST(JsonEscape, QuotesAndEscapesTheTwoSpecialCharacters) {
  EXPECT_EQ(as_json(""), R"("")");
  EXPECT_EQ(as_json("plain"), R"("plain")");
  EXPECT_EQ(as_json(R"(a"b\c)"), R"("a\"b\\c")");
  std::string out = "[";
  common::append_json_string(out, "x");
  EXPECT_EQ(out, R"(["x")");  // appends
}

TEST(JsonEscape, ControlCharacters) {
  EXPECT_EQ(as_json("\n\r\t"), R"("\n\r\t")");
  EXPECT_EQ(as_json(std::string("\0\x01\x08\x0c\x1f", 5)), R"("\u0000\u0001\u0008\u000c\u001f")");
  EXPECT_EQ(as_json("\x7f"), "\"\x7f\"");  // DEL is not a JSON control character
  EXPECT_EQ(as_json("/"), R"("/")");       // no needless escapes
}

TEST(JsonEscape, ValidUtf8IsCopiedInvalidBytesBecomeReplacementCharacters) {
  EXPECT_EQ(as_json("\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80"),
            "\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\"");
  const std::string fffd = "\xEF\xBF\xBD";
  EXPECT_EQ(as_json("\xff"), "\"" + fffd + "\"");
  EXPECT_EQ(as_json("\xc0\xaf"), "\"" + fffd + fffd + "\"");             // overlong '/'
  EXPECT_EQ(as_json("\xed\xa0\x80"), "\"" + fffd + fffd + fffd + "\"");  // surrogate U+D800
  EXPECT_EQ(as_json("\xf4\x90\x80\x80"), "\"" + fffd + fffd + fffd + fffd + "\"");  // > U+10FFFF
  EXPECT_EQ(as_json("a\xe2\x82"), "\"a" + fffd + fffd + "\"");  // truncated at the end
  EXPECT_EQ(as_json("\xe2\x82x"), "\"" + fffd + fffd + "x\"");  // cut by an ASCII byte
}

TEST(JsonEscape, Utf8SequenceLength) {
  EXPECT_EQ(common::utf8_sequence_length("a", 0), 1u);
  EXPECT_EQ(common::utf8_sequence_length("\xc3\xa9", 0), 2u);
  EXPECT_EQ(common::utf8_sequence_length("\xef\xbf\xbd", 0), 3u);
  EXPECT_EQ(common::utf8_sequence_length("\xf4\x8f\xbf\xbf", 0), 4u);  // U+10FFFF
  EXPECT_EQ(common::utf8_sequence_length("\xe0\x9f\xbf", 0), 0u);      // overlong
  EXPECT_EQ(common::utf8_sequence_length("\xc3", 0), 0u);              // truncated
  EXPECT_EQ(common::utf8_sequence_length("\x80", 0), 0u);              // continuation
}

// An independent reader (nlohmann/json) gets the input back for every valid UTF-8 text, and
// always gets a string.
TEST(JsonEscape, NlohmannReadsBackEveryByteBelow0x80) {
  std::string all;
  for (int c = 0; c < 0x80; ++c) all.push_back(static_cast<char>(c));
  all += "\xc3\xa9\xf0\x9f\x98\x80";
  EXPECT_EQ(nlohmann::json::parse(as_json(all)).get<std::string>(), all);
  EXPECT_TRUE(nlohmann::json::parse(as_json("\x80\xff\xfe")).is_string());
}
