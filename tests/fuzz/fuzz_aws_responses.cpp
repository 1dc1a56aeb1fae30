// Fuzz target: credential documents from the network: STS answers (AssumeRole and
// AssumeRoleWithWebIdentity, XML via expat, success and <ErrorResponse>) and the JSON of the
// instance metadata service (IMDSv2) and container credential endpoints (ECS, EKS Pod Identity).
// The first input byte picks the HTTP status the body arrived with; the rest is the body, fed
// to both parsers.
// Invariants beyond "no crash": a success never yields empty credentials; an error has a
// message; a document with a DOCTYPE is refused by the STS parser (no entities, no XXE); the
// error message never repeats a secret the body carried.

#include <expat.h>

#include <cstddef>  // std::size_t
#include <cstdint>  // std::uint8_t
#include <cstdio>   // std::fprintf
#include <cstdlib>  // std::abort
#include <nlohmann/json.hpp>
#include <string>       // std::string
#include <string_view>  // std::string_view

#include "kubepriv/aws/credentials_json.hpp"
#include "kubepriv/aws/sts.hpp"

namespace {

[[noreturn]] void fail(const char* what) {
  std::fprintf(stderr, "fuzz_aws_responses: invariant broken: %s\n", what);
  std::abort();
}

// The SecretAccessKey the body really carries: the text of <SecretAccessKey> elements (expat,
// no DOCTYPE handling needed: parsing stops at the first error) or the JSON member.
struct SecretCollector {
  bool inside = false;
  std::string text;
};

std::string xml_secret(std::string_view body) {
  SecretCollector c;
  XML_Parser p = XML_ParserCreate(nullptr);
  if (p == nullptr) return {};
  XML_SetUserData(p, &c);
  XML_SetElementHandler(
      p,
      [](void* ud, const XML_Char* name, const XML_Char**) {
        static_cast<SecretCollector*>(ud)->inside = std::string_view(name) == "SecretAccessKey";
      },
      [](void* ud, const XML_Char*) { static_cast<SecretCollector*>(ud)->inside = false; });
  XML_SetCharacterDataHandler(p, [](void* ud, const XML_Char* s, int len) {
    auto* self = static_cast<SecretCollector*>(ud);
    if (self->inside && len > 0) self->text.append(s, static_cast<std::size_t>(len));
  });
  XML_Parse(p, body.data(), static_cast<int>(body.size()), 1);
  XML_ParserFree(p);
  return c.text;
}

std::string json_secret(std::string_view body) {
  const auto doc = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (!doc.is_object()) return {};
  const auto it = doc.find("SecretAccessKey");
  if (it == doc.end() || !it->is_string()) return {};
  return it->get<std::string>();
}

constexpr std::string_view kMarker = "SECRETMARKERq7Zx9";

// `body` with every occurrence of `secret` replaced by kMarker.
std::string marked(std::string_view body, const std::string& secret) {
  std::string out(body);
  for (std::size_t at = 0; (at = out.find(secret, at)) != std::string::npos; at += kMarker.size())
    out.replace(at, secret.size(), kMarker);
  return out;
}

// `parse(body)` must not put the body's SecretAccessKey into an error message. The secret may
// coincide with the message's own words, so the check parses again with a marker in its place.
template <typename Parse>
void check(Parse parse, std::string_view body, const std::string& secret) {
  const auto result = parse(body);
  if (result) {
    if (result->empty()) fail("success with empty credentials");
    return;
  }
  if (result.error().message.empty()) fail("error without a message");
  if (secret.size() < 8) return;
  // A secret that also fills another field (Code, Message...) may be quoted as that field.
  if (body.find(secret) != body.rfind(secret)) return;
  // A body that already carries the marker (in Expiration, say, which errors may quote) cannot
  // tell a leak from a quote of that other field.
  if (body.find(kMarker) != std::string_view::npos) return;
  const std::string with_marker = marked(body, secret);
  const auto again = parse(with_marker);
  if (!again && again.error().message.find(kMarker) != std::string::npos)
    fail("error message repeats the secret access key");
}

bool opens_with_doctype(std::string_view body) {
  while (!body.empty() && (body.front() == ' ' || body.front() == '\n' || body.front() == '\r' ||
                           body.front() == '\t'))
    body.remove_prefix(1);
  if (body.substr(0, 5) == "<?xml") {
    const std::size_t end = body.find("?>");
    if (end == std::string_view::npos) return false;
    body.remove_prefix(end + 2);
    while (!body.empty() && (body.front() == ' ' || body.front() == '\n' || body.front() == '\r' ||
                             body.front() == '\t'))
      body.remove_prefix(1);
  }
  return body.substr(0, 9) == "<!DOCTYPE";
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  static constexpr int kStatuses[] = {200, 400, 403, 500, 503, 404, 401, 302};
  const int status = kStatuses[data[0] % 8];
  const std::string_view body(reinterpret_cast<const char*>(data + 1), size - 1);

  const auto sts = [status](std::string_view b) {
    return kubepriv::aws::parse_sts_response(b, status);
  };
  check(sts, body, xml_secret(body));
  if (sts(body) && opens_with_doctype(body)) fail("STS document with a DOCTYPE accepted");

  const std::string secret = json_secret(body);
  check([](std::string_view b) { return kubepriv::aws::parse_credentials_json(b, "imds"); }, body,
        secret);
  check([](std::string_view b) { return kubepriv::aws::parse_credentials_json(b, "container"); },
        body, secret);
  return 0;
}
