#include "kubepriv/core/rules.hpp"

#include <algorithm>      // std::find
#include <array>          // std::array
#include <charconv>       // std::to_chars
#include <unordered_map>  // std::unordered_map
#include <unordered_set>  // std::unordered_set

#include "kubepriv/common/hex.hpp"

namespace kubepriv::core {

std::string_view to_string(ContainerKind kind) noexcept {
  switch (kind) {
    case ContainerKind::kContainer: return "containers";
    case ContainerKind::kInit: return "initContainers";
    case ContainerKind::kEphemeral: return "ephemeralContainers";
  }
  return "containers";
}

void PodSpec::clear() noexcept {
  containers.clear();
  volumes.clear();
  host_pid.reset();
  host_ipc.reset();
  host_network.reset();
  host_users.reset();
  host_process.reset();
  run_as_user.reset();
  seccomp_type.reset();
  apparmor_type.reset();
  sysctls.clear();
  annotations.clear();
}

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

// Pod-level settings that every container inherits unless it sets its own.
template <typename Field>
void attribute_inheriting(const PodSpec& spec, SpecFindings& out, Field field) {
  for (const auto& c : spec.containers) {
    if (!(c.*field).has_value()) out.attribute(c);
  }
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

// --- the rules -------------------------------------------------------------------------------

void privileged_container(const PodSpec&, const Container& c, SpecFindings& out) {
  if (c.privileged == true) {
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

void host_process_pod(const PodSpec& spec, SpecFindings& out) {
  if (spec.host_process == true) {
    out.add(Reason::kHostProcess,
            line(Reason::kHostProcess, "spec.securityContext.windowsOptions.hostProcess"), nullptr);
    attribute_inheriting(spec, out, &Container::host_process);
  }
}
void host_process_container(const PodSpec&, const Container& c, SpecFindings& out) {
  if (c.host_process == true) {
    out.add(Reason::kHostProcess,
            line(Reason::kHostProcess, concat({label(c), " windowsOptions.hostProcess"})), &c);
  }
}

void host_path(const PodSpec& spec, SpecFindings& out) {
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
  for (const auto& cap : c.capabilities_add) {
    if (!is_baseline_capability(cap)) {
      out.add(Reason::kDangerousCapability,
              line(Reason::kDangerousCapability, concat({label(c), " adds ", quote(cap)})), &c);
    }
  }
}

void privilege_escalation(const PodSpec&, const Container& c, SpecFindings& out) {
  if (c.allow_privilege_escalation == true) {
    out.add(
        Reason::kPrivilegeEscalation,
        line(Reason::kPrivilegeEscalation, concat({label(c), " allowPrivilegeEscalation=true"})),
        &c);
  }
}

void unmasked_proc_mount(const PodSpec& spec, const Container& c, SpecFindings& out) {
  // PSA (1.35+) allows any procMount in a user namespace (hostUsers: false).
  if (c.proc_mount && *c.proc_mount != "Default" && spec.host_users != false) {
    out.add(
        Reason::kUnmaskedProcMount,
        line(Reason::kUnmaskedProcMount, concat({label(c), " procMount ", quote(*c.proc_mount)})),
        &c);
  }
}

bool seccomp_unconfined(const std::optional<std::string>& type) {
  return type && *type == "Unconfined";
}
void seccomp_pod(const PodSpec& spec, SpecFindings& out) {
  if (seccomp_unconfined(spec.seccomp_type)) {
    out.add(Reason::kUnconfinedSeccomp,
            line(Reason::kUnconfinedSeccomp,
                 concat({"spec.securityContext.seccompProfile.type ", quote(*spec.seccomp_type)})),
            nullptr);
    attribute_inheriting(spec, out, &Container::seccomp_type);
  }
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
void seccomp_container(const PodSpec&, const Container& c, SpecFindings& out) {
  if (seccomp_unconfined(c.seccomp_type)) {
    out.add(Reason::kUnconfinedSeccomp,
            line(Reason::kUnconfinedSeccomp,
                 concat({label(c), " seccompProfile.type ", quote(*c.seccomp_type)})),
            &c);
  }
}

// PSA baseline allows only RuntimeDefault and Localhost (or no profile).
bool apparmor_forbidden(const std::optional<std::string>& type) {
  return type && *type != "RuntimeDefault" && *type != "Localhost";
}
void apparmor_pod(const PodSpec& spec, SpecFindings& out) {
  if (apparmor_forbidden(spec.apparmor_type)) {
    out.add(Reason::kUnconfinedApparmor,
            line(Reason::kUnconfinedApparmor, concat({"spec.securityContext.appArmorProfile.type ",
                                                      quote(*spec.apparmor_type)})),
            nullptr);
    attribute_inheriting(spec, out, &Container::apparmor_type);
  }
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
void apparmor_container(const PodSpec&, const Container& c, SpecFindings& out) {
  if (apparmor_forbidden(c.apparmor_type)) {
    out.add(Reason::kUnconfinedApparmor,
            line(Reason::kUnconfinedApparmor,
                 concat({label(c), " appArmorProfile.type ", quote(*c.apparmor_type)})),
            &c);
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
  for (const auto& name : spec.sysctls) {
    if (!is_safe_sysctl(name)) {
      out.add(Reason::kUnsafeSysctl,
              line(Reason::kUnsafeSysctl, concat({"spec.securityContext.sysctls ", quote(name)})),
              nullptr);
      any = true;
    }
  }
  if (any) attribute_all(spec, out);
}

void run_as_root_pod(const PodSpec& spec, SpecFindings& out) {
  if (spec.run_as_user == 0) {
    out.add(Reason::kRunAsRoot, line(Reason::kRunAsRoot, "spec.securityContext.runAsUser 0"),
            nullptr);
    attribute_inheriting(spec, out, &Container::run_as_user);
  }
}
void run_as_root_container(const PodSpec&, const Container& c, SpecFindings& out) {
  if (c.run_as_user == 0) {
    out.add(Reason::kRunAsRoot, line(Reason::kRunAsRoot, concat({label(c), " runAsUser 0"})), &c);
  }
}

constexpr std::array<Rule, kReasonCount> kRules{{
    {Reason::kPrivilegedContainer, "a container sets securityContext.privileged: true", nullptr,
     privileged_container},
    {Reason::kHostPid, "spec.hostPID: true", host_pid, nullptr},
    {Reason::kHostIpc, "spec.hostIPC: true", host_ipc, nullptr},
    {Reason::kHostNetwork, "spec.hostNetwork: true", host_network, nullptr},
    {Reason::kHostProcess, "windowsOptions.hostProcess: true (pod or container)", host_process_pod,
     host_process_container},
    {Reason::kHostPath, "any hostPath volume", host_path, nullptr},
    {Reason::kDangerousCapability, "capabilities.add outside the PSS baseline set", nullptr,
     dangerous_capability},
    {Reason::kPrivilegeEscalation, "allowPrivilegeEscalation: true, set explicitly", nullptr,
     privilege_escalation},
    {Reason::kUnmaskedProcMount, "procMount other than Default (unless hostUsers: false)", nullptr,
     unmasked_proc_mount},
    {Reason::kUnconfinedSeccomp, "seccompProfile.type Unconfined, or legacy annotation",
     seccomp_pod, seccomp_container},
    {Reason::kUnconfinedApparmor,
     "appArmorProfile.type other than RuntimeDefault/Localhost, or legacy annotation", apparmor_pod,
     apparmor_container},
    {Reason::kHostPort, "a container port with a non-zero hostPort", nullptr, host_port},
    {Reason::kUnsafeSysctl, "a sysctl outside PSA's safe set", unsafe_sysctl, nullptr},
    {Reason::kRunAsRoot, "runAsUser: 0, set explicitly (pod or container)", run_as_root_pod,
     run_as_root_container},
}};

constexpr std::array<std::string_view, 13> kBaselineCapabilities{
    "AUDIT_WRITE",      "CHOWN",   "DAC_OVERRIDE", "FOWNER",  "FSETID", "KILL",      "MKNOD",
    "NET_BIND_SERVICE", "SETFCAP", "SETGID",       "SETPCAP", "SETUID", "SYS_CHROOT"};

constexpr std::array<std::string_view, 12> kSafeSysctls{"kernel.shm_rmid_forced",
                                                        "net.ipv4.ip_local_port_range",
                                                        "net.ipv4.tcp_syncookies",
                                                        "net.ipv4.ping_group_range",
                                                        "net.ipv4.ip_unprivileged_port_start",
                                                        "net.ipv4.ip_local_reserved_ports",
                                                        "net.ipv4.tcp_keepalive_time",
                                                        "net.ipv4.tcp_fin_timeout",
                                                        "net.ipv4.tcp_keepalive_intvl",
                                                        "net.ipv4.tcp_keepalive_probes",
                                                        "net.ipv4.tcp_rmem",
                                                        "net.ipv4.tcp_wmem"};

// Union of Falco's "Create Sensitive Mount Pod" and Elastic's lists (detection.md §5).
constexpr std::array<std::string_view, 17> kSensitivePaths{
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
};

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
