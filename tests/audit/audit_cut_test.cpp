// Cut events (issue 10, item 3): every corpus event cut at every byte offset, with and without
// CloudWatch's `[Truncated...]` suffix, plus the cases the sweep cannot name.
//
// The sweep's contract, checked against the verdict of the complete event:
//   * never a crash; never `privileged=1` when the complete event is not privileged;
//   * never a reason the complete event does not have;
//   * a judged cut is marked (`evidence=truncated`, a details line with the cut's offset);
//   * once requestObject, responseStatus and the envelope fields before them have survived,
//     the same `privileged` and `reasons` as the complete event.
#include <gtest/gtest.h>
#include <simdjson.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "event_builder.hpp"
#include "kubepriv/audit/evaluator.hpp"

namespace kubepriv::test {
namespace {

namespace fs = std::filesystem;
using core::Evidence;
using core::Outcome;
using core::Reason;

std::vector<std::string> lines_of(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::vector<std::string> out;
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.find_first_not_of(" \t") != std::string::npos) out.push_back(line);
  }
  return out;
}

// Where the fields that decide `privileged` and `reasons` end in a complete event (simdjson
// On-Demand, independent of the evaluator): the offset after which they have all survived a
// cut, or npos when the event has no requestObject or no responseStatus.
std::size_t decided_at(const std::string& line) {
  simdjson::padded_string padded(line);
  simdjson::ondemand::parser parser;
  simdjson::ondemand::document doc;
  simdjson::ondemand::object obj;
  if (parser.iterate(padded).get(doc) != simdjson::SUCCESS ||
      doc.get_object().get(obj) != simdjson::SUCCESS) {
    return std::string::npos;
  }
  bool request = false;
  bool status = false;
  std::size_t end = 0;
  for (auto field : obj) {
    std::string_view key;
    if (field.unescaped_key().get(key) != simdjson::SUCCESS) return std::string::npos;
    std::string_view raw;
    simdjson::ondemand::value v = field.value();
    simdjson::ondemand::json_type type;
    if (v.type().get(type) != simdjson::SUCCESS) return std::string::npos;
    if (type == simdjson::ondemand::json_type::object) {
      simdjson::ondemand::object o;
      if (v.get_object().get(o) != simdjson::SUCCESS || o.raw_json().get(raw) != simdjson::SUCCESS)
        return std::string::npos;
    } else if (type == simdjson::ondemand::json_type::array) {
      simdjson::ondemand::array a;
      if (v.get_array().get(a) != simdjson::SUCCESS || a.raw_json().get(raw) != simdjson::SUCCESS)
        return std::string::npos;
    } else {
      raw = v.raw_json_token();
    }
    const auto stop = static_cast<std::size_t>(raw.data() + raw.size() - padded.data());
    const bool decides = key == "requestObject" || key == "responseStatus" || key == "verb" ||
                         key == "objectRef" || key == "stage" || key == "requestURI" ||
                         key == "kind" || key == "apiVersion" || key == "auditID";
    if (decides) end = std::max(end, stop);
    request = request || key == "requestObject";
    status = status || key == "responseStatus";
  }
  return request && status ? end : std::string::npos;
}

std::vector<fs::path> corpus_files() {
  std::vector<fs::path> files;
  const fs::path src = KUBEPRIV_SOURCE_DIR;
  for (const auto& e : fs::directory_iterator(src / "tests/fuzz/corpus/audit")) {
    files.push_back(e.path());
  }
  files.push_back(src / "examples/sample-audit.jsonl");
  const fs::path wrappers = src / "tests/fixtures/wrappers";
  if (fs::is_directory(wrappers)) {
    for (const auto& e : fs::directory_iterator(wrappers)) {
      if (e.path().extension() == ".json") files.push_back(e.path());
    }
  }
  const fs::path falco = fs::path(KUBEPRIV_FIXTURES) / "k8s-audit/falco-trace-files";
  for (const auto& e : fs::directory_iterator(falco)) files.push_back(e.path());
  std::sort(files.begin(), files.end());
  return files;
}

// Every offset when that stays fast; under the sanitizers (a unit test, kept within seconds)
// long events are sampled: every offset near the start, the ends of the members that decide,
// and a stride over the rest.
std::size_t stride_for(std::size_t size) {
#if defined(__SANITIZE_ADDRESS__)
  constexpr bool kSanitized = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
  constexpr bool kSanitized = true;
#else
  constexpr bool kSanitized = false;
#endif
#else
  constexpr bool kSanitized = false;
#endif
  return kSanitized && size > 1500 ? 7 : 1;
}

struct SweepStats {
  std::size_t cuts = 0;
  std::size_t judged = 0;
  std::size_t same_after_decided = 0;
};

void sweep(audit::Evaluator& ev, const std::string& where, const std::string& line,
           SweepStats& stats) {
  const core::Verdict complete = ev.evaluate(line);
  const std::size_t decided = complete.error.empty() ? decided_at(line) : std::string::npos;
  const std::size_t stride = stride_for(line.size());
  std::string cut;
  for (std::size_t k = 0; k < line.size(); ++k) {
    const bool near_decided = decided != std::string::npos && k + 2 >= decided && k <= decided + 2;
    if (stride > 1 && k > 64 && k % stride != 0 && !near_decided) continue;
    for (const bool marker : {false, true}) {
      cut.assign(line, 0, k);
      if (marker) cut += "[Truncated...]";
      const core::Verdict& v = ev.evaluate(cut);
      ++stats.cuts;
      const std::string at = where + " cut at " + std::to_string(k) + (marker ? " +marker" : "");
      ASSERT_TRUE(!v.privileged || complete.privileged) << at << ": wrong privileged=1";
      ASSERT_EQ(v.reasons.bits() & ~complete.reasons.bits(), 0)
          << at << ": reasons " << reasons_of(v) << " not all in " << reasons_of(complete);
      if (!v.error.empty()) {
        ASSERT_FALSE(v.privileged) << at;
        continue;
      }
      ++stats.judged;
      ASSERT_EQ(v.evidence, Evidence::kTruncated) << at;
      ASSERT_FALSE(v.details.empty()) << at;
      ASSERT_TRUE(
          v.details.front().starts_with("truncated: event cut at byte " + std::to_string(k)))
          << at << ": " << v.details.front();
      if (decided != std::string::npos && k >= decided) {
        ASSERT_EQ(v.privileged, complete.privileged) << at;
        ASSERT_EQ(reasons_of(v), reasons_of(complete)) << at;
        ASSERT_EQ(v.verb, complete.verb) << at;
        ASSERT_EQ(v.audit_id, complete.audit_id) << at;
        ++stats.same_after_decided;
      }
    }
  }
}

TEST(CutEvents, EveryCorpusEventCutAtEveryOffset) {
  audit::Evaluator ev;
  SweepStats stats;
  std::size_t events = 0;
  std::size_t privileged = 0;
  const auto start = std::chrono::steady_clock::now();
  for (const auto& file : corpus_files()) {
    const auto lines = lines_of(file);
    for (std::size_t i = 0; i < lines.size(); ++i) {
      ++events;
      privileged += ev.evaluate(lines[i]).privileged ? 1U : 0U;
      sweep(ev, file.filename().string() + ":" + std::to_string(i + 1), lines[i], stats);
      if (HasFatalFailure()) return;
    }
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::cout << "cut sweep: " << events << " events (" << privileged << " privileged), "
            << stats.cuts << " cuts, " << stats.judged << " judged, " << stats.same_after_decided
            << " after requestObject+responseStatus, " << seconds << " s\n";
  EXPECT_GT(events, 30U);
  EXPECT_GT(privileged, 3U);
  EXPECT_GT(stats.same_after_decided, 1000U);  // the sweep reaches the cases that matter
}

class CutTest : public ::testing::Test {
 protected:
  static std::string cut_inside(const std::string& full, const std::string& needle,
                                std::size_t extra = 0) {
    const std::size_t at = full.find(needle);
    EXPECT_NE(at, std::string::npos) << needle;
    return full.substr(0, at + needle.size() + extra);
  }
  audit::Evaluator ev_;
};

// A big privileged pod create: request and response carry the whole pod.
Ev big_privileged_create() {
  Ev e;
  const std::string spec =
      R"({"containers":[{"name":"app","image":"nginx:1","securityContext":{"privileged":true}},)"
      R"({"name":"side","image":"busybox","env":[{"name":"PAD","value":")" +
      std::string(6000, 'x') + R"("}]}],"hostNetwork":true})";
  e.request = pod(spec);
  e.response = pod(spec, R"({"name":"p1","namespace":"default","uid":"u-1"})");
  return e;
}

TEST_F(CutTest, CloudWatchCutInsideTheResponseKeepsTheVerdict) {
  const std::string full = big_privileged_create().str();
  const auto& whole = ev_.evaluate(full);
  ASSERT_TRUE(whole.privileged);
  const std::string reasons = reasons_of(whole);
  // 10,000 bytes, as Splunk's default TRUNCATE: inside responseObject's env padding.
  ASSERT_GT(full.size(), 10000U);
  const std::string cut = full.substr(0, 10000) + "[Truncated...]";
  const auto& v = ev_.evaluate(cut);
  EXPECT_TRUE(v.error.empty()) << v.error;
  EXPECT_TRUE(v.privileged);
  EXPECT_EQ(reasons_of(v), reasons);
  EXPECT_EQ(v.outcome, Outcome::kSuccess);
  EXPECT_EQ(v.evidence, Evidence::kTruncated);
  EXPECT_EQ(core::to_string(v.evidence), "truncated");
  ASSERT_FALSE(v.details.empty());
  EXPECT_EQ(v.details.front(),
            "truncated: event cut at byte 10000 (it ends with [Truncated...]); responseObject cut "
            "mid-way: judged on what it holds, settings after the cut are unknown");
  EXPECT_TRUE(has(v.containers, "app"));
  EXPECT_EQ(v.user, "alice");
  EXPECT_EQ(v.src_ip, "10.0.0.1");
  EXPECT_EQ(v.name, "p1");
  // Without the marker (Splunk's TRUNCATE): the same, minus the marker's note.
  const auto& plain = ev_.evaluate(std::string_view(full).substr(0, 10000));
  EXPECT_TRUE(plain.privileged);
  EXPECT_EQ(plain.details.front().rfind("truncated: event cut at byte 10000; responseObject", 0),
            0U)
      << plain.details.front();
}

TEST_F(CutTest, RequestCutAfterThePrivilegedContainerIsEvidence) {
  const std::string full = big_privileged_create().str();
  const std::string cut = cut_inside(full, R"("name":"side","image":"bus)");
  const auto& v = ev_.evaluate(cut);
  EXPECT_TRUE(v.error.empty()) << v.error;
  EXPECT_TRUE(v.privileged);  // a complete `"privileged":true` member survived, and code 201
  EXPECT_EQ(reasons_of(v), "privileged_container");  // hostNetwork was in the lost tail
  EXPECT_NE(v.details.front().find("requestObject cut mid-way"), std::string::npos);
}

TEST_F(CutTest, RequestCutBeforeTheSettingIsNotPrivileged) {
  const std::string full = big_privileged_create().str();
  const auto& v = ev_.evaluate(cut_inside(full, R"("securityContext":{"privil)"));
  EXPECT_TRUE(v.error.empty()) << v.error;
  EXPECT_FALSE(v.privileged);
  EXPECT_TRUE(v.reasons.empty());
  EXPECT_EQ(v.evidence, Evidence::kTruncated);
  EXPECT_EQ(v.outcome, Outcome::kSuccess);  // responseStatus came before the cut
  // A value at the cut is never taken: `tru` could be anything.
  const auto& t = ev_.evaluate(cut_inside(full, R"("privileged":tru)"));
  EXPECT_FALSE(t.privileged);
  const auto& t2 = ev_.evaluate(cut_inside(full, R"("privileged":true)"));
  EXPECT_FALSE(t2.privileged);  // no delimiter yet: still not known to be complete
  const auto& t3 = ev_.evaluate(cut_inside(full, R"("privileged":true})"));
  EXPECT_TRUE(t3.privileged);
}

TEST_F(CutTest, NoResponseStatusBeforeTheCutIsIncompleteNeverPrivileged) {
  // Field order is free: a body before responseStatus, cut inside the body.
  std::string full = big_privileged_create().str();
  Ev e = big_privileged_create();
  e.code = 0;
  full = e.str();
  const auto& v = ev_.evaluate(cut_inside(full, R"("privileged":true}},)"));
  EXPECT_TRUE(v.error.empty()) << v.error;
  EXPECT_FALSE(v.privileged);
  EXPECT_EQ(reasons_of(v), "privileged_container");
  EXPECT_EQ(v.outcome, Outcome::kIncomplete);  // never guessed
}

TEST_F(CutTest, ObjectRefCutMidWayIsDroppedWhole) {
  Ev e;
  e.subresource = "status";
  e.request = pod(kPrivSpec);
  const std::string full = e.str();
  // Cut after resource and namespace, before subresource: a pods/status write must not read
  // as a pod write.
  const std::string cut = cut_inside(full, R"("resource":"pods","namespace":"default",)");
  const auto& v = ev_.evaluate(cut);
  EXPECT_TRUE(v.error.empty()) << v.error;
  EXPECT_TRUE(v.resource.empty());
  EXPECT_EQ(v.verb, "create");
  EXPECT_EQ(v.outcome, Outcome::kNone);
  EXPECT_EQ(v.evidence, Evidence::kTruncated);
  EXPECT_EQ(v.details.front(), "truncated: event cut at byte " + std::to_string(cut.size()) +
                                   "; judged on the fields before the cut");
}

TEST_F(CutTest, BrokenIsNotCut) {
  Ev e;
  e.request = pod(kPrivSpec);
  std::string full = e.str();
  // A syntax error before the end is a broken event: the error stands, nothing is judged.
  std::string broken = full;
  broken.insert(broken.find(R"("verb")"), ",");
  const auto& v = ev_.evaluate(broken);
  EXPECT_NE(v.error.find("not valid JSON"), std::string::npos) << v.error;
  EXPECT_NE(v.evidence, Evidence::kTruncated);
  // Trailing garbage after a complete event is not a cut either; the marker alone is.
  EXPECT_NE(ev_.evaluate(full + "x").error, "");
  const auto& marked = ev_.evaluate(full + "[Truncated...]");
  EXPECT_TRUE(marked.error.empty()) << marked.error;
  EXPECT_TRUE(marked.privileged);
  EXPECT_EQ(marked.evidence, Evidence::kTruncated);
  // Cut before anything judgeable survived: the parse error is reported as before.
  EXPECT_EQ(ev_.evaluate(R"({"trunc)").error,
            "not valid JSON: A string is opened, but never closed.");
  const auto& early = ev_.evaluate(full.substr(0, full.find(R"("verb")")) + "[Truncated...]");
  EXPECT_EQ(early.error, "event truncated upstream (ends with [Truncated...]), not valid JSON");
  EXPECT_FALSE(early.privileged);
  // A raw control byte inside a string is broken JSON, not a cut.
  EXPECT_FALSE(ev_.evaluate(full.substr(0, 60) + "\x01").error.empty());
}

TEST_F(CutTest, ProcMountIsNotCountedWhenHostUsersWasCutAway) {
  Ev e;
  const std::string spec =
      R"({"containers":[{"name":"c","image":"i","securityContext":{"procMount":"Unmasked"}}],)"
      R"("hostUsers":false})";
  e.request = pod(spec);
  const std::string full = e.str();
  EXPECT_TRUE(ev_.evaluate(full).reasons.empty());
  const auto& v = ev_.evaluate(cut_inside(full, R"("Unmasked"}}],)"));
  EXPECT_TRUE(v.error.empty()) << v.error;
  EXPECT_TRUE(v.reasons.empty());
  EXPECT_TRUE(has(v.details,
                  "unmasked_proc_mount: not counted: requestObject was cut before "
                  "spec.hostUsers, which decides it"));
  // Without hostUsers in the complete event the reason stands.
  Ev plain;
  plain.request =
      pod(R"({"containers":[{"name":"c","securityContext":{"procMount":"Unmasked"}}]})");
  EXPECT_EQ(reasons_of(ev_.evaluate(plain.str())), "unmasked_proc_mount");
}

TEST_F(CutTest, PatchIsJudgedOnItsBodyWhenTheResponseIsCut) {
  Ev e;
  e.verb = "patch";
  e.resource = "deployments";
  e.api_group = "apps";
  e.name = "web";
  e.code = 200;
  const std::string tmpl =
      R"({"spec":{"template":{"spec":{"containers":[{"name":"app","securityContext":{"privileged":true}}]}}}})";
  e.request = tmpl;
  e.response =
      R"({"kind":"Deployment","metadata":{"name":"web"},"spec":{"replicas":1,"template":{"spec":{"containers":[{"name":"app","image":"x","securityContext":{"privileged":true}}]}}}})";
  const std::string full = e.str();
  ASSERT_TRUE(ev_.evaluate(full).privileged);
  const auto& v = ev_.evaluate(cut_inside(full, R"("replicas":1,)"));
  EXPECT_TRUE(v.error.empty()) << v.error;
  EXPECT_TRUE(v.privileged);
  EXPECT_EQ(reasons_of(v), "privileged_container");
  EXPECT_EQ(v.workload_kind, "Deployment");
}

TEST_F(CutTest, JsonPatchCutKeepsTheCompleteOperations) {
  Ev e;
  e.verb = "patch";
  e.name = "p1";
  e.code = 200;
  e.request =
      R"([{"op":"add","path":"/spec/hostNetwork","value":true},)"
      R"({"op":"add","path":"/spec/containers/0/securityContext","value":{"privileged":true}}])";
  const std::string full = e.str();
  EXPECT_EQ(reasons_of(ev_.evaluate(full)), "privileged_container,host_network");
  const auto& v = ev_.evaluate(cut_inside(full, R"("value":{"privil)"));
  EXPECT_TRUE(v.error.empty()) << v.error;
  EXPECT_EQ(reasons_of(v), "host_network");
  EXPECT_FALSE(v.privileged);
}

}  // namespace
}  // namespace kubepriv::test
