#pragma once
/// @file
/// Event facts -> outcome, and the final combination of spec findings into a Verdict.
/// Pure: adapters extract the facts from whatever format the event came in.

#include <array>        // std::array
#include <cstddef>      // std::size_t
#include <optional>     // std::optional
#include <span>         // std::span
#include <string>       // std::string
#include <string_view>  // std::string_view
#include <vector>       // std::vector

#include "kubepriv/core/rules.hpp"
#include "kubepriv/core/verdict.hpp"

namespace kubepriv::core {

/// A resource that carries a pod spec, and where the pod template sits in its objects.
struct Carrier {
  std::string_view resource;               ///< objectRef.resource, e.g. "deployments"
  std::array<std::string_view, 2> groups;  ///< accepted objectRef.apiGroup values ("" = core)
  std::string_view kind;                   ///< workload kind, e.g. "Deployment"
  /// Keys from the object root to the pod template (the object holding `metadata` and
  /// `spec`); empty for pods, whose object is its own template.
  std::array<std::string_view, 4> template_path;
  std::size_t template_depth;
};

/// The carrier table (pods, workloads, cronjobs, podtemplates).
std::span<const Carrier> carriers() noexcept;

/// The carrier for a resource, or null. `api_group` is objectRef.apiGroup when present; a
/// group that does not match (a CRD that happens to be called "jobs") is not a carrier.
const Carrier* find_carrier(std::string_view resource,
                            std::optional<std::string_view> api_group) noexcept;

/// What a request writes, decided from verb and objectRef alone (no body needed).
struct Target {
  const Carrier* carrier = nullptr;  ///< null: not a pod-spec write (outcome none)
  SpecScope scope = SpecScope::kWholePod;
  bool is_patch = false;  ///< verb patch: the request body is a patch, not an object
  [[nodiscard]] bool is_write() const noexcept { return carrier != nullptr; }
};

/// Classifies a request: create/update/patch of a carrier with no subresource, or of
/// pods/ephemeralcontainers. Everything else (reads, other subresources) is not a write.
Target classify(std::string_view verb, std::string_view resource, std::string_view subresource,
                std::optional<std::string_view> api_group) noexcept;

/// The facts of an audit event that decide its outcome and PSA evidence.
struct EventFacts {
  std::string_view stage;  ///< empty when absent (then judged as final)
  std::string_view request_uri;
  std::optional<int> response_code;  ///< absent when there is no responseStatus.code
  /// Pod Security Admission texts: the audit-violations annotation and an enforce denial
  /// message (responseStatus.message containing "PodSecurity").
  std::vector<std::string_view> psa_texts;
};

/// True when the request URI's query has dryRun=All (percent-decoded, like Go's url.ParseQuery;
/// a literal `\u0026` is also taken as a separator).
bool is_dry_run(std::string_view request_uri);

/// The outcome of a pod-spec write (call only for Target::is_write()).
Outcome judge_outcome(const EventFacts& facts) noexcept;

/// Maps PSA violation text (`... PodSecurity "baseline:latest": privileged (...), ...`) to
/// reasons; adds one details line per mapped violation and, when `containers` is given, the
/// container names PSA quotes for them (`container "x"`, `containers "a", "b"`). Returns true
/// when a PodSecurity verdict was found in the text (even with no mapped reason).
bool psa_reasons(std::string_view text, ReasonSet& reasons, std::vector<std::string>& details,
                 std::vector<std::string>* containers = nullptr);

/// What the adapter found in the bodies of a pod-spec write.
struct SpecWrite {
  bool has_request = false;  ///< requestObject held a spec (object or JSON patch)
  SpecFindings request;
  bool has_response = false;  ///< responseObject held the persisted object (not a Status)
  SpecFindings response;
  void clear() noexcept;
};

/// The actor kind of a username: kController for the Kubernetes controllers
/// (`system:kube-controller-manager`, `system:serviceaccount:kube-system:<name>-controller`),
/// kNone for an empty username, kUser for everyone else.
ActorKind actor_kind(std::string_view username) noexcept;

/// Fills the detection part of `v` (privileged, reasons, outcome, evidence, containers, images,
/// details, psa_violations, dry_run, actor_kind) for a classified event. Semantics:
/// src/core/RULES.md.
void finish_verdict(const Target& target, const EventFacts& facts, const SpecWrite& write,
                    Verdict& v);

}  // namespace kubepriv::core
