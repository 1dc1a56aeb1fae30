// The adapter end to end: JSON event text in, Verdict out. Carriers, verbs, outcomes, envelope
// fields, ephemeral containers, PSA evidence, and text that must not fool the detection.
#include <gtest/gtest.h>

#include "event_builder.hpp"
#include "kubepriv/audit/evaluator.hpp"

namespace kubepriv::test {
namespace {

using core::Evidence;
using core::Outcome;
using core::Reason;

class EvaluatorTest : public ::testing::Test {
 protected:
  const core::Verdict& eval(const Ev& e) { return ev_.evaluate(e.str()); }
  const core::Verdict& eval(std::string_view text) { return ev_.evaluate(text); }
  audit::Evaluator ev_;
};

TEST_F(EvaluatorTest, PrivilegedPodCreate) {
  Ev e;
  e.request = pod(kPrivSpec);
  const auto& v = eval(e);
  EXPECT_TRUE(v.error.empty()) << v.error;
  EXPECT_TRUE(v.privileged);
  EXPECT_EQ(reasons_of(v), "privileged_container");
  EXPECT_EQ(v.outcome, Outcome::kSuccess);
  EXPECT_EQ(v.evidence, Evidence::kSpec);
  EXPECT_EQ(v.containers, std::vector<std::string>{"app"});
  EXPECT_EQ(v.images, std::vector<std::string>{"nginx:1"});
  EXPECT_EQ(v.details, std::vector<std::string>{"privileged_container: containers[0] \"app\""});
  EXPECT_EQ(v.workload_kind, "Pod");
  EXPECT_EQ(v.namespace_, "default");
  EXPECT_EQ(v.name, "p1");  // from the body: objectRef has no name on create
  EXPECT_EQ(v.user, "alice");
  EXPECT_EQ(v.user_groups, (std::vector<std::string>{"dev", "system:authenticated"}));
  EXPECT_EQ(v.src_ip, "10.0.0.1");
  EXPECT_EQ(v.user_agent, "kubectl/v1.29.0");
  EXPECT_EQ(v.audit_id, "id-1");
  EXPECT_EQ(v.stage, "ResponseComplete");
  EXPECT_EQ(v.verb, "create");
  EXPECT_EQ(v.resource, "pods");
  EXPECT_EQ(v.response_code, 201);
  EXPECT_FALSE(v.dry_run);
}

TEST_F(EvaluatorTest, PlainPodIsClean) {
  Ev e;
  e.request = pod(kPlainSpec);
  const auto& v = eval(e);
  EXPECT_FALSE(v.privileged);
  EXPECT_TRUE(v.reasons.empty());
  EXPECT_EQ(v.outcome, Outcome::kSuccess);
  EXPECT_EQ(v.evidence, Evidence::kSpec);
  EXPECT_TRUE(v.containers.empty());
}

TEST_F(EvaluatorTest, InitAndEphemeralContainersInPodBody) {
  Ev e;
  e.request = pod(
      R"({"initContainers":[{"name":"setup","image":"busybox","securityContext":{"privileged":true}}],"containers":[{"name":"app","image":"nginx"}]})");
  auto v = eval(e);
  EXPECT_TRUE(v.privileged);
  EXPECT_TRUE(has(v.details, "privileged_container: initContainers[0] \"setup\""));
  e.request = pod(
      R"({"containers":[{"name":"app","image":"nginx"}],"ephemeralContainers":[{"name":"dbg","image":"busybox","securityContext":{"privileged":true}}]})");
  v = eval(e);
  EXPECT_TRUE(v.privileged);
  EXPECT_EQ(v.containers, std::vector<std::string>{"dbg"});
}

struct CarrierCase {
  const char* resource;
  const char* group;
  const char* kind;
  const char* wrap_prefix;  // JSON up to the pod template's spec value
  const char* wrap_suffix;
};

TEST_F(EvaluatorTest, EveryCarrier) {
  const CarrierCase cases[] = {
      {"deployments", "apps", "Deployment",
       R"({"kind":"Deployment","spec":{"replicas":1,"template":{"metadata":{"labels":{"a":"b"}},"spec":)",
       "}}}"},
      {"daemonsets", "apps", "DaemonSet", R"({"kind":"DaemonSet","spec":{"template":{"spec":)",
       "}}}"},
      {"statefulsets", "apps", "StatefulSet",
       R"({"kind":"StatefulSet","spec":{"template":{"spec":)", "}}}"},
      {"replicasets", "apps", "ReplicaSet", R"({"kind":"ReplicaSet","spec":{"template":{"spec":)",
       "}}}"},
      {"jobs", "batch", "Job", R"({"kind":"Job","spec":{"template":{"spec":)", "}}}"},
      {"replicationcontrollers", "", "ReplicationController",
       R"({"kind":"ReplicationController","spec":{"template":{"spec":)", "}}}"},
      {"cronjobs", "batch", "CronJob",
       R"({"kind":"CronJob","spec":{"schedule":"* * * * *","jobTemplate":{"spec":{"template":{"spec":)",
       "}}}}}"},
      {"podtemplates", "", "PodTemplate", R"({"kind":"PodTemplate","template":{"spec":)", "}}"},
      {"deployments", "extensions", "Deployment",
       R"({"kind":"Deployment","spec":{"template":{"spec":)", "}}}"},
  };
  for (const auto& c : cases) {
    for (const char* verb : {"create", "update", "patch"}) {
      Ev e;
      e.verb = verb;
      e.resource = c.resource;
      e.api_group = c.group;
      e.code = 200;
      e.request = std::string(c.wrap_prefix) + kPrivSpec + c.wrap_suffix;
      const auto& v = eval(e);
      EXPECT_TRUE(v.privileged) << c.resource << " " << verb;
      EXPECT_EQ(v.workload_kind, c.kind);
      EXPECT_EQ(v.outcome, Outcome::kSuccess);
      // The same spec one level off (where the API server would drop it) is nothing.
      e.request = std::string(R"({"spec":)") + kPrivSpec + "}";
      if (std::string(c.resource) != "podtemplates") {
        const auto& w = eval(e);
        EXPECT_FALSE(w.privileged) << c.resource << " misplaced spec";
        EXPECT_TRUE(w.reasons.empty()) << c.resource;
      }
    }
  }
}

TEST_F(EvaluatorTest, CustomResourceNamedLikeACarrierIsIgnored) {
  Ev e;
  e.resource = "jobs";
  e.api_group = "batch.volcano.sh";
  e.request = R"({"spec":{"template":{"spec":)" + kPrivSpec + "}}}";
  const auto& v = eval(e);
  EXPECT_EQ(v.outcome, Outcome::kNone);
  EXPECT_FALSE(v.privileged);
}

TEST_F(EvaluatorTest, ReadsAndOtherVerbsAreNone) {
  for (const char* verb : {"get", "list", "watch", "delete", "deletecollection"}) {
    Ev e;
    e.verb = verb;
    e.code = 200;
    e.response = pod(kPrivSpec);
    const auto& v = eval(e);
    EXPECT_EQ(v.outcome, Outcome::kNone) << verb;
    EXPECT_EQ(v.evidence, Evidence::kNone);
    EXPECT_FALSE(v.privileged);
    EXPECT_TRUE(v.reasons.empty());
    EXPECT_EQ(v.workload_kind, "Pod");
  }
}

TEST_F(EvaluatorTest, OtherPodSubresourcesAreNone) {
  for (const char* sub : {"status", "binding", "eviction", "exec", "attach", "log"}) {
    Ev e;
    e.verb = "update";
    e.subresource = sub;
    e.code = 200;
    e.request = pod(kPrivSpec);
    const auto& v = eval(e);
    EXPECT_EQ(v.outcome, Outcome::kNone) << sub;
    EXPECT_FALSE(v.privileged);
    EXPECT_EQ(v.subresource, sub);
  }
}

TEST_F(EvaluatorTest, Outcomes) {
  struct Case {
    const char* stage;
    int code;
    const char* uri;
    Outcome outcome;
  };
  const Case cases[] = {
      {"ResponseComplete", 201, "/api/v1/namespaces/default/pods", Outcome::kSuccess},
      {"ResponseComplete", 403, "/api/v1/namespaces/default/pods", Outcome::kDenied},
      {"ResponseComplete", 201, "/api/v1/namespaces/default/pods?dryRun=All", Outcome::kDryRun},
      {"ResponseComplete", 201,
       "/api/v1/namespaces/default/pods?fieldManager=kubectl\\u0026dryRun=All", Outcome::kDryRun},
      {"ResponseComplete", 201, "/api/v1/namespaces/default/pods?dryRun%3DAll", Outcome::kSuccess},
      {"ResponseComplete", 422, "/api/v1/namespaces/default/pods", Outcome::kFailure},
      {"ResponseComplete", 409, "/api/v1/namespaces/default/pods", Outcome::kFailure},
      {"ResponseComplete", 500, "/api/v1/namespaces/default/pods", Outcome::kFailure},
      {"Panic", 500, "/api/v1/namespaces/default/pods", Outcome::kFailure},
      {"RequestReceived", 0, "/api/v1/namespaces/default/pods", Outcome::kIncomplete},
      {"ResponseStarted", 201, "/api/v1/namespaces/default/pods", Outcome::kIncomplete},
      {"ResponseComplete", 0, "/api/v1/namespaces/default/pods", Outcome::kIncomplete},
  };
  for (const auto& c : cases) {
    Ev e;
    e.stage = c.stage;
    e.code = c.code;
    e.uri = c.uri;
    e.request = pod(kPrivSpec);
    const auto& v = eval(e);
    EXPECT_EQ(v.outcome, c.outcome) << c.stage << " " << c.code << " " << c.uri;
    EXPECT_EQ(v.privileged, c.outcome == Outcome::kSuccess);
    EXPECT_TRUE(v.reasons.has(Reason::kPrivilegedContainer));  // asked for, whatever happened
    EXPECT_EQ(v.dry_run, c.outcome == Outcome::kDryRun);
  }
}

// A create logged without its response (no responseStatus, or one without a code) may or may not
// have taken effect: the outcome is not guessed (issue 10 item 2).
TEST_F(EvaluatorTest, NoResponseCodeAtAFinalStageIsIncompleteNeverFailure) {
  Ev e;
  e.code = 0;
  e.request = pod(kPrivSpec);
  const std::string no_status = e.str();
  std::string no_code = no_status;
  no_code.insert(no_code.find(R"("requestObject")"),
                 R"("responseStatus":{"metadata":{},"status":"Success"},)");
  Ev stageless = e;
  stageless.stage.clear();
  std::string no_stage = stageless.str();
  no_stage.replace(no_stage.find(R"("stage":"",)"), 11, "");
  for (const std::string& text : {no_status, no_code, no_stage}) {
    const auto& v = eval(text);
    EXPECT_TRUE(v.error.empty()) << v.error << "\n" << text;
    EXPECT_EQ(v.outcome, Outcome::kIncomplete) << text;
    EXPECT_FALSE(v.privileged) << text;
    EXPECT_TRUE(v.reasons.has(Reason::kPrivilegedContainer)) << text;
    EXPECT_EQ(v.response_code, 0) << text;
  }
}

// Issue 10 item 4: the workload behind a pod, and whether a controller or a person sent it.
TEST_F(EvaluatorTest, OwnerFromOwnerReferencesAndActorKind) {
  const std::string rs =
      R"({"apiVersion":"apps/v1","kind":"ReplicaSet","name":"web-5d4f8","uid":"u1","controller":true,"blockOwnerDeletion":true})";
  const std::string other = R"({"apiVersion":"v1","kind":"ConfigMap","name":"cm","uid":"u2"})";
  auto meta = [](const std::string& refs) {
    return R"({"generateName":"web-5d4f8-","namespace":"default","ownerReferences":)" + refs + "}";
  };
  Ev e;
  e.user = R"({"username":"system:serviceaccount:kube-system:replicaset-controller"})";
  e.request = pod(kPrivSpec, meta("[" + other + "," + rs + "]"));  // the controller ref wins
  {
    const auto& v = eval(e);
    EXPECT_EQ(v.owner_kind, "ReplicaSet");
    EXPECT_EQ(v.owner_name, "web-5d4f8");
    EXPECT_EQ(v.actor_kind, core::ActorKind::kController);
    EXPECT_EQ(v.source_format, core::SourceFormat::kK8s);
    EXPECT_TRUE(v.privileged);
  }
  e.request = pod(kPrivSpec, meta("[" + other + "]"));  // no controller ref: the first one
  EXPECT_EQ(eval(e).owner_kind, "ConfigMap");
  EXPECT_EQ(eval(e).owner_name, "cm");
  // The persisted object (responseObject) is preferred over the request.
  e.response = pod(kPrivSpec, meta("[" + rs + "]"));
  EXPECT_EQ(eval(e).owner_kind, "ReplicaSet");
  // A repeated ownerReferences key: the last list wins; a bad list gives no owner.
  e.response.clear();
  e.request =
      pod(kPrivSpec, R"({"ownerReferences":[)" + rs + R"(],"ownerReferences":[)" + other + "]}");
  EXPECT_EQ(eval(e).owner_kind, "ConfigMap");
  e.request = pod(kPrivSpec, R"({"ownerReferences":"x"})");
  EXPECT_EQ(eval(e).owner_kind, "");
  // A person's pod: no owner, actor user; the next event starts clean.
  e.user = R"({"username":"alice"})";
  e.request = pod(kPrivSpec);
  {
    const auto& v = eval(e);
    EXPECT_EQ(v.owner_kind, "");
    EXPECT_EQ(v.owner_name, "");
    EXPECT_EQ(v.actor_kind, core::ActorKind::kUser);
  }
  // A Deployment a person applied has no owner; a ReplicaSet gets its Deployment.
  Ev d;
  d.resource = "replicasets";
  d.api_group = "apps";
  d.uri = "/apis/apps/v1/namespaces/default/replicasets";
  d.user = R"({"username":"system:serviceaccount:kube-system:deployment-controller"})";
  d.request =
      R"({"kind":"ReplicaSet","apiVersion":"apps/v1","metadata":{"name":"web-5d4f8","ownerReferences":[{"kind":"Deployment","name":"web","controller":true}]},"spec":{"template":{"spec":)" +
      kPrivSpec + "}}}";
  {
    const auto& v = eval(d);
    EXPECT_EQ(v.owner_kind, "Deployment");
    EXPECT_EQ(v.owner_name, "web");
    EXPECT_EQ(v.workload_kind, "ReplicaSet");
    EXPECT_TRUE(v.privileged);
  }
  // An event without a user names no actor.
  e.user = R"({"groups":["system:authenticated"]})";
  EXPECT_EQ(eval(e).actor_kind, core::ActorKind::kNone);
}

TEST_F(EvaluatorTest, RbacDenialWithStatusResponseHasNoBody) {
  Ev e;
  e.resource = "jobs";
  e.api_group = "batch";
  e.code = 403;
  e.response =
      R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","reason":"Forbidden","code":403})";
  const auto& v = eval(e);
  EXPECT_EQ(v.outcome, Outcome::kDenied);
  EXPECT_EQ(v.evidence, Evidence::kNoBody);
  EXPECT_FALSE(v.privileged);
}

TEST_F(EvaluatorTest, EveryReasonThroughJson) {
  Ev e;
  e.request = pod(R"({
    "hostPID":true,"hostIPC":true,"hostNetwork":true,
    "securityContext":{"runAsUser":0,"seccompProfile":{"type":"Unconfined"},
      "appArmorProfile":{"type":"Unconfined"},"windowsOptions":{"hostProcess":true},
      "sysctls":[{"name":"kernel.msgmax","value":"1"},{"name":"net.ipv4.tcp_syncookies","value":"1"}]},
    "volumes":[{"name":"sock","hostPath":{"path":"/var/run/docker.sock","type":"Socket"}},{"name":"cm","configMap":{"name":"x"}}],
    "containers":[{"name":"a","image":"img-a","ports":[{"containerPort":80,"hostPort":8080}],
      "volumeMounts":[{"name":"sock","mountPath":"/s"}],
      "securityContext":{"privileged":true,"allowPrivilegeEscalation":true,
        "capabilities":{"add":["SYS_ADMIN","CHOWN"],"drop":["ALL"]},"procMount":"Unmasked"}}]})");
  const auto& v = eval(e);
  ASSERT_TRUE(v.error.empty()) << v.error;
  EXPECT_EQ(reasons_of(v),
            "privileged_container,host_pid,host_ipc,host_network,host_process,host_path,"
            "dangerous_capability,privilege_escalation,unmasked_proc_mount,unconfined_seccomp,"
            "unconfined_apparmor,host_port,unsafe_sysctl,run_as_root");
  EXPECT_TRUE(has(v.details, "host_path: volumes[0] \"/var/run/docker.sock\" (sensitive)"));
  EXPECT_TRUE(has(v.details, "dangerous_capability: containers[0] \"a\" adds \"SYS_ADMIN\""));
  EXPECT_TRUE(has(v.details, "unsafe_sysctl: spec.securityContext.sysctls \"kernel.msgmax\""));
  EXPECT_FALSE(has(v.details,
                   "unsafe_sysctl: spec.securityContext.sysctls "
                   "\"net.ipv4.tcp_syncookies\""));
}

TEST_F(EvaluatorTest, LegacyAnnotations) {
  Ev e;
  e.request = pod(
      kPlainSpec,
      R"({"name":"p","annotations":{"seccomp.security.alpha.kubernetes.io/pod":"unconfined","container.apparmor.security.beta.kubernetes.io/app":"unconfined"}})");
  const auto& v = eval(e);
  EXPECT_EQ(reasons_of(v), "unconfined_seccomp,unconfined_apparmor");
  EXPECT_EQ(v.containers, std::vector<std::string>{"app"});
}

TEST_F(EvaluatorTest, WebhookMutationInResponseCounts) {
  Ev e;
  e.request = pod(kPlainSpec);
  e.response = pod(kPrivSpec);
  const auto& v = eval(e);
  EXPECT_TRUE(v.privileged);
}

TEST_F(EvaluatorTest, EphemeralContainersSubresource) {
  // kubectl debug --profile=sysadmin: a strategic-merge PATCH of pods/ephemeralcontainers.
  Ev e = ephemeral_patch(
      R"({"spec":{"ephemeralContainers":[{"name":"debugger-x","image":"busybox","securityContext":{"privileged":true},"stdin":true}]}})");
  auto v = eval(e);
  EXPECT_TRUE(v.privileged);
  EXPECT_EQ(v.containers, std::vector<std::string>{"debugger-x"});
  EXPECT_EQ(v.name, "web-0");
  EXPECT_EQ(v.subresource, "ephemeralcontainers");

  // PUT with the whole pod: only the ephemeral containers count, not the pod's own.
  e.verb = "update";
  e.request = pod(
      R"({"hostNetwork":true,"containers":[{"name":"app","image":"x","securityContext":{"privileged":true}}],"ephemeralContainers":[{"name":"dbg","image":"busybox"}]})");
  e.response = e.request;
  v = eval(e);
  EXPECT_FALSE(v.privileged);
  EXPECT_TRUE(v.reasons.empty()) << reasons_of(v);

  e.request = pod(
      R"({"containers":[{"name":"app","image":"x"}],"ephemeralContainers":[{"name":"dbg","image":"busybox","securityContext":{"capabilities":{"add":["SYS_PTRACE"]}}}]})");
  e.response = e.request;
  v = eval(e);
  EXPECT_EQ(reasons_of(v), "dangerous_capability");
  EXPECT_FALSE(v.privileged);

  // Legacy (<= 1.21) shape: kind EphemeralContainers with a top-level list.
  e.response.clear();
  e.request =
      R"({"kind":"EphemeralContainers","apiVersion":"v1","metadata":{"name":"web-0"},"ephemeralContainers":[{"name":"dbg","image":"busybox","securityContext":{"privileged":true}}]})";
  v = eval(e);
  EXPECT_TRUE(v.privileged);
  EXPECT_TRUE(has(v.details, "privileged_container: ephemeralContainers[0] \"dbg\""));

  // ... but a top-level list on a plain pod write is an unknown field.
  e.subresource.clear();
  v = eval(e);
  EXPECT_FALSE(v.privileged);
}

TEST_F(EvaluatorTest, PsaAnnotationEvidenceAtMetadataLevel) {
  Ev e;
  e.annotations =
      R"J({"authorization.k8s.io/decision":"allow","pod-security.kubernetes.io/enforce-policy":"privileged:latest","pod-security.kubernetes.io/audit-violations":"would violate PodSecurity \"baseline:latest\": host namespaces (hostNetwork=true), privileged (container \"x\" must not set securityContext.privileged=true)"})J";
  auto v = eval(e);
  EXPECT_EQ(v.evidence, Evidence::kPsaAnnotation);
  EXPECT_EQ(reasons_of(v), "privileged_container,host_network");
  EXPECT_EQ(v.containers, std::vector<std::string>{"x"});  // named in PSA's detail
  EXPECT_TRUE(v.privileged);
  ASSERT_EQ(v.psa_violations.size(), 1U);
  EXPECT_TRUE(v.psa_violations[0].starts_with("would violate PodSecurity"));

  // Enforce denial: no body is logged with the message in responseStatus.
  Ev d;
  d.code = 403;
  std::string s = d.str();
  s.replace(
      s.find(R"("code":403)"), 10,
      R"J("code":403,"message":"pods \"x\" is forbidden: violates PodSecurity \"baseline:latest\": hostPath volumes (volume \"h\")")J");
  v = eval(s);
  EXPECT_EQ(v.outcome, Outcome::kDenied);
  EXPECT_EQ(v.evidence, Evidence::kPsaAnnotation);
  EXPECT_EQ(reasons_of(v), "host_path");
  EXPECT_FALSE(v.privileged);
}

TEST_F(EvaluatorTest, NoBodyNoPsaIsVisibleButNotADetection) {
  Ev e;
  const auto& v = eval(e);
  EXPECT_EQ(v.evidence, Evidence::kNoBody);
  EXPECT_EQ(v.outcome, Outcome::kSuccess);
  EXPECT_FALSE(v.privileged);
  EXPECT_TRUE(v.reasons.empty());
  EXPECT_FALSE(v.details.empty());
}

TEST_F(EvaluatorTest, PsaCorroboratesWhenBodyPresent) {
  Ev e;
  e.request = pod(kPlainSpec);
  e.annotations =
      R"J({"pod-security.kubernetes.io/audit-violations":"would violate PodSecurity \"baseline:latest\": privileged (container \"x\")"})J";
  const auto& v = eval(e);
  EXPECT_EQ(v.evidence, Evidence::kSpec);  // our own evaluation wins
  EXPECT_TRUE(v.reasons.empty());
  EXPECT_EQ(v.psa_violations.size(), 1U);
}

TEST_F(EvaluatorTest, ImpersonationAndNames) {
  Ev e;
  e.user = R"({"username":"admin","groups":["system:masters"]})";
  std::string s = e.str();
  s.insert(s.find(R"("sourceIPs")"), R"("impersonatedUser":{"username":"bob","groups":["g"]},)");
  const auto& v = eval(s);
  EXPECT_EQ(v.user, "admin");
  EXPECT_EQ(v.impersonated_user, "bob");

  Ev g;
  g.request = pod(kPlainSpec, R"({"generateName":"web-abc-"})");
  g.response = pod(kPlainSpec, R"({"name":"web-abc-x1","generateName":"web-abc-"})");
  EXPECT_EQ(eval(g).name, "web-abc-x1");
  g.response.clear();
  EXPECT_EQ(eval(g).name, "web-abc-");
  g.name = "explicit";
  EXPECT_EQ(eval(g).name, "explicit");
}

// --- text that must not fool the detection ---------------------------------------------------

TEST_F(EvaluatorTest, EnvValueDecoy) {
  Ev e;
  e.request = pod(
      R"({"containers":[{"name":"app","image":"x","env":[{"name":"X","value":"{\"securityContext\":{\"privileged\":true}}"}],"args":["\"privileged\":true"]}]})");
  const auto& v = eval(e);
  EXPECT_FALSE(v.privileged);
  EXPECT_TRUE(v.reasons.empty());
}

TEST_F(EvaluatorTest, ConfigMapWithPrivilegedText) {
  Ev e;
  e.resource = "configmaps";
  e.request =
      R"({"kind":"ConfigMap","data":{"pod.yaml":"securityContext: {privileged: true}"},"spec":{"containers":[{"securityContext":{"privileged":true}}]}})";
  const auto& v = eval(e);
  EXPECT_EQ(v.outcome, Outcome::kNone);
  EXPECT_FALSE(v.privileged);
}

TEST_F(EvaluatorTest, UnknownFieldsAndAnnotationOnly) {
  Ev e;
  e.request = pod(
      R"({"privileged":true,"securityContext":{"privileged":true},"containers":[{"name":"app","image":"x","privileged":true,"security":{"privileged":true}}]})",
      R"({"name":"p","annotations":{"kubectl.kubernetes.io/last-applied-configuration":"{\"spec\":{\"containers\":[{\"securityContext\":{\"privileged\":true}}]}}"}})");
  const auto& v = eval(e);
  EXPECT_FALSE(v.privileged);
  EXPECT_TRUE(v.reasons.empty()) << reasons_of(v);
}

TEST_F(EvaluatorTest, KeysAreCaseSensitiveAndStringsAreNotBooleans) {
  for (const char* sc :
       {R"({"Privileged":true})", R"({"PRIVILEGED":true})", R"({"privileged":"true"})",
        R"({"privileged":1})", R"({"privileged":null})", R"({"privileged":[true]})"}) {
    Ev e;
    e.request = pod(std::string(R"({"containers":[{"name":"a","image":"x","securityContext":)") +
                    sc + "}]}");
    const auto& v = eval(e);
    EXPECT_FALSE(v.privileged) << sc;
    EXPECT_TRUE(v.reasons.empty()) << sc;
  }
  Ev e;
  e.request = pod(R"({"HostNetwork":true,"hostPid":true,"containers":[{"name":"a"}]})");
  EXPECT_TRUE(eval(e).reasons.empty());
}

TEST_F(EvaluatorTest, UnicodeEscapedKeysAreDecoded) {
  Ev e;
  e.verb = "patch";
  e.code = 200;
  e.request =
      R"({"sp\u0065c":{"containers":[{"name":"a","securityContext":{"privil\u0065ged":true}}]}})";
  auto v = eval(e);
  EXPECT_TRUE(v.privileged);
  // Escapes in values are decoded as well.
  e.request =
      R"({"spec":{"containers":[{"name":"a","securityContext":{"capabilities":{"add":["SYS_\u0041DMIN"]},"procMount":"Unm\u0061sked"}}]}})";
  v = eval(e);
  EXPECT_EQ(reasons_of(v), "dangerous_capability,unmasked_proc_mount");
  EXPECT_TRUE(has(v.details, "dangerous_capability: containers[0] \"a\" adds \"SYS_ADMIN\""));
  // Escapes in the envelope too.
  std::string s = Ev{}.str();
  s.replace(s.find(R"("verb":"create")"), 15, R"("v\u0065rb":"create")");
  s.insert(s.size() - 1, R"(,"requestObject":)" + pod(kPrivSpec));
  v = eval(s);
  EXPECT_EQ(v.verb, "create");
  EXPECT_TRUE(v.privileged);
}

TEST_F(EvaluatorTest, DuplicateKeysLastWins) {
  Ev e;
  e.request = pod(
      R"({"containers":[{"name":"a","securityContext":{"privileged":true,"privileged":false}}]})");
  EXPECT_FALSE(eval(e).privileged);
  e.request = pod(
      R"({"containers":[{"name":"a","securityContext":{"privileged":false,"privileged":true}}]})");
  EXPECT_TRUE(eval(e).privileged);
  // A repeated container list replaces the earlier one.
  e.request = pod(
      R"({"containers":[{"name":"a","securityContext":{"privileged":true}}],"containers":[{"name":"b"}]})");
  EXPECT_FALSE(eval(e).privileged);
  // A repeated securityContext replaces the earlier one.
  e.request = pod(
      R"({"containers":[{"name":"a","securityContext":{"privileged":true},"securityContext":{"runAsUser":5}}]})");
  EXPECT_FALSE(eval(e).privileged);
  // Envelope: the last verb wins.
  std::string s = e.str();
  s.replace(s.find(R"("verb":"create")"), 15, R"("verb":"create","verb":"get")");
  EXPECT_EQ(eval(s).outcome, Outcome::kNone);
}

TEST_F(EvaluatorTest, StateDoesNotLeakBetweenEvents) {
  Ev bad;
  bad.request = pod(kPrivSpec);
  bad.annotations =
      R"J({"pod-security.kubernetes.io/audit-violations":"would violate PodSecurity \"baseline:latest\": privileged (x)"})J";
  Ev good;
  good.verb = "get";
  good.code = 200;
  EXPECT_TRUE(eval(bad).privileged);
  const auto& v = eval(good);
  EXPECT_FALSE(v.privileged);
  EXPECT_TRUE(v.reasons.empty());
  EXPECT_TRUE(v.psa_violations.empty());
  EXPECT_TRUE(v.details.empty());
  EXPECT_TRUE(v.containers.empty());
  EXPECT_EQ(eval("nope").error.empty(), false);
  EXPECT_TRUE(eval(bad).error.empty());
}

TEST_F(EvaluatorTest, MoveKeepsWorking) {
  audit::Evaluator a;
  audit::Evaluator b(std::move(a));
  Ev e;
  e.request = pod(kPrivSpec);
  EXPECT_TRUE(b.evaluate(e.str()).privileged);
}

}  // namespace
}  // namespace kubepriv::test
