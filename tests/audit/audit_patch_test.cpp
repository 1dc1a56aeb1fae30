// Patch bodies: strategic merge (with directives), merge (null), JSON patch (escapes, '-', leaf
// paths, subtrees, copy/move), server-side apply; and the patch-vs-response semantics.
#include <gtest/gtest.h>

#include "event_builder.hpp"
#include "kubepriv/audit/evaluator.hpp"

namespace kubepriv::test {
namespace {

using core::Outcome;
using core::Reason;

class PatchTest : public ::testing::Test {
 protected:
  const core::Verdict& patch(const std::string& resource, const std::string& group,
                             const std::string& body, const std::string& response = "") {
    Ev e;
    e.verb = "patch";
    e.resource = resource;
    e.api_group = group;
    e.name = "obj";
    e.code = 200;
    e.request = body;
    e.response = response;
    return ev_.evaluate(e.str());
  }
  audit::Evaluator ev_;
};

TEST_F(PatchTest, StrategicMergeWithDirectives) {
  const auto& v = patch("deployments", "apps", R"({
    "$setElementOrder/metadata":[],
    "spec":{"template":{"spec":{
      "$setElementOrder/containers":[{"name":"app"}],
      "$retainKeys":["containers"],
      "containers":[{"name":"app","securityContext":{"privileged":true}}]}}}})");
  EXPECT_TRUE(v.error.empty()) << v.error;
  EXPECT_TRUE(v.privileged);
  EXPECT_EQ(v.workload_kind, "Deployment");
  EXPECT_EQ(v.name, "obj");
}

TEST_F(PatchTest, StrategicMergeDeleteDirectiveRemoves) {
  auto v = patch(
      "pods", "",
      R"({"spec":{"containers":[{"name":"app","$patch":"delete","securityContext":{"privileged":true}}]}})");
  EXPECT_FALSE(v.privileged);
  EXPECT_TRUE(v.reasons.empty());
  v = patch(
      "pods", "",
      R"({"spec":{"containers":[{"name":"app","securityContext":{"$patch":"delete","privileged":true}}]}})");
  EXPECT_FALSE(v.privileged);
  v = patch(
      "pods", "",
      R"({"spec":{"volumes":[{"name":"h","hostPath":{"path":"/"},"$patch":"delete"}],"containers":[{"name":"app","securityContext":{"$patch":"replace","privileged":true}}]}})");
  EXPECT_TRUE(v.privileged);
  EXPECT_FALSE(v.reasons.has(Reason::kHostPath));
}

// Where `"$patch": "delete"` is honoured, pinned level by level: the last `$patch` key of an
// object decides and only the string "delete" deletes; the body's root and a template's metadata
// are not deletable; a deleted object leaves what it replaced empty (a later duplicate key
// brings a new one).
TEST_F(PatchTest, StrategicMergeDeleteAtEveryLevel) {
  struct Case {
    const char* resource;
    const char* group;
    const char* body;
    const char* reasons;
  };
  const Case cases[] = {
      // The pod spec.
      {"pods", "", R"({"spec":{"hostPID":true,"$patch":"delete"}})", ""},
      {"pods", "", R"({"spec":{"$patch":"delete","hostPID":true}})", ""},
      {"pods", "", R"({"spec":{"$patch":"delete","hostPID":true,"$patch":"replace"}})", "host_pid"},
      {"pods", "", R"({"spec":{"$patch":"replace","hostPID":true,"$patch":"delete"}})", ""},
      {"pods", "", R"({"spec":{"$patch":true,"hostPID":true}})", "host_pid"},
      {"pods", "", R"({"spec":{"$patch":"Delete","hostPID":true}})", "host_pid"},
      {"pods", "", R"({"spec":{"$patch":null,"hostPID":true}})", "host_pid"},
      {"pods", "", R"({"spec":{"hostPID":true,"$patch":"delete"},"spec":{"hostIPC":true}})",
       "host_ipc"},
      {"pods", "", R"({"spec":{"hostPID":true},"spec":{"hostIPC":true,"$patch":"delete"}})", ""},
      // The root of a pod body is not deletable.
      {"pods", "", R"({"$patch":"delete","spec":{"hostPID":true}})", "host_pid"},
      // Pod securityContext, its sysctls.
      {"pods", "", R"({"spec":{"securityContext":{"runAsUser":0,"$patch":"delete"}}})", ""},
      {"pods", "",
       R"({"spec":{"securityContext":{"runAsUser":0,"$patch":"delete"},"securityContext":{"sysctls":[{"name":"kernel.msgmax"}]}}})",
       "unsafe_sysctl"},
      {"pods", "", R"({"spec":{"securityContext":{"sysctls":[{"name":"kernel.msgmax"}]}}})",
       "unsafe_sysctl"},
      {"pods", "",
       R"({"spec":{"securityContext":{"sysctls":[{"name":"kernel.msgmax","$patch":"delete"}]}}})",
       ""},
      {"pods", "",
       R"({"spec":{"securityContext":{"windowsOptions":{"hostProcess":true,"$patch":"delete"}}}})",
       ""},
      {"pods", "",
       R"({"spec":{"securityContext":{"windowsOptions":{"$patch":"delete","hostProcess":true,"$patch":"x"}}}})",
       "host_process"},
      // Containers of each list, their securityContext and its objects, ports.
      {"pods", "",
       R"({"spec":{"initContainers":[{"name":"i","securityContext":{"privileged":true},"$patch":"delete"}]}})",
       ""},
      {"pods", "",
       R"({"spec":{"ephemeralContainers":[{"$patch":"delete","name":"e","securityContext":{"privileged":true}}]}})",
       ""},
      {"pods", "",
       R"({"spec":{"containers":[{"name":"a","securityContext":{"seccompProfile":{"type":"Unconfined","$patch":"delete"}}}]}})",
       ""},
      {"pods", "",
       R"({"spec":{"containers":[{"name":"a","securityContext":{"appArmorProfile":{"$patch":"delete","type":"Unconfined"}}}]}})",
       ""},
      {"pods", "",
       R"({"spec":{"containers":[{"name":"a","securityContext":{"capabilities":{"add":["SYS_ADMIN"],"$patch":"delete"}}}]}})",
       ""},
      {"pods", "",
       R"({"spec":{"containers":[{"name":"a","securityContext":{"capabilities":{"add":["SYS_ADMIN"]},"capabilities":{"$patch":"delete"}}}]}})",
       ""},
      {"pods", "",
       R"({"spec":{"containers":[{"name":"a","securityContext":{"capabilities":{"add":["SYS_ADMIN"],"$patch":"delete","$patch":"merge"}}}]}})",
       "dangerous_capability"},
      {"pods", "", R"({"spec":{"containers":[{"name":"a","ports":[{"hostPort":80}]}]}})",
       "host_port"},
      {"pods", "",
       R"({"spec":{"containers":[{"name":"a","ports":[{"hostPort":80,"$patch":"delete"}]}]}})", ""},
      // Volumes and their hostPath source.
      {"pods", "", R"({"spec":{"volumes":[{"name":"h","hostPath":{"$patch":"delete"}}]}})", ""},
      {"pods", "",
       R"({"spec":{"volumes":[{"name":"h","hostPath":{"$patch":"delete"},"hostPath":{}}]}})",
       "host_path"},
      {"pods", "",
       R"({"spec":{"volumes":[{"name":"h","hostPath":{},"hostPath":{"path":"/","$patch":"delete"}}]}})",
       ""},
      // Each step of a template path and the template's pod spec; the body's root and the
      // template's metadata are not deletable.
      {"deployments", "apps",
       R"({"$patch":"delete","spec":{"template":{"spec":{"hostPID":true}}}})", "host_pid"},
      {"deployments", "apps",
       R"({"spec":{"$patch":"delete","template":{"spec":{"hostPID":true}}}})", ""},
      {"deployments", "apps",
       R"({"spec":{"template":{"spec":{"hostPID":true}},"$patch":"delete"}})", ""},
      {"deployments", "apps",
       R"({"spec":{"template":{"$patch":"delete","spec":{"hostPID":true}}}})", ""},
      {"deployments", "apps",
       R"({"spec":{"template":{"spec":{"hostPID":true,"$patch":"delete"}}}})", ""},
      {"deployments", "apps",
       R"({"spec":{"template":{"metadata":{"$patch":"delete","annotations":{"container.apparmor.security.beta.kubernetes.io/a":"unconfined"}},"spec":{"containers":[{"name":"a"}]}}}})",
       "unconfined_apparmor"},
      {"deployments", "apps",
       R"({"spec":{"template":{"metadata":{"annotations":{"container.apparmor.security.beta.kubernetes.io/a":"unconfined"}},"spec":{"containers":[{"name":"a"}],"$patch":"delete"}}}})",
       "unconfined_apparmor"},
      {"cronjobs", "batch",
       R"({"spec":{"jobTemplate":{"$patch":"delete","spec":{"template":{"spec":{"hostPID":true}}}}}})",
       ""},
      {"cronjobs", "batch",
       R"({"spec":{"jobTemplate":{"spec":{"$patch":"delete","template":{"spec":{"hostPID":true}}}}}})",
       ""},
      {"cronjobs", "batch",
       R"({"spec":{"jobTemplate":{"spec":{"template":{"spec":{"hostPID":true}}}}}})", "host_pid"},
  };
  for (const auto& c : cases) {
    const auto& v = patch(c.resource, c.group, c.body);
    EXPECT_TRUE(v.error.empty()) << c.body << ": " << v.error;
    EXPECT_EQ(reasons_of(v), c.reasons) << c.body;
  }
}

// The legacy (<= 1.21) pods/ephemeralcontainers body: its top-level list honours `$patch` per
// item and replaces the ephemeral containers of spec, coming after them whatever the key order.
TEST_F(PatchTest, LegacyEphemeralContainersDeleteAndOrder) {
  Ev e = ephemeral_patch(
      R"({"kind":"EphemeralContainers","ephemeralContainers":[{"name":"a","securityContext":{"privileged":true},"$patch":"delete"},{"name":"b","securityContext":{"capabilities":{"add":["SYS_ADMIN"]}}}]})");
  auto v = ev_.evaluate(e.str());
  EXPECT_EQ(reasons_of(v), "dangerous_capability");
  EXPECT_EQ(v.containers, std::vector<std::string>{"b"});
  e.request =
      R"({"ephemeralContainers":[{"name":"late","securityContext":{"privileged":true}}],"spec":{"ephemeralContainers":[{"name":"early","securityContext":{"privileged":true}}]}})";
  v = ev_.evaluate(e.str());
  EXPECT_EQ(reasons_of(v), "privileged_container");
  EXPECT_EQ(v.containers, std::vector<std::string>{"late"});
}

TEST_F(PatchTest, MergePatchNullNeverCounts) {
  auto v = patch(
      "daemonsets", "apps",
      R"({"spec":{"template":{"spec":{"hostNetwork":null,"containers":[{"name":"a","securityContext":{"privileged":null}}]}}}})");
  EXPECT_FALSE(v.privileged);
  EXPECT_TRUE(v.reasons.empty());
  v = patch("daemonsets", "apps", R"({"spec":{"template":{"spec":{"hostNetwork":true}}}})");
  EXPECT_EQ(reasons_of(v), "host_network");
  EXPECT_FALSE(v.privileged);
}

TEST_F(PatchTest, JsonPatchLeafPath) {
  const auto& v = patch(
      "deployments", "apps",
      R"([{"op":"replace","path":"/spec/template/spec/containers/0/securityContext/privileged","value":true}])");
  EXPECT_TRUE(v.error.empty()) << v.error;
  EXPECT_TRUE(v.privileged);
  EXPECT_EQ(v.containers, std::vector<std::string>{"containers[0]"});
  EXPECT_TRUE(has(v.details, "privileged_container: containers[0]"));
}

TEST_F(PatchTest, JsonPatchLeafFalseOrRemoveOrTest) {
  auto v = patch(
      "pods", "",
      R"([{"op":"replace","path":"/spec/containers/0/securityContext/privileged","value":false}])");
  EXPECT_FALSE(v.privileged);
  v = patch(
      "pods", "",
      R"([{"op":"test","path":"/spec/containers/0/securityContext/privileged","value":true},{"op":"remove","path":"/spec/containers/0/securityContext/privileged"}])");
  EXPECT_FALSE(v.privileged);
  EXPECT_TRUE(v.reasons.empty());
}

TEST_F(PatchTest, JsonPatchWholeSubtreeAndAppend) {
  auto v = patch(
      "cronjobs", "batch",
      R"([{"op":"add","path":"/spec/jobTemplate/spec/template/spec/initContainers/-","value":{"name":"x","image":"evil","securityContext":{"privileged":true}}}])");
  EXPECT_TRUE(v.privileged);
  EXPECT_EQ(v.containers, std::vector<std::string>{"x"});
  EXPECT_EQ(v.images, std::vector<std::string>{"evil"});
  v = patch(
      "pods", "",
      R"([{"op":"add","path":"/spec","value":{"hostPID":true,"containers":[{"name":"a"}]}}])");
  EXPECT_EQ(reasons_of(v), "host_pid");
  // A later op writes into a subtree set by an earlier one.
  v = patch(
      "statefulsets", "apps",
      R"([{"op":"add","path":"/spec/template/spec/containers/1","value":{"name":"b","image":"i"}},{"op":"add","path":"/spec/template/spec/containers/1/securityContext","value":{"capabilities":{"add":["NET_ADMIN"]}}}])");
  EXPECT_EQ(reasons_of(v), "dangerous_capability");
  EXPECT_EQ(v.containers, std::vector<std::string>{"b"});
  EXPECT_TRUE(has(v.details, "dangerous_capability: containers[1] \"b\" adds \"NET_ADMIN\""));
}

TEST_F(PatchTest, JsonPatchPointerEscapes) {
  auto v = patch(
      "pods", "",
      R"([{"op":"add","path":"/metadata/annotations/container.apparmor.security.beta.kubernetes.io~1app","value":"unconfined"}])");
  EXPECT_EQ(reasons_of(v), "unconfined_apparmor");
  // ~01 is "~1" literally, not "/": this key is not the AppArmor annotation.
  v = patch(
      "pods", "",
      R"([{"op":"add","path":"/metadata/annotations/container.apparmor.security.beta.kubernetes.io~01app","value":"unconfined"}])");
  EXPECT_TRUE(v.reasons.empty());
  // Escaped key in the path: "sp~0ec" is "sp~ec", not "spec".
  v = patch("pods", "", R"([{"op":"add","path":"/sp~0ec/hostPID","value":true}])");
  EXPECT_TRUE(v.reasons.empty());
}

TEST_F(PatchTest, JsonPatchCopyMoveAreUnknownUnlessSourcedFromThePatch) {
  auto v = patch("pods", "",
                 R"([{"op":"copy","from":"/spec/initContainers/0","path":"/spec/containers/-"}])");
  EXPECT_FALSE(v.privileged);
  EXPECT_TRUE(v.error.empty());
  v = patch(
      "pods", "",
      R"([{"op":"add","path":"/metadata/annotations/x","value":{"securityContext":{"privileged":true}}},{"op":"move","from":"/metadata/annotations/x","path":"/spec/containers/0"}])");
  EXPECT_TRUE(v.privileged);
}

TEST_F(PatchTest, JsonPatchGarbageOpsAreIgnored) {
  const auto& v = patch(
      "pods", "",
      R"([1,"x",null,{"op":"add"},{"op":"add","path":"nope","value":1},{"op":"add","path":"/spec/hostPID/x","value":true},{"op":"add","path":"/spec/containers/99999999","value":{}},{"op":"replace","path":"/spec/hostIPC","value":true}])");
  EXPECT_TRUE(v.error.empty()) << v.error;
  EXPECT_EQ(reasons_of(v), "host_ipc");
}

TEST_F(PatchTest, ServerSideApply) {
  const auto& v = patch(
      "daemonsets", "apps",
      R"({"apiVersion":"apps/v1","kind":"DaemonSet","metadata":{"name":"ds","namespace":"kube-system"},"spec":{"selector":{"matchLabels":{"a":"b"}},"template":{"metadata":{"labels":{"a":"b"}},"spec":{"hostPID":true,"containers":[{"name":"c","image":"i","securityContext":{"privileged":true}}]}}}})");
  EXPECT_TRUE(v.privileged);
  EXPECT_EQ(reasons_of(v), "privileged_container,host_pid");
}

TEST_F(PatchTest, UnrelatedPatchOfPrivilegedPodIsNotReflagged) {
  const auto& v = patch("pods", "", R"({"metadata":{"labels":{"x":"y"}}})", pod(kPrivSpec));
  EXPECT_FALSE(v.privileged);
  EXPECT_TRUE(v.reasons.empty());
  EXPECT_EQ(v.outcome, Outcome::kSuccess);
}

TEST_F(PatchTest, PatchConfirmedOrUndoneByResponse) {
  const std::string body =
      R"({"spec":{"containers":[{"name":"app","securityContext":{"privileged":true}}]}})";
  EXPECT_TRUE(patch("pods", "", body, pod(kPrivSpec)).privileged);
  const auto& v = patch("pods", "", body, pod(kPlainSpec));
  EXPECT_FALSE(v.privileged);
  EXPECT_TRUE(v.reasons.has(Reason::kPrivilegedContainer));
}

TEST_F(PatchTest, NumbersAsGoReadsThem) {
  auto v = patch(
      "pods", "",
      R"({"spec":{"securityContext":{"runAsUser":0.0},"containers":[{"name":"a","ports":[{"hostPort":80.0}]}]}})");
  EXPECT_EQ(reasons_of(v), "host_port,run_as_root");
  v = patch("pods", "", R"({"spec":{"securityContext":{"runAsUser":0.5}}})");
  EXPECT_TRUE(v.reasons.empty());
}

}  // namespace
}  // namespace kubepriv::test
