// Output formats: JSON lines, CSV and the table, all driven by core::kFields.
#include "kubepriv/scan/output.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "kubepriv/core/fields.hpp"

namespace kubepriv::scan {
namespace {

struct StringSink final : ByteSink {
  std::string data;
  int writes = 0;
  bool fail = false;
  common::Result<void> write(std::string_view bytes) override {
    if (fail) return common::fail(common::ErrorCode::kIo, "disk full");
    ++writes;
    data.append(bytes);
    return {};
  }
};

core::Verdict sample() {
  core::Verdict v;
  v.privileged = true;
  v.reasons.add(core::Reason::kPrivilegedContainer);
  v.reasons.add(core::Reason::kHostPid);
  v.outcome = core::Outcome::kSuccess;
  v.evidence = core::Evidence::kSpec;
  v.containers = {"shell", "init,x"};
  v.images = {"alpine:3.19", "busybox"};
  v.workload_kind = "Pod";
  v.namespace_ = "default";
  v.name = "debug\x1b[31m";
  v.user = "alice@example.com";
  v.audit_id = "11111111-2222-3333-4444-555555555555";
  v.stage = "ResponseComplete";
  v.verb = "create";
  v.resource = "pods";
  v.response_code = 201;
  return v;
}

std::string render(Format format, Mode mode, const std::vector<core::Verdict>& verdicts,
                   bool show_file = false) {
  StringSink sink;
  BufferedWriter out(sink, 64);
  auto writer = make_writer(WriterOptions{format, mode, show_file, 10000}, out);
  std::uint64_t line = 1;
  for (const auto& v : verdicts) {
    writer->write(Record{"audit.log", line, line, "2024-05-02T10:00:00.000000Z", &v});
    ++line;
  }
  writer->finish();
  EXPECT_FALSE(out.failed());
  return sink.data;
}

TEST(Output, JsonLinesCarryEveryFieldWithNaturalTypes) {
  core::Verdict empty;
  empty.error = "not JSON";
  const std::string text = render(Format::kJsonl, Mode::kAll, {sample(), empty});
  std::vector<nlohmann::ordered_json> rows;
  std::size_t start = 0;
  while (start < text.size()) {
    const std::size_t nl = text.find('\n', start);
    ASSERT_NE(nl, std::string::npos);
    rows.push_back(nlohmann::ordered_json::parse(text.substr(start, nl - start)));
    start = nl + 1;
  }
  ASSERT_EQ(rows.size(), 2U);
  const auto& r = rows[0];
  // Column order: file, line, index, then kFields in order.
  std::vector<std::string> keys;
  for (auto it = r.begin(); it != r.end(); ++it) keys.push_back(it.key());
  ASSERT_EQ(keys.size(), 3 + core::kFields.size());
  EXPECT_EQ(keys[0], "file");
  EXPECT_EQ(keys[1], "line");
  EXPECT_EQ(keys[2], "index");
  for (std::size_t i = 0; i < core::kFields.size(); ++i)
    EXPECT_EQ(keys[3 + i], core::kFields[i].name);
  EXPECT_EQ(r["line"], 1);
  EXPECT_EQ(r["privileged"], 1);
  EXPECT_EQ(r["dry_run"], 0);
  EXPECT_EQ(r["response_code"], 201);
  EXPECT_EQ(r["reasons"], nlohmann::ordered_json::array({"privileged_container", "host_pid"}));
  EXPECT_EQ(r["containers"], nlohmann::ordered_json::array({"shell", "init,x"}));
  EXPECT_EQ(r["name"], "debug\x1b[31m");  // escaped in JSON, intact after parsing
  EXPECT_EQ(r["error"], "");
  EXPECT_EQ(rows[1]["error"], "not JSON");
  EXPECT_TRUE(rows[1]["response_code"].is_null());
  EXPECT_EQ(rows[1]["reasons"], nlohmann::ordered_json::array());
  EXPECT_FALSE(r.contains("time"));  // --all records have no time column
}

TEST(Output, OwnerActorAndSourceFormatColumns) {
  core::Verdict v = sample();
  v.owner_kind = "ReplicaSet";
  v.owner_name = "web-5d4f8";
  v.actor_kind = core::ActorKind::kController;
  v.source_format = core::SourceFormat::kAks;
  const auto row = nlohmann::ordered_json::parse(render(Format::kJsonl, Mode::kAll, {v}));
  EXPECT_EQ(row["owner_kind"], "ReplicaSet");
  EXPECT_EQ(row["owner_name"], "web-5d4f8");
  EXPECT_EQ(row["actor_kind"], "controller");
  EXPECT_EQ(row["source_format"], "aks");
  const auto plain = nlohmann::ordered_json::parse(render(Format::kJsonl, Mode::kAll, {sample()}));
  EXPECT_EQ(plain["actor_kind"], "");  // no actor judged: absent
  EXPECT_EQ(plain["source_format"], "k8s");
}

TEST(Output, AlertJsonLinesHaveTime) {
  const auto row = nlohmann::json::parse(render(Format::kJsonl, Mode::kAlerts, {sample()}));
  EXPECT_EQ(row["time"], "2024-05-02T10:00:00.000000Z");
}

TEST(Output, CsvIsRfc4180WithLfJoinedMultivalues) {
  const std::string text = render(Format::kCsv, Mode::kAll, {sample()});
  const std::size_t header_end = text.find("\r\n");
  ASSERT_NE(header_end, std::string::npos);
  std::string expected_header = "file,line,index";
  for (const auto& f : core::kFields) expected_header += "," + std::string(f.name);
  EXPECT_EQ(text.substr(0, header_end), expected_header);
  const std::string row = text.substr(header_end + 2);
  EXPECT_EQ(row.substr(0, 18), "audit.log,1,1,1,\"p");
  EXPECT_NE(row.find(",\"privileged_container\nhost_pid\","), std::string::npos);
  EXPECT_NE(row.find(",\"shell\ninit,x\","), std::string::npos);
  // response_code, dry_run, no owner_kind/owner_name/actor_kind, source_format, empty error
  EXPECT_NE(row.find(",201,0,,,,k8s,\r\n"), std::string::npos);
  EXPECT_EQ(row.substr(row.size() - 2), "\r\n");
}

TEST(Output, CsvQuoting) {
  std::string out;
  append_csv_field(out, "plain");
  out.push_back('|');
  append_csv_field(out, "a,b");
  out.push_back('|');
  append_csv_field(out, "say \"hi\"");
  out.push_back('|');
  append_csv_field(out, "two\nlines");
  EXPECT_EQ(out, "plain|\"a,b\"|\"say \"\"hi\"\"\"|\"two\nlines\"");
}

TEST(Output, TableIsAlignedAndSanitised) {
  core::Verdict other = sample();
  other.user = "system:serviceaccount:kube-system:daemon-set-controller";
  other.impersonated_user.clear();
  const std::string text = render(Format::kTable, Mode::kAlerts, {sample(), other});
  std::vector<std::string> lines;
  for (std::size_t s = 0, nl; (nl = text.find('\n', s)) != std::string::npos; s = nl + 1) {
    lines.push_back(text.substr(s, nl - s));
  }
  ASSERT_EQ(lines.size(), 3U);
  EXPECT_EQ(lines[0].rfind("TIME", 0), 0U);
  // Every column starts at the same offset on each line.
  const std::size_t user_col = lines[0].find("USER");
  EXPECT_EQ(lines[1].find("alice@example.com"), user_col);
  EXPECT_EQ(lines[2].find("system:serviceaccount"), user_col);
  const std::size_t reasons_col = lines[0].find("REASONS");
  EXPECT_EQ(lines[1].find("privileged_container,host_pid"), reasons_col);
  EXPECT_EQ(text.find('\x1b'), std::string::npos);  // no terminal escapes from audit data
  EXPECT_NE(lines[1].find("Pod default/debug?[31m"), std::string::npos);
  EXPECT_NE(lines[1].find(" yes "), std::string::npos);
}

TEST(Output, TableCellsAreCutAtCodePoints) {
  std::string out;
  EXPECT_EQ(append_table_cell(out, "\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9", 5), 5U);
  EXPECT_EQ(out, "\xC3\xA9\xC3\xA9...");
  out.clear();
  EXPECT_EQ(append_table_cell(out, "short", 5), 5U);
  EXPECT_EQ(out, "short");
}

TEST(Output, TableBlocksRepeatTheHeader) {
  StringSink sink;
  BufferedWriter out(sink);
  auto writer = make_writer(WriterOptions{Format::kTable, Mode::kAll, false, 2}, out);
  const core::Verdict v = sample();
  for (std::uint64_t i = 1; i <= 5; ++i) writer->write(Record{"f", i, i, {}, &v});
  writer->finish();
  std::size_t headers = 0;
  for (std::size_t p = 0; (p = sink.data.find("LINE  ", p)) != std::string::npos; ++p) ++headers;
  EXPECT_EQ(headers, 3U);
}

TEST(Output, BufferedWriterBatchesAndReportsFailure) {
  StringSink sink;
  BufferedWriter out(sink, 1024);
  for (int i = 0; i < 100; ++i) {
    out.buffer().append("0123456789");
    out.maybe_flush();
  }
  EXPECT_TRUE(out.flush());
  EXPECT_EQ(sink.data.size(), 1000U);
  EXPECT_EQ(sink.writes, 1);
  sink.fail = true;
  out.buffer().append("x");
  EXPECT_FALSE(out.flush());
  EXPECT_TRUE(out.failed());
  EXPECT_EQ(out.error().message, "disk full");
}

}  // namespace
}  // namespace kubepriv::scan
