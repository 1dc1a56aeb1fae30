// AKS and GKE wrappers (issue 10, item 5): each fixture in tests/fixtures/wrappers is judged like
// the plain audit event it wraps (`<case>.k8s.json`, written by the same generator).
#include <gtest/gtest.h>

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
using core::SourceFormat;

const fs::path kDir = fs::path(KUBEPRIV_SOURCE_DIR) / "tests/fixtures/wrappers";

std::string read(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  std::string s = ss.str();
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
  return s;
}

// The facts a wrapper must carry over unchanged.
struct Facts {
  bool privileged;
  std::string reasons;
  Outcome outcome;
  Evidence evidence;
  std::string workload_kind, ns, name, user, src_ip, user_agent, audit_id, verb, resource;
  std::vector<std::string> containers;
  bool operator==(const Facts&) const = default;
};
Facts facts(const core::Verdict& v) {
  return {v.privileged, reasons_of(v), v.outcome,  v.evidence,  v.workload_kind,
          v.namespace_, v.name,        v.user,     v.src_ip,    v.user_agent,
          v.audit_id,   v.verb,        v.resource, v.containers};
}
std::ostream& operator<<(std::ostream& os, const Facts& f) {
  return os << "privileged=" << f.privileged << " reasons=" << f.reasons
            << " outcome=" << core::to_string(f.outcome)
            << " evidence=" << core::to_string(f.evidence) << " kind=" << f.workload_kind
            << " ns=" << f.ns << " name=" << f.name << " user=" << f.user << " ip=" << f.src_ip
            << " auditID=" << f.audit_id << " verb=" << f.verb << " resource=" << f.resource;
}

// Appends `text` as a JSON string.
void detail_append(std::string& out, std::string_view text) {
  out += '"';
  for (const char c : text) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  out += '"';
}

std::string replaced(std::string s, std::string_view from, std::string_view to) {
  const std::size_t at = s.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) s.replace(at, from.size(), to);
  return s;
}

class WrappersTest : public ::testing::Test {
 protected:
  audit::Evaluator ev_;
};

TEST_F(WrappersTest, EveryWrappedCaseIsJudgedLikeItsPlainEvent) {
  int compared = 0;
  int privileged = 0;
  for (const auto& e : fs::directory_iterator(kDir)) {
    const std::string file = e.path().filename().string();
    if (!file.ends_with(".k8s.json")) continue;
    const std::string stem = file.substr(0, file.size() - 9);
    const core::Verdict plain = ev_.evaluate(read(e.path()));
    ASSERT_TRUE(plain.error.empty()) << file << ": " << plain.error;
    EXPECT_EQ(plain.source_format, SourceFormat::kK8s);
    privileged += plain.privileged ? 1 : 0;
    for (const auto& [suffix, format] :
         {std::pair{".aks.json", SourceFormat::kAks}, std::pair{".gke.json", SourceFormat::kGke}}) {
      const fs::path wrapped = kDir / (stem + suffix);
      if (!fs::exists(wrapped)) continue;
      const core::Verdict& v = ev_.evaluate(read(wrapped));
      EXPECT_TRUE(v.error.empty()) << wrapped << ": " << v.error;
      EXPECT_EQ(v.source_format, format) << wrapped;
      EXPECT_EQ(core::to_string(v.source_format), format == SourceFormat::kAks ? "aks" : "gke");
      EXPECT_EQ(facts(v), facts(plain)) << wrapped;
      if (format == SourceFormat::kAks) {
        EXPECT_EQ(v.details, plain.details) << wrapped;
        EXPECT_EQ(v.response_code, plain.response_code) << wrapped;
        EXPECT_EQ(v.dry_run, plain.dry_run) << wrapped;
      }
      ++compared;
    }
  }
  EXPECT_GE(compared, 9);
  EXPECT_GE(privileged, 2);
}

TEST_F(WrappersTest, AksSpecifics) {
  const auto& v = ev_.evaluate(read(kDir / "pod_create_privileged.aks.json"));
  EXPECT_TRUE(v.privileged);
  EXPECT_EQ(v.user, "alice@contoso.com");
  EXPECT_EQ(v.response_code, 201);
  const auto& dry = ev_.evaluate(read(kDir / "daemonset_create_dry_run.aks.json"));
  EXPECT_EQ(dry.outcome, Outcome::kDryRun);
  EXPECT_FALSE(dry.privileged);
  EXPECT_EQ(reasons_of(dry), "privileged_container,host_network");
  const auto& get = ev_.evaluate(read(kDir / "pod_get.aks.json"));
  EXPECT_TRUE(get.error.empty()) << get.error;
  EXPECT_EQ(get.outcome, Outcome::kNone);
  EXPECT_EQ(get.source_format, SourceFormat::kAks);
  const auto& other = ev_.evaluate(read(kDir / "apiserver_log.aks.json"));
  EXPECT_EQ(other.error,
            "not an audit event: Azure Monitor record of category \"kube-apiserver\" (kube-audit "
            "or kube-audit-admin expected)");
  EXPECT_EQ(other.source_format, SourceFormat::kAks);
  // An Event Hubs body with one record is unwrapped; with several it must be split upstream.
  const std::string record = read(kDir / "pod_create_privileged.aks.json");
  EXPECT_TRUE(ev_.evaluate("{\"records\":[" + record + "]}").privileged);
  EXPECT_EQ(ev_.evaluate("{\"records\":[" + record + "," + record + "]}").error,
            "Azure Monitor message with 2 records: index one event per record");
  // As the Microsoft Cloud Services add-on indexes an Event Hubs message (mscs:azure:eventhub).
  const auto& mscs =
      ev_.evaluate(R"({"body":{"records":[)" + record +
                   R"(]},"properties":{},"system_properties":{"x-opt-offset":"1"}})");
  EXPECT_TRUE(mscs.privileged);
  EXPECT_EQ(mscs.source_format, SourceFormat::kAks);
  // A log string that is not JSON, or cut: the inner event's own error or salvage.
  Ev e;
  e.request = pod(kPrivSpec);
  const std::string full = e.str();
  std::string cut_record = R"({"category":"kube-audit","properties":{"log":)";
  detail_append(cut_record, full.substr(0, full.size() - 40));
  cut_record += "}}";
  const auto& cut = ev_.evaluate(cut_record);
  EXPECT_TRUE(cut.error.empty()) << cut.error;
  EXPECT_EQ(cut.evidence, Evidence::kTruncated);
  EXPECT_TRUE(cut.privileged);
  EXPECT_EQ(cut.source_format, SourceFormat::kAks);
  EXPECT_NE(ev_.evaluate(R"({"category":"kube-audit","properties":{"log":"nope"}})")
                .error.find("not valid JSON"),
            std::string::npos);
  EXPECT_EQ(ev_.evaluate(R"({"category":"kube-audit","properties":{"pod":"x"}})").error,
            "Azure Monitor record without a properties.log string");
}

TEST_F(WrappersTest, GkeSpecifics) {
  const std::string priv = read(kDir / "pod_create_privileged.gke.json");
  const auto& v = ev_.evaluate(priv);
  EXPECT_TRUE(v.privileged);
  EXPECT_EQ(v.response_code, 200);                                // gRPC OK, as HTTP
  EXPECT_EQ(v.audit_id, "7a1c9e40-2b5d-4c8f-9e61-0d3f2a8b7c01");  // operation.id
  const auto& denied = ev_.evaluate(read(kDir / "pod_create_denied.gke.json"));
  EXPECT_EQ(denied.outcome, Outcome::kDenied);
  EXPECT_EQ(denied.response_code, 403);
  EXPECT_FALSE(denied.privileged);
  EXPECT_EQ(reasons_of(denied), "privileged_container");
  // As the Google Cloud add-on indexes a Pub/Sub message (google:gcp:pubsub:message).
  const auto& pubsub =
      ev_.evaluate(R"({"attributes":{"logging.googleapis.com/timestamp":"x"},"data":)" + priv +
                   R"(,"message_id":"1","publish_time":"1700000000.0"})");
  EXPECT_TRUE(pubsub.privileged);
  EXPECT_EQ(pubsub.source_format, SourceFormat::kGke);
  const auto& tmpl = ev_.evaluate(read(kDir / "deployment_patch_privileged_template.gke.json"));
  EXPECT_EQ(tmpl.workload_kind, "Deployment");
  EXPECT_EQ(tmpl.verb, "patch");
  EXPECT_TRUE(tmpl.privileged);
  // Outcomes from google.rpc.Code: missing status = unknown, never success.
  auto with_status = [&](std::string_view status) {
    std::string s = priv;
    const std::string from = R"("status":{})";
    s.replace(s.find(from), from.size(), status);
    return s;
  };
  EXPECT_EQ(ev_.evaluate(with_status(R"("status":{"code":7})")).outcome, Outcome::kDenied);
  EXPECT_EQ(ev_.evaluate(with_status(R"("status":{"code":5,"message":"x"})")).response_code, 404);
  const auto& unknown = ev_.evaluate(with_status(R"("x":{})"));
  EXPECT_FALSE(unknown.privileged);
  EXPECT_NE(unknown.outcome, Outcome::kSuccess);
  // Another service, or a method that is not a Kubernetes one.
  const std::string other =
      replaced(priv, R"("serviceName":"k8s.io")", R"("serviceName":"container.googleapis.com")");
  EXPECT_EQ(ev_.evaluate(other).error,
            "not an audit event: Cloud Audit Logs entry of service \"container.googleapis.com\" "
            "(k8s.io expected)");
  const std::string method =
      replaced(priv, R"("methodName":"io.k8s.core.v1.pods.create")",
               R"("methodName":"google.container.v1.ClusterManager.CreateCluster")");
  EXPECT_NE(ev_.evaluate(method).error.find("methodName"), std::string::npos);
  // Subresources: pods/ephemeralcontainers is judged, pods/exec is not a write.
  const std::string eph =
      replaced(priv, R"("methodName":"io.k8s.core.v1.pods.create")",
               R"("methodName":"io.k8s.core.v1.pods.ephemeralcontainers.patch")");
  const auto& e = ev_.evaluate(eph);
  EXPECT_EQ(e.subresource, "ephemeralcontainers");
  EXPECT_EQ(e.verb, "patch");
}

TEST_F(WrappersTest, PlainEventsAreNotMistakenForWrappers) {
  Ev e;
  e.request = pod(kPrivSpec);
  std::string s = e.str();
  s.insert(1, R"("properties":{"log":"{}"},"protoPayload":{},)");
  const auto& v = ev_.evaluate(s);
  EXPECT_TRUE(v.privileged);
  EXPECT_EQ(v.source_format, SourceFormat::kK8s);
  EXPECT_EQ(ev_.evaluate(R"({"a":1})").error, "not an audit event: no kind, apiVersion or auditID");
}

}  // namespace
}  // namespace kubepriv::test
