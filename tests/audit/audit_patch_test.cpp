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
