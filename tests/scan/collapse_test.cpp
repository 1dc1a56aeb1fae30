// AlertCollapser: one alert per auditID, the most informative stage kept, bounded memory.
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

TEST(Collapse, StageRanks) {
  EXPECT_LT(stage_rank("RequestReceived"), stage_rank("ResponseStarted"));
  EXPECT_LT(stage_rank("ResponseStarted"), stage_rank("ResponseComplete"));
  EXPECT_EQ(stage_rank("Panic"), stage_rank("ResponseComplete"));
  EXPECT_EQ(stage_rank(""), stage_rank("ResponseComplete"));
}

}  // namespace
}  // namespace kubepriv::scan
