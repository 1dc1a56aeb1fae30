// json_text helpers: structural skipping, member lookup, string decoding and encoding.
#include "kubepriv/scan/json_text.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

namespace kubepriv::scan {
namespace {

TEST(JsonText, SkipStringHonoursEscapedQuotesAndBackslashes) {
  EXPECT_EQ(skip_string(R"("abc" x)", 0), 5U);
  EXPECT_EQ(skip_string(R"("a\"b" x)", 0), 6U);
  EXPECT_EQ(skip_string(R"("a\\" x)", 0), 5U);
  EXPECT_EQ(skip_string(R"("a\\\"" x)", 0), 7U);
  EXPECT_EQ(skip_string(R"("unterminated\")", 0), kNpos);
}

TEST(JsonText, SkipValueNestsAndIgnoresBracketsInStrings) {
  const std::string s = R"({"a":[1,{"b":"}]"}],"c":"{"} tail)";
  EXPECT_EQ(skip_value(s, 0), s.find(" tail"));
  EXPECT_EQ(skip_value("123,4", 0), 3U);
  EXPECT_EQ(skip_value("[1,[2]", 0), kNpos);
  EXPECT_EQ(skip_value("", 0), kNpos);
}

TEST(JsonText, FindMemberLooksOnlyAtTopLevelKeys) {
  const std::string obj =
      R"({"inner":{"message":"no"},"list":["message"],"mess\u0061ge":"yes","message":"later"})";
  const auto m = find_member(obj, "message");
  ASSERT_TRUE(m.has_value());
  EXPECT_TRUE(m->is_string);
  EXPECT_EQ(m->raw, "yes");
  const auto n = find_member(R"( { "n" : 42 , "s":"x"})", "n");
  ASSERT_TRUE(n.has_value());
  EXPECT_FALSE(n->is_string);
  EXPECT_EQ(n->raw, "42");
  EXPECT_FALSE(find_member(R"({"Message":"x"})", "message").has_value());  // case-sensitive
  EXPECT_FALSE(find_member(R"({"a":"x)", "a").has_value());                // truncated
  EXPECT_FALSE(find_member("[1]", "a").has_value());
}

TEST(JsonText, UnescapeEveryEscape) {
  std::string out;
  ASSERT_TRUE(unescape_json_string(R"(q\" b\\ s\/ \b\f\n\r\t \u00e9 \u20ac \ud83d\ude00)", out));
  EXPECT_EQ(out, "q\" b\\ s/ \b\f\n\r\t \xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80");
  out.clear();
  ASSERT_TRUE(unescape_json_string(R"(\ud800x\udc00)", out));  // lone surrogates
  EXPECT_EQ(out, "\xEF\xBF\xBDx\xEF\xBF\xBD");
  out.clear();
  EXPECT_FALSE(unescape_json_string(R"(\x)", out));
  out.clear();
  EXPECT_FALSE(unescape_json_string(R"(\u12)", out));
  out.clear();
  EXPECT_FALSE(unescape_json_string("trailing\\", out));
}

TEST(JsonText, EncodedStringsAreAlwaysValidJson) {
  const std::string nasty = std::string("a\"b\\c\n\x01\x1f", 9) + "\xC3\xA9" + "\xFF\xC3" + "\x7f";
  std::string out;
  append_json_string(out, nasty);
  const auto parsed = nlohmann::json::parse(out, nullptr, false);
  ASSERT_FALSE(parsed.is_discarded()) << out;
  EXPECT_EQ(parsed.get<std::string>(),
            std::string("a\"b\\c\n\x01\x1f", 9) + "\xC3\xA9\xEF\xBF\xBD\xEF\xBF\xBD\x7f");
}

TEST(JsonText, Utf8SequenceLengthRejectsOverlongsAndSurrogates) {
  EXPECT_EQ(utf8_sequence_length("\xC3\xA9", 0), 2U);
  EXPECT_EQ(utf8_sequence_length("\xF0\x9F\x98\x80", 0), 4U);
  EXPECT_EQ(utf8_sequence_length("\xC0\xAF", 0), 0U);      // overlong '/'
  EXPECT_EQ(utf8_sequence_length("\xED\xA0\x80", 0), 0U);  // UTF-16 surrogate
  EXPECT_EQ(utf8_sequence_length("\xE2\x82", 0), 0U);      // truncated
}

}  // namespace
}  // namespace kubepriv::scan

namespace kubepriv::scan {
namespace {

TEST(JsonText, UnescapeAtStopsAtTheClosingQuote) {
  std::string out;
  const std::string s = R"(x"a\"b\\\u00e9\\"rest)";
  EXPECT_EQ(unescape_json_string_at(s, 1, out), s.find("rest"));
  EXPECT_EQ(out, "a\"b\\\xC3\xA9\\");
  out.clear();
  EXPECT_EQ(unescape_json_string_at(R"("no end)", 0, out), kNpos);
  EXPECT_EQ(unescape_json_string_at(R"("ends in backslash\)", 0, out), kNpos);
  EXPECT_EQ(unescape_json_string_at(R"("bad \q")", 0, out), kNpos);
  EXPECT_EQ(unescape_json_string_at(R"("short \u12")", 0, out), kNpos);
  EXPECT_EQ(unescape_json_string_at("x", 0, out), kNpos);
  const std::string obj = R"({"a":{"message":1},"message" : "v\n"})";
  const std::size_t at = find_member_value(obj, "message");
  ASSERT_NE(at, kNpos);
  out.clear();
  EXPECT_EQ(unescape_json_string_at(obj, at, out), obj.size() - 1);
  EXPECT_EQ(out, "v\n");
}

}  // namespace
}  // namespace kubepriv::scan
