#include "kubepriv/core/verdict.hpp"

#include <charconv>  // std::to_chars

#include "kubepriv/core/fields.hpp"

namespace kubepriv::core {

std::string_view to_string(Reason reason) noexcept {
  switch (reason) {
    case Reason::kPrivilegedContainer: return "privileged_container";
    case Reason::kHostPid: return "host_pid";
    case Reason::kHostIpc: return "host_ipc";
    case Reason::kHostNetwork: return "host_network";
    case Reason::kHostProcess: return "host_process";
    case Reason::kHostPath: return "host_path";
    case Reason::kDangerousCapability: return "dangerous_capability";
    case Reason::kPrivilegeEscalation: return "privilege_escalation";
    case Reason::kUnmaskedProcMount: return "unmasked_proc_mount";
    case Reason::kUnconfinedSeccomp: return "unconfined_seccomp";
    case Reason::kUnconfinedApparmor: return "unconfined_apparmor";
    case Reason::kHostPort: return "host_port";
    case Reason::kUnsafeSysctl: return "unsafe_sysctl";
    case Reason::kRunAsRoot: return "run_as_root";
  }
  return "unknown";
}

std::string_view to_string(Outcome outcome) noexcept {
  switch (outcome) {
    case Outcome::kNone: return "none";
    case Outcome::kSuccess: return "success";
    case Outcome::kDenied: return "denied";
    case Outcome::kDryRun: return "dry_run";
    case Outcome::kFailure: return "failure";
    case Outcome::kIncomplete: return "incomplete";
  }
  return "unknown";
}

std::string_view to_string(Evidence evidence) noexcept {
  switch (evidence) {
    case Evidence::kNone: return "none";
    case Evidence::kSpec: return "spec";
    case Evidence::kPsaAnnotation: return "psa_annotation";
    case Evidence::kNoBody: return "no_body";
    case Evidence::kTruncated: return "truncated";
  }
  return "unknown";
}

std::string_view to_string(SourceFormat format) noexcept {
  switch (format) {
    case SourceFormat::kK8s: return "k8s";
    case SourceFormat::kAks: return "aks";
    case SourceFormat::kGke: return "gke";
  }
  return "unknown";
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
  source_format = SourceFormat::kK8s;
  error.clear();
}

std::size_t field_index(std::string_view name) noexcept {
  for (std::size_t i = 0; i < kFields.size(); ++i) {
    if (kFields[i].name == name) return i;
  }
  return kFields.size();
}

namespace {
void push_single(std::vector<std::string_view>& out, std::string_view value) {
  if (!value.empty()) out.push_back(value);
}
void push_all(std::vector<std::string_view>& out, const std::vector<std::string>& values) {
  for (const auto& value : values) out.emplace_back(value);
}
}  // namespace

void field_values(const Verdict& v, std::size_t index, std::vector<std::string_view>& out,
                  std::string& scratch) {
  static constexpr std::string_view kZero = "0";
  static constexpr std::string_view kOne = "1";
  switch (index) {
    case 0: out.push_back(v.privileged ? kOne : kZero); break;
    case 1:
      for (int i = 0; i < kReasonCount; ++i) {
        const auto r = static_cast<Reason>(i);
        if (v.reasons.has(r)) out.push_back(to_string(r));
      }
      break;
    case 2: out.push_back(to_string(v.outcome)); break;
    case 3: out.push_back(to_string(v.evidence)); break;
    case 4: push_all(out, v.containers); break;
    case 5: push_all(out, v.images); break;
    case 6: push_all(out, v.details); break;
    case 7: push_all(out, v.psa_violations); break;
    case 8: push_single(out, v.workload_kind); break;
    case 9: push_single(out, v.namespace_); break;
    case 10: push_single(out, v.name); break;
    case 11: push_single(out, v.user); break;
    case 12: push_single(out, v.impersonated_user); break;
    case 13: push_all(out, v.user_groups); break;
    case 14: push_single(out, v.src_ip); break;
    case 15: push_single(out, v.user_agent); break;
    case 16: push_single(out, v.audit_id); break;
    case 17: push_single(out, v.stage); break;
    case 18: push_single(out, v.verb); break;
    case 19: push_single(out, v.resource); break;
    case 20: push_single(out, v.subresource); break;
    case 21:
      if (v.response_code != 0) {
        char buf[16];
        auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v.response_code);
        (void)ec;
        scratch.assign(buf, end);
        out.emplace_back(scratch);
      }
      break;
    case 22: out.push_back(v.dry_run ? kOne : kZero); break;
    case 23: push_single(out, v.error); break;
    default: break;
  }
}

}  // namespace kubepriv::core
