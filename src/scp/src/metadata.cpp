#include "kubepriv/scp/metadata.hpp"

#include <nlohmann/json.hpp>

namespace kubepriv::scp {

using common::ErrorCode;
using common::fail;
using nlohmann::json;

namespace {
// Replies keep the key order we write (type before required_fields, finished before error), as
// splunklib and the traces do; splunkd does not care, people reading search.log do.
using ordered = nlohmann::ordered_json;

std::string dump(const ordered& j) {
  // replace: a message quoting bad input bytes must not make dump() throw.
  return j.dump(-1, ' ', false, ordered::error_handler_t::replace);
}
}  // namespace

common::Result<RequestMetadata> parse_request_metadata(std::string_view text) {
  const json j = json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return fail(ErrorCode::kParse, "chunk metadata is not valid JSON");
  if (!j.is_object()) return fail(ErrorCode::kParse, "chunk metadata is not a JSON object");
  RequestMetadata m;
  const auto action = j.find("action");
  if (action == j.end() || !action->is_string()) {
    return fail(ErrorCode::kProtocol, "chunk metadata has no string 'action'");
  }
  m.action = action->get<std::string>();
  if (const auto f = j.find("finished"); f != j.end() && !f->is_null()) {
    if (!f->is_boolean()) return fail(ErrorCode::kProtocol, "metadata 'finished' is not a boolean");
    m.finished = f->get<bool>();
  }
  if (const auto si = j.find("searchinfo"); si != j.end() && !si->is_null()) {
    if (!si->is_object())
      return fail(ErrorCode::kProtocol, "metadata 'searchinfo' is not an object");
    if (const auto a = si->find("args"); a != si->end() && !a->is_null()) {
      if (!a->is_array()) return fail(ErrorCode::kProtocol, "searchinfo.args is not an array");
      for (const auto& e : *a) {
        if (!e.is_string()) return fail(ErrorCode::kProtocol, "searchinfo.args holds a non-string");
        m.args.push_back(e.get<std::string>());
      }
    }
    if (const auto c = si->find("command"); c != si->end() && c->is_string()) {
      m.command = c->get<std::string>();
    }
  }
  return m;
}

std::string getinfo_reply_metadata(std::string_view type,
                                   const std::vector<std::string>& required_fields) {
  ordered j = ordered::object();
  j["type"] = std::string(type);
  if (!required_fields.empty()) j["required_fields"] = required_fields;
  return dump(j);
}

std::string error_reply_metadata(std::string_view message) {
  ordered j = ordered::object();
  j["finished"] = true;
  j["error"] = std::string(message);
  return dump(j);
}

std::string_view finished_metadata(bool finished) noexcept {
  return finished ? std::string_view(R"({"finished":true})")
                  : std::string_view(R"({"finished":false})");
}

}  // namespace kubepriv::scp
