#include "kubepriv/core/podspec.hpp"

namespace kubepriv::core {

std::string_view to_string(ContainerKind kind) noexcept {
  switch (kind) {
    case ContainerKind::kContainer: return "containers";
    case ContainerKind::kInit: return "initContainers";
    case ContainerKind::kEphemeral: return "ephemeralContainers";
  }
  return "containers";
}

void SecurityContext::reset() noexcept {
  host_process.reset();
  run_as_user.reset();
  seccomp_type.reset();
  apparmor_type.reset();
}

void ContainerSecurityContext::reset() noexcept {
  SecurityContext::reset();
  privileged.reset();
  allow_privilege_escalation.reset();
  proc_mount.reset();
  capabilities_add.clear();
}

void PodSecurityContext::reset() noexcept {
  SecurityContext::reset();
  sysctls.clear();
}

void Container::reset() noexcept {
  kind = ContainerKind::kContainer;
  index = 0;
  name.clear();
  image.clear();
  security.reset();
  host_ports.clear();
  volume_mounts.clear();
}

void PodSpec::clear() noexcept {
  containers.clear();
  volumes.clear();
  host_pid.reset();
  host_ipc.reset();
  host_network.reset();
  host_users.reset();
  security.reset();
  annotations.clear();
}

}  // namespace kubepriv::core
