#pragma once
// Builds audit events as JSON text for the adapter tests (EKS field order, v1).
#include <algorithm>
#include <string>
#include <vector>

#include "kubepriv/core/verdict.hpp"

namespace kubepriv::test {

struct Ev {
  std::string verb = "create";
  std::string resource = "pods";
  std::string subresource;
  std::string api_group;  // empty: omitted
  std::string ns = "default";
  std::string name;
  std::string stage = "ResponseComplete";
  std::string uri = "/api/v1/namespaces/default/pods";
  int code = 201;        // 0: no responseStatus
  std::string request;   // raw JSON; empty: omitted
  std::string response;  // raw JSON; empty: omitted
  std::string annotations = R"({"authorization.k8s.io/decision":"allow"})";
  std::string user = R"({"username":"alice","groups":["dev","system:authenticated"]})";

  [[nodiscard]] std::string str() const {
    std::string s = R"({"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"RequestResponse",)";
    s += R"("auditID":"id-1","stage":")" + stage + R"(","requestURI":")" + uri + R"(",)";
    s += R"("verb":")" + verb + R"(","user":)" + user + R"(,"sourceIPs":["10.0.0.1","10.0.0.2"],)";
    s += R"("userAgent":"kubectl/v1.29.0","objectRef":{"resource":")" + resource + "\"";
    if (!ns.empty()) s += R"(,"namespace":")" + ns + "\"";
    if (!name.empty()) s += R"(,"name":")" + name + "\"";
    if (!api_group.empty()) s += R"(,"apiGroup":")" + api_group + "\"";
    if (!subresource.empty()) s += R"(,"subresource":")" + subresource + "\"";
    s += R"(,"apiVersion":"v1"})";
    if (code != 0) s += R"(,"responseStatus":{"metadata":{},"code":)" + std::to_string(code) + "}";
    if (!request.empty()) s += R"(,"requestObject":)" + request;
    if (!response.empty()) s += R"(,"responseObject":)" + response;
    s += R"(,"requestReceivedTimestamp":"2024-01-01T00:00:00.000000Z")";
    s += R"(,"annotations":)" + annotations + "}";
    return s;
  }
};

/// A Pod object with the given spec JSON.
inline std::string pod(const std::string& spec,
                       const std::string& metadata = R"({"name":"p1","namespace":"default"})") {
  return R"({"kind":"Pod","apiVersion":"v1","metadata":)" + metadata + R"(,"spec":)" + spec + "}";
}

/// A strategic-merge PATCH of pods/web-0/ephemeralcontainers (kubectl debug) with `request`.
inline Ev ephemeral_patch(const std::string& request) {
  Ev e;
  e.verb = "patch";
  e.subresource = "ephemeralcontainers";
  e.name = "web-0";
  e.code = 200;
  e.uri = "/api/v1/namespaces/default/pods/web-0/ephemeralcontainers";
  e.request = request;
  return e;
}

inline const std::string kPrivSpec =
    R"({"containers":[{"name":"app","image":"nginx:1","securityContext":{"privileged":true}}]})";
inline const std::string kPlainSpec = R"({"containers":[{"name":"app","image":"nginx:1"}]})";

inline bool has(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

inline std::string reasons_of(const core::Verdict& v) {
  std::string out;
  for (int i = 0; i < core::kReasonCount; ++i) {
    const auto r = static_cast<core::Reason>(i);
    if (v.reasons.has(r)) {
      if (!out.empty()) out += ',';
      out += core::to_string(r);
    }
  }
  return out;
}

}  // namespace kubepriv::test
