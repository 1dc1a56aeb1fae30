// Bodies -> core::PodSpec. See body.hpp for why this uses the DOM parser.
#include "body.hpp"

#include <algorithm>      // std::reverse
#include <cmath>          // std::floor
#include <optional>       // std::optional
#include <unordered_set>  // std::unordered_set
#include <utility>        // std::pair
#include <vector>         // std::vector

namespace kubepriv::audit::detail {

namespace {

using simdjson::SUCCESS;
using simdjson::dom::array;
using simdjson::dom::element;
using simdjson::dom::object;

// Only JSON true is true: the string "true", 1 or null are not (the API server rejects them for
// objects it decodes; for patches null deletes).
std::optional<bool> to_bool(element e) {
  bool b = false;
  if (e.get_bool().get(b) == SUCCESS) return b;
  return std::nullopt;
}

std::optional<std::string> to_string_opt(element e) {
  std::string_view s;
  if (e.get_string().get(s) == SUCCESS) return std::string(s);
  return std::nullopt;
}

void set_string(element e, std::string& out) {
  std::string_view s;
  if (e.get_string().get(s) == SUCCESS) {
    out.assign(s);
  } else {
    out.clear();
  }
}

// Integers as Go would read them into an int64 field after a patch round trip: integral
// doubles (0.0) count, fractions and out-of-range values do not.
std::optional<std::int64_t> to_int(element e) {
  std::int64_t i = 0;
  if (e.get_int64().get(i) == SUCCESS) return i;
  double d = 0;
  if (e.get_double().get(d) == SUCCESS && std::floor(d) == d && d >= -9.2e18 && d <= 9.2e18) {
    return static_cast<std::int64_t>(d);
  }
  return std::nullopt;
}

// SMP: an element or object carrying "$patch": "delete" removes, it does not add.
bool is_deleted(object o) {
  bool deleted = false;
  for (const auto field : o) {
    if (field.key == "$patch") {
      std::string_view s;
      deleted = field.value.get_string().get(s) == SUCCESS && s == "delete";
    }
  }
  return deleted;
}

bool live_object(element e, object& o) {
  return e.get_object().get(o) == SUCCESS && !is_deleted(o);
}

// The last occurrence of `key` (duplicate keys: the last one wins, as in the API server).
bool last_value(object o, std::string_view key, element& out) {
  bool found = false;
  for (const auto field : o) {
    if (field.key == key) {
      out = field.value;
      found = true;
    }
  }
  return found;
}

std::optional<std::string> profile_type(element e) {
  object o;
  if (!live_object(e, o)) return std::nullopt;
  std::optional<std::string> type;
  for (const auto field : o) {
    if (field.key == "type") type = to_string_opt(field.value);
  }
  return type;
}

std::optional<bool> host_process_of(element e) {
  object o;
  if (!live_object(e, o)) return std::nullopt;
  std::optional<bool> hp;
  for (const auto field : o) {
    if (field.key == "hostProcess") hp = to_bool(field.value);
  }
  return hp;
}

// The string `name` of each live object in a list (`sysctls`, `volumeMounts`); replaces `out`.
void names_of(element list_value, std::vector<std::string>& out) {
  out.clear();
  array list;
  if (list_value.get_array().get(list) != SUCCESS) return;
  for (const auto item : list) {
    object o;
    element name;
    std::string_view s;
    if (live_object(item, o) && last_value(o, "name", name) &&
        name.get_string().get(s) == SUCCESS) {
      out.emplace_back(s);
    }
  }
}

// One securityContext object, at either level: forgets what the level held (a repeated key
// replaces the object; null or a `$patch: delete` object leaves it empty), reads the keys both
// levels share into `sc` and hands every other key to `own(key, value, sc)`.
template <typename Context>
void walk_security(element value, Context& sc, void (*own)(std::string_view, element, Context&)) {
  sc.reset();
  object o;
  if (!live_object(value, o)) return;
  for (const auto field : o) {
    const std::string_view k = field.key;
    const element v = field.value;
    if (k == "runAsUser") {
      sc.run_as_user = to_int(v);
    } else if (k == "seccompProfile") {
      sc.seccomp_type = profile_type(v);
    } else if (k == "appArmorProfile") {
      sc.apparmor_type = profile_type(v);
    } else if (k == "windowsOptions") {
      sc.host_process = host_process_of(v);
    } else {
      own(k, v, sc);
    }
  }
}

// The container-only securityContext keys.
void container_security_key(std::string_view k, element v, core::ContainerSecurityContext& sc) {
  if (k == "privileged") {
    sc.privileged = to_bool(v);
  } else if (k == "allowPrivilegeEscalation") {
    sc.allow_privilege_escalation = to_bool(v);
  } else if (k == "procMount") {
    sc.proc_mount = to_string_opt(v);
  } else if (k == "capabilities") {
    sc.capabilities_add.clear();
    object caps;
    if (!live_object(v, caps)) return;
    element add;
    array list;
    if (last_value(caps, "add", add) && add.get_array().get(list) == SUCCESS) {
      for (const auto item : list) {
        std::string_view s;
        if (item.get_string().get(s) == SUCCESS) sc.capabilities_add.emplace_back(s);
      }
    }
  }
}

// The pod-only securityContext keys.
void pod_security_key(std::string_view k, element v, core::PodSecurityContext& sc) {
  if (k == "sysctls") names_of(v, sc.sysctls);
}

void walk_container(object o, core::Container& c) {
  for (const auto field : o) {
    const std::string_view k = field.key;
    const element v = field.value;
    if (k == "name") {
      set_string(v, c.name);
    } else if (k == "image") {
      set_string(v, c.image);
    } else if (k == "securityContext") {
      walk_security(v, c.security, container_security_key);
    } else if (k == "ports") {
      c.host_ports.clear();
      array ports;
      if (v.get_array().get(ports) != SUCCESS) continue;
      for (const auto p : ports) {
        object po;
        element hp;
        if (live_object(p, po) && last_value(po, "hostPort", hp)) {
          if (const auto n = to_int(hp)) c.host_ports.push_back(*n);
        }
      }
    } else if (k == "volumeMounts") {
      names_of(v, c.volume_mounts);
    }
  }
}

void walk_containers(element value, core::ContainerKind kind, core::PodSpec& spec) {
  // A repeated list replaces the earlier one (last duplicate key wins).
  std::erase_if(spec.containers, [kind](const core::Container& c) { return c.kind == kind; });
  array list;
  if (value.get_array().get(list) != SUCCESS) return;
  std::size_t index = 0;
  for (const auto item : list) {
    object o;
    if (live_object(item, o)) {
      core::Container c;
      c.kind = kind;
      c.index = index;
      walk_container(o, c);
      spec.containers.push_back(std::move(c));
    }
    ++index;
  }
}

void walk_volumes(element value, core::PodSpec& spec) {
  spec.volumes.clear();
  array list;
  if (value.get_array().get(list) != SUCCESS) return;
  std::size_t index = 0;
  for (const auto item : list) {
    object o;
    if (live_object(item, o)) {
      core::Volume vol;
      vol.index = index;
      for (const auto field : o) {
        if (field.key == "name") {
          set_string(field.value, vol.name);
        } else if (field.key == "hostPath") {
          object hp;
          vol.has_host_path = live_object(field.value, hp);
          vol.host_path.clear();
          if (vol.has_host_path) {
            element path;
            if (last_value(hp, "path", path)) set_string(path, vol.host_path);
          }
        }
      }
      if (vol.has_host_path) spec.volumes.push_back(std::move(vol));
    }
    ++index;
  }
}

void walk_pod_spec(object o, core::PodSpec& spec) {
  for (const auto field : o) {
    const std::string_view k = field.key;
    const element v = field.value;
    if (k == "containers") {
      walk_containers(v, core::ContainerKind::kContainer, spec);
    } else if (k == "initContainers") {
      walk_containers(v, core::ContainerKind::kInit, spec);
    } else if (k == "ephemeralContainers") {
      walk_containers(v, core::ContainerKind::kEphemeral, spec);
    } else if (k == "volumes") {
      walk_volumes(v, spec);
    } else if (k == "hostPID") {
      spec.host_pid = to_bool(v);
    } else if (k == "hostIPC") {
      spec.host_ipc = to_bool(v);
    } else if (k == "hostNetwork") {
      spec.host_network = to_bool(v);
    } else if (k == "hostUsers") {
      spec.host_users = to_bool(v);
    } else if (k == "securityContext") {
      walk_security(v, spec.security, pod_security_key);
    }
  }
}

bool relevant_annotation(std::string_view key) {
  return key == "seccomp.security.alpha.kubernetes.io/pod" ||
         key.starts_with("container.seccomp.security.alpha.kubernetes.io/") ||
         key.starts_with("container.apparmor.security.beta.kubernetes.io/");
}

void walk_annotations(object metadata, core::PodSpec& spec) {
  spec.annotations.clear();
  element ann;
  object a;
  if (!last_value(metadata, "annotations", ann) || ann.get_object().get(a) != SUCCESS) return;
  // Relevant keys with their last value (a repeated key: the last one wins; null, a merge-patch
  // delete, removes it). Walk backwards once so hostile bodies with many keys stay linear.
  std::vector<std::pair<std::string_view, element>> relevant;
  for (const auto field : a) {
    if (relevant_annotation(field.key)) relevant.emplace_back(field.key, field.value);
  }
  std::unordered_set<std::string_view> seen;
  for (auto it = relevant.rbegin(); it != relevant.rend(); ++it) {
    if (!seen.insert(it->first).second) continue;
    std::string_view value;
    if (it->second.get_string().get(value) == SUCCESS) {
      spec.annotations.emplace_back(std::string(it->first), std::string(value));
    }
  }
  std::reverse(spec.annotations.begin(), spec.annotations.end());
}

// A pod template: an object with `metadata` and `spec`.
void walk_template(object o, core::PodSpec& spec) {
  for (const auto field : o) {
    if (field.key == "metadata") {
      object m;
      if (field.value.get_object().get(m) == SUCCESS) {
        walk_annotations(m, spec);
      } else {
        spec.annotations.clear();
      }
    } else if (field.key == "spec") {
      // A repeated `spec` replaces the earlier one; metadata is kept.
      auto annotations = std::move(spec.annotations);
      spec.clear();
      spec.annotations = std::move(annotations);
      object s;
      if (live_object(field.value, s)) walk_pod_spec(s, spec);
    }
  }
}

// metadata.ownerReferences: the reference with controller=true, else the first object in the list.
// A repeated ownerReferences key replaces the earlier list (the last one wins).
void walk_owners(element refs, BodyMeta& meta) {
  meta.owner_kind.clear();
  meta.owner_name.clear();
  simdjson::dom::array list;
  if (refs.get_array().get(list) != SUCCESS) return;
  bool have_first = false;
  for (const auto ref : list) {
    object r;
    if (ref.get_object().get(r) != SUCCESS) continue;
    std::string kind;
    std::string name;
    bool controller = false;
    for (const auto f : r) {
      if (f.key == "kind") {
        set_string(f.value, kind);
      } else if (f.key == "name") {
        set_string(f.value, name);
      } else if (f.key == "controller") {
        controller = to_bool(f.value).value_or(false);
      }
    }
    if (controller || !have_first) {
      meta.owner_kind = std::move(kind);
      meta.owner_name = std::move(name);
      have_first = true;
    }
    if (controller) return;
  }
}

void walk_meta(object root, BodyMeta& meta) {
  for (const auto field : root) {
    if (field.key == "kind") {
      set_string(field.value, meta.kind);
    } else if (field.key == "metadata") {
      object m;
      if (field.value.get_object().get(m) != SUCCESS) continue;
      for (const auto mf : m) {
        if (mf.key == "name") {
          set_string(mf.value, meta.name);
        } else if (mf.key == "generateName") {
          set_string(mf.value, meta.generate_name);
        } else if (mf.key == "namespace") {
          set_string(mf.value, meta.namespace_);
        } else if (mf.key == "ownerReferences") {
          walk_owners(mf.value, meta);
        }
      }
    }
  }
}

}  // namespace

void walk_object(element root, const core::Carrier& carrier, bool ephemeral_subresource,
                 core::PodSpec& spec, BodyMeta& meta) {
  object o;
  if (root.get_object().get(o) != SUCCESS) return;
  walk_meta(o, meta);
  object tmpl = o;
  for (std::size_t i = 0; i < carrier.template_depth; ++i) {
    element next;
    if (!last_value(tmpl, carrier.template_path[i], next) || !live_object(next, tmpl)) return;
  }
  walk_template(tmpl, spec);
  if (ephemeral_subresource) {
    // Legacy (<= 1.21) pods/ephemeralcontainers body (kind EphemeralContainers, or a patch of
    // it): the list sits at the top level. Only honoured for that subresource: on a pod it
    // would be an unknown field, dropped by the server.
    element legacy;
    if (last_value(o, "ephemeralContainers", legacy)) {
      walk_containers(legacy, core::ContainerKind::kEphemeral, spec);
    }
  }
}

}  // namespace kubepriv::audit::detail
