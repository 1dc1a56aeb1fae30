// AKS and GKE wrappers -> plain audit-event JSON. See wrappers.hpp and src/core/RULES.md.
#include "wrappers.hpp"

#include <array>    // std::array
#include <cstdint>  // std::int64_t
#include <utility>  // std::pair

#include "body.hpp"
#include "kubepriv/core/rules.hpp"

namespace kubepriv::audit::detail {

namespace {

namespace dom = simdjson::dom;
using simdjson::SUCCESS;

std::string_view string_at(dom::object o, std::string_view key) {
  std::string_view s;
  if (o.at_key(key).get_string().get(s) == SUCCESS) return s;
  return {};
}

bool object_at(dom::object o, std::string_view key, dom::object& out) {
  return o.at_key(key).get_object().get(out) == SUCCESS;
}

// Splits `s` at `sep` into at most N pieces; returns the count, or N + 1 when there were more.
template <std::size_t N>
std::size_t split(std::string_view s, char sep, std::array<std::string_view, N>& out) {
  std::size_t n = 0;
  while (true) {
    const std::size_t at = s.find(sep);
    if (n == N) return N + 1;
    out[n++] = s.substr(0, at);
    if (at == std::string_view::npos) return n;
    s.remove_prefix(at + 1);
  }
}

bool is_version(std::string_view s) {
  if (s.size() < 2 || s[0] != 'v' || s[1] < '0' || s[1] > '9') return false;
  for (const char c : s.substr(1)) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z'))) return false;
  }
  return true;
}

// What a GKE entry says about the request, as audit-event fields.
struct GkeRequest {
  std::string_view verb;
  std::string_view resource;
  std::string_view subresource;
  std::string api_group;
  bool has_group = false;
  std::string_view namespace_;
  std::string_view name;
};

// methodName `io.k8s.<group>.<version>.<resource>[.<subresource>].<verb>`, e.g.
// `io.k8s.core.v1.pods.create`, `io.k8s.apps.v1.deployments.patch`,
// `io.k8s.core.v1.pods.ephemeralcontainers.patch`, `io.k8s.authorization.rbac.v1...`.
bool parse_method(std::string_view method, GkeRequest& r) {
  static constexpr std::string_view kPrefix = "io.k8s.";
  if (!method.starts_with(kPrefix)) return false;
  std::array<std::string_view, 12> seg{};
  const std::size_t n = split(method.substr(kPrefix.size()), '.', seg);
  if (n > seg.size()) return false;
  std::size_t v = 1;
  while (v < n && !is_version(seg[v])) ++v;
  const std::size_t after = n - v - 1;
  if (v >= n || (after != 2 && after != 3)) return false;
  r.resource = seg[v + 1];
  if (after == 3) r.subresource = seg[v + 2];
  r.verb = seg[n - 1];
  // The group, reversed back into a domain: `core` is the legacy group "", the built-in
  // single-word groups keep their name, everything else is `<...>.k8s.io`.
  if (v == 1 && seg[0] == "core") {
    r.api_group.clear();
  } else if (v == 1 && (seg[0] == "apps" || seg[0] == "batch" || seg[0] == "extensions" ||
                        seg[0] == "autoscaling" || seg[0] == "policy")) {
    r.api_group.assign(seg[0]);
  } else {
    r.api_group.clear();
    for (std::size_t i = v; i-- > 0;) {
      r.api_group.append(seg[i]);
      r.api_group += '.';
    }
    r.api_group += "k8s.io";
  }
  r.has_group = true;
  return !r.verb.empty() && !r.resource.empty();
}

// resourceName `<group>/<version>/namespaces/<ns>/<resource>[/<name>[/<subresource>]]` or,
// cluster-scoped, `<group>/<version>/<resource>[/<name>...]`. The group comes from here when
// present (`core` = ""); namespace and name only from here.
void parse_resource_name(std::string_view rn, GkeRequest& r) {
  std::array<std::string_view, 8> seg{};
  const std::size_t n = split(rn, '/', seg);
  if (n > seg.size() || n < 3 || !is_version(seg[1])) return;
  r.api_group.assign(seg[0] == "core" ? std::string_view{} : seg[0]);
  r.has_group = true;
  std::size_t i = 2;
  if (seg[i] == "namespaces" && n >= i + 3) {
    r.namespace_ = seg[i + 1];
    i += 2;
  } else if (seg[i] == "namespaces" && r.resource == "namespaces") {
    // the namespace itself
  }
  if (i + 1 < n && seg[i] == r.resource) r.name = seg[i + 1];
}

void add_string_member(std::string& out, std::string_view key, std::string_view value) {
  out += ',';
  append_json_string(out, key);
  out += ':';
  append_json_string(out, value);
}

Unwrap gke(dom::object entry, dom::object payload, std::string& out, core::SourceFormat& format) {
  format = core::SourceFormat::kGke;
  const std::string_view service = string_at(payload, "serviceName");
  if (service != "k8s.io") {
    out = core::concat({"not an audit event: Cloud Audit Logs entry of service \"", service,
                        "\" (k8s.io expected)"});
    return Unwrap::kError;
  }
  GkeRequest r;
  const std::string_view method = string_at(payload, "methodName");
  if (!parse_method(method, r)) {
    out = core::concat(
        {"GKE audit entry: methodName \"", method, "\" is not io.k8s.<group>.<version>..."});
    return Unwrap::kError;
  }
  parse_resource_name(string_at(payload, "resourceName"), r);

  std::string_view audit_id;
  if (dom::object op; object_at(entry, "operation", op)) audit_id = string_at(op, "id");
  if (audit_id.empty()) audit_id = string_at(entry, "insertId");

  out.assign(R"({"kind":"Event","apiVersion":"audit.k8s.io/v1")");
  add_string_member(out, "auditID", audit_id);
  add_string_member(out, "verb", r.verb);
  if (dom::object auth; object_at(payload, "authenticationInfo", auth)) {
    out += R"(,"user":{"username":)";
    append_json_string(out, string_at(auth, "principalEmail"));
    out += '}';
  }
  if (dom::object meta; object_at(payload, "requestMetadata", meta)) {
    if (const auto ip = string_at(meta, "callerIp"); !ip.empty()) {
      out += R"(,"sourceIPs":[)";
      append_json_string(out, ip);
      out += ']';
    }
    if (const auto ua = string_at(meta, "callerSuppliedUserAgent"); !ua.empty()) {
      add_string_member(out, "userAgent", ua);
    }
  }
  out += R"(,"objectRef":{"resource":)";
  append_json_string(out, r.resource);
  if (!r.namespace_.empty()) add_string_member(out, "namespace", r.namespace_);
  if (!r.name.empty()) add_string_member(out, "name", r.name);
  if (r.has_group) add_string_member(out, "apiGroup", r.api_group);
  if (!r.subresource.empty()) add_string_member(out, "subresource", r.subresource);
  out += '}';
  // status: a google.rpc.Status. Proto3 leaves out a zero code, so `{}` is OK; no status at
  // all is an unknown outcome.
  if (dom::object st; object_at(payload, "status", st)) {
    std::int64_t code = 0;
    if (st.at_key("code").get_int64().get(code) != SUCCESS) code = 0;
    out += R"(,"responseStatus":{"code":)";
    out += std::to_string(http_status_of_grpc(code));
    if (const auto msg = string_at(st, "message"); !msg.empty()) {
      add_string_member(out, "message", msg);
    }
    out += '}';
  }
  for (const auto& [key, name] :
       {std::pair<std::string_view, std::string_view>{"request", "requestObject"},
        {"response", "responseObject"}}) {
    dom::element body;
    if (payload.at_key(key).get(body) == SUCCESS &&
        (body.is<dom::object>() || body.is<dom::array>())) {
      out += ',';
      append_json_string(out, name);
      out += ':';
      out += simdjson::minify(body);
    }
  }
  // Kubernetes audit annotations travel as LogEntry labels (authorization decision, Pod
  // Security violations ...).
  if (dom::object labels; object_at(entry, "labels", labels)) {
    out += R"(,"annotations":{)";
    bool first = true;
    for (const auto field : labels) {
      std::string_view value;
      if (field.value.get_string().get(value) != SUCCESS) continue;
      if (!first) out += ',';
      first = false;
      append_json_string(out, field.key);
      out += ':';
      append_json_string(out, value);
    }
    out += '}';
  }
  out += '}';
  return Unwrap::kEvent;
}

Unwrap aks(dom::object record, std::string& out, core::SourceFormat& format) {
  format = core::SourceFormat::kAks;
  std::string_view category = string_at(record, "category");
  if (category.empty()) category = string_at(record, "Category");
  dom::object props;
  std::string_view log;
  if (!object_at(record, "properties", props) ||
      props.at_key("log").get_string().get(log) != SUCCESS) {
    out = "Azure Monitor record without a properties.log string";
    return Unwrap::kError;
  }
  if (category != "kube-audit" && category != "kube-audit-admin") {
    out = core::concat({"not an audit event: Azure Monitor record of category \"", category,
                        "\" (kube-audit or kube-audit-admin expected)"});
    return Unwrap::kError;
  }
  out.assign(log);
  return Unwrap::kEvent;
}

}  // namespace

int http_status_of_grpc(std::int64_t code) noexcept {
  switch (code) {
    case 0: return 200;   // OK
    case 1: return 499;   // CANCELLED
    case 2: return 500;   // UNKNOWN
    case 3: return 400;   // INVALID_ARGUMENT
    case 4: return 504;   // DEADLINE_EXCEEDED
    case 5: return 404;   // NOT_FOUND
    case 6: return 409;   // ALREADY_EXISTS
    case 7: return 403;   // PERMISSION_DENIED
    case 8: return 429;   // RESOURCE_EXHAUSTED
    case 9: return 400;   // FAILED_PRECONDITION
    case 10: return 409;  // ABORTED
    case 11: return 400;  // OUT_OF_RANGE
    case 12: return 501;  // UNIMPLEMENTED
    case 13: return 500;  // INTERNAL
    case 14: return 503;  // UNAVAILABLE
    case 15: return 500;  // DATA_LOSS
    case 16: return 401;  // UNAUTHENTICATED
    default: return 500;
  }
}

Unwrap unwrap_record(dom::parser& parser, std::string_view padded, std::string& out,
                     core::SourceFormat& format) {
  dom::element root;
  dom::object o;
  if (parser.parse(padded.data(), padded.size(), false).get(root) != SUCCESS ||
      root.get_object().get(o) != SUCCESS) {
    return Unwrap::kNotWrapped;
  }
  // Splunk's add-ons add one layer: the Google Cloud add-on indexes a Pub/Sub message as
  // {"data": <LogEntry>, "attributes": ..., "publish_time": ...}, the Microsoft Cloud Services
  // add-on an Event Hubs message as {"body": <record or {"records": [...]}>, ...}.
  for (int layer = 0; layer < 2; ++layer) {
    if (dom::object payload; object_at(o, "protoPayload", payload)) {
      return gke(o, payload, out, format);
    }
    if (dom::array records; o.at_key("records").get_array().get(records) == SUCCESS) {
      // An Event Hubs message body: one event per record is what Splunk should index.
      const std::size_t n = records.size();
      dom::object record;
      if (n != 1 || records.at(0).get_object().get(record) != SUCCESS) {
        format = core::SourceFormat::kAks;
        out = core::concat({"Azure Monitor message with ", std::to_string(n),
                            " records: index one event per record"});
        return Unwrap::kError;
      }
      return aks(record, out, format);
    }
    if (layer == 0) {
      dom::object inner;
      if (object_at(o, "data", inner) || object_at(o, "body", inner)) {
        o = inner;
        continue;
      }
    }
    if (o.at_key("properties").error() == SUCCESS) return aks(o, out, format);
    break;
  }
  return Unwrap::kNotWrapped;
}

}  // namespace kubepriv::audit::detail
