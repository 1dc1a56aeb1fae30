// The readings of an audit event (issue 13): the whole-event DOM reading and the automatic
// choice the binaries use give byte-identical verdicts (every output field) to the On-Demand
// reading, on every
// corpus event, on cuts of them, and on the hostile shapes of tests/fuzz/corpus/audit_paths
// (duplicated, escaped or out-of-order keys, wrong types, numbers only one parser refuses,
// trailing content). The same differential runs on fuzzed input in tests/fuzz/fuzz_audit_paths.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "kubepriv/audit/evaluator.hpp"
#include "verdict_text.hpp"

namespace kubepriv::test {
namespace {

namespace fs = std::filesystem;
using audit::Evaluator;
using Reading = Evaluator::Reading;

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// Every file of the audit corpora: the fuzz corpora, the examples and tests/fixtures
// (Falco traces, cloud wrappers).
std::vector<fs::path> corpus_files() {
  std::vector<fs::path> files;
  const fs::path src = KUBEPRIV_SOURCE_DIR;
  for (const char* dir : {"tests/fuzz/corpus/audit", "tests/fuzz/corpus/audit_paths", "examples"}) {
    for (const auto& e : fs::recursive_directory_iterator(src / dir)) {
      if (e.is_regular_file()) files.push_back(e.path());
    }
  }
  for (const fs::path& dir :
       {fs::path(KUBEPRIV_FIXTURES) / "k8s-audit", src / "tests/fixtures/wrappers"}) {
    if (!fs::is_directory(dir)) continue;
    for (const auto& e : fs::recursive_directory_iterator(dir)) {
      if (e.is_regular_file() && e.file_size() < (std::size_t{64} << 20)) files.push_back(e.path());
    }
  }
  std::sort(files.begin(), files.end());
  return files;
}

// The events of a file: the whole text, and each line when it holds several.
std::vector<std::string> events_of(const std::string& text) {
  std::vector<std::string> out{text};
  if (text.find('\n') + 1 >= text.size()) return out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) out.push_back(line);
  return out;
}

struct Readers {
  Evaluator on_demand{Reading::kOnDemand};
  Evaluator dom{Reading::kDom};
  Evaluator automatic;  // the default
  std::size_t compared = 0;
  std::size_t dom_verdicts = 0;  // verdicts the DOM reading produced itself (no fallback)

  void compare(const std::string& event, const std::string& where) {
    const std::string reference = verdict_text(on_demand.evaluate(event));
    ASSERT_EQ(on_demand.last_reading(), Reading::kOnDemand);
    EXPECT_EQ(verdict_text(dom.evaluate(event)), reference) << "DOM reading differs: " << where;
    if (dom.last_reading() == Reading::kDom) ++dom_verdicts;
    EXPECT_EQ(verdict_text(automatic.evaluate(event)), reference) << "auto differs: " << where;
    ++compared;
  }
};

TEST(AuditReadings, EveryCorpusEventAndItsCutsReadTheSame) {
  Readers r;
  std::size_t events = 0;
  for (const auto& file : corpus_files()) {
    const std::string text = read_file(file);
    for (const auto& event : events_of(text)) {
      ++events;
      r.compare(event, file.string());
      // A few cuts per event, with and without CloudWatch's marker (the salvage path).
      for (const std::size_t k : {event.size() / 3, event.size() / 2, event.size() * 9 / 10}) {
        if (k == 0 || k >= event.size()) continue;
        r.compare(event.substr(0, k), file.string() + " cut at " + std::to_string(k));
        r.compare(event.substr(0, k) + "[Truncated...]", file.string() + " cut+marker");
      }
      if (testing::Test::HasFailure()) return;
    }
  }
  EXPECT_GT(events, 500U);  // the corpora are there
  // The DOM reading did produce verdicts of its own (it is not always falling back): most
  // corpus texts are reads, cuts or whole multi-line files, which it leaves to On-Demand.
  EXPECT_GT(r.dom_verdicts, 50U) << "of " << r.compared;
}

// A large event: `filler` bytes of labels in the requestObject's metadata, or a `list` of pods.
std::string large_event(const std::string& verb, bool list) {
  const std::string labels = R"("labels":{"a":")" + std::string(6000, 'x') + R"("},)";
  std::string e = read_file(fs::path(KUBEPRIV_SOURCE_DIR) /
                            "tests/fuzz/corpus/audit/pod_create_privileged.json");
  while (!e.empty() && e.back() != '}') e.pop_back();
  e.replace(e.find(R"("verb":"create")"), 15, R"("verb":")" + verb + '"');
  if (list) {
    e.insert(e.size() - 1, R"(,"responseObject":{"kind":"PodList","items":[{"metadata":{)" +
                               labels + R"("name":"p"}}]})");
  } else {
    e.replace(e.find(R"("metadata":{"name":"p1"})"), 24,
              R"("metadata":{)" + labels + R"("name":"p1"})");
  }
  return e;
}

TEST(AuditReadings, AutoSkipsLargeBodiesOnlyWhenNotAPodSpecWrite) {
  Evaluator ev;
  Readers r;
  const std::string create = large_event("create", false);
  ASSERT_GT(create.size(), 6000U);
  EXPECT_TRUE(ev.evaluate(create).privileged);
  EXPECT_EQ(ev.last_reading(), Reading::kDom);
  r.compare(create, "large create");
  const std::string list = large_event("list", true);
  EXPECT_TRUE(ev.evaluate(list).error.empty());
  EXPECT_EQ(ev.last_reading(), Reading::kOnDemand);
  r.compare(list, "large list");
  // Small events go the DOM way whatever they are.
  std::string small = read_file(fs::path(KUBEPRIV_SOURCE_DIR) /
                                "tests/fuzz/corpus/audit/pod_create_privileged.json");
  small.replace(small.find(R"("verb":"create")"), 15, R"("verb":"get")");
  ev.evaluate(small);
  EXPECT_EQ(ev.last_reading(), Reading::kDom);
}

TEST(AuditReadings, TheDomReadingLeavesErrorsToOnDemand) {
  const fs::path dir = fs::path(KUBEPRIV_SOURCE_DIR) / "tests/fuzz/corpus";
  Evaluator ev;  // the default, what the binaries use
  const auto reading_of = [&](const char* file) {
    ev.evaluate(read_file(dir / file));
    return ev.last_reading();
  };
  EXPECT_EQ(reading_of("audit/pod_create_privileged.json"), Reading::kDom);
  EXPECT_EQ(reading_of("audit/deployment_patch_jsonpatch.json"), Reading::kDom);
  EXPECT_EQ(reading_of("audit_paths/dup_verb_later_read.json"), Reading::kDom);
  EXPECT_EQ(ev.evaluate(read_file(dir / "audit_paths/dup_verb_later_read.json")).verb, "get");
  // Errors, and what the DOM reading does not read the way On-Demand does: On-Demand decides.
  EXPECT_EQ(reading_of("audit_paths/bad_escape_in_body.json"), Reading::kOnDemand);
  EXPECT_FALSE(ev.evaluate(read_file(dir / "audit_paths/bad_escape_in_body.json")).error.empty());
  EXPECT_EQ(reading_of("audit_paths/code_uint64.json"), Reading::kOnDemand);
  EXPECT_EQ(reading_of("audit_paths/trailing_object.json"), Reading::kOnDemand);
  EXPECT_EQ(reading_of("audit_paths/verb_not_string.json"), Reading::kOnDemand);
  EXPECT_EQ(reading_of("audit_paths/huge_number_unread.json"), Reading::kOnDemand);
  EXPECT_TRUE(ev.evaluate(read_file(dir / "audit_paths/huge_number_unread.json")).privileged);
  EXPECT_EQ(reading_of("audit/truncated.json"), Reading::kOnDemand);
  EXPECT_EQ(reading_of("audit/wrapper_pod_create_privileged.aks.json"), Reading::kOnDemand);
}

// An evaluator keeps its buffers between events (user.groups' strings, the bodies' findings):
// in every reading, each verdict of a reused evaluator is the one a fresh evaluator gives,
// whatever came before (more or fewer groups, none, no user, an error half-way through the
// groups, a pod-spec write with names and owners from its body, then one without).
TEST(AuditReadings, AReusedEvaluatorGivesWhatAFreshOneGives) {
  const std::string head =
      R"({"kind":"Event","apiVersion":"audit.k8s.io/v1","auditID":"a","stage":"ResponseComplete",)"
      R"("requestURI":"/api/v1/namespaces/ns/pods","verb":)";
  const std::string tail = R"(,"responseStatus":{"code":201}})";
  const std::string pod_ref = R"(,"objectRef":{"resource":"pods","namespace":"ns"})";
  const std::string body =
      R"(,"requestObject":{"kind":"Pod","metadata":{"name":"p1","ownerReferences":[{"kind":)"
      R"("ReplicaSet","name":"rs","controller":true}]},"spec":{"containers":[{"name":"c",)"
      R"("image":"i","securityContext":{"privileged":true}}]}})";
  const std::vector<std::string> events = {
      head +
          R"("get","user":{"username":"u","groups":["system:authenticated",)"
          R"("system:serviceaccounts:kube-system","g3"]})" +
          tail,
      head + R"("get")" + tail,
      head + R"("get","user":{"username":"u","groups":["system:masters"]})" + tail,
      head + R"("get","user":{"username":"u"})" + tail,
      head + R"("get","user":{"groups":["system:authenticated","system:nodes",7]})" + tail,
      head + R"("create","user":{"username":"u","groups":["a-long-group-name-past-sso"]})" +
          pod_ref + body + tail,
      head + R"("create","user":{"username":"u","groups":[]})" + pod_ref +
          R"(,"requestObject":{"kind":"Pod","spec":{"containers":[{"name":"c"}]}})" + tail,
      head +
          R"("get","user":{"username":"u","groups":["system:authenticated"]},)"
          R"("user":{"username":"v","groups":["system:masters","system:nodes"]})" +
          tail,
      // Containers are recycled with their storage: a container that sets everything (mount
      // names and image past the inline buffer), then ones that set nothing, or other mounts;
      // a stale "host" mount would attribute container b to the hostPath finding.
      head + R"("create")" + pod_ref +
          R"(,"requestObject":{"kind":"Pod","spec":{"volumes":[{"name":"host","hostPath":)"
          R"({"path":"/etc"}}],"containers":[{"name":"a-container-name-past-sso","image":)"
          R"("registry.example/a-long-image:1","ports":[{"hostPort":80}],"volumeMounts":)"
          R"([{"name":"host"},{"name":"a-mount-name-past-the-inline-buffer"}],)"
          R"("securityContext":{"procMount":"Unmasked","seccompProfile":{"type":"Unconfined"},)"
          R"("capabilities":{"add":["SYS_ADMIN"]}}}]}})" +
          tail,
      head + R"("create")" + pod_ref +
          R"(,"requestObject":{"kind":"Pod","spec":{"volumes":[{"name":"host","hostPath":)"
          R"({"path":"/etc"}}],"containers":[{"name":"b"},{"name":"c","volumeMounts":)"
          R"([{"name":"other"}]},{"name":"d","volumeMounts":[{"name":"host"}]}]}})" +
          tail,
  };
  for (const Reading reading : {Reading::kAuto, Reading::kDom, Reading::kOnDemand}) {
    Evaluator reused(reading);
    for (int round = 0; round < 2; ++round) {
      for (std::size_t i = 0; i < events.size(); ++i) {
        Evaluator fresh(reading);
        EXPECT_EQ(verdict_text(reused.evaluate(events[i])), verdict_text(fresh.evaluate(events[i])))
            << "event " << i << ", round " << round << ", reading " << static_cast<int>(reading);
      }
    }
  }
  // The events say what they are meant to (so the comparison above is not of empty verdicts).
  Evaluator ev;
  EXPECT_EQ(ev.evaluate(events[0]).user_groups.size(), 3U);
  EXPECT_TRUE(ev.evaluate(events[1]).user_groups.empty());
  EXPECT_EQ(ev.evaluate(events[4]).error, "user.groups holds a non-string");
  const auto& write = ev.evaluate(events[5]);
  EXPECT_TRUE(write.privileged);
  EXPECT_EQ(write.owner_name, "rs");
  EXPECT_EQ(write.name, "p1");
  EXPECT_EQ(ev.evaluate(events[7]).user_groups.size(), 2U);
  EXPECT_EQ(ev.evaluate(events[8]).containers,
            std::vector<std::string>{"a-container-name-past-sso"});
  EXPECT_EQ(ev.evaluate(events[9]).containers, std::vector<std::string>{"d"});
  EXPECT_TRUE(ev.evaluate(events[9]).reasons.has(core::Reason::kHostPath));
}

}  // namespace
}  // namespace kubepriv::test
