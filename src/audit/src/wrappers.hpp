#pragma once
// Internal to the audit adapter: Kubernetes audit events inside a cloud's log wrapper
// (issue 10, item 5). Tried only after the plain reading found no kind, apiVersion or auditID
// at the top level, so plain events never pay for it.
//
//   * AKS: an Azure Monitor resource-log record (diagnostic settings, category `kube-audit` or
//     `kube-audit-admin`) whose `properties.log` string is the audit event: unwrapped as is.
//   * GKE: a Cloud Logging LogEntry whose `protoPayload` is a Cloud Audit Logs AuditLog of
//     service `k8s.io`: mapped onto an equivalent audit event (method name -> verb and
//     resource, resourceName -> namespace/name/subresource, status.code -> HTTP code ...).
// Either way the result is plain audit-event JSON that the ordinary reader judges. The mapping
// is documented in src/core/RULES.md ("Cloud wrappers").

#include <simdjson.h>

#include <cstdint>      // std::int64_t
#include <string>       // std::string
#include <string_view>  // std::string_view

#include "kubepriv/core/verdict.hpp"

namespace kubepriv::audit::detail {

enum class Unwrap : unsigned char {
  kNotWrapped,  ///< not a wrapper we know: the plain reading's error stands
  kEvent,       ///< `out` holds the audit event to judge
  kError,       ///< a wrapper, but no judgeable audit event in it: `out` holds the reason
};

/// Looks at a complete JSON object that is not a plain audit event. `dom` is reused; the
/// result is copied into `out`, so it outlives the next parse. `format` is set for kEvent.
Unwrap unwrap_record(simdjson::dom::parser& dom, std::string_view padded, std::string& out,
                     core::SourceFormat& format);

/// The HTTP status equivalent of a google.rpc.Code (the mapping of google/rpc/code.proto).
int http_status_of_grpc(std::int64_t code) noexcept;

}  // namespace kubepriv::audit::detail
