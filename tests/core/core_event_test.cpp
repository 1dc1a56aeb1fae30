// Outcome, dry-run, carriers, PSA text and the final combination (finish_verdict).
#include <gtest/gtest.h>

#include "kubepriv/core/event.hpp"

namespace kubepriv::core {
namespace {

TEST(DryRun, QueryParsing) {
  EXPECT_TRUE(is_dry_run("/api/v1/namespaces/d/pods?dryRun=All"));
  EXPECT_TRUE(is_dry_run("/api/v1/namespaces/d/pods?fieldManager=kubectl-create&dryRun=All"));
  EXPECT_TRUE(is_dry_run("/api/v1/pods?fieldManager=x\\u0026dryRun=All"));  // literal escape
  EXPECT_TRUE(is_dry_run("/api/v1/pods?dry%52un=%41ll"));  // Go unescapes key and value
  EXPECT_FALSE(is_dry_run("/api/v1/pods?dryRun%3DAll"));   // key "dryRun=All", no value
  EXPECT_FALSE(is_dry_run("/api/v1/pods?dryRun=all"));
  EXPECT_FALSE(is_dry_run("/api/v1/pods?xdryRun=All"));
  EXPECT_FALSE(is_dry_run("/api/v1/pods/dryRun=All"));   // no query
  EXPECT_FALSE(is_dry_run("/api/v1/pods?dryRun=All%"));  // invalid escape: Go drops the pair
  EXPECT_FALSE(is_dry_run(""));
  EXPECT_TRUE(is_dry_run("/api/v1/pods?a=1&&dryRun=All&b"));
}

// The query is decoded with the form rules of the shared percent decoder (Go's QueryUnescape):
// either hex case, '+' is a space, a truncated or non-hex escape drops the pair.
TEST(DryRun, FormDecodingRules) {
  EXPECT_TRUE(is_dry_run("/api/v1/pods?dryRun=%41%6c%6C"));
  EXPECT_FALSE(is_dry_run("/api/v1/pods?dryRun=All+"));  // "All "
  EXPECT_TRUE(is_dry_run("/api/v1/pods?x=a+b&dryRun=All"));
  EXPECT_FALSE(is_dry_run("/api/v1/pods?dryRun=All%4"));
  EXPECT_FALSE(is_dry_run("/api/v1/pods?dryRun=%zzAll"));
  EXPECT_TRUE(is_dry_run("/api/v1/pods?x=%zz&dryRun=All"));  // only the bad pair is dropped
}

EventFacts facts(std::string_view stage, std::optional<int> code, std::string_view uri = "/x") {
  EventFacts f;
  f.stage = stage;
  f.response_code = code;
  f.request_uri = uri;
  return f;
}

TEST(Outcome, Table) {
  EXPECT_EQ(judge_outcome(facts("ResponseComplete", 201)), Outcome::kSuccess);
  EXPECT_EQ(judge_outcome(facts("ResponseComplete", 200)), Outcome::kSuccess);
  EXPECT_EQ(judge_outcome(facts("ResponseComplete", 201, "/x?dryRun=All")), Outcome::kDryRun);
  EXPECT_EQ(judge_outcome(facts("ResponseComplete", 403, "/x?dryRun=All")), Outcome::kDenied);
  EXPECT_EQ(judge_outcome(facts("ResponseComplete", 403)), Outcome::kDenied);
  EXPECT_EQ(judge_outcome(facts("ResponseComplete", 422)), Outcome::kFailure);
  EXPECT_EQ(judge_outcome(facts("ResponseComplete", 409)), Outcome::kFailure);
  EXPECT_EQ(judge_outcome(facts("ResponseComplete", 500)), Outcome::kFailure);
  // No response recorded: unknown, never failure (nor success).
  EXPECT_EQ(judge_outcome(facts("ResponseComplete", std::nullopt)), Outcome::kIncomplete);
  EXPECT_EQ(judge_outcome(facts("", std::nullopt)), Outcome::kIncomplete);
  EXPECT_EQ(judge_outcome(facts("Panic", 201)), Outcome::kFailure);
  EXPECT_EQ(judge_outcome(facts("RequestReceived", std::nullopt)), Outcome::kIncomplete);
  EXPECT_EQ(judge_outcome(facts("ResponseStarted", 101)), Outcome::kIncomplete);
  EXPECT_EQ(judge_outcome(facts("", 201)), Outcome::kSuccess);  // no stage: judged as final
}

TEST(Classify, VerbsResourcesSubresources) {
  EXPECT_TRUE(classify("create", "pods", "", std::nullopt).is_write());
  EXPECT_TRUE(classify("update", "pods", "", std::string_view("")).is_write());
  EXPECT_TRUE(classify("patch", "deployments", "", std::string_view("apps")).is_patch);
  EXPECT_TRUE(classify("create", "deployments", "", std::string_view("extensions")).is_write());
  EXPECT_TRUE(classify("create", "cronjobs", "", std::string_view("batch")).is_write());
  EXPECT_TRUE(classify("create", "podtemplates", "", std::nullopt).is_write());
  EXPECT_FALSE(classify("get", "pods", "", std::nullopt).is_write());
  EXPECT_FALSE(classify("delete", "pods", "", std::nullopt).is_write());
  EXPECT_FALSE(classify("create", "configmaps", "", std::nullopt).is_write());
  EXPECT_FALSE(classify("create", "jobs", "", std::string_view("batch.volcano.sh")).is_write());
  EXPECT_FALSE(classify("update", "pods", "status", std::nullopt).is_write());
  EXPECT_FALSE(classify("create", "pods", "exec", std::nullopt).is_write());
  EXPECT_FALSE(classify("create", "pods", "binding", std::nullopt).is_write());
  EXPECT_FALSE(classify("update", "deployments", "scale", std::string_view("apps")).is_write());
  const auto eph = classify("patch", "pods", "ephemeralcontainers", std::nullopt);
  EXPECT_TRUE(eph.is_write());
  EXPECT_EQ(eph.scope, SpecScope::kEphemeralOnly);
  EXPECT_FALSE(classify("patch", "deployments", "ephemeralcontainers", std::nullopt).is_write());
  EXPECT_EQ(find_carrier("cronjobs", std::nullopt)->template_depth, 4U);
  EXPECT_EQ(find_carrier("pods", std::nullopt)->kind, "Pod");
}

TEST(Psa, ParsesViolationsIntoReasons) {
  ReasonSet r;
  std::vector<std::string> d;
  const std::string text =
      "would violate PodSecurity \"baseline:latest\": host namespaces (hostNetwork=true, "
      "hostPID=true), privileged (container \"x\" must not set securityContext.privileged=true), "
      "non-default capabilities (container \"x\" must not include \"SYS_ADMIN\" in "
      "securityContext.capabilities.add), hostPath volumes (volume \"h\"), hostPort (container "
      "\"x\" uses hostPort 80), forbidden sysctls (kernel.msgmax), procMount (container \"x\" "
      "must not set securityContext.procMount to \"Unmasked\"), forbidden AppArmor profiles "
      "(annotation), hostProcess (pod must not set hostProcess=true), seccompProfile (pod must "
      "not set securityContext.seccompProfile.type to \"Unconfined\"), runAsUser=0 (pod must not "
      "set runAsUser=0), seLinuxOptions (x)";
  EXPECT_TRUE(psa_reasons(text, r, d));
  for (auto reason :
       {Reason::kHostNetwork, Reason::kHostPid, Reason::kPrivilegedContainer,
        Reason::kDangerousCapability, Reason::kHostPath, Reason::kHostPort, Reason::kUnsafeSysctl,
        Reason::kUnmaskedProcMount, Reason::kUnconfinedApparmor, Reason::kHostProcess,
        Reason::kUnconfinedSeccomp, Reason::kRunAsRoot}) {
    EXPECT_TRUE(r.has(reason)) << to_string(reason);
  }
  EXPECT_FALSE(r.has(Reason::kHostIpc));
  EXPECT_FALSE(r.has(Reason::kPrivilegeEscalation));
  EXPECT_NE(std::find(d.begin(), d.end(),
                      "privileged_container: PSA \"privileged\" \"container \\\"x\\\" must not "
                      "set securityContext.privileged=true\""),
            d.end());
}

TEST(Psa, ContainerNames) {
  ReasonSet r;
  std::vector<std::string> d;
  std::vector<std::string> c;
  EXPECT_TRUE(psa_reasons(
      "would violate PodSecurity \"baseline:latest\": privileged (containers \"a\", \"b\" must "
      "not set securityContext.privileged=true), hostPort (container \"web\" uses hostPort 80), "
      "seLinuxOptions (container \"ignored\" x)",
      r, d, &c));
  EXPECT_EQ(c, (std::vector<std::string>{"a", "b", "web"}));
}

TEST(Psa, RestrictedOnlyChecksMapToNothing) {
  ReasonSet r;
  std::vector<std::string> d;
  EXPECT_TRUE(psa_reasons(
      "would violate PodSecurity \"restricted:latest\": allowPrivilegeEscalation != false "
      "(container \"a\" must set securityContext.allowPrivilegeEscalation=false), seccompProfile "
      "(pod or container \"a\" must set securityContext.seccompProfile.type to \"RuntimeDefault\" "
      "or \"Localhost\"), runAsNonRoot != true (pod or container \"a\" must set "
      "securityContext.runAsNonRoot=true)",
      r, d));
  EXPECT_TRUE(r.empty());
  EXPECT_FALSE(psa_reasons("some unrelated message", r, d));
}

Verdict finish(const Target& t, const EventFacts& f, const SpecWrite& w) {
  Verdict v;
  finish_verdict(t, f, w, v);
  return v;
}

SpecFindings privileged_findings() {
  SpecFindings s;
  Container c;
  c.name = "x";
  c.security.privileged = true;
  PodSpec spec;
  spec.containers.push_back(c);
  evaluate_spec(spec, SpecScope::kWholePod, s);
  return s;
}

TEST(Finish, NotAWrite) {
  SpecWrite w;
  const auto v = finish(Target{}, facts("ResponseComplete", 200, "/x?dryRun=All"), w);
  EXPECT_EQ(v.outcome, Outcome::kNone);
  EXPECT_EQ(v.evidence, Evidence::kNone);
  EXPECT_TRUE(v.dry_run);  // the field is reported for every event
}

TEST(Finish, CreateUsesResponseForPrivileged) {
  const Target t = classify("create", "pods", "", std::nullopt);
  SpecWrite w;
  w.has_request = true;
  w.has_response = true;
  w.response = privileged_findings();  // a mutating webhook made it privileged
  auto v = finish(t, facts("ResponseComplete", 201), w);
  EXPECT_TRUE(v.privileged);
  EXPECT_TRUE(v.reasons.has(Reason::kPrivilegedContainer));
  EXPECT_EQ(v.evidence, Evidence::kSpec);

  SpecWrite undone;
  undone.has_request = true;
  undone.request = privileged_findings();
  undone.has_response = true;  // ... and a webhook that removed it
  v = finish(t, facts("ResponseComplete", 201), undone);
  EXPECT_FALSE(v.privileged);
  EXPECT_TRUE(v.reasons.has(Reason::kPrivilegedContainer));  // still asked for
}

TEST(Finish, PatchJudgedOnWhatItWrites) {
  const Target t = classify("patch", "pods", "", std::nullopt);
  SpecWrite unrelated;
  unrelated.has_request = true;  // e.g. a label patch
  unrelated.has_response = true;
  unrelated.response = privileged_findings();  // the pod was already privileged
  auto v = finish(t, facts("ResponseComplete", 200), unrelated);
  EXPECT_FALSE(v.privileged);
  EXPECT_TRUE(v.reasons.empty());

  SpecWrite sets;
  sets.has_request = true;
  sets.request = privileged_findings();
  v = finish(t, facts("ResponseComplete", 200), sets);
  EXPECT_TRUE(v.privileged);
  sets.has_response = true;  // persisted object without it: something undid the change
  v = finish(t, facts("ResponseComplete", 200), sets);
  EXPECT_FALSE(v.privileged);
  sets.response = privileged_findings();
  v = finish(t, facts("ResponseComplete", 200), sets);
  EXPECT_TRUE(v.privileged);
}

TEST(Finish, AttemptsAreNotPrivilegedButKeepReasons) {
  const Target t = classify("create", "pods", "", std::nullopt);
  SpecWrite w;
  w.has_request = true;
  w.request = privileged_findings();
  for (auto [code, uri, outcome] :
       {std::tuple{403, "/x", Outcome::kDenied}, std::tuple{422, "/x", Outcome::kFailure},
        std::tuple{201, "/x?dryRun=All", Outcome::kDryRun}}) {
    const auto v = finish(t, facts("ResponseComplete", code, uri), w);
    EXPECT_EQ(v.outcome, outcome);
    EXPECT_FALSE(v.privileged);
    EXPECT_TRUE(v.reasons.has(Reason::kPrivilegedContainer));
  }
}

TEST(Finish, PsaEvidenceAndNoBody) {
  const Target t = classify("create", "pods", "", std::nullopt);
  EventFacts f = facts("ResponseComplete", 201);
  const std::string text =
      "would violate PodSecurity \"baseline:latest\": privileged (container \"x\" must not set "
      "securityContext.privileged=true)";
  f.psa_texts.emplace_back(text);
  auto v = finish(t, f, SpecWrite{});
  EXPECT_EQ(v.evidence, Evidence::kPsaAnnotation);
  EXPECT_TRUE(v.privileged);
  EXPECT_EQ(v.psa_violations, std::vector<std::string>{text});

  v = finish(t, facts("ResponseComplete", 201), SpecWrite{});
  EXPECT_EQ(v.evidence, Evidence::kNoBody);
  EXPECT_FALSE(v.privileged);
  EXPECT_TRUE(v.reasons.empty());
  EXPECT_EQ(v.outcome, Outcome::kSuccess);
}

TEST(VerdictStrings, Vocabulary) {
  EXPECT_EQ(to_string(Outcome::kDryRun), "dry_run");
  EXPECT_EQ(to_string(Evidence::kPsaAnnotation), "psa_annotation");
  EXPECT_EQ(to_string(Reason::kUnsafeSysctl), "unsafe_sysctl");
}

}  // namespace
}  // namespace kubepriv::core

namespace kubepriv::core {
namespace {

TEST(Actor, ControllersAreTheControllerManagerAndKubeSystemControllerAccounts) {
  EXPECT_EQ(actor_kind("system:kube-controller-manager"), ActorKind::kController);
  EXPECT_EQ(actor_kind("system:serviceaccount:kube-system:replicaset-controller"),
            ActorKind::kController);
  EXPECT_EQ(actor_kind("system:serviceaccount:kube-system:daemon-set-controller"),
            ActorKind::kController);
  // Not controllers: other namespaces, other suffixes, an empty name, extra colons, people.
  EXPECT_EQ(actor_kind("system:serviceaccount:default:replicaset-controller"), ActorKind::kUser);
  EXPECT_EQ(actor_kind("system:serviceaccount:kube-system:-controller"), ActorKind::kUser);
  EXPECT_EQ(actor_kind("system:serviceaccount:kube-system:a:b-controller"), ActorKind::kUser);
  EXPECT_EQ(actor_kind("system:serviceaccount:kube-system:controller-x"), ActorKind::kUser);
  EXPECT_EQ(actor_kind("system:kube-controller-manager:x"), ActorKind::kUser);
  EXPECT_EQ(actor_kind("alice"), ActorKind::kUser);
  EXPECT_EQ(actor_kind(""), ActorKind::kNone);
  EXPECT_EQ(to_string(ActorKind::kNone), "");
  EXPECT_EQ(to_string(SourceFormat::kGke), "gke");
}

TEST(Actor, NewFieldsAreResetByClear) {
  Verdict v;
  v.owner_kind = "ReplicaSet";
  v.owner_name = "web-1";
  v.actor_kind = ActorKind::kController;
  v.source_format = SourceFormat::kAks;
  v.request_uri = "/x";
  v.clear();
  EXPECT_TRUE(v.owner_kind.empty());
  EXPECT_TRUE(v.owner_name.empty());
  EXPECT_EQ(v.actor_kind, ActorKind::kNone);
  EXPECT_EQ(v.source_format, SourceFormat::kK8s);
  EXPECT_TRUE(v.request_uri.empty());
}

}  // namespace
}  // namespace kubepriv::core
