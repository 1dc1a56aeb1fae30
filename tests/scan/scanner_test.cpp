// Scanner with a stand-in evaluator: record counts, order, collapse, errors and options.
// (The real evaluator is exercised end to end by scan_e2e.py.)
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "kubepriv/scan/scan.hpp"

namespace kubepriv::scan {
namespace {

struct StringSink final : ByteSink {
  std::string data;
  common::Result<void> write(std::string_view bytes) override {
    data.append(bytes);
    return {};
  }
};

// Flags events carrying "risky": true; rejects what nlohmann cannot parse.
struct FakeEvaluator {
  core::Verdict v;
  const core::Verdict& operator()(std::string_view text) {
    v.clear();
    const auto j = nlohmann::json::parse(text, nullptr, false);
    if (j.is_discarded() || !j.is_object()) {
      v.error = "not a JSON object";
      return v;
    }
    v.audit_id = j.value("auditID", "");
    v.stage = j.value("stage", "");
    if (j.value("risky", false)) {
      v.reasons.add(core::Reason::kPrivilegedContainer);
      v.privileged = true;
    }
    return v;
  }
};

struct ScanRun {
  std::string out;
  std::vector<std::string> log;
  Summary summary;
};

ScanRun scan(const Options& options,
             const std::vector<std::pair<std::string, std::string>>& files) {
  StringSink sink;
  BufferedWriter out(sink);
  FakeEvaluator eval;
  ScanRun run;
  Scanner scanner(
      options, [&eval](std::string_view t) -> const core::Verdict& { return eval(t); }, out,
      [&run](std::string_view line) { run.log.emplace_back(line); });
  for (const auto& [name, bytes] : files) {
    scanner.begin_file(name);
    scanner.feed(bytes);
    scanner.end_file();
  }
  scanner.finish();
  run.out = sink.data;
  run.summary = scanner.summary();
  return run;
}

std::vector<nlohmann::json> jsonl(const std::string& text) {
  std::vector<nlohmann::json> rows;
  for (std::size_t s = 0, nl; (nl = text.find('\n', s)) != std::string::npos; s = nl + 1) {
    rows.push_back(nlohmann::json::parse(text.substr(s, nl - s)));
  }
  return rows;
}

const std::string kLog =
    R"({"auditID":"a","stage":"RequestReceived","risky":true})"
    "\n"
    R"({"auditID":"b","stage":"ResponseComplete"})"
    "\n"
    "garbage\n"
    R"({"auditID":"a","stage":"ResponseComplete","risky":true})"
    "\n"
    R"({"auditID":"c","stage":"ResponseComplete","risky":true,"requestReceivedTimestamp":"2024-05-02T10:00:00Z"})"
    "\n"
    R"({"auditID":"c","stage":"ResponseComplete","risky":true})"
    "\n";

TEST(Scanner, AllModeHasOneRecordPerEventInOrder) {
  Options o;
  o.all = true;
  o.format = Format::kJsonl;
  const ScanRun r = scan(o, {{"one.log", kLog}, {"two.log", "{\"auditID\":\"z\"}"}});
  const auto rows = jsonl(r.out);
  ASSERT_EQ(rows.size(), 7U);
  for (std::size_t i = 0; i < 6; ++i) {
    EXPECT_EQ(rows[i]["file"], "one.log");
    EXPECT_EQ(rows[i]["line"], i + 1);
  }
  EXPECT_EQ(rows[2]["error"], "not a JSON object");
  EXPECT_EQ(rows[6]["file"], "two.log");
  EXPECT_EQ(rows[6]["auditID"], "z");
  EXPECT_EQ(r.summary.events, 7U);
  EXPECT_EQ(r.summary.errors, 1U);
  EXPECT_EQ(r.summary.flagged, 4U);
  EXPECT_EQ(r.summary.alerts, 2U);  // a, c
  EXPECT_EQ(r.summary.files, 2U);
  EXPECT_TRUE(r.log.empty());  // errors are in the records, not repeated on stderr
}

TEST(Scanner, AlertModeCollapsesByAuditId) {
  Options o;
  o.format = Format::kJsonl;
  const ScanRun r = scan(o, {{"one.log", kLog}});
  const auto rows = jsonl(r.out);
  ASSERT_EQ(rows.size(), 2U);
  EXPECT_EQ(rows[0]["auditID"], "a");
  EXPECT_EQ(rows[0]["stage"], "ResponseComplete");
  EXPECT_EQ(rows[0]["line"], 4);
  EXPECT_EQ(rows[1]["auditID"], "c");
  EXPECT_EQ(rows[1]["time"], "2024-05-02T10:00:00Z");
  EXPECT_EQ(r.summary.collapsed, 2U);
  ASSERT_EQ(r.log.size(), 1U);  // the garbage line, named on stderr
  EXPECT_EQ(r.log[0], "kubepriv scan: one.log:3: not a JSON object");
}

TEST(Scanner, ReaderErrorsBecomeErrorRecords) {
  Options o;
  o.all = true;
  o.format = Format::kJsonl;
  o.max_event_bytes = 16;
  const ScanRun r = scan(o, {{"f", "{\"auditID\":\"0123456789\"}\n{\"a\":1}\n"}});
  const auto rows = jsonl(r.out);
  ASSERT_EQ(rows.size(), 2U);
  EXPECT_NE(rows[0]["error"].get<std::string>().find("--max-event-bytes"), std::string::npos);
  EXPECT_EQ(rows[1]["error"], "");
  EXPECT_EQ(r.summary.errors, 1U);
}

TEST(Scanner, ManyErrorsAreSummarisedOnStderr) {
  std::string bad;
  for (int i = 0; i < 25; ++i) bad += "x\n";
  const ScanRun r = scan(Options{}, {{"f", bad}});
  EXPECT_TRUE(r.out.empty());
  ASSERT_EQ(r.log.size(), 11U);
  EXPECT_EQ(r.log.back(),
            "kubepriv scan: 15 more event errors not shown (use --all to list every event)");
}

TEST(Scanner, SummaryText) {
  Summary s{1, 34, 12, 1, 8, 4};
  EXPECT_EQ(format_summary(s),
            "kubepriv scan: 34 events in 1 input: 12 flagged, 1 error, 8 alerts "
            "(4 flagged events collapsed as stages or repeats of one request)");
}

TEST(Scanner, EventTimePrefersRequestReceivedTimestamp) {
  EXPECT_EQ(event_time(R"({"stageTimestamp":"s","requestReceivedTimestamp":"r"})"), "r");
  EXPECT_EQ(event_time(R"({"stageTimestamp":"s","x":{"requestReceivedTimestamp":"no"}})"), "s");
  EXPECT_EQ(event_time(R"({"timestamp":"t"})"), "t");
  // An Azure Monitor record (AKS): the audit event is a string inside; the record has `time`.
  EXPECT_EQ(event_time(R"({"time":"a","properties":{"log":"{\"stageTimestamp\":\"no\"}"}})"), "a");
  EXPECT_EQ(event_time(R"({"time":"a","timestamp":"t"})"), "t");
  EXPECT_EQ(event_time("not json"), "");
}

TEST(Options, ParsesEveryOption) {
  const std::vector<std::string_view> args{
      "--all", "--format", "csv", "a.log", "-", "--max-event-bytes=2M", "--", "--weird-name"};
  auto o = parse_options(args);
  ASSERT_TRUE(o.has_value()) << o.error().message;
  EXPECT_TRUE(o->all);
  EXPECT_EQ(o->format, Format::kCsv);
  EXPECT_EQ(o->max_event_bytes, std::size_t{2} << 20U);
  EXPECT_EQ(o->inputs, (std::vector<std::string>{"a.log", "-", "--weird-name"}));
  const std::vector<std::string_view> eq{"--format=jsonl", "--max-event-bytes", "4096"};
  auto o2 = parse_options(eq);
  ASSERT_TRUE(o2.has_value());
  EXPECT_EQ(o2->format, Format::kJsonl);
  EXPECT_EQ(o2->max_event_bytes, 4096U);
}

TEST(Options, RejectsBadUsage) {
  for (const auto& bad : std::vector<std::vector<std::string_view>>{{"--bogus"},
                                                                    {"--format"},
                                                                    {"--format", "xml"},
                                                                    {"--max-event-bytes", "0"},
                                                                    {"--max-event-bytes", "12Q"},
                                                                    {"--max-event-bytes", "9G"},
                                                                    {"-x"}}) {
    auto o = parse_options(bad);
    EXPECT_FALSE(o.has_value()) << bad[0];
    if (!o) {
      EXPECT_EQ(o.error().code, common::ErrorCode::kInvalidArgument);
    }
  }
  const std::vector<std::string_view> help{"-h"};
  EXPECT_TRUE(parse_options(help)->help);
}

}  // namespace
}  // namespace kubepriv::scan
