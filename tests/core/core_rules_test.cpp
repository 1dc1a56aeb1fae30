// The rules over a PodSpec model: one test per reason plus the helper sets.
#include <gtest/gtest.h>

#include <algorithm>

#include "kubepriv/core/rules.hpp"

namespace kubepriv::core {
namespace {

Container container(std::string name, ContainerKind kind = ContainerKind::kContainer,
                    std::size_t index = 0) {
  Container c;
  c.name = std::move(name);
  c.image = c.name + ":1";
  c.kind = kind;
  c.index = index;
  return c;
}

SpecFindings run(const PodSpec& spec, SpecScope scope = SpecScope::kWholePod) {
  SpecFindings f;
  evaluate_spec(spec, scope, f);
  return f;
}

bool has_detail(const SpecFindings& f, std::string_view d) {
  return std::find(f.details.begin(), f.details.end(), d) != f.details.end();
}

TEST(Rules, EmptySpecHasNoFindings) {
  PodSpec spec;
  spec.containers.push_back(container("app"));
  const auto f = run(spec);
  EXPECT_TRUE(f.reasons.empty());
  EXPECT_FALSE(f.privileged);
  EXPECT_TRUE(f.details.empty());
  EXPECT_TRUE(f.containers.empty());
}

TEST(Rules, TableIsInReasonOrderAndComplete) {
  const auto table = rules();
  ASSERT_EQ(table.size(), static_cast<std::size_t>(kReasonCount));
  for (std::size_t i = 0; i < table.size(); ++i) {
    EXPECT_EQ(static_cast<std::size_t>(table[i].reason), i);
    EXPECT_TRUE(table[i].check_pod != nullptr || table[i].check_container != nullptr);
    EXPECT_FALSE(table[i].summary.empty());
  }
}

TEST(Rules, PrivilegedInEveryContainerKind) {
  for (auto kind : {ContainerKind::kContainer, ContainerKind::kInit, ContainerKind::kEphemeral}) {
    PodSpec spec;
    spec.containers.push_back(container("ok"));
    auto c = container("bad", kind, 1);
    c.security.privileged = true;
    spec.containers.push_back(c);
    const auto f = run(spec);
    EXPECT_TRUE(f.privileged);
    EXPECT_TRUE(f.reasons.has(Reason::kPrivilegedContainer));
    EXPECT_EQ(f.containers, std::vector<std::string>{"bad"});
    EXPECT_EQ(f.images, std::vector<std::string>{"bad:1"});
    EXPECT_TRUE(
        has_detail(f, "privileged_container: " + std::string(to_string(kind)) + "[1] \"bad\""));
  }
}

TEST(Rules, PrivilegedFalseIsNothing) {
  PodSpec spec;
  auto c = container("app");
  c.security.privileged = false;
  spec.containers.push_back(c);
  EXPECT_FALSE(run(spec).privileged);
}

TEST(Rules, UnnamedContainerIsLabelledByPosition) {
  PodSpec spec;
  Container c;
  c.index = 3;
  c.security.privileged = true;
  spec.containers.push_back(c);
  const auto f = run(spec);
  EXPECT_EQ(f.containers, std::vector<std::string>{"containers[3]"});
  EXPECT_TRUE(f.images.empty());
}

TEST(Rules, HostNamespaces) {
  PodSpec spec;
  spec.containers.push_back(container("a"));
  spec.host_pid = true;
  spec.host_ipc = false;
  spec.host_network = true;
  const auto f = run(spec);
  EXPECT_TRUE(f.reasons.has(Reason::kHostPid));
  EXPECT_FALSE(f.reasons.has(Reason::kHostIpc));
  EXPECT_TRUE(f.reasons.has(Reason::kHostNetwork));
  EXPECT_FALSE(f.privileged);
  EXPECT_TRUE(has_detail(f, "host_pid: spec.hostPID"));
  EXPECT_TRUE(has_detail(f, "host_network: spec.hostNetwork"));
  EXPECT_EQ(f.containers, std::vector<std::string>{"a"});  // every container shares them
  spec.host_ipc = true;
  EXPECT_TRUE(run(spec).reasons.has(Reason::kHostIpc));
}

TEST(Rules, HostProcessPodAndContainer) {
  PodSpec spec;
  auto a = container("a");
  auto b = container("b", ContainerKind::kContainer, 1);
  b.security.host_process = false;
  spec.containers = {a, b};
  spec.security.host_process = true;
  auto f = run(spec);
  EXPECT_TRUE(f.reasons.has(Reason::kHostProcess));
  EXPECT_EQ(f.containers, std::vector<std::string>{"a"});  // b overrides the pod setting
  spec.security.host_process.reset();
  spec.containers[1].security.host_process = true;
  f = run(spec);
  EXPECT_TRUE(f.reasons.has(Reason::kHostProcess));
  EXPECT_EQ(f.containers, std::vector<std::string>{"b"});
}

TEST(Rules, HostPathAnyPathNormalisedAndMountingContainers) {
  PodSpec spec;
  auto a = container("a");
  auto b = container("b", ContainerKind::kContainer, 1);
  b.volume_mounts = {"host-etc"};
  spec.containers = {a, b};
  Volume v;
  v.index = 2;
  v.name = "host-etc";
  v.has_host_path = true;
  v.host_path = "/etc//kubernetes/./";
  spec.volumes.push_back(v);
  const auto f = run(spec);
  EXPECT_TRUE(f.reasons.has(Reason::kHostPath));
  EXPECT_TRUE(has_detail(f,
                         "host_path: volumes[2] \"/etc//kubernetes/./\" = \"/etc/kubernetes\" "
                         "(sensitive)"))
      << f.details.front();
  EXPECT_EQ(f.containers, std::vector<std::string>{"b"});

  PodSpec harmless;
  Volume w;
  w.name = "data";
  w.has_host_path = true;
  w.host_path = "/usr/local";
  harmless.volumes.push_back(w);
  const auto g = run(harmless);
  EXPECT_TRUE(g.reasons.has(Reason::kHostPath));  // PSS baseline: any hostPath
  EXPECT_TRUE(has_detail(g, "host_path: volumes[0] \"/usr/local\""));
}

TEST(Rules, DangerousCapabilityExactCompare) {
  PodSpec spec;
  auto c = container("a");
  c.security.capabilities_add = {"CHOWN", "NET_BIND_SERVICE", "SYS_ADMIN",
                                 "ALL",   "CAP_CHOWN",        "chown"};
  spec.containers.push_back(c);
  const auto f = run(spec);
  EXPECT_TRUE(f.reasons.has(Reason::kDangerousCapability));
  EXPECT_TRUE(has_detail(f, "dangerous_capability: containers[0] \"a\" adds \"SYS_ADMIN\""));
  EXPECT_TRUE(has_detail(f, "dangerous_capability: containers[0] \"a\" adds \"ALL\""));
  EXPECT_TRUE(has_detail(f, "dangerous_capability: containers[0] \"a\" adds \"CAP_CHOWN\""));
  EXPECT_TRUE(has_detail(f, "dangerous_capability: containers[0] \"a\" adds \"chown\""));
  EXPECT_FALSE(has_detail(f, "dangerous_capability: containers[0] \"a\" adds \"CHOWN\""));
  EXPECT_EQ(f.details.size(), 4U);

  PodSpec ok;
  auto d = container("d");
  d.security.capabilities_add = {"NET_BIND_SERVICE", "KILL", "SYS_CHROOT"};
  ok.containers.push_back(d);
  EXPECT_TRUE(run(ok).reasons.empty());
}

TEST(Rules, PrivilegeEscalationOnlyWhenTrue) {
  PodSpec spec;
  auto c = container("a");
  c.security.allow_privilege_escalation = false;
  spec.containers.push_back(c);
  EXPECT_TRUE(run(spec).reasons.empty());
  spec.containers[0].security.allow_privilege_escalation = true;
  EXPECT_TRUE(run(spec).reasons.has(Reason::kPrivilegeEscalation));
}

TEST(Rules, ProcMount) {
  PodSpec spec;
  auto c = container("a");
  c.security.proc_mount = "Default";
  spec.containers.push_back(c);
  EXPECT_TRUE(run(spec).reasons.empty());
  spec.containers[0].security.proc_mount = "Unmasked";
  EXPECT_TRUE(run(spec).reasons.has(Reason::kUnmaskedProcMount));
  spec.host_users = false;  // user namespace: PSA allows it
  EXPECT_FALSE(run(spec).reasons.has(Reason::kUnmaskedProcMount));
}

TEST(Rules, Seccomp) {
  PodSpec spec;
  spec.containers.push_back(container("a"));
  spec.security.seccomp_type = "RuntimeDefault";
  EXPECT_TRUE(run(spec).reasons.empty());
  spec.security.seccomp_type = "Unconfined";
  auto f = run(spec);
  EXPECT_TRUE(f.reasons.has(Reason::kUnconfinedSeccomp));
  EXPECT_TRUE(has_detail(f,
                         "unconfined_seccomp: spec.securityContext.seccompProfile.type "
                         "\"Unconfined\""));
  spec.security.seccomp_type.reset();
  spec.containers[0].security.seccomp_type = "Unconfined";
  EXPECT_TRUE(run(spec).reasons.has(Reason::kUnconfinedSeccomp));
  spec.containers[0].security.seccomp_type.reset();
  spec.annotations = {{"container.seccomp.security.alpha.kubernetes.io/a", "unconfined"}};
  f = run(spec);
  EXPECT_TRUE(f.reasons.has(Reason::kUnconfinedSeccomp));
  EXPECT_EQ(f.containers, std::vector<std::string>{"a"});
  spec.annotations = {{"seccomp.security.alpha.kubernetes.io/pod", "runtime/default"}};
  EXPECT_TRUE(run(spec).reasons.empty());
}

TEST(Rules, AppArmor) {
  PodSpec spec;
  spec.containers.push_back(container("a"));
  spec.security.apparmor_type = "Localhost";
  EXPECT_TRUE(run(spec).reasons.empty());
  spec.security.apparmor_type = "Unconfined";
  EXPECT_TRUE(run(spec).reasons.has(Reason::kUnconfinedApparmor));
  spec.security.apparmor_type.reset();
  spec.containers[0].security.apparmor_type = "Unconfined";
  EXPECT_TRUE(run(spec).reasons.has(Reason::kUnconfinedApparmor));
  spec.containers[0].security.apparmor_type.reset();
  spec.annotations = {{"container.apparmor.security.beta.kubernetes.io/a", "localhost/prof"}};
  EXPECT_TRUE(run(spec).reasons.empty());
  spec.annotations = {{"container.apparmor.security.beta.kubernetes.io/a", "unconfined"}};
  const auto f = run(spec);
  EXPECT_TRUE(f.reasons.has(Reason::kUnconfinedApparmor));
  EXPECT_EQ(f.containers, std::vector<std::string>{"a"});
}

TEST(Rules, HostPortNonZero) {
  PodSpec spec;
  auto c = container("a");
  c.host_ports = {0};
  spec.containers.push_back(c);
  EXPECT_TRUE(run(spec).reasons.empty());
  spec.containers[0].host_ports = {0, 8080};
  const auto f = run(spec);
  EXPECT_TRUE(f.reasons.has(Reason::kHostPort));
  EXPECT_TRUE(has_detail(f, "host_port: containers[0] \"a\" hostPort 8080"));
}

TEST(Rules, Sysctls) {
  PodSpec spec;
  spec.security.sysctls = {"net.ipv4.ip_local_port_range", "kernel.shm_rmid_forced"};
  EXPECT_TRUE(run(spec).reasons.empty());
  spec.security.sysctls.push_back("kernel.msgmax");
  const auto f = run(spec);
  EXPECT_TRUE(f.reasons.has(Reason::kUnsafeSysctl));
  EXPECT_TRUE(has_detail(f, "unsafe_sysctl: spec.securityContext.sysctls \"kernel.msgmax\""));
  EXPECT_EQ(f.details.size(), 1U);
}

TEST(Rules, RunAsRootExplicitZeroOnly) {
  PodSpec spec;
  auto c = container("a");
  c.security.run_as_user = 1000;
  spec.containers.push_back(c);
  EXPECT_TRUE(run(spec).reasons.empty());
  spec.security.run_as_user = 0;
  auto f = run(spec);
  EXPECT_TRUE(f.reasons.has(Reason::kRunAsRoot));
  EXPECT_TRUE(f.containers.empty());  // the only container overrides it
  spec.security.run_as_user.reset();
  spec.containers[0].security.run_as_user = 0;
  f = run(spec);
  EXPECT_TRUE(f.reasons.has(Reason::kRunAsRoot));
  EXPECT_EQ(f.containers, std::vector<std::string>{"a"});
}

// The settings pod and container securityContexts share are judged once for both levels: the same
// finding, labelled `spec.securityContext.` at the pod and with the container label below it, and
// a pod value counts for exactly the containers that do not set their own.
TEST(Rules, SharedSecurityContextSettingsAtBothLevels) {
  struct Case {
    void (*set)(SecurityContext&);
    void (*set_harmless)(SecurityContext&);
    Reason reason;
    std::string_view finding;
  };
  const Case cases[] = {
      {[](SecurityContext& s) { s.host_process = true; },
       [](SecurityContext& s) { s.host_process = false; }, Reason::kHostProcess,
       "windowsOptions.hostProcess"},
      {[](SecurityContext& s) { s.run_as_user = 0; },
       [](SecurityContext& s) { s.run_as_user = 1000; }, Reason::kRunAsRoot, "runAsUser 0"},
      {[](SecurityContext& s) { s.seccomp_type = "Unconfined"; },
       [](SecurityContext& s) { s.seccomp_type = "RuntimeDefault"; }, Reason::kUnconfinedSeccomp,
       "seccompProfile.type \"Unconfined\""},
      {[](SecurityContext& s) { s.apparmor_type = "Unconfined"; },
       [](SecurityContext& s) { s.apparmor_type = "Localhost"; }, Reason::kUnconfinedApparmor,
       "appArmorProfile.type \"Unconfined\""},
  };
  for (const auto& k : cases) {
    const std::string word(to_string(k.reason));
    PodSpec spec;
    spec.containers = {container("inherits"), container("overrides", ContainerKind::kInit, 0)};
    k.set_harmless(spec.containers[1].security);
    k.set(spec.security);
    auto f = run(spec);
    EXPECT_EQ(f.details,
              std::vector<std::string>{word + ": spec.securityContext." + std::string(k.finding)});
    EXPECT_EQ(f.containers, std::vector<std::string>{"inherits"}) << word;

    spec.security.reset();
    k.set(spec.containers[1].security);
    f = run(spec);
    EXPECT_EQ(f.details, std::vector<std::string>{word + ": initContainers[0] \"overrides\" " +
                                                  std::string(k.finding)});
    EXPECT_EQ(f.containers, std::vector<std::string>{"overrides"}) << word;
    ReasonSet only;
    only.add(k.reason);
    EXPECT_EQ(f.reasons, only) << word;
  }
}

TEST(Rules, SecurityContextResetForgetsEveryLevelSetting) {
  PodSpec spec;
  spec.security.run_as_user = 0;
  spec.security.sysctls = {"kernel.msgmax"};
  spec.security.reset();
  EXPECT_FALSE(spec.security.run_as_user.has_value());
  EXPECT_TRUE(spec.security.sysctls.empty());
  Container c;
  c.security.seccomp_type = "Unconfined";
  c.security.privileged = true;
  c.security.capabilities_add = {"SYS_ADMIN"};
  c.security.reset();
  EXPECT_FALSE(c.security.seccomp_type.has_value());
  EXPECT_FALSE(c.security.privileged.has_value());
  EXPECT_TRUE(c.security.capabilities_add.empty());
  spec.security.host_process = true;
  spec.clear();
  EXPECT_FALSE(spec.security.host_process.has_value());
}

TEST(Rules, EphemeralScopeIgnoresPodAndOtherContainers) {
  PodSpec spec;
  auto a = container("app");
  a.security.privileged = true;
  auto d = container("debugger", ContainerKind::kEphemeral);
  spec.containers = {a, d};
  spec.host_network = true;
  auto f = run(spec, SpecScope::kEphemeralOnly);
  EXPECT_TRUE(f.reasons.empty());
  EXPECT_FALSE(f.privileged);
  spec.containers[1].security.privileged = true;
  f = run(spec, SpecScope::kEphemeralOnly);
  EXPECT_TRUE(f.privileged);
  EXPECT_EQ(f.containers, std::vector<std::string>{"debugger"});
}

TEST(Rules, ImagesDeduplicated) {
  PodSpec spec;
  auto a = container("a");
  a.security.privileged = true;
  a.image = "same";
  auto b = container("b", ContainerKind::kContainer, 1);
  b.security.privileged = true;
  b.image = "same";
  spec.containers = {a, b};
  const auto f = run(spec);
  EXPECT_EQ(f.containers, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(f.images, std::vector<std::string>{"same"});
}

TEST(Rules, ListsAreCappedReasonsStayExact) {
  PodSpec spec;
  for (std::size_t i = 0; i < kMaxListed + 50; ++i) {
    auto c = container("c" + std::to_string(i), ContainerKind::kContainer, i);
    c.security.privileged = true;
    spec.containers.push_back(c);
  }
  auto last = container("last", ContainerKind::kInit, 0);
  last.security.capabilities_add = {"SYS_ADMIN"};
  spec.containers.push_back(last);
  const auto f = run(spec);
  EXPECT_TRUE(f.privileged);
  EXPECT_TRUE(f.truncated);
  EXPECT_TRUE(f.reasons.has(Reason::kDangerousCapability));  // found after the lists filled up
  EXPECT_EQ(f.details.size(), kMaxListed);
  EXPECT_EQ(f.containers.size(), kMaxListed);
  EXPECT_EQ(f.images.size(), kMaxListed);
}

TEST(Sets, Capabilities) {
  EXPECT_TRUE(is_baseline_capability("CHOWN"));
  EXPECT_TRUE(is_baseline_capability("SETPCAP"));
  EXPECT_FALSE(is_baseline_capability("NET_RAW"));
  EXPECT_FALSE(is_baseline_capability("ALL"));
  EXPECT_FALSE(is_baseline_capability("Chown"));
}

TEST(Sets, SafeSysctls) {
  EXPECT_TRUE(is_safe_sysctl("net.ipv4.tcp_keepalive_time"));
  EXPECT_FALSE(is_safe_sysctl("net.core.somaxconn"));
}

TEST(Paths, Normalize) {
  EXPECT_EQ(normalize_host_path("/etc/"), "/etc");
  EXPECT_EQ(normalize_host_path("//var//run/docker.sock"), "/var/run/docker.sock");
  EXPECT_EQ(normalize_host_path("/var/./lib/../run"), "/var/run");
  EXPECT_EQ(normalize_host_path("/.."), "/");
  EXPECT_EQ(normalize_host_path("/"), "/");
  EXPECT_EQ(normalize_host_path("relative/./x/"), "relative/x");
  EXPECT_EQ(normalize_host_path(""), "");
  EXPECT_TRUE(is_sensitive_host_path("/var/run/docker.sock"));
  EXPECT_TRUE(is_sensitive_host_path("/"));
  EXPECT_FALSE(is_sensitive_host_path("/usr/local"));
}

TEST(Quote, EscapesQuotesAndControls) {
  EXPECT_EQ(quote("a\"b\\c\n"), "\"a\\\"b\\\\c\\x0a\"");
}

}  // namespace
}  // namespace kubepriv::core
