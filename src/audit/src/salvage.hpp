#pragma once
// Internal to the audit adapter: cut events (issue 10, item 3). CloudWatch Logs cuts oversized
// events and appends `[Truncated...]`; Splunk's TRUNCATE cuts without a marker. Such a text is
// a prefix of a JSON object. `repair_cut_event` keeps every member that completed before the
// cut, closes what was open, and says where the cut was, so the ordinary envelope reader can
// judge what survived. Only called after a parse failure: complete events never pay for it.

#include <cstddef>      // std::size_t
#include <string>       // std::string
#include <string_view>  // std::string_view
#include <vector>       // std::vector

namespace kubepriv::audit::detail {

/// The suffix CloudWatch Logs appends to an event it cut.
inline constexpr std::string_view kTruncatedMarker = "[Truncated...]";

/// Where an event was cut and what was open there.
struct Cut {
  std::size_t offset = 0;  ///< bytes of the event before the cut (the marker excluded)
  bool marker = false;     ///< the text ended with `[Truncated...]`
  /// Offset of the value of the top-level member that was open at the cut and was kept
  /// (a body, `user`, ...); npos when none was kept open.
  std::size_t open_value = std::string_view::npos;
  std::string_view open_key;  ///< that member's key as written (raw, may hold escapes)
};

/// Scratch for `repair_cut_event` (reused between calls; its size is bounded by the nesting
/// depth, at most kMaxDepth entries).
struct RepairScratch {
  std::vector<char> closers;
  std::vector<std::size_t> safe_end;
};

/// Deepest nesting the repair follows (simdjson's default maximum depth).
inline constexpr std::size_t kMaxDepth = 1024;

/// When `text` (minus a trailing `[Truncated...]`) is a prefix of a JSON object that ends
/// before the object closes, writes to `out` a complete JSON object made of every member that
/// completed before the cut plus the open top-level member (when its key is one whose partial
/// value is worth judging: a body, user, sourceIPs, responseStatus, annotations) with its
/// incomplete tail dropped and its containers closed. Other open members (`objectRef`, a cut
/// string ...) are dropped whole. Also accepts a complete object followed by the marker.
/// Returns false when the text is not such a prefix (a syntax error before the end, not an
/// object, nothing but blank space, too deep): that is a broken event, not a cut one.
bool repair_cut_event(std::string_view text, std::string& out, Cut& cut, RepairScratch& scratch);

}  // namespace kubepriv::audit::detail
