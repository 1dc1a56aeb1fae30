// AlertCollapser: one alert per request (auditID + request identity), the most severe record
// kept with every reason, bounded memory.
#include "kubepriv/scan/collapse.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace kubepriv::scan {
namespace {

core::Verdict verdict(std::string id, std::string stage, core::Outcome outcome) {
  core::Verdict v;
  v.audit_id = std::move(id);
  v.stage = std::move(stage);
  v.outcome = outcome;
  v.reasons.add(core::Reason::kPrivilegedContainer);
  v.verb = "create";
  v.request_uri = "/api/v1/namespaces/default/pods";
  v.resource = "pods";
  v.namespace_ = "default";
  v.name = "p";
  v.user = "alice";
  return v;
}

// A successful pod create, with or without a privileged container.
core::Verdict pod_create(std::string id, std::string name, bool privileged) {
  core::Verdict v = verdict(std::move(id), "ResponseComplete", core::Outcome::kSuccess);
  v.name = std::move(name);
  v.privileged = privileged;
  v.reasons = {};
  if (privileged) {
    v.reasons.add(core::Reason::kPrivilegedContainer);
    v.containers = {"root"};
    v.details = {"privileged_container: containers[0] \"root\""};
  } else {
    v.reasons.add(core::Reason::kHostNetwork);
    v.containers = {"web"};
    v.details = {"host_network: spec.hostNetwork"};
  }
  return v;
}

struct Harness {
  std::vector<Alert> emitted;
  AlertCollapser collapser;
  std::uint64_t next_line = 1;
  Harness(std::size_t max_open = AlertCollapser::kDefaultMaxOpen,
          std::size_t max_closed = AlertCollapser::kDefaultMaxClosed)
      : collapser([this](const Alert& a) { emitted.push_back(a); }, max_open, max_closed) {}
  void add(const core::Verdict& v) {
    const std::uint64_t line = next_line++;
    collapser.add(v, [line](Alert& a) {
      a.file = "f";
      a.line = line;
    });
  }
};

TEST(Collapse, RequestReceivedThenResponseCompleteIsOneAlertWithTheFinalVerdict) {
  Harness h;
  h.add(verdict("id1", "RequestReceived", core::Outcome::kIncomplete));
  EXPECT_TRUE(h.emitted.empty());  // waits for its final stage
  h.add(verdict("id1", "ResponseComplete", core::Outcome::kSuccess));
  ASSERT_EQ(h.emitted.size(), 1U);
  EXPECT_EQ(h.emitted[0].verdict.outcome, core::Outcome::kSuccess);
  EXPECT_EQ(h.emitted[0].line, 2U);
  h.collapser.flush();
  EXPECT_EQ(h.emitted.size(), 1U);
  EXPECT_EQ(h.collapser.alerts(), 1U);
  EXPECT_EQ(h.collapser.collapsed(), 1U);
}

TEST(Collapse, RedeliveriesAndLateEarlierStagesAreSuppressed) {
  Harness h;
  h.add(verdict("id1", "ResponseComplete", core::Outcome::kSuccess));
  h.add(verdict("id1", "ResponseComplete", core::Outcome::kSuccess));
  h.add(verdict("id1", "RequestReceived", core::Outcome::kIncomplete));
  h.collapser.flush();
  ASSERT_EQ(h.emitted.size(), 1U);
  EXPECT_EQ(h.emitted[0].line, 1U);  // the first of equals wins
  EXPECT_EQ(h.collapser.collapsed(), 2U);
}

TEST(Collapse, OnlyNonFinalStagesAreEmittedAtFlushInFirstSeenOrder) {
  Harness h;
  h.add(verdict("b", "RequestReceived", core::Outcome::kIncomplete));
  h.add(verdict("a", "RequestReceived", core::Outcome::kIncomplete));
  h.add(verdict("b", "ResponseStarted", core::Outcome::kIncomplete));
  EXPECT_TRUE(h.emitted.empty());
  h.collapser.flush();
  ASSERT_EQ(h.emitted.size(), 2U);
  EXPECT_EQ(h.emitted[0].verdict.audit_id, "b");
  EXPECT_EQ(h.emitted[0].verdict.stage, "ResponseStarted");  // the higher stage was kept
  EXPECT_EQ(h.emitted[0].line, 3U);
  EXPECT_EQ(h.emitted[1].verdict.audit_id, "a");
}

TEST(Collapse, EventsWithoutAuditIdAreNeverMerged) {
  Harness h;
  h.add(verdict("", "ResponseComplete", core::Outcome::kSuccess));
  h.add(verdict("", "ResponseComplete", core::Outcome::kSuccess));
  EXPECT_EQ(h.emitted.size(), 2U);
}

TEST(Collapse, OpenAlertsAreBoundedAndEvictedOldestFirst) {
  Harness h(2);
  h.add(verdict("a", "RequestReceived", core::Outcome::kIncomplete));
  h.add(verdict("b", "RequestReceived", core::Outcome::kIncomplete));
  h.add(verdict("c", "RequestReceived", core::Outcome::kIncomplete));
  ASSERT_EQ(h.emitted.size(), 1U);
  EXPECT_EQ(h.emitted[0].verdict.audit_id, "a");
  EXPECT_EQ(h.collapser.open(), 2U);
  // The final stage of the evicted alert still gets reported (never lose the better verdict).
  h.add(verdict("a", "ResponseComplete", core::Outcome::kSuccess));
  ASSERT_EQ(h.emitted.size(), 2U);
  EXPECT_EQ(h.emitted[1].verdict.outcome, core::Outcome::kSuccess);
  // ...but a repeat of the evicted non-final stage does not.
  h.add(verdict("a", "RequestReceived", core::Outcome::kIncomplete));
  EXPECT_EQ(h.emitted.size(), 2U);
}

TEST(Collapse, RememberedIdsAreBounded) {
  Harness h(16, 1);
  h.add(verdict("a", "ResponseComplete", core::Outcome::kSuccess));
  h.add(verdict("b", "ResponseComplete", core::Outcome::kSuccess));
  h.add(verdict("a", "ResponseComplete", core::Outcome::kSuccess));  // "a" was forgotten
  EXPECT_EQ(h.emitted.size(), 3U);
  h.add(verdict("a", "ResponseComplete", core::Outcome::kSuccess));  // remembered again
  EXPECT_EQ(h.emitted.size(), 3U);
}

// Issue 10 item 1: a client chooses the auditID (Audit-ID header), so two different requests may
// share one. A harmless pod and a privileged pod under one ID must both be reported, in either
// order.
TEST(Collapse, AuditIdCollisionsNeverHideARequestInEitherOrder) {
  for (const bool privileged_first : {false, true}) {
    Harness h;
    h.add(pod_create("same", privileged_first ? "evil" : "harmless", privileged_first));
    h.add(pod_create("same", privileged_first ? "harmless" : "evil", !privileged_first));
    h.collapser.flush();
    ASSERT_EQ(h.emitted.size(), 2U) << "privileged first: " << privileged_first;
    EXPECT_EQ(h.collapser.collapsed(), 0U);
    int privileged = 0;
    for (const auto& a : h.emitted) privileged += a.verdict.privileged ? 1 : 0;
    EXPECT_EQ(privileged, 1);
  }
}

TEST(Collapse, EveryPartOfTheRequestIdentityTellsRequestsApart) {
  using Edit = void (*)(core::Verdict&);
  const Edit edits[] = {
      [](core::Verdict& v) { v.verb = "update"; },
      [](core::Verdict& v) { v.request_uri += "?dryRun=All"; },
      [](core::Verdict& v) { v.resource = "deployments"; },
      [](core::Verdict& v) { v.subresource = "ephemeralcontainers"; },
      [](core::Verdict& v) { v.namespace_ = "kube-system"; },
      [](core::Verdict& v) { v.name = "q"; },
      [](core::Verdict& v) { v.user = "mallory"; },
      [](core::Verdict& v) { v.impersonated_user = "system:admin"; },
  };
  for (std::size_t i = 0; i < std::size(edits); ++i) {
    Harness h;
    core::Verdict other = verdict("same", "ResponseComplete", core::Outcome::kSuccess);
    edits[i](other);
    h.add(verdict("same", "ResponseComplete", core::Outcome::kSuccess));
    h.add(other);
    EXPECT_EQ(h.emitted.size(), 2U) << "edit " << i;
  }
  // Parts are length-prefixed: moving a character from one part to the next is another key.
  core::Verdict a = verdict("x", "ResponseComplete", core::Outcome::kSuccess);
  core::Verdict b = a;
  a.namespace_ = "ab";
  a.name = "c";
  b.namespace_ = "a";
  b.name = "bc";
  EXPECT_NE(request_key(a), request_key(b));
  EXPECT_EQ(request_key(verdict("", "ResponseComplete", core::Outcome::kSuccess)), "");
}

TEST(Collapse, AnEarlyStageOfOneRequestAndTheFinalStageOfAnotherAreTwoAlerts) {
  Harness h;
  core::Verdict received = verdict("same", "RequestReceived", core::Outcome::kIncomplete);
  received.name = "first";
  h.add(received);
  h.add(pod_create("same", "second", true));
  ASSERT_EQ(h.emitted.size(), 1U);  // the final stage of "second" is reported at once
  EXPECT_EQ(h.emitted[0].verdict.name, "second");
  EXPECT_TRUE(h.emitted[0].verdict.privileged);
  h.collapser.flush();
  ASSERT_EQ(h.emitted.size(), 2U);  // "first" is still its own alert
  EXPECT_EQ(h.emitted[1].verdict.name, "first");
  EXPECT_EQ(h.emitted[1].verdict.stage, "RequestReceived");
  EXPECT_EQ(h.collapser.collapsed(), 0U);
}

TEST(Collapse, TrueRedeliveriesAndStagesStillCollapse) {
  Harness h;
  h.add(verdict("id", "RequestReceived", core::Outcome::kIncomplete));
  h.add(pod_create("id", "p", true));
  h.add(pod_create("id", "p", true));  // redelivered
  h.add(pod_create("id", "p", true));  // and again
  h.collapser.flush();
  ASSERT_EQ(h.emitted.size(), 1U);
  EXPECT_EQ(h.emitted[0].line, 2U);
  EXPECT_EQ(h.collapser.collapsed(), 3U);
}

TEST(Collapse, RecordsOfOneRequestThatDisagreeKeepTheMoreSevereVerdictAndEveryReason) {
  // Same auditID and identity, but the verdicts differ: the privileged one wins and the other's
  // reason, container and detail are merged in.
  for (const bool privileged_first : {false, true}) {
    Harness h;
    core::Verdict before = verdict("id", "RequestReceived", core::Outcome::kIncomplete);
    before.reasons = {};
    before.reasons.add(core::Reason::kHostPid);
    before.containers = {"a"};
    before.details = {"host_pid: spec.hostPID"};
    core::Verdict after = pod_create("id", "p", true);
    if (privileged_first) {
      h.add(after);
      h.add(before);  // a late earlier stage with a reason the final record lacks
    } else {
      h.add(before);
      h.add(after);
    }
    h.collapser.flush();
    if (!privileged_first) {
      ASSERT_EQ(h.emitted.size(), 1U);
      const auto& v = h.emitted[0].verdict;
      EXPECT_TRUE(v.privileged);
      EXPECT_EQ(v.stage, "ResponseComplete");
      EXPECT_TRUE(v.reasons.has(core::Reason::kPrivilegedContainer));
      EXPECT_TRUE(v.reasons.has(core::Reason::kHostPid));
      EXPECT_EQ(v.containers, (std::vector<std::string>{"root", "a"}));
      EXPECT_EQ(v.details.size(), 2U);
    } else {
      // The final record was already reported; the late record brings a new reason, so it is
      // reported too rather than dropped.
      ASSERT_EQ(h.emitted.size(), 2U);
      EXPECT_TRUE(h.emitted[0].verdict.privileged);
      EXPECT_TRUE(h.emitted[1].verdict.reasons.has(core::Reason::kHostPid));
    }
  }
  // Two final records of one identity: a harmless one first, the privileged one second.
  Harness h;
  h.add(pod_create("id", "p", false));
  h.add(pod_create("id", "p", true));
  h.add(pod_create("id", "p", true));  // a redelivery of the privileged record adds nothing
  h.collapser.flush();
  ASSERT_EQ(h.emitted.size(), 2U);
  EXPECT_TRUE(h.emitted[1].verdict.privileged);
  EXPECT_EQ(h.collapser.collapsed(), 1U);
}

TEST(Collapse, SeverityOrder) {
  auto sev = [](bool privileged, const char* stage, core::Outcome o) {
    core::Verdict v = verdict("i", stage, o);
    v.privileged = privileged;
    return severity(v);
  };
  EXPECT_GT(sev(true, "RequestReceived", core::Outcome::kIncomplete),
            sev(false, "ResponseComplete", core::Outcome::kSuccess));
  EXPECT_GT(sev(false, "ResponseComplete", core::Outcome::kFailure),
            sev(false, "ResponseStarted", core::Outcome::kSuccess));
  EXPECT_GT(sev(false, "ResponseComplete", core::Outcome::kSuccess),
            sev(false, "ResponseComplete", core::Outcome::kDenied));
  EXPECT_GT(sev(false, "ResponseComplete", core::Outcome::kDenied),
            sev(false, "ResponseComplete", core::Outcome::kDryRun));
  EXPECT_GT(sev(false, "ResponseComplete", core::Outcome::kFailure),
            sev(false, "ResponseComplete", core::Outcome::kIncomplete));
}

TEST(Collapse, StageRanks) {
  EXPECT_LT(stage_rank("RequestReceived"), stage_rank("ResponseStarted"));
  EXPECT_LT(stage_rank("ResponseStarted"), stage_rank("ResponseComplete"));
  EXPECT_EQ(stage_rank("Panic"), stage_rank("ResponseComplete"));
  EXPECT_EQ(stage_rank(""), stage_rank("ResponseComplete"));
}

}  // namespace
}  // namespace kubepriv::scan
