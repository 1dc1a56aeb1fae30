// Bodies -> core::PodSpec. See body.hpp for why this uses the DOM parser.
//
// Each object is walked once: its `$patch` directive is read on the way (the last `$patch` key
// wins; only the string "delete" deletes) and a deleted object's result is dropped at its end,
// where a separate pass for the directive would read every object twice.
#include "body.hpp"

#include <algorithm>      // std::reverse
#include <cmath>          // std::floor
#include <optional>       // std::optional
#include <unordered_set>  // std::unordered_set
#include <utility>        // std::move, std::pair, std::swap
#include <vector>         // std::vector

#include "json_key.hpp"

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

// A string value into `out`, built in place (a returned optional was two more copies of the
// text); nullopt for any other type.
void set_string_opt(element e, std::optional<std::string>& out) {
  std::string_view s;
  if (e.get_string().get(s) != SUCCESS) {
    out.reset();
  } else if (out) {
    out->assign(s);
  } else {
    out.emplace(s);
  }
}

// A string value's text; empty for any other type.
std::string_view string_or_empty(element e) {
  std::string_view s;
  if (e.get_string().get(s) != SUCCESS) return {};
  return s;
}

void set_string(element e, std::string& out) {
  out.assign(string_or_empty(e));
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

// SMP: an element or object carrying "$patch": "delete" removes, it does not add. The value of
// one `$patch` key: whether it deletes.
bool deletes(element patch) {
  return string_or_empty(patch) == "delete";
}

bool is_patch(std::string_view key) {
  return key == "$patch";
}

// For the pod template object only (a few keys), which is checked before it is walked.
bool live_object(element e, object& o) {
  if (e.get_object().get(o) != SUCCESS) return false;
  bool deleted = false;
  for (const auto field : o) {
    if (is_patch(field.key)) deleted = deletes(field.value);
  }
  return !deleted;
}

// One pass over the object `e` for the last value of `key` (duplicate keys: the last one wins,
// as in the API server) and its `$patch`.
struct Lookup {
  bool live = false;   ///< `e` is an object and not deleted
  bool found = false;  ///< live, and has `key`
  element value;       ///< the last value of `key`, when found
};

template <typename IsKey>
Lookup lookup_if(element e, IsKey is_key) {
  Lookup r;
  object o;
  if (e.get_object().get(o) != SUCCESS) return r;
  bool deleted = false;
  for (const auto field : o) {
    if (is_key(field.key)) {
      r.value = field.value;
      r.found = true;
    } else if (is_patch(field.key)) {
      deleted = deletes(field.value);
    }
  }
  r.live = !deleted;
  r.found = r.found && r.live;
  return r;
}

Lookup lookup(element e, std::string_view key) {
  return lookup_if(e, [key](std::string_view k) { return k == key; });
}

// A literal key: the compare is inlined (no memcmp call per field of every port, mount and
// profile object).
template <std::size_t N>
Lookup lookup(element e, const char (&key)[N]) {
  return lookup_if(e, [&key](std::string_view k) { return key_is(k, key); });
}

// seccompProfile.type / appArmorProfile.type into `out`.
void profile_type(element e, std::optional<std::string>& out) {
  const Lookup type = lookup(e, "type");
  if (type.found) {
    set_string_opt(type.value, out);
  } else {
    out.reset();
  }
}

std::optional<bool> host_process_of(element e) {
  const Lookup hp = lookup(e, "hostProcess");
  if (!hp.found) return std::nullopt;
  return to_bool(hp.value);
}

// The string `name` of each live object in a list (`sysctls`, `volumeMounts`); replaces `out`.
void names_of(element list_value, std::vector<std::string>& out) {
  out.clear();
  array list;
  if (list_value.get_array().get(list) != SUCCESS) return;
  for (const auto item : list) {
    const Lookup name = lookup(item, "name");
    std::string_view s;
    if (name.found && name.value.get_string().get(s) == SUCCESS) out.emplace_back(s);
  }
}

// One securityContext object, at either level: forgets what the level held (a repeated key
// replaces the object; null or a `$patch: delete` object leaves it empty), reads the keys both
// levels share into `sc` and hands every other key to `own(key, value, sc)`.
template <typename Context>
void walk_security(element value, Context& sc, void (*own)(std::string_view, element, Context&)) {
  sc.reset();
  object o;
  if (value.get_object().get(o) != SUCCESS) return;
  bool deleted = false;
  for (const auto field : o) {
    const std::string_view k = field.key;
    const element v = field.value;
    if (k == "runAsUser") {
      sc.run_as_user = to_int(v);
    } else if (k == "seccompProfile") {
      profile_type(v, sc.seccomp_type);
    } else if (k == "appArmorProfile") {
      profile_type(v, sc.apparmor_type);
    } else if (k == "windowsOptions") {
      sc.host_process = host_process_of(v);
    } else if (is_patch(k)) {
      deleted = deletes(v);
    } else {
      own(k, v, sc);
    }
  }
  if (deleted) sc.reset();
}

// The container-only securityContext keys.
void container_security_key(std::string_view k, element v, core::ContainerSecurityContext& sc) {
  if (k == "privileged") {
    sc.privileged = to_bool(v);
  } else if (k == "allowPrivilegeEscalation") {
    sc.allow_privilege_escalation = to_bool(v);
  } else if (k == "procMount") {
    set_string_opt(v, sc.proc_mount);
  } else if (k == "capabilities") {
    sc.capabilities_add.clear();
    const Lookup add = lookup(v, "add");
    array list;
    if (add.found && add.value.get_array().get(list) == SUCCESS) {
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

// One container object into `c` (from ContainerPool::add); returns whether it deletes itself.
bool walk_container(object o, core::Container& c) {
  bool deleted = false;
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
        const Lookup hp = lookup(p, "hostPort");
        if (!hp.found) continue;
        if (const auto n = to_int(hp.value)) c.host_ports.push_back(*n);
      }
    } else if (k == "volumeMounts") {
      names_of(v, c.volume_mounts);
    } else if (is_patch(k)) {
      deleted = deletes(v);
    }
  }
  return deleted;
}

void walk_containers(element value, core::ContainerKind kind, core::PodSpec& spec,
                     ContainerPool& pool) {
  // A repeated list replaces the earlier one (last duplicate key wins).
  std::erase_if(spec.containers, [kind](const core::Container& c) { return c.kind == kind; });
  array list;
  if (value.get_array().get(list) != SUCCESS) return;
  std::size_t index = 0;
  for (const auto item : list) {
    object o;
    if (item.get_object().get(o) == SUCCESS) {
      core::Container& c = pool.add(spec);
      c.kind = kind;
      c.index = index;
      if (walk_container(o, c)) spec.containers.pop_back();
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
    if (item.get_object().get(o) == SUCCESS) {
      std::string_view name;
      bool has_host_path = false;  // a live hostPath object, even with no path
      std::string_view host_path;
      bool deleted = false;
      for (const auto field : o) {
        if (field.key == "name") {
          name = string_or_empty(field.value);
        } else if (field.key == "hostPath") {
          const Lookup path = lookup(field.value, "path");
          has_host_path = path.live;
          host_path = path.found ? string_or_empty(path.value) : std::string_view();
        } else if (is_patch(field.key)) {
          deleted = deletes(field.value);
        }
      }
      if (has_host_path && !deleted) {
        core::Volume& vol = spec.volumes.emplace_back();
        vol.index = index;
        vol.name.assign(name);
        vol.has_host_path = true;
        vol.host_path.assign(host_path);
      }
    }
    ++index;
  }
}

// A pod spec object into `spec`; returns whether it deletes itself.
bool walk_pod_spec(object o, core::PodSpec& spec, ContainerPool& pool) {
  bool deleted = false;
  for (const auto field : o) {
    const std::string_view k = field.key;
    const element v = field.value;
    if (k == "containers") {
      walk_containers(v, core::ContainerKind::kContainer, spec, pool);
    } else if (k == "initContainers") {
      walk_containers(v, core::ContainerKind::kInit, spec, pool);
    } else if (k == "ephemeralContainers") {
      walk_containers(v, core::ContainerKind::kEphemeral, spec, pool);
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
    } else if (is_patch(k)) {
      deleted = deletes(v);
    }
  }
  return deleted;
}

// Forgets the pod spec read so far but the annotations, which come from the template's metadata.
void clear_keeping_annotations(core::PodSpec& spec, ContainerPool& pool) {
  auto annotations = std::move(spec.annotations);
  pool.clear(spec);
  spec.annotations = std::move(annotations);
}

// A template's `spec` key: a repeated `spec` replaces the earlier one; metadata is kept.
void walk_template_spec(element value, core::PodSpec& spec, ContainerPool& pool) {
  clear_keeping_annotations(spec, pool);
  object s;
  if (value.get_object().get(s) == SUCCESS && walk_pod_spec(s, spec, pool)) {
    clear_keeping_annotations(spec, pool);
  }
}

bool relevant_annotation(std::string_view key) {
  return key == "seccomp.security.alpha.kubernetes.io/pod" ||
         key.starts_with("container.seccomp.security.alpha.kubernetes.io/") ||
         key.starts_with("container.apparmor.security.beta.kubernetes.io/");
}

// metadata.annotations (`ann`, when `found`) replaces the template's annotations.
void walk_annotations(bool found, element ann, core::PodSpec& spec) {
  spec.annotations.clear();
  object a;
  if (!found || ann.get_object().get(a) != SUCCESS) return;
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

// metadata.ownerReferences: the reference with controller=true, else the first object in the list.
// A repeated ownerReferences key replaces the earlier list (the last one wins).
void walk_owners(element refs, BodyMeta& meta) {
  meta.owner_kind.clear();
  meta.owner_name.clear();
  array list;
  if (refs.get_array().get(list) != SUCCESS) return;
  bool have_first = false;
  for (const auto ref : list) {
    object r;
    if (ref.get_object().get(r) != SUCCESS) continue;
    std::string_view kind;
    std::string_view name;
    bool controller = false;
    for (const auto f : r) {
      if (f.key == "kind") {
        kind = string_or_empty(f.value);
      } else if (f.key == "name") {
        name = string_or_empty(f.value);
      } else if (f.key == "controller") {
        controller = to_bool(f.value).value_or(false);
      }
    }
    if (controller || !have_first) {
      meta.owner_kind.assign(kind);
      meta.owner_name.assign(name);
      have_first = true;
    }
    if (controller) return;
  }
}

// One `metadata` value, of the body's root (`meta`: its identity; the keys of repeated metadata
// keys add up) and/or of a pod template (`spec`: its annotations, which a repeated metadata key
// replaces). Either may be null.
void walk_metadata(element value, BodyMeta* meta, core::PodSpec* spec) {
  object m;
  if (value.get_object().get(m) != SUCCESS) {
    if (spec != nullptr) spec->annotations.clear();
    return;
  }
  bool have_annotations = false;
  element annotations;
  for (const auto mf : m) {
    const std::string_view k = mf.key;
    if (k == "annotations") {
      annotations = mf.value;
      have_annotations = true;
    } else if (meta == nullptr) {
      continue;
    } else if (k == "name") {
      set_string(mf.value, meta->name);
    } else if (k == "generateName") {
      set_string(mf.value, meta->generate_name);
    } else if (k == "namespace") {
      set_string(mf.value, meta->namespace_);
    } else if (k == "ownerReferences") {
      walk_owners(mf.value, *meta);
    }
  }
  if (spec != nullptr) walk_annotations(have_annotations, annotations, *spec);
}

// A pod template below the root: an object with `metadata` and `spec`.
void walk_template(object o, core::PodSpec& spec, ContainerPool& pool) {
  for (const auto field : o) {
    if (field.key == "metadata") {
      walk_metadata(field.value, nullptr, &spec);
    } else if (field.key == "spec") {
      walk_template_spec(field.value, spec, pool);
    }
  }
}

}  // namespace

void ContainerPool::clear(core::PodSpec& spec) {
  // At most kSpare containers are kept (a hostile body may have many); their strings are no
  // larger than the largest body seen, whose DOM the parser keeps anyway.
  constexpr std::size_t kSpare = 64;
  if (spare.empty() && spec.containers.size() <= kSpare) {
    std::swap(spare, spec.containers);  // the common case: no moves
  } else {
    for (auto& c : spec.containers) {
      if (spare.size() >= kSpare) break;
      spare.push_back(std::move(c));
    }
  }
  spec.clear();
}

core::Container& ContainerPool::add(core::PodSpec& spec) {
  if (spare.empty()) return spec.containers.emplace_back();
  core::Container& c = spec.containers.emplace_back(std::move(spare.back()));
  spare.pop_back();
  c.reset();
  return c;
}

void walk_object(element root, const core::Carrier& carrier, bool ephemeral_subresource,
                 core::PodSpec& spec, BodyMeta& meta, ContainerPool& pool) {
  object o;
  if (root.get_object().get(o) != SUCCESS) return;
  // One pass over the root (whose own `$patch` is not honoured): the body's identity, and either
  // the pod template (a pod's root is its template) or the first step of the template path.
  // Legacy (<= 1.21) pods/ephemeralcontainers body (kind EphemeralContainers, or a patch of it):
  // the list sits at the top level. Only honoured for that subresource: on a pod it would be an
  // unknown field, dropped by the server. It comes after the template's own lists.
  const bool root_is_template = carrier.template_depth == 0;
  bool have_step = false;
  element step;
  bool have_legacy = false;
  element legacy;
  for (const auto field : o) {
    const std::string_view k = field.key;
    const element v = field.value;
    if (k == "kind") {
      set_string(v, meta.kind);
    } else if (k == "metadata") {
      walk_metadata(v, &meta, root_is_template ? &spec : nullptr);
    } else if (root_is_template && k == "spec") {
      walk_template_spec(v, spec, pool);
    } else if (ephemeral_subresource && k == "ephemeralContainers") {
      legacy = v;
      have_legacy = true;
    }
    if (!root_is_template && k == carrier.template_path[0]) {
      step = v;
      have_step = true;
    }
  }
  if (!root_is_template) {
    // Each further step reads the previous one's `$patch` and the next key in one pass.
    if (!have_step) return;
    for (std::size_t i = 1; i < carrier.template_depth; ++i) {
      const Lookup next = lookup(step, carrier.template_path[i]);
      if (!next.found) return;
      step = next.value;
    }
    object tmpl;
    if (!live_object(step, tmpl)) return;
    walk_template(tmpl, spec, pool);
  }
  if (have_legacy) walk_containers(legacy, core::ContainerKind::kEphemeral, spec, pool);
}

}  // namespace kubepriv::audit::detail
