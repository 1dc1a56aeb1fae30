#pragma once
/// @file
/// The PodSpec model: the security-relevant subset of a Kubernetes pod spec, as written by one
/// request. Plain data with no JSON type: adapters fill it, the rules (rules.hpp) judge it.
/// Every field is optional because patch bodies are partial: "absent" means "not written by this
/// request", never `false`.

#include <cstddef>      // std::size_t
#include <cstdint>      // std::int64_t
#include <optional>     // std::optional
#include <string>       // std::string
#include <string_view>  // std::string_view
#include <utility>      // std::pair
#include <vector>       // std::vector

namespace kubepriv::core {

/// The three container lists of a pod spec.
enum class ContainerKind : std::uint8_t { kContainer, kInit, kEphemeral };

/// The JSON list name of a container kind: "containers", "initContainers", "ephemeralContainers".
std::string_view to_string(ContainerKind kind) noexcept;

/// The securityContext settings a pod and its containers share (Kubernetes' PodSecurityContext
/// and SecurityContext both have them). A container inherits the pod's value of each one unless
/// it sets its own, so rules over these fields are written once for both levels (rules.cpp).
/// Add a shared securityContext field here, and only here.
struct SecurityContext {
  std::optional<bool> host_process;          ///< windowsOptions.hostProcess
  std::optional<std::int64_t> run_as_user;   ///< runAsUser
  std::optional<std::string> seccomp_type;   ///< seccompProfile.type
  std::optional<std::string> apparmor_type;  ///< appArmorProfile.type

  /// Forgets every setting (the securityContext object was replaced, nulled or deleted).
  void reset() noexcept;
};

/// containers[i].securityContext: the shared settings plus the container-only ones.
struct ContainerSecurityContext : SecurityContext {
  std::optional<bool> privileged;
  std::optional<bool> allow_privilege_escalation;
  std::optional<std::string> proc_mount;
  std::vector<std::string> capabilities_add;  ///< capabilities.add

  /// Forgets every setting, shared and container-only.
  void reset() noexcept;
};

/// spec.securityContext: the shared settings plus the pod-only ones.
struct PodSecurityContext : SecurityContext {
  std::vector<std::string> sysctls;  ///< sysctls[].name

  /// Forgets every setting, shared and pod-only.
  void reset() noexcept;
};

/// One container's security-relevant settings (containers[i].securityContext and ports).
struct Container {
  ContainerKind kind = ContainerKind::kContainer;
  std::size_t index = 0;  ///< position in its list, as written in the body
  std::string name;       ///< may be empty (e.g. a JSON-patch leaf write)
  std::string image;
  ContainerSecurityContext security;       ///< securityContext
  std::vector<std::int64_t> host_ports;    ///< ports[].hostPort values as written (0 included)
  std::vector<std::string> volume_mounts;  ///< volumeMounts[].name

  /// Back to a default-constructed container, keeping the storage of its strings and lists
  /// (containers are recycled across bodies): a new field is reset here, once.
  void reset() noexcept;
};

/// One volume of the pod spec (only what the rules need).
struct Volume {
  std::size_t index = 0;
  std::string name;
  bool has_host_path = false;  ///< a hostPath source is present (even with no path)
  std::string host_path;       ///< hostPath.path as written
};

/// The pod-level part of a spec plus its containers and volumes.
struct PodSpec {
  std::vector<Container> containers;  ///< all three kinds, in body order per kind
  std::vector<Volume> volumes;        ///< only volumes that matter (hostPath ones)
  std::optional<bool> host_pid;
  std::optional<bool> host_ipc;
  std::optional<bool> host_network;
  std::optional<bool> host_users;
  PodSecurityContext security;  ///< spec.securityContext
  /// Legacy seccomp/AppArmor annotations of the pod (template) metadata: key, value.
  std::vector<std::pair<std::string, std::string>> annotations;

  /// Resets to empty, keeping capacity.
  void clear() noexcept;
};

}  // namespace kubepriv::core
