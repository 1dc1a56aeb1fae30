#include "kubepriv/scan/collapse.hpp"

#include <algorithm>  // std::find
#include <iterator>   // std::prev
#include <utility>    // std::move
#include <vector>     // std::vector

namespace kubepriv::scan {

int stage_rank(std::string_view stage) noexcept {
  if (stage == "RequestReceived") return 0;
  if (stage == "ResponseStarted") return 1;
  return 2;
}

namespace {
constexpr int kFinal = 2;

// Length-prefixed, so no text can pass for another split of the same bytes.
void append_part(std::string& key, std::string_view part) {
  key.append(std::to_string(part.size()));
  key.push_back(':');
  key.append(part);
}

int outcome_weight(core::Outcome o) noexcept {
  switch (o) {
    case core::Outcome::kNone: return 0;
    case core::Outcome::kIncomplete: return 1;
    case core::Outcome::kFailure: return 2;
    case core::Outcome::kDryRun: return 3;
    case core::Outcome::kDenied: return 4;
    case core::Outcome::kSuccess: return 5;
  }
  return 0;
}

void add_missing(std::vector<std::string>& into, const std::vector<std::string>& from) {
  for (const auto& value : from) {
    if (std::find(into.begin(), into.end(), value) == into.end()) into.push_back(value);
  }
}
}  // namespace

std::string request_key(const core::Verdict& v) {
  std::string key;
  if (v.audit_id.empty()) return key;
  key.reserve(v.audit_id.size() + v.verb.size() + v.request_uri.size() + v.resource.size() +
              v.subresource.size() + v.namespace_.size() + v.name.size() + v.user.size() +
              v.impersonated_user.size() + 32);
  for (const std::string_view part :
       {std::string_view(v.audit_id), std::string_view(v.verb), std::string_view(v.request_uri),
        std::string_view(v.resource), std::string_view(v.subresource),
        std::string_view(v.namespace_), std::string_view(v.name), std::string_view(v.user),
        std::string_view(v.impersonated_user)}) {
    append_part(key, part);
  }
  return key;
}

Severity severity(const core::Verdict& v) noexcept {
  return {.privileged = v.privileged,
          .rank = stage_rank(v.stage),
          .outcome = outcome_weight(v.outcome)};
}

void merge_findings(core::Verdict& into, const core::Verdict& from) {
  into.reasons |= from.reasons;
  add_missing(into.containers, from.containers);
  add_missing(into.images, from.images);
  add_missing(into.details, from.details);
  add_missing(into.psa_violations, from.psa_violations);
}

AlertCollapser::AlertCollapser(Emit emit, std::size_t max_open, std::size_t max_closed)
    : emit_(std::move(emit)), max_open_(max_open == 0 ? 1 : max_open), max_closed_(max_closed) {}

void AlertCollapser::emit(const Alert& alert) {
  ++alerts_;
  emit_(alert);
}

void AlertCollapser::close(const std::string& key, const core::Verdict& verdict) {
  if (max_closed_ == 0) return;
  auto [it, inserted] = closed_.try_emplace(key, Closed{severity(verdict), verdict.reasons});
  if (!inserted) {
    // Reported again (a more severe record came late): remember the most that was reported.
    it->second.severity = std::max(it->second.severity, severity(verdict));
    it->second.reasons |= verdict.reasons;
  }
  closed_fifo_.push_back(key);
  while (closed_fifo_.size() > max_closed_) {
    // A re-closed key may sit in the FIFO twice; erasing on its older copy only shortens its
    // memory, it never suppresses anything wrongly.
    closed_.erase(closed_fifo_.front());
    closed_fifo_.pop_front();
  }
}

void AlertCollapser::add(const core::Verdict& verdict,
                         const std::function<void(Alert&)>& describe) {
  const int rank = stage_rank(verdict.stage);
  auto fill = [&](Alert& a) {
    a.verdict = verdict;
    a.rank = rank;
    describe(a);
  };
  const std::string key = request_key(verdict);
  if (key.empty()) {
    Alert a;
    fill(a);
    emit(a);
    return;
  }
  if (auto c = closed_.find(key); c != closed_.end()) {
    core::ReasonSet seen = c->second.reasons;
    seen |= verdict.reasons;
    if (severity(verdict) <= c->second.severity && seen == c->second.reasons) {
      ++collapsed_;
      return;
    }
    // More severe than, or a reason beyond, what was already reported for this request (a later
    // stage of an alert emitted early, or a colliding record): report it rather than lose it.
    Alert a;
    fill(a);
    emit(a);
    close(key, verdict);
    return;
  }
  if (auto o = open_.find(key); o != open_.end()) {
    ++collapsed_;
    Alert& pending = *o->second;
    if (severity(verdict) > severity(pending.verdict)) {
      core::Verdict earlier = std::move(pending.verdict);
      fill(pending);
      merge_findings(pending.verdict, earlier);
    } else {
      merge_findings(pending.verdict, verdict);
    }
    if (pending.rank >= kFinal) {
      emit(pending);
      close(key, pending.verdict);
      order_.erase(o->second);
      open_.erase(o);
    }
    return;
  }
  if (rank >= kFinal) {
    Alert a;
    fill(a);
    emit(a);
    close(key, verdict);
    return;
  }
  order_.emplace_back();
  fill(order_.back());
  open_.emplace(key, std::prev(order_.end()));
  if (open_.size() > max_open_) {
    const Alert& oldest = order_.front();
    const std::string oldest_key = request_key(oldest.verdict);
    emit(oldest);
    close(oldest_key, oldest.verdict);
    open_.erase(oldest_key);
    order_.pop_front();
  }
}

void AlertCollapser::flush() {
  for (const Alert& a : order_) {
    emit(a);
    close(request_key(a.verdict), a.verdict);
  }
  order_.clear();
  open_.clear();
}

}  // namespace kubepriv::scan
