// Fuzz target: the modular input's XML input definition (`<input>` in run mode, `<items>` for
// --validate-arguments) as splunkd writes it on stdin, in any declared encoding (UTF-8, UTF-16
// with or without BOM, ISO-8859-1, ...). Parsed by kubepriv::modinput::parse_input_definition
// (expat).
// Invariants beyond "no crash": a document with a DOCTYPE is always refused (no entity
// declarations, hence no external entities and no expansion bombs); a validation document has
// exactly one item; parsing is deterministic; an error carries a message.

#include <cstddef>      // std::size_t
#include <cstdint>      // std::uint8_t
#include <cstdio>       // std::fprintf
#include <cstdlib>      // std::abort
#include <string_view>  // std::string_view

#include "kubepriv/modinput/input_definition.hpp"

namespace {

[[noreturn]] void fail(const char* what) {
  std::fprintf(stderr, "fuzz_modinput_xml: invariant broken: %s\n", what);
  std::abort();
}

// True when a UTF-8 document opens with a DOCTYPE (after an optional BOM, XML declaration and
// whitespace). A "<!DOCTYPE" inside a comment or CDATA is legitimate text, so only this
// unambiguous position is checked.
bool starts_with_doctype(std::string_view bytes) {
  if (bytes.substr(0, 3) == "\xEF\xBB\xBF") bytes.remove_prefix(3);
  if (bytes.substr(0, 5) == "<?xml") {
    const std::size_t end = bytes.find("?>");
    if (end == std::string_view::npos) return false;
    bytes.remove_prefix(end + 2);
  }
  while (!bytes.empty() && (bytes.front() == ' ' || bytes.front() == '\n' ||
                            bytes.front() == '\r' || bytes.front() == '\t'))
    bytes.remove_prefix(1);
  return bytes.substr(0, 9) == "<!DOCTYPE";
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  const auto parsed = kubepriv::modinput::parse_input_definition(bytes);
  if (!parsed) {
    if (parsed.error().message.empty()) fail("error without a message");
    return 0;
  }
  if (starts_with_doctype(bytes)) fail("a document with a DOCTYPE was accepted");
  const auto& def = *parsed;
  if (def.validation && def.stanzas.size() != 1)
    fail("validation document without exactly one item");
  std::size_t total = def.session_key.size() + def.server_uri.size();
  for (const auto& stanza : def.stanzas) {
    total += kubepriv::modinput::stanza_short_name(stanza.name).size();
    for (const auto& [key, value] : stanza.params) total += key.size() + value.size();
    for (const auto& [key, values] : stanza.param_lists)
      for (const auto& v : values) total += key.size() + v.size();
  }
  const auto again = kubepriv::modinput::parse_input_definition(bytes);
  if (!again || again->stanzas.size() != def.stanzas.size() ||
      again->session_key != def.session_key)
    fail("parsing the same bytes twice disagrees");
  if (total > size * 64 + 4096) fail("output much larger than input (entity expansion?)");
  return 0;
}
