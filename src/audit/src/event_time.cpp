#include "kubepriv/audit/event_time.hpp"

#include <simdjson.h>

#include <string>  // std::string

#include "kubepriv/common/time.hpp"

namespace kubepriv::audit {

std::optional<std::int64_t> request_received_ms(std::string_view event_json) {
  // One parser per thread, reused: no allocation per event once it has grown.
  thread_local simdjson::ondemand::parser parser;
  thread_local std::string buffer;
  buffer.assign(event_json);
  buffer.append(simdjson::SIMDJSON_PADDING, '\0');
  simdjson::ondemand::document doc;
  if (parser.iterate(buffer.data(), event_json.size(), buffer.size()).get(doc)) return std::nullopt;
  simdjson::ondemand::object root;
  if (doc.get_object().get(root)) return std::nullopt;
  std::string_view text;
  // Every top-level field is visited (nested values skipped), so a broken document or a
  // duplicate key is noticed rather than trusted.
  std::optional<std::string_view> found;
  for (auto field : root) {
    std::string_view key;
    if (field.unescaped_key().get(key)) return std::nullopt;
    if (key != "requestReceivedTimestamp") continue;  // the iterator skips the value
    if (found || field.value().get_string().get(text)) return std::nullopt;
    found = text;
  }
  if (!found) return std::nullopt;
  auto ms = common::parse_rfc3339_ms(*found);
  if (!ms) return std::nullopt;
  return *ms;
}

}  // namespace kubepriv::audit
