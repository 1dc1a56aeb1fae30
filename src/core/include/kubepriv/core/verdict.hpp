#pragma once
/// @file
/// The verdict: what kubepriv says about one Kubernetes audit event. This is the field contract
/// shared by `kubepriv scan`, the `kubepriv` search command, the correlation searches and the
/// dashboard. Field names and meanings are fixed by the output table in fields.hpp.

#include <array>        // std::array, std::to_array
#include <cstddef>      // std::size_t
#include <cstdint>      // std::uint16_t
#include <string>       // std::string
#include <string_view>  // std::string_view
#include <vector>       // std::vector

namespace kubepriv::core {

/// Every risky thing a request can ask for (Pod Security Standards baseline, plus two explicit
/// restricted-profile settings). The order is the output order of `reasons`.
enum class Reason : std::uint8_t {
  kPrivilegedContainer,  ///< some container has securityContext.privileged == true
  kHostPid,              ///< spec.hostPID == true
  kHostIpc,              ///< spec.hostIPC == true
  kHostNetwork,          ///< spec.hostNetwork == true
  kHostProcess,          ///< windowsOptions.hostProcess == true (pod or container)
  kHostPath,             ///< any hostPath volume
  kDangerousCapability,  ///< capabilities.add entry outside the baseline's allowed set
  kPrivilegeEscalation,  ///< allowPrivilegeEscalation == true, set explicitly
  kUnmaskedProcMount,    ///< procMount == "Unmasked"
  kUnconfinedSeccomp,    ///< seccompProfile.type == "Unconfined" (or legacy annotation)
  kUnconfinedApparmor,   ///< appArmorProfile.type == "Unconfined" (or legacy annotation)
  kHostPort,             ///< ports[].hostPort set to a non-zero value
  kUnsafeSysctl,         ///< a sysctl outside the baseline's safe set
  kRunAsRoot,            ///< runAsUser == 0, set explicitly
};

/// One word of a vocabulary: the enum value and the text users see.
template <typename E>
struct Word {
  E value;
  std::string_view text;
};

/// True when row i of `table` holds the enum value i (the tables below are indexed by value).
template <typename E, std::size_t N>
constexpr bool indexed_by_value(const std::array<Word<E>, N>& table) noexcept {
  for (std::size_t i = 0; i < N; ++i) {
    if (static_cast<std::size_t>(table[i].value) != i) return false;
  }
  return true;
}

/// The `reasons` vocabulary, in output order. kReasonCount, to_string(Reason) and the contract
/// test (tests/core) all come from this table.
inline constexpr auto kReasonWords = std::to_array<Word<Reason>>({
    {Reason::kPrivilegedContainer, "privileged_container"},
    {Reason::kHostPid, "host_pid"},
    {Reason::kHostIpc, "host_ipc"},
    {Reason::kHostNetwork, "host_network"},
    {Reason::kHostProcess, "host_process"},
    {Reason::kHostPath, "host_path"},
    {Reason::kDangerousCapability, "dangerous_capability"},
    {Reason::kPrivilegeEscalation, "privilege_escalation"},
    {Reason::kUnmaskedProcMount, "unmasked_proc_mount"},
    {Reason::kUnconfinedSeccomp, "unconfined_seccomp"},
    {Reason::kUnconfinedApparmor, "unconfined_apparmor"},
    {Reason::kHostPort, "host_port"},
    {Reason::kUnsafeSysctl, "unsafe_sysctl"},
    {Reason::kRunAsRoot, "run_as_root"},
});
inline constexpr int kReasonCount = static_cast<int>(kReasonWords.size());
static_assert(indexed_by_value(kReasonWords), "kReasonWords must follow the order of Reason");
static_assert(static_cast<int>(Reason::kRunAsRoot) + 1 == kReasonCount,
              "every Reason needs its word in kReasonWords (kRunAsRoot is the last one)");
static_assert(kReasonCount <= 16, "ReasonSet holds the reasons in 16 bits");

/// The vocabulary string of a reason, e.g. "privileged_container".
std::string_view to_string(Reason reason) noexcept;

/// A set of reasons as a bit mask (bit i = Reason(i)).
class ReasonSet {
 public:
  constexpr void add(Reason r) noexcept { bits_ |= bit(r); }
  [[nodiscard]] constexpr bool has(Reason r) const noexcept { return (bits_ & bit(r)) != 0; }
  [[nodiscard]] constexpr bool empty() const noexcept { return bits_ == 0; }
  [[nodiscard]] constexpr std::uint16_t bits() const noexcept { return bits_; }
  constexpr ReasonSet& operator|=(ReasonSet o) noexcept {
    bits_ = static_cast<std::uint16_t>(bits_ | o.bits_);
    return *this;
  }
  friend constexpr bool operator==(ReasonSet, ReasonSet) = default;

 private:
  static constexpr std::uint16_t bit(Reason r) noexcept {
    return static_cast<std::uint16_t>(1U << static_cast<unsigned>(r));
  }
  std::uint16_t bits_ = 0;
};

/// What happened to the request.
enum class Outcome : std::uint8_t {
  kNone,     ///< not a write of a pod spec (reads, other resources, other subresources)
  kSuccess,  ///< final stage ResponseComplete and a 2xx code, not a dry run
  kDenied,   ///< 403: authorization (no body) or admission (body present)
  kDryRun,   ///< dryRun=All in the request URI
  kFailure,  ///< any other non-2xx code, or a Panic stage
  /// Not known whether it took effect: a non-final stage (RequestReceived, ResponseStarted), or
  /// a final stage that recorded no response status code.
  kIncomplete,
};

/// The `outcome` vocabulary (indexed by value).
inline constexpr auto kOutcomeWords = std::to_array<Word<Outcome>>({
    {Outcome::kNone, "none"},
    {Outcome::kSuccess, "success"},
    {Outcome::kDenied, "denied"},
    {Outcome::kDryRun, "dry_run"},
    {Outcome::kFailure, "failure"},
    {Outcome::kIncomplete, "incomplete"},
});
static_assert(indexed_by_value(kOutcomeWords), "kOutcomeWords must follow the order of Outcome");
static_assert(static_cast<std::size_t>(Outcome::kIncomplete) + 1 == kOutcomeWords.size());

/// The vocabulary string of an outcome, e.g. "dry_run".
std::string_view to_string(Outcome outcome) noexcept;

/// Where the reasons came from.
enum class Evidence : std::uint8_t {
  kNone,           ///< nothing to judge (not a pod-spec write, or an error)
  kSpec,           ///< our own evaluation of a pod spec in the request/response body
  kPsaAnnotation,  ///< no body: Pod Security Admission's audit annotations were the evidence
  kNoBody,         ///< a pod-spec write with no body and no PSA annotation: cannot be judged
  kTruncated,      ///< the event was cut: judged on what survived (see the `details` line)
};

/// The `evidence` vocabulary (indexed by value).
inline constexpr auto kEvidenceWords = std::to_array<Word<Evidence>>({
    {Evidence::kNone, "none"},
    {Evidence::kSpec, "spec"},
    {Evidence::kPsaAnnotation, "psa_annotation"},
    {Evidence::kNoBody, "no_body"},
    {Evidence::kTruncated, "truncated"},
});
static_assert(indexed_by_value(kEvidenceWords), "kEvidenceWords must follow the order of Evidence");
static_assert(static_cast<std::size_t>(Evidence::kTruncated) + 1 == kEvidenceWords.size());

/// The vocabulary string of an evidence kind: "none", "spec", "psa_annotation", "no_body",
/// "truncated".
std::string_view to_string(Evidence evidence) noexcept;

/// Who sent the request, judged from `user` (the authenticated user, not an impersonated one).
enum class ActorKind : std::uint8_t {
  kNone,        ///< the event names no user (field absent)
  kUser,        ///< anyone who is not a Kubernetes controller
  kController,  ///< system:kube-controller-manager or
                ///< system:serviceaccount:kube-system:*-controller
};

/// The `actor_kind` vocabulary (indexed by value; kNone is written as an absent field).
inline constexpr auto kActorWords = std::to_array<Word<ActorKind>>({
    {ActorKind::kNone, ""},
    {ActorKind::kUser, "user"},
    {ActorKind::kController, "controller"},
});
static_assert(indexed_by_value(kActorWords), "kActorWords must follow the order of ActorKind");

/// The vocabulary string of an actor kind: "", "user", "controller".
std::string_view to_string(ActorKind actor) noexcept;

/// The log format the audit event came in: a plain Kubernetes audit event (EKS, files, HEC),
/// an Azure Monitor diagnostic record (AKS) or a Cloud Audit Logs entry (GKE).
enum class SourceFormat : std::uint8_t { kK8s, kAks, kGke };

/// The `source_format` vocabulary (indexed by value).
inline constexpr auto kSourceFormatWords = std::to_array<Word<SourceFormat>>({
    {SourceFormat::kK8s, "k8s"},
    {SourceFormat::kAks, "aks"},
    {SourceFormat::kGke, "gke"},
});
static_assert(indexed_by_value(kSourceFormatWords),
              "kSourceFormatWords must follow the order of SourceFormat");

/// The vocabulary string of a source format: "k8s", "aks", "gke".
std::string_view to_string(SourceFormat format) noexcept;

/// The verdict for one audit event. Plain data: the detection core fills it, the adapters print it.
struct Verdict {
  // --- detection ---
  bool privileged = false;  ///< took effect AND wrote a spec with a privileged container
  ReasonSet reasons;        ///< everything risky the request asked for, whatever its outcome
  Outcome outcome = Outcome::kNone;
  Evidence evidence = Evidence::kNone;
  std::vector<std::string> containers;  ///< names of containers that caused a reason
  std::vector<std::string> images;      ///< their images (same order, deduplicated)
  /// One line per finding, e.g. `privileged_container: initContainers[0] "setup"`,
  /// `host_path: volumes[1] "/var/run/docker.sock"`, `host_pid: spec.hostPID`.
  std::vector<std::string> details;
  std::vector<std::string> psa_violations;  ///< PSA audit-violations text, when present

  // --- what was written ---
  std::string workload_kind;  ///< Pod, Deployment, CronJob, ... (from kind or resource)
  std::string namespace_;     ///< objectRef.namespace
  std::string name;           ///< objectRef.name, or metadata.name / generateName of the body

  // --- who, from where ---
  std::string user;                      ///< user.username
  std::string impersonated_user;         ///< impersonatedUser.username, when present
  std::vector<std::string> user_groups;  ///< user.groups
  std::string src_ip;                    ///< sourceIPs[0]
  std::string user_agent;                ///< userAgent

  // --- the event itself ---
  std::string audit_id;     ///< auditID
  std::string stage;        ///< stage
  std::string verb;         ///< verb
  std::string resource;     ///< objectRef.resource
  std::string subresource;  ///< objectRef.subresource
  int response_code = 0;    ///< responseStatus.code, 0 when absent
  bool dry_run = false;     ///< dryRun=All in requestURI

  // --- whose workload, sent by whom ---
  /// The written object's metadata.ownerReferences: the controller=true reference, else the
  /// first one (e.g. ReplicaSet "web-5d4f8" for a pod a ReplicaSet created). Empty when absent.
  std::string owner_kind;
  std::string owner_name;
  ActorKind actor_kind = ActorKind::kNone;  ///< controller or user, from `user`
  SourceFormat source_format = SourceFormat::kK8s;

  /// requestURI. Not an output field: with the fields above it tells requests that share an
  /// auditID apart (kubepriv scan's alert collapse).
  std::string request_uri;

  /// Non-empty when the event could not be judged (not JSON, not an audit event): a short,
  /// human-readable reason. Every other field may then be partially filled or empty.
  std::string error;

  /// Resets to the default state, keeping allocated capacity (hot-path reuse).
  void clear() noexcept;
};

}  // namespace kubepriv::core
