#include "kubepriv/core/event.hpp"

#include <algorithm>  // std::find
#include <array>      // std::to_array
#include <utility>    // std::move

#include "kubepriv/common/percent.hpp"

namespace kubepriv::core {

namespace {

// apiGroup "" is the core group; "extensions" held the early workload kinds.
constexpr auto kCarriers = std::to_array<Carrier>({
    {"pods", {"", ""}, "Pod", {}, 0},
    {"podtemplates", {"", ""}, "PodTemplate", {"template"}, 1},
    {"replicationcontrollers", {"", ""}, "ReplicationController", {"spec", "template"}, 2},
    {"deployments", {"apps", "extensions"}, "Deployment", {"spec", "template"}, 2},
    {"daemonsets", {"apps", "extensions"}, "DaemonSet", {"spec", "template"}, 2},
    {"replicasets", {"apps", "extensions"}, "ReplicaSet", {"spec", "template"}, 2},
    {"statefulsets", {"apps", "apps"}, "StatefulSet", {"spec", "template"}, 2},
    {"jobs", {"batch", "batch"}, "Job", {"spec", "template"}, 2},
    {"cronjobs", {"batch", "batch"}, "CronJob", {"spec", "jobTemplate", "spec", "template"}, 4},
});

// PSA texts are short in practice; the cap only bounds hostile input.
void push_unique(std::vector<std::string>& list, std::string_view value) {
  if (list.size() >= kMaxListed) return;
  if (std::find(list.begin(), list.end(), value) == list.end()) list.emplace_back(value);
}

// Go's url.QueryUnescape: %XX and '+'. An invalid escape makes Go drop the pair.
bool query_unescape(std::string_view in, std::string& out) {
  auto decoded = common::percent_decode(in, {.plus_is_space = true});
  if (!decoded) return false;
  out = std::move(*decoded);
  return true;
}

bool dry_run_param(std::string_view pair) {
  if (pair.empty()) return false;
  const std::size_t eq = pair.find('=');
  const std::string_view raw_key = pair.substr(0, eq);
  const std::string_view raw_value = eq == std::string_view::npos ? "" : pair.substr(eq + 1);
  std::string key;
  std::string value;
  if (!query_unescape(raw_key, key) || !query_unescape(raw_value, value)) return false;
  return key == "dryRun" && value == "All";
}

// PSA check names (ForbiddenReason) -> our reasons. "host namespaces" is split by its detail.
struct PsaMap {
  std::string_view check;
  Reason reason;
  std::string_view detail_needle;  ///< the detail must contain this (empty: always)
  bool prefix;                     ///< match `check` as a prefix
};
constexpr auto kPsaMap = std::to_array<PsaMap>({
    {"privileged", Reason::kPrivilegedContainer, "", false},
    {"host namespaces", Reason::kHostNetwork, "hostNetwork=true", false},
    {"host namespaces", Reason::kHostPid, "hostPID=true", false},
    {"host namespaces", Reason::kHostIpc, "hostIPC=true", false},
    {"hostPath volumes", Reason::kHostPath, "", false},
    {"non-default capabilities", Reason::kDangerousCapability, "", false},
    {"hostPort", Reason::kHostPort, "", false},
    {"seccompProfile", Reason::kUnconfinedSeccomp, "nconfined", false},
    {"forbidden AppArmor profile", Reason::kUnconfinedApparmor, "", true},
    {"procMount", Reason::kUnmaskedProcMount, "", false},
    {"forbidden sysctls", Reason::kUnsafeSysctl, "", false},
    {"hostProcess", Reason::kHostProcess, "", false},
    {"runAsUser=0", Reason::kRunAsRoot, "", false},
});

// PSA details name containers as `container "x" ...` or `containers "a", "b" ...`.
void psa_container_names(std::string_view detail, std::vector<std::string>& out) {
  for (const std::string_view marker :
       {std::string_view("container \""), std::string_view("containers \"")}) {
    std::size_t at = 0;
    while ((at = detail.find(marker, at)) != std::string_view::npos) {
      std::size_t i = at + marker.size() - 1;  // on the opening quote
      while (i < detail.size() && detail[i] == '"') {
        const std::size_t end = detail.find('"', i + 1);
        if (end == std::string_view::npos) return;
        push_unique(out, detail.substr(i + 1, end - i - 1));
        i = end + 1;
        if (detail.substr(i, 3) != ", \"") break;
        i += 2;
      }
      at = i;
    }
  }
}

}  // namespace

std::span<const Carrier> carriers() noexcept {
  return kCarriers;
}

const Carrier* find_carrier(std::string_view resource,
                            std::optional<std::string_view> api_group) noexcept {
  if (resource.empty()) return nullptr;
  for (const Carrier& c : carriers()) {
    if (c.resource != resource) continue;
    if (api_group && *api_group != c.groups[0] && *api_group != c.groups[1]) return nullptr;
    return &c;
  }
  return nullptr;
}

Target classify(std::string_view verb, std::string_view resource, std::string_view subresource,
                std::optional<std::string_view> api_group) noexcept {
  Target t;
  if (verb != "create" && verb != "update" && verb != "patch") return t;
  const Carrier* c = find_carrier(resource, api_group);
  if (c == nullptr) return t;
  if (subresource.empty()) {
    t.carrier = c;
  } else if (subresource == "ephemeralcontainers" && resource == "pods") {
    t.carrier = c;
    t.scope = SpecScope::kEphemeralOnly;
  } else {
    return t;  // status, binding, eviction, exec, attach, scale, ...
  }
  t.is_patch = verb == "patch";
  return t;
}

bool is_dry_run(std::string_view request_uri) {
  const std::size_t q = request_uri.find('?');
  if (q == std::string_view::npos) return false;
  std::string_view query = request_uri.substr(q + 1);
  query = query.substr(0, query.find('#'));
  static constexpr std::string_view kEscapedAmp = "\\u0026";
  while (!query.empty()) {
    std::size_t end = query.find('&');
    std::size_t skip = 1;
    const std::size_t esc = query.find(kEscapedAmp);
    if (esc < end) {
      end = esc;
      skip = kEscapedAmp.size();
    }
    if (dry_run_param(query.substr(0, end))) return true;
    if (end == std::string_view::npos) break;
    query.remove_prefix(end + skip);
  }
  return false;
}

Outcome judge_outcome(const EventFacts& facts) noexcept {
  if (facts.stage == "Panic") return Outcome::kFailure;
  if (!facts.stage.empty() && facts.stage != "ResponseComplete") return Outcome::kIncomplete;
  // No response recorded: whether the request took effect cannot be known, so it is not guessed.
  if (!facts.response_code) return Outcome::kIncomplete;
  const int code = *facts.response_code;
  if (code >= 200 && code < 300) {
    return is_dry_run(facts.request_uri) ? Outcome::kDryRun : Outcome::kSuccess;
  }
  if (code == 403) return Outcome::kDenied;
  return Outcome::kFailure;
}

bool psa_reasons(std::string_view text, ReasonSet& reasons, std::vector<std::string>& details,
                 std::vector<std::string>* containers) {
  static constexpr std::string_view kMarker = "PodSecurity \"";
  const std::size_t m = text.find(kMarker);
  if (m == std::string_view::npos) return false;
  const std::size_t colon = text.find("\": ", m + kMarker.size());
  if (colon == std::string_view::npos) return false;
  std::string_view rest = text.substr(colon + 3);
  while (!rest.empty()) {
    // name [" (" detail ")"] [", " next]
    std::size_t i = 0;
    while (i < rest.size() && rest[i] != ',' && !(rest[i] == '(' && i > 0 && rest[i - 1] == ' '))
      ++i;
    std::string_view name = rest.substr(0, i);
    std::string_view detail;
    if (i < rest.size() && rest[i] == '(') {
      name = name.substr(0, name.size() - 1);  // the space before '('
      int depth = 0;
      bool in_quote = false;
      std::size_t j = i;
      for (; j < rest.size(); ++j) {
        const char c = rest[j];
        if (in_quote) {
          if (c == '\\') {
            ++j;
          } else if (c == '"') {
            in_quote = false;
          }
        } else if (c == '"') {
          in_quote = true;
        } else if (c == '(') {
          ++depth;
        } else if (c == ')' && --depth == 0) {
          break;
        }
      }
      detail = rest.substr(i + 1, j > i + 1 ? std::min(j, rest.size()) - i - 1 : 0);
      i = std::min(j + 1, rest.size());
    }
    while (!name.empty() && name.front() == ' ') name.remove_prefix(1);
    for (const PsaMap& map : kPsaMap) {
      const bool match = map.prefix ? name.starts_with(map.check) : name == map.check;
      if (!match) continue;
      if (!map.detail_needle.empty() && detail.find(map.detail_needle) == std::string_view::npos)
        continue;
      reasons.add(map.reason);
      std::string d(to_string(map.reason));
      d += ": PSA ";
      d += quote(name);
      if (!detail.empty()) {
        d += ' ';
        d += quote(detail);
      }
      push_unique(details, d);
      if (containers != nullptr) psa_container_names(detail, *containers);
    }
    // skip ", "
    while (i < rest.size() && (rest[i] == ',' || rest[i] == ' ')) ++i;
    rest.remove_prefix(i);
  }
  return true;
}

void SpecWrite::clear() noexcept {
  has_request = false;
  request.clear();
  has_response = false;
  response.clear();
}

ActorKind actor_kind(std::string_view username) noexcept {
  static constexpr std::string_view kManager = "system:kube-controller-manager";
  static constexpr std::string_view kSystemAccount = "system:serviceaccount:kube-system:";
  static constexpr std::string_view kSuffix = "-controller";
  if (username.empty()) return ActorKind::kNone;
  if (username == kManager) return ActorKind::kController;
  if (username.starts_with(kSystemAccount)) {
    const std::string_view account = username.substr(kSystemAccount.size());
    if (account.size() > kSuffix.size() && account.ends_with(kSuffix) &&
        account.find(':') == std::string_view::npos) {
      return ActorKind::kController;
    }
  }
  return ActorKind::kUser;
}

void finish_verdict(const Target& target, const EventFacts& facts, const SpecWrite& write,
                    Verdict& v) {
  v.actor_kind = actor_kind(v.user);
  v.dry_run = is_dry_run(facts.request_uri);
  if (!target.is_write()) {
    v.outcome = Outcome::kNone;
    v.evidence = Evidence::kNone;
    return;
  }
  v.outcome = judge_outcome(facts);
  for (const auto text : facts.psa_texts) push_unique(v.psa_violations, text);

  bool written_privileged = false;
  if (write.has_request || write.has_response) {
    v.evidence = Evidence::kSpec;
    SpecFindings merged;
    if (target.is_patch && write.has_request) {
      // A patch is judged on what it writes; the persisted object only confirms it (a webhook
      // may have undone it), so an unrelated patch of an already-privileged pod is not flagged.
      merged.merge(write.request);
      written_privileged =
          write.request.privileged && (!write.has_response || write.response.privileged);
    } else {
      // create/update carry the whole object; the response is what was persisted, including
      // mutating webhooks, so both count for reasons and the response decides `privileged`.
      if (write.has_request) merged.merge(write.request);
      if (write.has_response) merged.merge(write.response);
      written_privileged =
          write.has_response ? write.response.privileged : write.request.privileged;
    }
    v.reasons |= merged.reasons;
    for (auto& d : merged.details) v.details.push_back(std::move(d));
    if (merged.truncated) {
      v.details.push_back(
          concat({"more findings not listed (lists are cut at ", std::to_string(kMaxListed), ")"}));
    }
    for (auto& c : merged.containers) v.containers.push_back(std::move(c));
    for (auto& i : merged.images) v.images.push_back(std::move(i));
  } else {
    bool psa = false;
    for (const auto text : facts.psa_texts)
      psa = psa_reasons(text, v.reasons, v.details, &v.containers) || psa;
    if (psa) {
      v.evidence = Evidence::kPsaAnnotation;
      written_privileged = v.reasons.has(Reason::kPrivilegedContainer);
    } else {
      v.evidence = Evidence::kNoBody;
      v.details.emplace_back("no request body and no Pod Security annotation: not judged");
    }
  }
  v.privileged = v.outcome == Outcome::kSuccess && written_privileged;
}

}  // namespace kubepriv::core
