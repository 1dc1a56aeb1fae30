#pragma once
// Internal to the audit adapter: request/response bodies (simdjson DOM) -> core::PodSpec.
// Bodies are parsed only for pod-spec writes (a few per cent of events), with the DOM parser:
// it validates fully and unescapes keys, and "last duplicate key wins" is a plain loop.

#include <simdjson.h>

#include <string>       // std::string
#include <string_view>  // std::string_view

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

/// Fills `spec` from an object body (a full object, or a strategic-merge/merge/apply patch)
/// at the carrier's pod-template path. Unknown keys, `$` directives and wrong types are ignored;
/// `"$patch": "delete"` entries are skipped; null resets. Never throws.
void walk_object(simdjson::dom::element root, const core::Carrier& carrier,
                 bool ephemeral_subresource, core::PodSpec& spec, BodyMeta& meta);

/// Replays an RFC 6902 JSON patch (add/replace; copy/move as "unknown value") onto an empty
/// skeleton and serialises it to `out` as a JSON object. Returns false when no op wrote anything.
bool json_patch_skeleton(simdjson::dom::array ops, std::string& out);

/// JSON string escaping (for serialising the skeleton and rebuilt cloud records).
using common::append_json_string;

}  // namespace kubepriv::audit::detail
