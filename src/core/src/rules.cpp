#include "kubepriv/core/rules.hpp"

#include <algorithm>      // std::find
#include <array>          // std::array, std::to_array
#include <charconv>       // std::to_chars
#include <optional>       // std::optional
#include <unordered_map>  // std::unordered_map
#include <unordered_set>  // std::unordered_set

#include "kubepriv/common/hex.hpp"

namespace kubepriv::core {

namespace {

// Appends when new; false when the list is full (kMaxListed).
bool push_unique(std::vector<std::string>& list, std::string_view value) {
  if (value.empty()) return true;
  if (std::find(list.begin(), list.end(), value) != list.end()) return true;
  if (list.size() >= kMaxListed) return false;
  list.emplace_back(value);
  return true;
}

std::string number(std::int64_t n) {
  std::array<char, 24> buf{};
  auto [end, ec] = std::to_chars(buf.data(), buf.data() + buf.size(), n);
  (void)ec;
  return std::string(buf.data(), end);
}

// `containers[1] "mysql"`: where the container sits in the body, and its name when written.
std::string label(const Container& c) {
  std::string out(to_string(c.kind));
  out += '[';
  out += number(static_cast<std::int64_t>(c.index));
  out += ']';
  if (!c.name.empty()) {
    out += ' ';
    out += quote(c.name);
  }
  return out;
}

std::string line(Reason r, std::string_view what) {
  std::string out(to_string(r));
  out += ": ";
  out += what;
  return out;
}

void attribute_all(const PodSpec& spec, SpecFindings& out) {
  for (const auto& c : spec.containers) out.attribute(c);
}

// Container by name, for per-container annotations; built on first use (linear overall).
class NameIndex {
 public:
  const Container* find(const PodSpec& spec, std::string_view name) {
    if (name.empty()) return nullptr;
    if (!built_) {
      for (const auto& c : spec.containers) {
        if (!c.name.empty()) index_.emplace(c.name, &c);
      }
      built_ = true;
    }
    const auto it = index_.find(name);
    return it == index_.end() ? nullptr : it->second;
  }

 private:
  bool built_ = false;
  std::unordered_map<std::string_view, const Container*> index_;
};

// --- settings both securityContext levels share ---------------------------------------------
//
// Each one is a SecurityContext field with one judgement, written once for both levels: `finding`
// says what is wrong with a value (`seccompProfile.type "Unconfined"`) or returns nothing. At the
// pod level (`pod_setting`) the finding reads `spec.securityContext.<finding>` and counts for
// every container that does not set the field itself; at the container level
// (`container_setting`) it reads `<container label> <finding>` and counts for that container.

struct HostProcess {
  static constexpr Reason kReason = Reason::kHostProcess;
  static constexpr auto kField = &SecurityContext::host_process;
  static std::optional<std::string> finding(const std::optional<bool>& v) {
    if (v != true) return std::nullopt;
    return "windowsOptions.hostProcess";
  }
};

struct Seccomp {
  static constexpr Reason kReason = Reason::kUnconfinedSeccomp;
  static constexpr auto kField = &SecurityContext::seccomp_type;
  static std::optional<std::string> finding(const std::optional<std::string>& type) {
    if (!type || *type != "Unconfined") return std::nullopt;
    return concat({"seccompProfile.type ", quote(*type)});
  }
};

// PSA baseline allows only RuntimeDefault and Localhost (or no profile).
struct Apparmor {
  static constexpr Reason kReason = Reason::kUnconfinedApparmor;
  static constexpr auto kField = &SecurityContext::apparmor_type;
  static std::optional<std::string> finding(const std::optional<std::string>& type) {
    if (!type || *type == "RuntimeDefault" || *type == "Localhost") return std::nullopt;
    return concat({"appArmorProfile.type ", quote(*type)});
  }
};

struct RunAsRoot {
  static constexpr Reason kReason = Reason::kRunAsRoot;
  static constexpr auto kField = &SecurityContext::run_as_user;
  static std::optional<std::string> finding(const std::optional<std::int64_t>& uid) {
    if (uid != 0) return std::nullopt;
    return "runAsUser 0";
  }
};

template <typename Setting>
void pod_setting(const PodSpec& spec, SpecFindings& out) {
  const auto what = Setting::finding(spec.security.*Setting::kField);
  if (!what) return;
  out.add(Setting::kReason, line(Setting::kReason, concat({"spec.securityContext.", *what})),
          nullptr);
  for (const auto& c : spec.containers) {
    if (!(c.security.*Setting::kField).has_value()) out.attribute(c);
  }
}

template <typename Setting>
void container_setting(const PodSpec&, const Container& c, SpecFindings& out) {
  if (const auto what = Setting::finding(c.security.*Setting::kField)) {
    out.add(Setting::kReason, line(Setting::kReason, concat({label(c), " ", *what})), &c);
  }
}

// --- the rules -------------------------------------------------------------------------------

void privileged_container(const PodSpec&, const Container& c, SpecFindings& out) {
  if (c.security.privileged == true) {
    out.privileged = true;
    out.add(Reason::kPrivilegedContainer, line(Reason::kPrivilegedContainer, label(c)), &c);
  }
}

void host_namespace(const PodSpec& spec, SpecFindings& out, const std::optional<bool>& field,
                    Reason r, std::string_view path) {
  if (field == true) {
    out.add(r, line(r, path), nullptr);
    attribute_all(spec, out);
  }
}
void host_pid(const PodSpec& s, SpecFindings& o) {
  host_namespace(s, o, s.host_pid, Reason::kHostPid, "spec.hostPID");
}
void host_ipc(const PodSpec& s, SpecFindings& o) {
  host_namespace(s, o, s.host_ipc, Reason::kHostIpc, "spec.hostIPC");
}
void host_network(const PodSpec& s, SpecFindings& o) {
  host_namespace(s, o, s.host_network, Reason::kHostNetwork, "spec.hostNetwork");
}

void host_path(const PodSpec& spec, SpecFindings& out) {
  if (spec.volumes.empty()) return;  // most pods: no hash set to build and drop
  std::unordered_set<std::string_view> names;
  for (const auto& v : spec.volumes) {
    if (!v.has_host_path) continue;
    std::string what =
        concat({"volumes[", number(static_cast<std::int64_t>(v.index)), "] ", quote(v.host_path)});
    const std::string normal = normalize_host_path(v.host_path);
    if (normal != v.host_path) what += concat({" = ", quote(normal)});
    if (is_sensitive_host_path(normal)) what += " (sensitive)";
    out.add(Reason::kHostPath, line(Reason::kHostPath, what), nullptr);
    if (!v.name.empty()) names.insert(v.name);
  }
  if (names.empty()) return;
  // The containers that mount one are the ones that can reach the host's files.
  for (const auto& c : spec.containers) {
    for (const auto& m : c.volume_mounts) {
      if (names.contains(m)) {
        out.attribute(c);
        break;
      }
    }
  }
}

void dangerous_capability(const PodSpec&, const Container& c, SpecFindings& out) {
  for (const auto& cap : c.security.capabilities_add) {
    if (!is_baseline_capability(cap)) {
      out.add(Reason::kDangerousCapability,
              line(Reason::kDangerousCapability, concat({label(c), " adds ", quote(cap)})), &c);
    }
  }
}

void privilege_escalation(const PodSpec&, const Container& c, SpecFindings& out) {
  if (c.security.allow_privilege_escalation == true) {
    out.add(
        Reason::kPrivilegeEscalation,
        line(Reason::kPrivilegeEscalation, concat({label(c), " allowPrivilegeEscalation=true"})),
        &c);
  }
}

void unmasked_proc_mount(const PodSpec& spec, const Container& c, SpecFindings& out) {
  // PSA (1.35+) allows any procMount in a user namespace (hostUsers: false).
  const auto& proc_mount = c.security.proc_mount;
  if (proc_mount && *proc_mount != "Default" && spec.host_users != false) {
    out.add(Reason::kUnmaskedProcMount,
            line(Reason::kUnmaskedProcMount, concat({label(c), " procMount ", quote(*proc_mount)})),
            &c);
  }
}

// spec.securityContext.seccompProfile (the shared setting), then the pod's legacy annotations.
void seccomp_pod(const PodSpec& spec, SpecFindings& out) {
  pod_setting<Seccomp>(spec, out);
  if (spec.annotations.empty()) return;  // most pods: no index to build and drop
  NameIndex by_name;
  static constexpr std::string_view kPod = "seccomp.security.alpha.kubernetes.io/pod";
  static constexpr std::string_view kContainer = "container.seccomp.security.alpha.kubernetes.io/";
  for (const auto& [key, value] : spec.annotations) {
    const bool pod = key == kPod;
    const bool container = key.starts_with(kContainer);
    if ((pod || container) && value == "unconfined") {
      out.add(
          Reason::kUnconfinedSeccomp,
          line(Reason::kUnconfinedSeccomp, concat({"annotation ", quote(key), " ", quote(value)})),
          nullptr);
      if (pod) {
        attribute_all(spec, out);
      } else if (const Container* c = by_name.find(spec, key.substr(kContainer.size()))) {
        out.attribute(*c);
      }
    }
  }
}
// spec.securityContext.appArmorProfile (the shared setting), then the pod's legacy annotations.
void apparmor_pod(const PodSpec& spec, SpecFindings& out) {
  pod_setting<Apparmor>(spec, out);
  if (spec.annotations.empty()) return;
  NameIndex by_name;
  static constexpr std::string_view kPrefix = "container.apparmor.security.beta.kubernetes.io/";
  for (const auto& [key, value] : spec.annotations) {
    if (!key.starts_with(kPrefix)) continue;
    if (value.empty() || value == "runtime/default" || value.starts_with("localhost/")) continue;
    out.add(
        Reason::kUnconfinedApparmor,
        line(Reason::kUnconfinedApparmor, concat({"annotation ", quote(key), " ", quote(value)})),
        nullptr);
    if (const Container* c = by_name.find(spec, key.substr(kPrefix.size()))) out.attribute(*c);
  }
}
void host_port(const PodSpec&, const Container& c, SpecFindings& out) {
  for (const auto port : c.host_ports) {
    if (port != 0) {
      out.add(Reason::kHostPort,
              line(Reason::kHostPort, concat({label(c), " hostPort ", number(port)})), &c);
    }
  }
}

void unsafe_sysctl(const PodSpec& spec, SpecFindings& out) {
  bool any = false;
  for (const auto& name : spec.security.sysctls) {
    if (!is_safe_sysctl(name)) {
      out.add(Reason::kUnsafeSysctl,
              line(Reason::kUnsafeSysctl, concat({"spec.securityContext.sysctls ", quote(name)})),
              nullptr);
      any = true;
    }
  }
  if (any) attribute_all(spec, out);
}

constexpr auto kRules = std::to_array<Rule>({
    {Reason::kPrivilegedContainer, "a container sets securityContext.privileged: true", nullptr,
     privileged_container},
    {Reason::kHostPid, "spec.hostPID: true", host_pid, nullptr},
    {Reason::kHostIpc, "spec.hostIPC: true", host_ipc, nullptr},
    {Reason::kHostNetwork, "spec.hostNetwork: true", host_network, nullptr},
    {Reason::kHostProcess, "windowsOptions.hostProcess: true (pod or container)",
     pod_setting<HostProcess>, container_setting<HostProcess>},
    {Reason::kHostPath, "any hostPath volume", host_path, nullptr},
    {Reason::kDangerousCapability, "capabilities.add outside the PSS baseline set", nullptr,
     dangerous_capability},
    {Reason::kPrivilegeEscalation, "allowPrivilegeEscalation: true, set explicitly", nullptr,
     privilege_escalation},
    {Reason::kUnmaskedProcMount, "procMount other than Default (unless hostUsers: false)", nullptr,
     unmasked_proc_mount},
    {Reason::kUnconfinedSeccomp, "seccompProfile.type Unconfined, or legacy annotation",
     seccomp_pod, container_setting<Seccomp>},
    {Reason::kUnconfinedApparmor,
     "appArmorProfile.type other than RuntimeDefault/Localhost, or legacy annotation", apparmor_pod,
     container_setting<Apparmor>},
    {Reason::kHostPort, "a container port with a non-zero hostPort", nullptr, host_port},
    {Reason::kUnsafeSysctl, "a sysctl outside PSA's safe set", unsafe_sysctl, nullptr},
    {Reason::kRunAsRoot, "runAsUser: 0, set explicitly (pod or container)", pod_setting<RunAsRoot>,
     container_setting<RunAsRoot>},
});

constexpr bool in_reason_order() noexcept {
  for (std::size_t i = 0; i < kRules.size(); ++i) {
    if (static_cast<std::size_t>(kRules[i].reason) != i) return false;
  }
  return true;
}
static_assert(kRules.size() == static_cast<std::size_t>(kReasonCount), "one rule per Reason");
static_assert(in_reason_order(), "kRules must follow the order of Reason");

constexpr auto kBaselineCapabilities = std::to_array<std::string_view>(
    {"AUDIT_WRITE", "CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "KILL", "MKNOD",
     "NET_BIND_SERVICE", "SETFCAP", "SETGID", "SETPCAP", "SETUID", "SYS_CHROOT"});

constexpr auto kSafeSysctls = std::to_array<std::string_view>(
    {"kernel.shm_rmid_forced", "net.ipv4.ip_local_port_range", "net.ipv4.tcp_syncookies",
     "net.ipv4.ping_group_range", "net.ipv4.ip_unprivileged_port_start",
     "net.ipv4.ip_local_reserved_ports", "net.ipv4.tcp_keepalive_time", "net.ipv4.tcp_fin_timeout",
     "net.ipv4.tcp_keepalive_intvl", "net.ipv4.tcp_keepalive_probes", "net.ipv4.tcp_rmem",
     "net.ipv4.tcp_wmem"});

// Union of Falco's "Create Sensitive Mount Pod" and Elastic's lists (detection.md §5).
constexpr auto kSensitivePaths = std::to_array<std::string_view>({
    "/",
    "/proc",
    "/root",
    "/var",
    "/var/run",
    "/var/run/docker.sock",
    "/var/run/crio/crio.sock",
    "/var/run/cri-dockerd.sock",
    "/run/containerd/containerd.sock",
    "/var/lib/kubelet",
    "/var/lib/kubelet/pki",
    "/var/lib/docker/overlay2",
    "/etc",
    "/etc/kubernetes",
    "/etc/kubernetes/manifests",
    "/etc/kubernetes/pki",
    "/home/admin",
});

template <std::size_t N>
bool contains(const std::array<std::string_view, N>& set, std::string_view s) noexcept {
  return std::find(set.begin(), set.end(), s) != set.end();
}

}  // namespace

std::span<const Rule> rules() noexcept {
  return kRules;
}

void evaluate_spec(const PodSpec& spec, SpecScope scope, SpecFindings& out) {
  for (const Rule& rule : kRules) {
    if (rule.check_pod != nullptr && scope == SpecScope::kWholePod) rule.check_pod(spec, out);
    if (rule.check_container == nullptr) continue;
    for (const auto& c : spec.containers) {
      if (scope == SpecScope::kEphemeralOnly && c.kind != ContainerKind::kEphemeral) continue;
      rule.check_container(spec, c, out);
    }
  }
}

void SpecFindings::add(Reason reason, std::string detail, const Container* c) {
  reasons.add(reason);
  if (std::find(details.begin(), details.end(), detail) == details.end()) {
    if (details.size() < kMaxListed) {
      details.push_back(std::move(detail));
    } else {
      truncated = true;
    }
  }
  if (c != nullptr) attribute(*c);
}

void SpecFindings::attribute(const Container& c) {
  if (containers.size() >= kMaxListed && images.size() >= kMaxListed) {
    truncated = true;
    return;
  }
  const bool ok =
      c.name.empty() ? push_unique(containers, label(c)) : push_unique(containers, c.name);
  if (!ok || !push_unique(images, c.image)) truncated = true;
}

void SpecFindings::merge(const SpecFindings& other) {
  reasons |= other.reasons;
  privileged = privileged || other.privileged;
  truncated = truncated || other.truncated;
  for (const auto& d : other.details) truncated = !push_unique(details, d) || truncated;
  for (const auto& c : other.containers) truncated = !push_unique(containers, c) || truncated;
  for (const auto& i : other.images) truncated = !push_unique(images, i) || truncated;
}

void SpecFindings::clear() noexcept {
  reasons = ReasonSet{};
  truncated = false;
  privileged = false;
  details.clear();
  containers.clear();
  images.clear();
}

bool is_baseline_capability(std::string_view cap) noexcept {
  return contains(kBaselineCapabilities, cap);
}

bool is_safe_sysctl(std::string_view name) noexcept {
  return contains(kSafeSysctls, name);
}

bool is_sensitive_host_path(std::string_view normalized) noexcept {
  return contains(kSensitivePaths, normalized);
}

std::string normalize_host_path(std::string_view path) {
  const bool absolute = path.starts_with('/');
  std::vector<std::string_view> parts;
  std::size_t i = 0;
  while (i <= path.size()) {
    const std::size_t j = std::min(path.find('/', i), path.size());
    const std::string_view seg = path.substr(i, j - i);
    if (seg.empty() || seg == ".") {
      // `//` and `.` vanish
    } else if (seg == "..") {
      if (!parts.empty() && parts.back() != "..") {
        parts.pop_back();
      } else if (!absolute) {
        parts.push_back(seg);
      }  // `/..` is `/`
    } else {
      parts.push_back(seg);
    }
    i = j + 1;
  }
  std::string out;
  for (const auto& p : parts) {
    if (absolute || !out.empty()) out += '/';
    out += p;
  }
  if (out.empty() && !path.empty()) out.push_back(absolute ? '/' : '.');
  return out;
}

std::string concat(std::initializer_list<std::string_view> pieces) {
  std::size_t n = 0;
  for (const auto p : pieces) n += p.size();
  std::string out;
  out.reserve(n);
  for (const auto p : pieces) out.append(p);
  return out;
}

std::string quote(std::string_view text) {
  std::string out;
  out.reserve(text.size() + 2);
  out += '"';
  for (const char ch : text) {
    const auto u = static_cast<unsigned char>(ch);
    if (ch == '"' || ch == '\\') {
      out += '\\';
      out += ch;
    } else if (u < 0x20 || u == 0x7f) {
      out += "\\x";
      common::append_hex_byte(out, u, common::HexCase::kLower);
    } else {
      out += ch;
    }
  }
  out += '"';
  return out;
}

}  // namespace kubepriv::core
