#pragma once
/// @file
/// The verdict: what kubepriv says about one Kubernetes audit event. This is the field contract
/// shared by `kubepriv scan`, the `kubepriv` search command, the correlation searches and the
/// dashboard. Field names and meanings are fixed by the output table in fields.hpp.

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
inline constexpr int kReasonCount = 14;

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
  kNone,        ///< not a write of a pod spec (reads, other resources, other subresources)
  kSuccess,     ///< final stage ResponseComplete and a 2xx code, not a dry run
  kDenied,      ///< 403: authorization (no body) or admission (body present)
  kDryRun,      ///< dryRun=All in the request URI
  kFailure,     ///< any other non-2xx, a Panic stage, or no response status on a final stage
  kIncomplete,  ///< a non-final stage (RequestReceived, ResponseStarted)
};

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

/// The vocabulary string of an evidence kind: "none", "spec", "psa_annotation", "no_body",
/// "truncated".
std::string_view to_string(Evidence evidence) noexcept;

/// The log format the audit event came in: a plain Kubernetes audit event (EKS, files, HEC),
/// an Azure Monitor diagnostic record (AKS) or a Cloud Audit Logs entry (GKE).
enum class SourceFormat : std::uint8_t { kK8s, kAks, kGke };

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

  /// The wrapper the event came in (k8s, aks, gke).
  SourceFormat source_format = SourceFormat::kK8s;

  /// Non-empty when the event could not be judged (not JSON, not an audit event): a short,
  /// human-readable reason. Every other field may then be partially filled or empty.
  std::string error;

  /// Resets to the default state, keeping allocated capacity (hot-path reuse).
  void clear() noexcept;
};

}  // namespace kubepriv::core
