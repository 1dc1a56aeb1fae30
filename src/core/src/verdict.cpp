#include "kubepriv/core/verdict.hpp"

#include <charconv>  // std::to_chars

#include "kubepriv/core/fields.hpp"

namespace kubepriv::core {

namespace {
template <typename E, std::size_t N>
std::string_view word(const std::array<Word<E>, N>& table, E value) noexcept {
  const auto i = static_cast<std::size_t>(value);
  return i < N ? table[i].text : std::string_view("unknown");
}
}  // namespace

std::string_view to_string(Reason reason) noexcept {
  return word(kReasonWords, reason);
}
std::string_view to_string(Outcome outcome) noexcept {
  return word(kOutcomeWords, outcome);
}
std::string_view to_string(Evidence evidence) noexcept {
  return word(kEvidenceWords, evidence);
}
std::string_view to_string(ActorKind actor) noexcept {
  return word(kActorWords, actor);
}
std::string_view to_string(SourceFormat format) noexcept {
  return word(kSourceFormatWords, format);
}

void Verdict::clear() noexcept {
  privileged = false;
  reasons = ReasonSet{};
  outcome = Outcome::kNone;
  evidence = Evidence::kNone;
  containers.clear();
  images.clear();
  details.clear();
  psa_violations.clear();
  workload_kind.clear();
  namespace_.clear();
  name.clear();
  user.clear();
  impersonated_user.clear();
  user_groups.clear();
  src_ip.clear();
  user_agent.clear();
  audit_id.clear();
  stage.clear();
  verb.clear();
  resource.clear();
  subresource.clear();
  response_code = 0;
  dry_run = false;
  owner_kind.clear();
  owner_name.clear();
  actor_kind = ActorKind::kNone;
  source_format = SourceFormat::kK8s;
  request_uri.clear();
  error.clear();
}

namespace field_access {

void reasons(const Verdict& v, FieldValues& out, std::string& /*scratch*/) {
  for (const auto& w : kReasonWords) {
    if (v.reasons.has(w.value)) out.push_back(w.text);
  }
}

void outcome(const Verdict& v, FieldValues& out, std::string& /*scratch*/) {
  out.push_back(to_string(v.outcome));
}

void evidence(const Verdict& v, FieldValues& out, std::string& /*scratch*/) {
  out.push_back(to_string(v.evidence));
}

void actor_kind(const Verdict& v, FieldValues& out, std::string& /*scratch*/) {
  const std::string_view word = to_string(v.actor_kind);
  if (!word.empty()) out.push_back(word);
}

void source_format(const Verdict& v, FieldValues& out, std::string& /*scratch*/) {
  out.push_back(to_string(v.source_format));
}

void response_code(const Verdict& v, FieldValues& out, std::string& scratch) {
  if (v.response_code == 0) return;
  char buf[16];
  const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v.response_code);
  (void)ec;  // 16 bytes always hold an int
  scratch.assign(buf, end);
  out.emplace_back(scratch);
}

}  // namespace field_access

}  // namespace kubepriv::core
