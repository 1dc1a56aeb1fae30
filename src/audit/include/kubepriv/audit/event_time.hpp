#pragma once
/// @file
/// The time of a Kubernetes audit event: its top-level `requestReceivedTimestamp`, which is what
/// props.conf and the README promise as `_time`.

#include <cstdint>      // std::int64_t
#include <optional>     // std::optional
#include <string_view>  // std::string_view

namespace kubepriv::audit {

/// Epoch ms of the event's top-level `requestReceivedTimestamp` (RFC 3339, microseconds
/// truncated). nullopt when the text is not a JSON object, the key is absent, not a string, not
/// a valid time, or the JSON is broken: the caller then keeps its own time (CloudWatch's).
/// Only the top level counts (a nested object with such a key, say in requestObject, is not
/// the event's time). Cheap: simdjson's on-demand parser skips the nested values.
std::optional<std::int64_t> request_received_ms(std::string_view event_json);

}  // namespace kubepriv::audit
