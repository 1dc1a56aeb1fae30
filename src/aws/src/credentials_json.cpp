#include "kubepriv/aws/credentials_json.hpp"

#include <nlohmann/json.hpp>

#include "kubepriv/aws/sigv4.hpp"

namespace kubepriv::aws {

using common::ErrorCode;
using common::fail;
using common::Result;

Result<Credentials> parse_credentials_json(std::string_view body, std::string provider) {
  auto j = nlohmann::json::parse(body, nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    return fail(ErrorCode::kParse, provider + ": credential response is not a JSON object");
  }
  auto str = [&](const char* key) -> std::string {
    auto it = j.find(key);
    return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  if (auto it = j.find("Code");
      it != j.end() && it->is_string() && it->get<std::string>() != "Success") {
    return fail(ErrorCode::kAuth,
                provider + ": credential response Code is '" + it->get<std::string>() + "'");
  }
  Credentials c;
  c.access_key_id = str("AccessKeyId");
  c.secret_access_key = str("SecretAccessKey");
  c.session_token = str("Token");
  if (c.session_token.empty()) c.session_token = str("SessionToken");
  if (c.empty())
    return fail(ErrorCode::kParse,
                provider + ": credential response lacks AccessKeyId/SecretAccessKey");
  const std::string exp = str("Expiration");
  if (!exp.empty()) {
    auto t = parse_timestamp(exp);
    if (!t) return fail(ErrorCode::kParse, provider + ": bad Expiration: " + t.error().message);
    c.expiration = *t;
  }
  c.provider = std::move(provider);
  return c;
}

}  // namespace kubepriv::aws
