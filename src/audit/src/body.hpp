#pragma once
// Internal to the audit adapter: request/response bodies (simdjson DOM) -> core::PodSpec.
// Bodies are parsed only for pod-spec writes (a few per cent of events), with the DOM parser:
// it validates fully and unescapes keys, and "last duplicate key wins" is a plain loop.

#include <simdjson.h>

#include <string>       // std::string
#include <string_view>  // std::string_view
#include <vector>       // std::vector

#include "kubepriv/common/json_escape.hpp"
#include "kubepriv/core/event.hpp"
#include "kubepriv/core/podspec.hpp"

namespace kubepriv::audit::detail {

/// Identity of the body's object, for the verdict's workload_kind / name fallbacks.
struct BodyMeta {
  std::string kind;
  std::string name;
  std::string generate_name;
  std::string namespace_;
  /// metadata.ownerReferences: the controller=true reference, else the first one.
  std::string owner_kind;
  std::string owner_name;
  void clear() noexcept {
    kind.clear();
    name.clear();
    generate_name.clear();
    namespace_.clear();
    owner_kind.clear();
    owner_name.clear();
  }
};

/// Containers dropped from a PodSpec, kept for the next body with the capacity of their strings
/// and lists: a pod's container owns 2-4 heap blocks (image, volumeMounts and the mount names),
/// which were a malloc and a free each on every pod-spec write.
struct ContainerPool {
  std::vector<core::Container> spare;

  /// spec.clear(), keeping the containers' storage here.
  void clear(core::PodSpec& spec);
  /// Appends a container to `spec`: a spare one (core::Container::reset, its storage kept) when
  /// there is one.
  core::Container& add(core::PodSpec& spec);
};

/// Fills `spec` from an object body (a full object, or a strategic-merge/merge/apply patch)
/// at the carrier's pod-template path. Unknown keys, `$` directives and wrong types are ignored;
/// `"$patch": "delete"` entries are skipped; null resets. Never throws.
void walk_object(simdjson::dom::element root, const core::Carrier& carrier,
                 bool ephemeral_subresource, core::PodSpec& spec, BodyMeta& meta,
                 ContainerPool& pool);

/// Replays an RFC 6902 JSON patch (add/replace; copy/move as "unknown value") onto an empty
/// skeleton and serialises it to `out` as a JSON object. Returns false when no op wrote anything.
bool json_patch_skeleton(simdjson::dom::array ops, std::string& out);

/// JSON string escaping (for serialising the skeleton and rebuilt cloud records).
using common::append_json_string;

}  // namespace kubepriv::audit::detail
