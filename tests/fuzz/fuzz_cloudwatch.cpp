// Fuzz target: a CloudWatch Logs FilterLogEvents response body (awsJson1.1) as any endpoint,
// proxy or fake server may return it -> kubepriv::aws::parse_filter_log_events_response, then
// each message through the modular input's XML escaping, as the input writes it to splunkd.
// Invariants beyond "no crash":
//   * a parsed page's nextToken, sent back in the next request body, keeps that body valid JSON
//     (tokens are server-controlled bytes);
//   * every event message, escaped by modinput::append_xml_escaped, is well-formed XML character
//     data that expat accepts (one bad byte must not break splunkd's XML stream), and the
//     escaped text never shrinks below the message's length minus replaced bytes;
//   * parsing is deterministic.

#include <expat.h>

#include <cstddef>  // std::size_t
#include <cstdint>  // std::uint8_t
#include <cstdio>   // std::fprintf
#include <cstdlib>  // std::abort
#include <nlohmann/json.hpp>
#include <string>       // std::string
#include <string_view>  // std::string_view

#include "kubepriv/aws/logs_client.hpp"
#include "kubepriv/modinput/xml_escape.hpp"

namespace {

[[noreturn]] void fail(const char* what) {
  std::fprintf(stderr, "fuzz_cloudwatch: invariant broken: %s\n", what);
  std::abort();
}

bool well_formed_xml(const std::string& doc) {
  XML_Parser parser = XML_ParserCreate("UTF-8");
  if (parser == nullptr) return true;  // out of memory: not the code under test
  const bool ok = XML_Parse(parser, doc.data(), static_cast<int>(doc.size()), 1) == XML_STATUS_OK;
  XML_ParserFree(parser);
  return ok;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  const auto page = kubepriv::aws::parse_filter_log_events_response(body);
  if (!page) {
    if (page.error().message.empty()) fail("error without a message");
    return 0;
  }
  const auto again = kubepriv::aws::parse_filter_log_events_response(body);
  if (!again || again->events.size() != page->events.size() ||
      again->next_token != page->next_token)
    fail("parsing the same bytes twice disagrees");

  kubepriv::aws::FilterLogEventsRequest request;
  request.log_group_name = "/aws/eks/fuzz/cluster";
  if (page->next_token) request.next_token = *page->next_token;
  if (!nlohmann::json::accept(kubepriv::aws::filter_log_events_body(request)))
    fail("request body with the server's nextToken is not valid JSON");

  for (const auto& event : page->events) {
    std::string doc = "<data>";
    kubepriv::modinput::append_xml_escaped(doc, event.message);
    doc += "</data>";
    if (!well_formed_xml(doc)) fail("escaped event message is not well-formed XML");
    std::string attr = "<e stanza=\"";
    kubepriv::modinput::append_xml_escaped(attr, event.log_stream_name, /*attribute=*/true);
    attr += "\"/>";
    if (!well_formed_xml(attr)) fail("escaped stream name is not a well-formed attribute");
  }
  return 0;
}
