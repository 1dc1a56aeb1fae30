#include "kubepriv/aws/sts.hpp"

#include <expat.h>
#include <spdlog/spdlog.h>

#include <algorithm>  // std::min
#include <vector>     // std::vector

#include "kubepriv/aws/sigv4.hpp"
#include "kubepriv/common/percent.hpp"

namespace kubepriv::aws {

using common::ErrorCode;
using common::fail;
using common::Result;

std::string form_encode(std::string_view value) {
  return common::percent_encode(value);
}

namespace {

struct XmlState {
  std::vector<std::string> stack;
  std::string text;
  std::string access_key_id, secret, token, expiration, code, message, request_id;
  bool saw_credentials = false;
  bool saw_error = false;
  bool refused = false;
  std::string root;
};

bool in_stack(const XmlState& s, std::string_view name) {
  for (const auto& e : s.stack) {
    if (e == name) return true;
  }
  return false;
}

void XMLCALL on_start(void* ud, const XML_Char* name, const XML_Char** /*attrs*/) {
  auto* s = static_cast<XmlState*>(ud);
  if (s->stack.empty()) s->root = name;
  s->stack.emplace_back(name);
  s->text.clear();
  if (std::string_view(name) == "Credentials") s->saw_credentials = true;
  if (std::string_view(name) == "Error") s->saw_error = true;
}

void XMLCALL on_end(void* ud, const XML_Char* name) {
  auto* s = static_cast<XmlState*>(ud);
  const std::string_view n(name);
  if (in_stack(*s, "Credentials")) {
    if (n == "AccessKeyId")
      s->access_key_id = s->text;
    else if (n == "SecretAccessKey")
      s->secret = s->text;
    else if (n == "SessionToken")
      s->token = s->text;
    else if (n == "Expiration")
      s->expiration = s->text;
  }
  if (in_stack(*s, "Error")) {
    if (n == "Code")
      s->code = s->text;
    else if (n == "Message")
      s->message = s->text;
  }
  if (n == "RequestId") s->request_id = s->text;
  if (!s->stack.empty()) s->stack.pop_back();
  s->text.clear();
}

void XMLCALL on_text(void* ud, const XML_Char* data, int len) {
  auto* s = static_cast<XmlState*>(ud);
  if (len > 0 && s->text.size() < (1u << 16)) s->text.append(data, static_cast<std::size_t>(len));
}

// Any DOCTYPE (and so any entity declaration) is refused: STS never sends one, and refusing
// it rules out entity expansion attacks from a hostile endpoint.
void XMLCALL on_doctype(void* ud, const XML_Char*, const XML_Char*, const XML_Char*, int) {
  auto* s = static_cast<XmlState*>(ud);
  s->refused = true;
}

void XMLCALL on_entity(void* ud, const XML_Char*, int, const XML_Char*, int, const XML_Char*,
                       const XML_Char*, const XML_Char*, const XML_Char*) {
  auto* s = static_cast<XmlState*>(ud);
  s->refused = true;
}

ErrorCode code_for_sts(std::string_view code, int status) {
  if (code == "Throttling" || code == "ThrottlingException" || code == "RequestLimitExceeded") {
    return ErrorCode::kThrottled;
  }
  if (code == "AccessDenied" || code == "ExpiredToken" || code == "ExpiredTokenException" ||
      code == "InvalidIdentityToken" || code == "InvalidClientTokenId" ||
      code == "SignatureDoesNotMatch" || code == "RegionDisabledException" ||
      code == "IDPRejectedClaim" || code == "MissingAuthenticationToken") {
    return ErrorCode::kAuth;
  }
  if (code == "IDPCommunicationError" || code == "ServiceUnavailable" ||
      code == "InternalFailure" || status >= 500) {
    return ErrorCode::kUnavailable;
  }
  if (code == "ValidationError" || code == "MalformedPolicyDocument" ||
      code == "PackedPolicyTooLarge") {
    return ErrorCode::kInvalidArgument;
  }
  return ErrorCode::kProtocol;
}

}  // namespace

Result<Credentials> parse_sts_response(std::string_view body, int http_status) {
  XmlState s;
  XML_Parser p = XML_ParserCreate("UTF-8");
  if (p == nullptr) return fail(ErrorCode::kInternal, "cannot create XML parser");
  XML_SetUserData(p, &s);
  XML_SetElementHandler(p, on_start, on_end);
  XML_SetCharacterDataHandler(p, on_text);
  XML_SetStartDoctypeDeclHandler(p, on_doctype);
  XML_SetEntityDeclHandler(p, on_entity);
  XML_SetParamEntityParsing(p, XML_PARAM_ENTITY_PARSING_NEVER);
  const auto st = XML_Parse(p, body.data(), static_cast<int>(body.size()), 1);
  std::string xml_error;
  if (st != XML_STATUS_OK) {
    xml_error = XML_ErrorString(XML_GetErrorCode(p));
    xml_error += " at line " + std::to_string(XML_GetCurrentLineNumber(p));
  }
  XML_ParserFree(p);
  const std::string status_text = "HTTP " + std::to_string(http_status);
  if (s.refused) {
    return fail(ErrorCode::kParse,
                "STS response refused: it declares a DOCTYPE/entities (" + status_text + ")");
  }
  if (st != XML_STATUS_OK) {
    const ErrorCode c = http_status >= 500 ? ErrorCode::kUnavailable : ErrorCode::kParse;
    return fail(c, "STS response is not valid XML (" + status_text + "): " + xml_error);
  }
  if (s.saw_error || http_status < 200 || http_status >= 300) {
    std::string msg = "STS error " + (s.code.empty() ? std::string("(no code)") : s.code) + " (" +
                      status_text + ")";
    if (!s.message.empty()) msg += ": " + redact_text(s.message);
    if (!s.request_id.empty()) msg += " [request id " + s.request_id + "]";
    return fail(code_for_sts(s.code, http_status), msg);
  }
  if (!s.saw_credentials || s.access_key_id.empty() || s.secret.empty()) {
    return fail(ErrorCode::kParse, "STS response has no credentials (root <" + s.root + ">)");
  }
  Credentials c;
  c.access_key_id = s.access_key_id;
  c.secret_access_key = s.secret;
  c.session_token = s.token;
  if (!s.expiration.empty()) {
    auto t = parse_timestamp(s.expiration);
    if (!t)
      return fail(ErrorCode::kParse, "STS Expiration is not a timestamp: " + t.error().message);
    c.expiration = *t;
  }
  c.provider = "sts";
  return c;
}

StsClient::StsClient(StsConfig config, const Environment& env, common::HttpTransport& http,
                     const common::Clock& clock)
    : config_(std::move(config)), env_(env), http_(http), clock_(clock) {}

Result<Credentials> StsClient::call(std::string action, std::string body,
                                    const Credentials* signer) {
  auto ep = resolve_sts_endpoint(
      EndpointOptions{config_.region, config_.endpoint_url, false, false}, env_);
  if (!ep) return tl::unexpected(ep.error());
  Result<Credentials> last = fail(ErrorCode::kInternal, "STS not called");
  for (int attempt = 1; attempt <= 3; ++attempt) {
    common::HttpRequest req;
    req.method = "POST";
    req.url = ep->url + "/";
    req.timeout = config_.timeout;
    req.connect_timeout = std::min(config_.timeout, std::chrono::milliseconds(5000));
    req.headers.push_back({"Content-Type", "application/x-www-form-urlencoded; charset=utf-8"});
    req.body = body;
    if (signer != nullptr) {
      SigningParams params;
      params.region = ep->signing_region;
      params.service = "sts";
      params.time = clock_.now();
      auto signed_ok = sign_request(req, *signer, params);
      if (!signed_ok) return tl::unexpected(signed_ok.error());
    } else {
      auto url = common::parse_url(req.url);
      if (url) req.headers.push_back({"Host", url->authority()});
    }
    auto resp = http_.send(req);
    if (!resp) {
      last =
          fail(resp.error().code, "STS " + action + " at " + ep->url + ": " + resp.error().message);
      spdlog::warn(last.error().message);
      continue;
    }
    last = parse_sts_response(resp->body, resp->status);
    if (last) {
      last->provider = action == "AssumeRole" ? "assume_role" : "web_identity";
      return last;
    }
    last.error().message = "STS " + action + ": " + last.error().message;
    if (last.error().code != ErrorCode::kUnavailable && last.error().code != ErrorCode::kThrottled)
      break;
    spdlog::warn(last.error().message);
  }
  return last;
}

Result<Credentials> StsClient::assume_role(const Credentials& source, const std::string& role_arn,
                                           const std::string& session_name,
                                           const std::string& external_id, int duration_seconds) {
  std::string body = "Action=AssumeRole&Version=2011-06-15&RoleArn=" + form_encode(role_arn) +
                     "&RoleSessionName=" + form_encode(session_name) +
                     "&DurationSeconds=" + std::to_string(duration_seconds);
  if (!external_id.empty()) body += "&ExternalId=" + form_encode(external_id);
  return call("AssumeRole", std::move(body), &source);
}

Result<Credentials> StsClient::assume_role_with_web_identity(const std::string& role_arn,
                                                             const std::string& session_name,
                                                             const std::string& token,
                                                             int duration_seconds) {
  std::string body =
      "Action=AssumeRoleWithWebIdentity&Version=2011-06-15&RoleArn=" + form_encode(role_arn) +
      "&RoleSessionName=" + form_encode(session_name) + "&WebIdentityToken=" + form_encode(token) +
      "&DurationSeconds=" + std::to_string(duration_seconds);
  return call("AssumeRoleWithWebIdentity", std::move(body), nullptr);
}

}  // namespace kubepriv::aws
