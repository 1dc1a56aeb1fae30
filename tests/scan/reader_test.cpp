// EventReader: layouts, chunking independence, limits, AWS CLI output, truncation.
#include "kubepriv/scan/reader.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace kubepriv::scan {
namespace {

struct Got {
  std::string text;
  std::uint64_t line = 0;
  std::uint64_t index = 0;
  std::string error;
  bool operator==(const Got&) const = default;
};

std::ostream& operator<<(std::ostream& os, const Got& g) {
  return os << "{line " << g.line << " #" << g.index << " text=" << g.text.substr(0, 80)
            << " error=" << g.error << "}";
}

struct Collect final : EventHandler {
  std::vector<Got> events;
  std::vector<std::string> notices;
  void on_event(const RawEvent& e) override {
    events.push_back(Got{std::string(e.text), e.line, e.index, std::string(e.error)});
  }
  void on_notice(std::uint64_t line, std::string_view message) override {
    notices.push_back(std::to_string(line) + ": " + std::string(message));
  }
};

struct Result {
  std::vector<Got> events;
  std::vector<std::string> notices;
  Layout layout = Layout::kUnknown;
};

Result read_chunked(std::string_view input, std::size_t chunk, std::size_t max) {
  Collect c;
  EventReader reader(c, max);
  for (std::size_t i = 0; i < input.size(); i += chunk) reader.feed(input.substr(i, chunk));
  reader.finish();
  EXPECT_EQ(reader.events(), c.events.size());
  return Result{c.events, c.notices, reader.layout()};
}

// Reads `input` whole and in many chunk sizes; every way must give the same result.
Result read_all(std::string_view input, std::size_t max = kDefaultMaxEventBytes) {
  Result whole = read_chunked(input, input.empty() ? 1 : input.size(), max);
  for (std::size_t chunk : {std::size_t{1}, std::size_t{2}, std::size_t{3}, std::size_t{7},
                            std::size_t{64}, std::size_t{4096}}) {
    if (chunk >= input.size()) continue;
    Result r = read_chunked(input, chunk, max);
    EXPECT_EQ(r.events, whole.events) << "chunk size " << chunk;
    EXPECT_EQ(r.notices, whole.notices) << "chunk size " << chunk;
    EXPECT_EQ(r.layout, whole.layout) << "chunk size " << chunk;
  }
  return whole;
}

TEST(Reader, JsonLinesOneEventPerLine) {
  const auto r = read_all("{\"a\":1}\n{\"b\":[2,3]}\n{\"c\":\"}\"}\n");
  EXPECT_EQ(r.layout, Layout::kLines);
  ASSERT_EQ(r.events.size(), 3U);
  EXPECT_EQ(r.events[0], (Got{"{\"a\":1}", 1, 1, ""}));
  EXPECT_EQ(r.events[1], (Got{"{\"b\":[2,3]}", 2, 2, ""}));
  EXPECT_EQ(r.events[2], (Got{"{\"c\":\"}\"}", 3, 3, ""}));
  EXPECT_TRUE(r.notices.empty());
}

TEST(Reader, CrlfBlankLinesBomAndNoFinalNewline) {
  const auto r = read_all("\xEF\xBB\xBF{\"a\":1}\r\n\r\n\n{\"b\":2}  \r\n \t \n{\"c\":3}");
  ASSERT_EQ(r.events.size(), 3U);
  EXPECT_EQ(r.events[0], (Got{"{\"a\":1}", 1, 1, ""}));
  EXPECT_EQ(r.events[1], (Got{"{\"b\":2}", 4, 2, ""}));
  EXPECT_EQ(r.events[2], (Got{"{\"c\":3}", 6, 3, ""}));
}

TEST(Reader, LeadingBlankLinesCountTowardsLineNumbers) {
  const auto r = read_all("\n\n   \n{\"a\":1}\n");
  ASSERT_EQ(r.events.size(), 1U);
  EXPECT_EQ(r.events[0].line, 4U);
}

TEST(Reader, EmptyAndBlankInputsHaveNoEvents) {
  EXPECT_TRUE(read_all("").events.empty());
  EXPECT_TRUE(read_all("\n\r\n  \n").events.empty());
  EXPECT_TRUE(read_all("\xEF\xBB\xBF").events.empty());
}

TEST(Reader, GarbageAndTruncatedLinesAreDeliveredForTheEvaluatorToReject) {
  std::string input = "{\"kind\":\"Event\",\"x\":\"ab\n";  // truncated mid-string
  input += std::string("\x00\xff\xfe garbage", 11) + "\n";
  input += "not json at all\n";
  input += "{\"kind\":\"Event\",\"x\":1,[Truncated...]\n";
  input += "{\"ok\":true}\n";
  const auto r = read_all(input);
  ASSERT_EQ(r.events.size(), 5U);
  EXPECT_EQ(r.events[0].text, "{\"kind\":\"Event\",\"x\":\"ab");
  EXPECT_EQ(r.events[1].text, std::string("\x00\xff\xfe garbage", 11));
  EXPECT_EQ(r.events[2].text, "not json at all");
  EXPECT_EQ(r.events[4], (Got{"{\"ok\":true}", 5, 5, ""}));
  for (const auto& e : r.events) EXPECT_TRUE(e.error.empty()) << e;
}

TEST(Reader, HugeLineWithinTheCap) {
  std::string big = "{\"kind\":\"Event\",\"pad\":\"" + std::string(5U << 20U, 'x') + "\"}";
  Collect c;
  EventReader reader(c);
  const std::string input = "{\"a\":1}\n" + big + "\n{\"b\":2}\n";
  for (std::size_t i = 0; i < input.size(); i += 65536)
    reader.feed(std::string_view(input).substr(i, 65536));
  reader.finish();
  ASSERT_EQ(c.events.size(), 3U);
  EXPECT_EQ(c.events[1].text, big);
  EXPECT_EQ(c.events[2], (Got{"{\"b\":2}", 3, 3, ""}));
}

TEST(Reader, LineOverTheCapBecomesAnErrorRecord) {
  const std::string big = "{\"pad\":\"" + std::string(5000, 'x') + "\"}";
  const auto r = read_all("{\"a\":1}\n" + big + "\n{\"b\":2}\n" + big, 1024);
  ASSERT_EQ(r.events.size(), 4U);
  EXPECT_EQ(r.events[0].text, "{\"a\":1}");
  EXPECT_TRUE(r.events[1].text.empty());
  EXPECT_NE(r.events[1].error.find("larger than --max-event-bytes (1024 bytes)"),
            std::string::npos);
  EXPECT_EQ(r.events[1].line, 2U);
  EXPECT_EQ(r.events[2], (Got{"{\"b\":2}", 3, 3, ""}));
  EXPECT_FALSE(r.events[3].error.empty());
  EXPECT_EQ(r.events[3].line, 4U);
}

TEST(Reader, ExactlyTheCapIsAccepted) {
  const std::string ev = "{\"p\":\"" + std::string(100, 'y') + "\"}";
  const auto r = read_all(ev + "\n", ev.size());
  ASSERT_EQ(r.events.size(), 1U);
  EXPECT_EQ(r.events[0].text, ev);
  const auto r2 = read_all(ev + "\n", ev.size() - 1);
  ASSERT_EQ(r2.events.size(), 1U);
  EXPECT_FALSE(r2.events[0].error.empty());
}

// What `aws logs filter-log-events` prints (4-space indent), messages with every escape kind.
const std::string kEvent1 =
    R"({"kind":"Event","auditID":"a1","note":"brace } bracket ] quote \" backslash \\ nl \n caf\u00e9 {\"privileged\":true}"})";
const std::string kEvent2 = R"({"kind":"Event","auditID":"a2","obj":{"x":[1,{"y":"]}"}]}})";

std::string json_quote(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  return out + "\"";
}

std::string aws_page(const std::vector<std::string>& messages, bool with_token) {
  std::string s = "{\n    \"events\": [\n";
  for (std::size_t i = 0; i < messages.size(); ++i) {
    s += "        {\n";
    s += "            \"logStreamName\": "
         "\"kube-apiserver-audit-0123456789abcdef0123456789abcdef\",\n";
    s += "            \"timestamp\": 1714644000000,\n";
    s += "            \"message\": " + json_quote(messages[i]) + ",\n";
    s += "            \"ingestionTime\": 1714644001000,\n";
    s += "            \"eventId\": \"3780" + std::to_string(i) + "\"\n";
    s += i + 1 < messages.size() ? "        },\n" : "        }\n";
  }
  s += "    ],\n    \"searchedLogStreams\": []";
  if (with_token) s += ",\n    \"nextToken\": \"Bxkq6kVGFtq2y_MoigeqscPOdhXVbhiVtLoAmXb5jCr\"";
  return s + "\n}\n";
}

TEST(Reader, AwsCliOutputDecodesEachMessage) {
  const auto r = read_all(aws_page({kEvent1, kEvent2}, true));
  EXPECT_EQ(r.layout, Layout::kDocument);
  ASSERT_EQ(r.events.size(), 2U);
  EXPECT_EQ(r.events[0], (Got{kEvent1, 3, 1, ""}));
  EXPECT_EQ(r.events[1], (Got{kEvent2, 10, 2, ""}));
  EXPECT_TRUE(r.notices.empty());
}

TEST(Reader, ConcatenatedAwsPagesAndAnEmptyPage) {
  const std::string input = aws_page({kEvent1}, true) +
                            "{\n    \"events\": [],\n    \"nextToken\": \"x\"\n}" +
                            aws_page({kEvent2, kEvent1}, false);
  const auto r = read_all(input);
  ASSERT_EQ(r.events.size(), 3U);
  EXPECT_EQ(r.events[0].text, kEvent1);
  EXPECT_EQ(r.events[1].text, kEvent2);
  EXPECT_EQ(r.events[2].text, kEvent1);
  EXPECT_EQ(r.events[2].index, 3U);
  EXPECT_TRUE(r.notices.empty());
}

TEST(Reader, CompactAwsObjectsOnJsonLines) {
  const std::string page = R"({"events":[{"timestamp":1,"message":)" + json_quote(kEvent1) +
                           R"(},{"message":)" + json_quote(kEvent2) +
                           R"(,"eventId":"9"}],"searchedLogStreams":[{"a":"]"}]})";
  const std::string input = page + "\n" + kEvent2 + "\r\n" + page + "\n";
  const auto r = read_all(input);
  EXPECT_EQ(r.layout, Layout::kLines);
  ASSERT_EQ(r.events.size(), 5U);
  EXPECT_EQ(r.events[0], (Got{kEvent1, 1, 1, ""}));
  EXPECT_EQ(r.events[1], (Got{kEvent2, 1, 2, ""}));
  EXPECT_EQ(r.events[2], (Got{kEvent2, 2, 3, ""}));
  EXPECT_EQ(r.events[3], (Got{kEvent1, 3, 4, ""}));
  EXPECT_EQ(r.events[4], (Got{kEvent2, 3, 5, ""}));
}

TEST(Reader, TruncatedAwsOutputReportsThePartialElement) {
  const std::string full = aws_page({kEvent1, kEvent2}, true);
  const std::string cut = full.substr(0, full.find("\"eventId\": \"37801\""));
  const auto r = read_all(cut);
  ASSERT_EQ(r.events.size(), 2U);
  EXPECT_EQ(r.events[0].text, kEvent1);
  EXPECT_TRUE(r.events[1].text.empty());
  EXPECT_NE(r.events[1].error.find("truncated"), std::string::npos);
  EXPECT_EQ(r.events[1].line, 10U);
  ASSERT_EQ(r.notices.size(), 1U);
  EXPECT_NE(r.notices[0].find("AWS events array"), std::string::npos);

  // Cut between elements: no event lost, but a notice says the object was never closed.
  const std::string between = full.substr(0, full.find("        {\n", full.find("37800")));
  const auto r2 = read_all(between);
  ASSERT_EQ(r2.events.size(), 1U);
  ASSERT_EQ(r2.notices.size(), 1U);
  EXPECT_NE(r2.notices[0].find("AWS"), std::string::npos);
}

TEST(Reader, AwsElementsWithoutAStringMessageAreErrors) {
  const std::string input =
      "{\"events\":[{\"message\":5},{\"other\":\"x\"},7,{\"message\":\"bad \\q escape\"},"
      "{\"nested\":{\"message\":\"no\"}},{\"message\":" +
      json_quote(kEvent2) + "}]}\n";
  const auto r = read_all(input);
  ASSERT_EQ(r.events.size(), 6U);
  for (std::size_t i = 0; i < 5; ++i) EXPECT_FALSE(r.events[i].error.empty()) << r.events[i];
  EXPECT_NE(r.events[2].error.find("not an object"), std::string::npos);
  EXPECT_NE(r.events[3].error.find("invalid escape"), std::string::npos);
  EXPECT_EQ(r.events[5], (Got{kEvent2, 1, 6, ""}));
}

TEST(Reader, EventsKeyThatIsNotAnArrayIsAnOrdinaryEvent) {
  const auto r = read_all("{\"events\":5}\n{\"kind\":\"Event\",\"events\":[1]}\n");
  ASSERT_EQ(r.events.size(), 2U);
  EXPECT_EQ(r.events[0].text, "{\"events\":5}");
  EXPECT_EQ(r.events[1].text, "{\"kind\":\"Event\",\"events\":[1]}");
}

TEST(Reader, PrettyPrintedEventsAndArrays) {
  const std::string pretty = "{\n  \"kind\": \"Event\",\n  \"obj\": {\"s\": \"}\\n{\"}\n}";
  const auto r = read_all(pretty + "\n" + pretty + "\n");
  EXPECT_EQ(r.layout, Layout::kDocument);
  ASSERT_EQ(r.events.size(), 2U);
  EXPECT_EQ(r.events[0], (Got{pretty, 1, 1, ""}));
  EXPECT_EQ(r.events[1], (Got{pretty, 5, 2, ""}));

  const auto a = read_all("[\n  " + kEvent1 + ",\n  " + kEvent2 + "\n]\n");
  ASSERT_EQ(a.events.size(), 2U);
  EXPECT_EQ(a.events[0], (Got{kEvent1, 2, 1, ""}));
  EXPECT_EQ(a.events[1], (Got{kEvent2, 3, 2, ""}));

  const auto compact = read_all("[" + kEvent1 + "," + kEvent2 + "]");
  EXPECT_EQ(compact.layout, Layout::kLines);
  ASSERT_EQ(compact.events.size(), 2U);
  EXPECT_EQ(compact.events[1].text, kEvent2);
}

TEST(Reader, TruncatedPrettyDocumentGoesToTheEvaluator) {
  // The evaluator salvages what completed before the cut (issue 10); the reader says where.
  const std::string text = "{\n  \"kind\": \"Event\",\n  \"auditID\": \"x";
  const auto r = read_all(text);
  ASSERT_EQ(r.events.size(), 1U);
  EXPECT_EQ(r.events[0].text, text);
  EXPECT_EQ(r.events[0].error, "");
  EXPECT_EQ(r.events[0].line, 1U);
  ASSERT_EQ(r.notices.size(), 1U);
  EXPECT_NE(r.notices[0].find("input ends inside an unclosed JSON value"), std::string::npos);
}

TEST(Reader, LongFirstLineNeverSwitchesToDocumentMode) {
  // An EKS message cut by CloudWatch: unbalanced, but long. The next lines must stay separate.
  const std::string cut =
      "{\"kind\":\"Event\",\"pad\":\"" + std::string(300, 'p') + "\",\"x\":{[Truncated...]";
  const auto r = read_all(cut + "\n{\"a\":1}\n{\"b\":2}\n");
  EXPECT_EQ(r.layout, Layout::kLines);
  ASSERT_EQ(r.events.size(), 3U);
  EXPECT_EQ(r.events[0].text, cut);
  EXPECT_EQ(r.events[2].text, "{\"b\":2}");
}

TEST(Reader, ShortTruncatedFirstLineStaysJsonLines) {
  const auto r = read_all("{\"kind\":\"Event\",\"a\n{\"b\":2}\n{\"c\":{\n");
  EXPECT_EQ(r.layout, Layout::kLines);
  ASSERT_EQ(r.events.size(), 3U);
  EXPECT_EQ(r.events[1], (Got{"{\"b\":2}", 2, 2, ""}));
  EXPECT_EQ(r.events[2].text, "{\"c\":{");
}

TEST(Reader, SingleShortLineWithoutNewline) {
  const auto r = read_all("{\"kind\": 0}");
  ASSERT_EQ(r.events.size(), 1U);
  EXPECT_EQ(r.events[0], (Got{"{\"kind\": 0}", 1, 1, ""}));
}

}  // namespace
}  // namespace kubepriv::scan

namespace kubepriv::scan {
namespace {

// Byte soup from JSON's structural alphabet: whatever it is, every chunking must give the same
// events and notices (the reader keeps no state that depends on where reads end).
TEST(Reader, RandomStructuralSoupIsChunkingInvariant) {
  static constexpr std::string_view kPieces[] = {
      "{",          "}",           "[",          "]",       "\"",           "\\",
      ",",          ":",           " ",          "\n",      "\r\n",         "x",
      "\"events\"", "\"message\"", "\"a\\\"b\"", "\\u00e9", "\xEF\xBB\xBF", "{\"events\":[",
      "1"};
  std::uint64_t state = 0x9E3779B97F4A7C15ULL;
  auto next = [&state] {
    state ^= state << 13U;
    state ^= state >> 7U;
    state ^= state << 17U;
    return state;
  };
  for (int round = 0; round < 300; ++round) {
    std::string input;
    const std::size_t pieces = 1 + next() % 60;
    for (std::size_t i = 0; i < pieces; ++i) input += kPieces[next() % std::size(kPieces)];
    const std::size_t max = (round % 3 == 0) ? 16 : kDefaultMaxEventBytes;
    const Result whole = read_chunked(input, input.size(), max);
    for (std::size_t chunk = 1; chunk < input.size(); chunk += 1 + chunk / 2) {
      const Result r = read_chunked(input, chunk, max);
      ASSERT_EQ(r.events, whole.events) << "round " << round << " chunk " << chunk;
      ASSERT_EQ(r.notices, whole.notices) << "round " << round << " chunk " << chunk;
    }
    for (const auto& e : whole.events) EXPECT_LE(e.text.size(), input.size());
  }
}

}  // namespace
}  // namespace kubepriv::scan
