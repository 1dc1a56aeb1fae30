#include "kubepriv/splunkd/passwords.hpp"

#include <nlohmann/json.hpp>

#include "kubepriv/common/percent.hpp"

namespace kubepriv::splunkd {

using common::ErrorCode;
using common::fail;
using common::Result;

namespace {

std::string escape_part(std::string_view s) {
  std::string out;
  for (const char c : s) {
    if (c == ':' || c == '\\') out += '\\';
    out += c;
  }
  return out;
}

std::string display(const CredentialName& n) {
  return n.realm.empty() ? "\"" + n.username + "\"" : "\"" + n.realm + ":" + n.username + "\"";
}

}  // namespace

Result<CredentialName> parse_credential_name(std::string_view text) {
  CredentialName out;
  std::string cur;
  bool have_realm = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '\\' && i + 1 < text.size()) {
      cur += text[++i];
    } else if (c == ':' && !have_realm) {
      out.realm = std::move(cur);
      cur.clear();
      have_realm = true;
    } else if (c == ':') {
      return fail(ErrorCode::kInvalidArgument,
                  "credential name has more than one unescaped ':' (use realm:username, and \\: "
                  "for a colon inside a part)");
    } else {
      cur += c;
    }
  }
  out.username = std::move(cur);
  if (out.username.empty()) {
    return fail(ErrorCode::kInvalidArgument, "credential name has an empty username part");
  }
  return out;
}

std::string password_entity_name(const CredentialName& name) {
  return escape_part(name.realm) + ":" + escape_part(name.username) + ":";
}

common::HttpRequest password_request(const Session& session, const CredentialName& name) {
  std::string base = session.server_uri;
  while (!base.empty() && base.back() == '/') base.pop_back();
  common::HttpRequest req;
  req.method = "GET";
  req.url = base + "/servicesNS/nobody/" +
            common::percent_encode(session.app.empty() ? "-" : session.app) +
            "/storage/passwords/" + common::percent_encode(password_entity_name(name)) +
            "?output_mode=json";
  req.headers.push_back({"Authorization", "Splunk " + session.session_key});
  req.timeout = std::chrono::seconds(30);
  return req;
}

Result<StoredCredential> read_password(common::HttpTransport& http, const Session& session,
                                       const CredentialName& name) {
  if (session.session_key.empty()) {
    return fail(ErrorCode::kAuth,
                "no splunkd session key in the input definition; cannot read "
                "credential " +
                    display(name));
  }
  auto url = common::parse_url(session.server_uri);
  if (!url) {
    return fail(ErrorCode::kInvalidArgument, "server_uri is not a URL: " + url.error().message);
  }
  auto resp = http.send(password_request(session, name));
  if (!resp) {
    return fail(ErrorCode::kUnavailable, "reading credential " + display(name) +
                                             " from splunkd at " + session.server_uri + ": " +
                                             resp.error().message);
  }
  const int st = resp->status;
  if (st == 404) {
    return fail(ErrorCode::kNotFound, "splunkd has no credential " + display(name) + " in app \"" +
                                          (session.app.empty() ? "-" : session.app) +
                                          "\" (Settings > Credentials / storage/passwords)");
  }
  if (st == 401 || st == 403) {
    return fail(ErrorCode::kAuth,
                "splunkd refused to read credential " + display(name) + " (HTTP " +
                    std::to_string(st) +
                    "; the input's owner needs the list_storage_passwords capability)");
  }
  if (st < 200 || st > 299) {
    return fail(st >= 500 ? ErrorCode::kUnavailable : ErrorCode::kProtocol,
                "splunkd answered HTTP " + std::to_string(st) + " for credential " + display(name));
  }
  const auto doc = nlohmann::json::parse(resp->body, nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) {
    return fail(ErrorCode::kParse, "splunkd's storage/passwords answer is not JSON");
  }
  const auto entries = doc.find("entry");
  if (entries == doc.end() || !entries->is_array()) {
    return fail(ErrorCode::kParse, "splunkd's storage/passwords answer has no \"entry\" list");
  }
  for (const auto& e : *entries) {
    if (!e.is_object()) continue;
    const auto content = e.find("content");
    if (content == e.end() || !content->is_object()) continue;
    const auto get = [&](const char* key) -> std::string {
      const auto it = content->find(key);
      return it != content->end() && it->is_string() ? it->get<std::string>() : std::string();
    };
    if (get("username") != name.username || get("realm") != name.realm) continue;
    const auto pw = content->find("clear_password");
    if (pw == content->end() || !pw->is_string()) {
      return fail(ErrorCode::kParse, "credential " + display(name) + " has no clear_password");
    }
    return StoredCredential{name.realm, name.username, pw->get<std::string>()};
  }
  return fail(ErrorCode::kNotFound, "splunkd's answer holds no credential " + display(name));
}

}  // namespace kubepriv::splunkd
